// alchemy/table.hpp — table options, declared outside the mapped struct.
//
// A mapped struct stays a plain struct. Its table options come from a
// constexpr function `alchemy_table(T*)` declared next to it (found by
// argument-dependent lookup; the pointer argument only selects the overload):
//
//     struct Post { std::int64_t id = 0; std::string title; std::optional<std::int64_t> user_id; };
//     constexpr auto alchemy_table(Post*) {
//         return alchemy::table("posts",
//             alchemy::foreign_key(&Post::user_id, &User::id).on_delete(alchemy::fk_action::cascade),
//             alchemy::index(&Post::title));
//     }
//
// Without such a function (or with an empty name) the table is named after
// the struct in snake_case (`BlogPost` -> "blog_post"), and the primary key
// is the member named `id`.
//
// Options:
//   primary_key(&E::a, &E::b)          the key, when it is not a member named `id`
//   autoincrement                      INTEGER PRIMARY KEY AUTOINCREMENT (never reuse ids)
//   column_name(&U::email, "mail")     a column named differently from its member
//   foreign_key(&P::user_id, &U::id)   REFERENCES, with .on_delete(a) / .on_update(a)
//   unique(&U::name), unique(&E::a, &E::b)      UNIQUE constraints
//   index(&U::name, ...)               CREATE INDEX; .unique() and .named("ix_name")
//   check("age >= 0")                  a CHECK constraint (SQL written by you)
//   server_default(&U::created, "CURRENT_TIMESTAMP")   DEFAULT (<SQL expression>)
//   default_value(&U::role, "member")  client-side default for an empty std::optional
//                                      member, applied when the object is inserted
//   version_id(&D::version)            optimistic locking (SQLAlchemy's version_id_col):
//                                      an integer member counting the row's versions,
//                                      checked by every UPDATE and DELETE
//   relation(&U::posts, {.cascade = "all, delete-orphan"})
//                                      settings of a relationship member (relationship.hpp):
//                                      cascades, passive_deletes, post_update, and with
//                                      relation(&U::posts, &P::author_id, ...) the foreign
//                                      key to use when several could link the two tables;
//                                      an unknown cascade word fails to compile
#pragma once

#include <string_view>
#include <tuple>

namespace alchemy {

/// What the database does to referencing rows when the referenced key is
/// deleted or updated.
enum class fk_action { no_action, restrict, set_null, set_default, cascade };

/// The SQL spelling of an action (ON DELETE <action>).
constexpr std::string_view to_sql(fk_action action) noexcept {
    switch (action) {
        case fk_action::no_action: return "NO ACTION";
        case fk_action::restrict: return "RESTRICT";
        case fk_action::set_null: return "SET NULL";
        case fk_action::set_default: return "SET DEFAULT";
        case fk_action::cascade: return "CASCADE";
    }
    return "NO ACTION";
}

template <class C, class... M>
struct primary_key_option {
    std::tuple<M C::*...> members;
};
/// The primary key: one member, or several for a composite key.
template <class C, class... M>
constexpr primary_key_option<C, M...> primary_key(M C::*... members) {
    return {{members...}};
}

struct autoincrement_option {};
/// INTEGER PRIMARY KEY AUTOINCREMENT: ids of deleted rows are never reused.
inline constexpr autoincrement_option autoincrement{};

template <class C, class M>
struct column_name_option {
    M C::*member;
    std::string_view name;
};
/// Names the column of `member` (default: the member's name).
template <class C, class M>
constexpr column_name_option<C, M> column_name(M C::*member, std::string_view name) {
    return {member, name};
}

template <class C, class M, class TC, class TM>
struct foreign_key_option {
    M C::*from;
    TM TC::*to;
    fk_action on_delete_action = fk_action::no_action;
    fk_action on_update_action = fk_action::no_action;

    constexpr foreign_key_option on_delete(fk_action action) const {
        auto copy = *this;
        copy.on_delete_action = action;
        return copy;
    }
    constexpr foreign_key_option on_update(fk_action action) const {
        auto copy = *this;
        copy.on_update_action = action;
        return copy;
    }
};
/// `from` references `to` (a primary key or unique member of another mapped
/// struct, or of the same one). A typo fails to compile.
template <class C, class M, class TC, class TM>
constexpr foreign_key_option<C, M, TC, TM> foreign_key(M C::*from, TM TC::*to) {
    return {from, to};
}

template <class C, class... M>
struct unique_option {
    std::tuple<M C::*...> members;
};
/// A UNIQUE constraint over one or several members.
template <class C, class... M>
constexpr unique_option<C, M...> unique(M C::*... members) {
    return {{members...}};
}

template <class C, class... M>
struct index_option {
    std::tuple<M C::*...> members;
    std::string_view index_name{};
    bool is_unique = false;

    /// A UNIQUE index.
    constexpr index_option unique() const {
        auto copy = *this;
        copy.is_unique = true;
        return copy;
    }
    /// The index's name (default: ix_<table>_<columns>).
    constexpr index_option named(std::string_view name) const {
        auto copy = *this;
        copy.index_name = name;
        return copy;
    }
};
/// An index over one or several members.
template <class C, class... M>
constexpr index_option<C, M...> index(M C::*... members) {
    return {{members...}};
}

struct check_option {
    std::string_view sql;
    std::string_view constraint_name{};
    /// Names the constraint (CONSTRAINT "name" CHECK (...)).
    constexpr check_option named(std::string_view name) const { return {sql, name}; }
};
/// A CHECK constraint; the SQL expression is written into the DDL as given.
constexpr check_option check(std::string_view sql) { return {sql}; }

template <class C, class M>
struct server_default_option {
    M C::*member;
    std::string_view sql;
};
/// DEFAULT (<sql>) in the DDL; used when the (optional) member is empty at insert.
template <class C, class M>
constexpr server_default_option<C, M> server_default(M C::*member, std::string_view sql) {
    return {member, sql};
}

template <class C, class M, class V>
struct default_value_option {
    M C::*member;
    V value;
};
/// A client-side default for an empty std::optional member: a value, or a
/// function returning one, assigned to the member when the object is inserted.
template <class C, class M, class V>
constexpr default_value_option<C, M, V> default_value(M C::*member, V value) {
    return {member, value};
}

template <class C, class M>
struct version_id_option {
    M C::*member;
};
/// Optimistic locking (SQLAlchemy's version_id_col): `member`, an integer
/// that is not part of the key, counts the versions of the row. An INSERT
/// writes 1. An UPDATE writes the loaded value + 1 into the row and the
/// object and matches the row only if it still holds the loaded value
/// (`UPDATE ... SET ..., "version" = ? WHERE "id" = ? AND "version" = ?`); a
/// DELETE matches the same way. A row another transaction changed or deleted
/// since it was loaded matches nothing, and the flush raises StaleDataError
/// naming the table and the key (and rolls back as any failed flush does).
template <class C, class M>
constexpr version_id_option<C, M> version_id(M C::*member) {
    return {member};
}

/// Cascades of a relationship (SQLAlchemy's names), as a bit set.
namespace cascade {
inline constexpr unsigned save_update = 1u << 0;
inline constexpr unsigned merge = 1u << 1;
inline constexpr unsigned refresh_expire = 1u << 2;
inline constexpr unsigned expunge = 1u << 3;
inline constexpr unsigned delete_ = 1u << 4;
inline constexpr unsigned delete_orphan = 1u << 5;
inline constexpr unsigned all = save_update | merge | refresh_expire | expunge | delete_;
inline constexpr unsigned defaults = save_update | merge;

/// Set by parse() for a word it does not know: mapping the struct then fails
/// to compile with a message naming the member.
inline constexpr unsigned invalid = 1u << 31;

/// Parses SQLAlchemy's cascade string ("all, delete-orphan").
constexpr unsigned parse(std::string_view text) {
    unsigned flags = 0;
    while (!text.empty()) {
        const auto comma = text.find(',');
        auto word = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
        while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
        if (word.empty() || word == "none") continue;
        if (word == "all") flags |= all;
        else if (word == "save-update") flags |= save_update;
        else if (word == "merge") flags |= merge;
        else if (word == "refresh-expire") flags |= refresh_expire;
        else if (word == "expunge") flags |= expunge;
        else if (word == "delete") flags |= delete_;
        else if (word == "delete-orphan") flags |= delete_orphan;
        else flags |= invalid;
    }
    return flags;
}
}  // namespace cascade

/// How a relationship's objects are loaded (SQLAlchemy's `lazy=`): as a
/// mapping default (relation_settings::lazy) or for one query
/// (loading.hpp's options).
enum class loading : unsigned char {
    select,    ///< lazily, on first access ("select", the default; batched: session_options::batch_lazy_loads)
    selectin,  ///< by every query of the owner, in a second SELECT ... WHERE key IN (...)
    joined,    ///< by every query of the owner, in the same SELECT through LEFT OUTER JOIN
    noload,    ///< never: the relationship reads as empty, with no SQL
    raise,     ///< a lazy load is an InvalidRequestError (the guard against N+1 queries)
};

/// How a relationship behaves; every field has SQLAlchemy's default.
struct relation_settings {
    /// SQLAlchemy's cascade string: "save-update, merge" by default; "all",
    /// "all, delete-orphan", "none", ...
    std::string_view cascade = "save-update, merge";
    /// On delete of the parent, leave unloaded children to the database's
    /// ON DELETE instead of loading them to set their key to NULL.
    bool passive_deletes = false;
    /// SQLAlchemy's post_update, for two rows that reference each other: the
    /// foreign key is written by a second UPDATE once both rows exist, and
    /// set to NULL by an UPDATE before the row's DELETE, so neither INSERT
    /// waits for the other. Not for many-to-many relationships.
    bool post_update = false;
    /// How the relationship loads when a query says nothing about it
    /// (SQLAlchemy's lazy="select" / "selectin" / "joined" / "noload" /
    /// "raise"). selectin and joined apply to query<T>(); noload and raise
    /// to every lazy load, however the object was loaded.
    loading lazy = loading::select;
};

template <class C, class M, class VC = void, class VM = void>
struct relation_option {
    M C::*member;
    VM VC::*via = nullptr;  ///< the foreign key column that links the two sides
    unsigned cascade_flags = cascade::defaults;
    bool passive_deletes = false;
    bool post_update = false;
    loading lazy = loading::select;
};
template <class C, class M>
struct relation_option<C, M, void, void> {
    M C::*member;
    unsigned cascade_flags = cascade::defaults;
    bool passive_deletes = false;
    bool post_update = false;
    loading lazy = loading::select;
};
/// Settings of the relationship member `member`.
template <class C, class M>
constexpr relation_option<C, M> relation(M C::*member, relation_settings settings = {}) {
    return {member, cascade::parse(settings.cascade), settings.passive_deletes, settings.post_update, settings.lazy};
}
/// ... linked through the foreign key column `via` (a member of the table
/// that holds the key: the child, or the association table), for when
/// several foreign keys could link the two sides.
template <class C, class M, class VC, class VM>
constexpr relation_option<C, M, VC, VM> relation(M C::*member, VM VC::*via, relation_settings settings = {}) {
    return {member, via, cascade::parse(settings.cascade), settings.passive_deletes, settings.post_update, settings.lazy};
}

/// A table's name and options, as returned from `alchemy_table(T*)`.
template <class... O>
struct table_options {
    std::string_view name;
    std::tuple<O...> options;
};

/// The table options of a mapped struct: its name (empty = the default
/// snake_case name) and any of the options above, in any order.
template <class... O>
constexpr table_options<O...> table(std::string_view name, O... options) {
    return {name, {options...}};
}

}  // namespace alchemy
