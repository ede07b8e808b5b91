// alchemy/mapping.hpp — a plain struct as a mapped class: its table metadata.
//
// table_of<T>() turns T's reflection (BOOST_DESCRIBE_STRUCT, or Boost.PFR for
// a plain aggregate) and its options (table.hpp) into runtime metadata, once
// per type: the table name, columns with their SQL types and type-erased
// accessors, the primary key, foreign keys, unique constraints, indexes and
// checks. The session, the SQL compiler and the schema code work on this
// metadata, not on T's members, which keeps templates at the edges.
//
// Mistakes in a mapping are compile errors that start with "alchemy:" and
// whose instantiation context names the struct and the member:
// an unsupported member type, no primary key, a foreign key to an unmapped
// struct or to a member of another type, an option naming a member that
// BOOST_DESCRIBE_STRUCT does not list.
//
// Nullability follows the type: std::optional<T> members are NULL-able,
// everything else is NOT NULL. Members that are relationships are not columns.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/mapping/entity_ops.hpp>
#include <alchemy/detail/reflect.hpp>
#include <alchemy/detail/type_name.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/table.hpp>
#include <alchemy/types.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

struct table_info;

/// One column of a mapped table.
struct column_info {
    std::string name;             ///< SQL column name
    std::string_view member;      ///< C++ member name
    std::string_view cpp_type;    ///< C++ member type, for messages
    sql_type type;                ///< storage class
    column_type logical_type = column_type::blob;  ///< what DDL declares (dialect::type_name)
    bool nullable = false;        ///< the member is a std::optional
    bool primary_key = false;
    std::optional<std::string> server_default;  ///< SQL expression for DEFAULT (...)
    std::size_t offset = 0;       ///< byte offset of the member in the struct (for col(&T::m))
    /// Writes the member of `object` (a T*) as a parameter.
    void (*bind)(binder& out, const void* object) = nullptr;
    /// Reads a value into the member of `object`; throws ConversionError.
    void (*read)(const column_value& value, void* object) = nullptr;
    /// Assigns the client-side default to the member when it is empty (or null).
    void (*apply_default)(void* object) = nullptr;
};

struct foreign_key_info {
    std::vector<std::size_t> columns;          ///< indices into this table's columns
    const table_info& (*target)() = nullptr;   ///< the referenced table (may be this one)
    std::vector<std::size_t> target_columns;   ///< indices into target().columns
    fk_action on_delete = fk_action::no_action;
    fk_action on_update = fk_action::no_action;
};

struct unique_info {
    std::vector<std::size_t> columns;
};

struct index_info {
    std::string name;
    std::vector<std::size_t> columns;
    bool unique = false;
};

struct check_info {
    std::string sql;
    std::string name;  ///< empty: unnamed
};

/// What a relationship member is (relationship.hpp).
enum class relationship_kind {
    one_to_many,   ///< relationship<Child>: the children whose foreign key references this object
    many_to_one,   ///< backref<Parent>: the object this one's foreign key references
    many_to_many,  ///< relationship<Other, Association>: linked through rows of an association table
};

namespace detail {
struct relationship_base;
struct relationship_ops;
/// relationship_ops_of<Member> (relationship_base.hpp).
template <class Member>
const relationship_ops* relationship_ops_for() noexcept;
class instance_ref;
class instance_arena;
template <class T>
instance_ref make_instance(instance_arena* arena);
}  // namespace detail

/// One relationship member of a mapped struct. The foreign keys are single
/// columns (foreign_key() links one member to one key).
struct alignas(16) relationship_info {  // (aligned: a bound member keeps 4 tag bits in its address)
    std::string_view member;                 ///< C++ member name
    relationship_kind kind;
    /// Whether the member holds a collection (relationship<>); false for a
    /// reference: backref<> (many-to-one) or relationship_one<> (a one-to-many
    /// holding at most one object, SQLAlchemy's uselist=False).
    bool uselist = true;
    const table_info& (*target)() = nullptr;     ///< the related table
    const table_info& (*secondary)() = nullptr;  ///< the association table (many-to-many)
    /// The foreign key that links the two sides: one-to-many, an index into
    /// target().foreign_keys; many-to-one, into this table's; many-to-many,
    /// into secondary().foreign_keys (the one referencing this table) ...
    std::size_t foreign_key = 0;
    /// ... and for many-to-many the association's key referencing the target.
    std::size_t remote_foreign_key = 0;
    /// The other side (back_populates) as an index into target().relationships, or npos.
    std::size_t reverse = static_cast<std::size_t>(-1);
    unsigned cascade = 0;                    ///< alchemy::cascade bits
    bool passive_deletes = false;
    /// The foreign key is written by an UPDATE after the INSERTs (relation_settings::post_update).
    bool post_update = false;
    /// How it loads when a query says nothing (relation_settings::lazy).
    loading lazy = loading::select;
    /// The member inside an object of the struct.
    detail::relationship_base& (*access)(void* object) = nullptr;
    /// A new, empty object of the target (to load rows into), from `arena` if not null.
    detail::instance_ref (*make_target)(detail::instance_arena* arena) = nullptr;
    std::size_t offset = 0;  ///< byte offset of the member in the struct
    std::size_t owner_alignment = 1;  ///< alignof the struct (where it sits in its instance)
    /// The member's operations (relationship_base.hpp).
    const detail::relationship_ops* ops = nullptr;

    bool has_reverse() const noexcept { return reverse != static_cast<std::size_t>(-1); }
    bool cascades(unsigned flag) const noexcept { return (cascade & flag) != 0; }
};

/// The ORM event functions a mapped struct declares (events.hpp), null where
/// it declares none; each takes the object (a T*).
struct table_hooks {
    void (*before_insert)(void* object) = nullptr;
    void (*after_insert)(void* object) = nullptr;
    void (*before_update)(void* object) = nullptr;
    void (*after_update)(void* object) = nullptr;
    void (*before_delete)(void* object) = nullptr;
    void (*after_delete)(void* object) = nullptr;
};

/// The runtime metadata of one mapped struct.
struct table_info {
    std::string name;                       ///< SQL table name
    std::string_view struct_name;           ///< C++ struct name
    std::vector<column_info> columns;       ///< in member order
    std::vector<std::size_t> primary_key;   ///< indices into columns
    bool autoincrement = false;             ///< AUTOINCREMENT on the integer key
    std::vector<foreign_key_info> foreign_keys;
    std::vector<unique_info> uniques;
    std::vector<index_info> indexes;
    std::vector<check_info> checks;
    std::vector<relationship_info> relationships;  ///< in member order
    /// The version column (alchemy::version_id), an index into columns, or npos.
    std::size_t version_column = static_cast<std::size_t>(-1);
    table_hooks hooks{};
    /// The struct's typed operations (load, snapshot, compare: entity_ops.hpp).
    const detail::entity_ops* ops = nullptr;
    /// alignof the struct: where an object sits in the session's instance of it.
    std::size_t alignment = alignof(std::max_align_t);

    /// The column called `column_name`, or nullptr.
    const column_info* find_column(std::string_view column_name) const noexcept {
        for (const auto& c : columns)
            if (c.name == column_name) return &c;
        return nullptr;
    }
    /// The column called `column_name`; ArgumentError naming the table if none.
    const column_info& column(std::string_view column_name) const;
    /// True for a single INTEGER primary key: SQLite's rowid, generated on insert.
    bool has_integer_key() const noexcept {
        return primary_key.size() == 1 && columns[primary_key[0]].type == sql_type::integer;
    }
    /// True when UPDATEs and DELETEs check a version column (optimistic locking).
    bool has_version() const noexcept { return version_column != static_cast<std::size_t>(-1); }
};

namespace detail {

/// What a relationship member type links to; specialised in relationship.hpp
/// (kind, target and association types). Relationship members are not columns.
template <class M>
struct relationship_traits {
    static constexpr bool is_relationship = false;
};
template <class M>
struct is_relationship : std::bool_constant<relationship_traits<M>::is_relationship> {};

template <class M>
struct unwrap_optional {
    using type = M;
};
template <class M>
struct unwrap_optional<std::optional<M>> {
    using type = M;
};

template <class...>
inline constexpr bool dependent_false = false;

template <std::size_t N>
struct fixed_string {
    char value[N + 1]{};
    constexpr fixed_string(std::string_view s) {
        for (std::size_t i = 0; i < N; ++i) value[i] = s[i];
    }
};

// ---- the table options of T -------------------------------------------------------

// Found by argument-dependent lookup; this declaration only makes the name
// visible here and can never be chosen.
void alchemy_table(struct no_table_options_tag*) = delete;

// The ORM event functions of T found by argument-dependent lookup (events.hpp).
template <class T>
constexpr table_hooks hooks_of() {
    table_hooks h;
    if constexpr (requires(T& t) { alchemy_before_insert(t); })
        h.before_insert = [](void* o) { alchemy_before_insert(*static_cast<T*>(o)); };
    if constexpr (requires(T& t) { alchemy_after_insert(t); })
        h.after_insert = [](void* o) { alchemy_after_insert(*static_cast<T*>(o)); };
    if constexpr (requires(T& t) { alchemy_before_update(t); })
        h.before_update = [](void* o) { alchemy_before_update(*static_cast<T*>(o)); };
    if constexpr (requires(T& t) { alchemy_after_update(t); })
        h.after_update = [](void* o) { alchemy_after_update(*static_cast<T*>(o)); };
    if constexpr (requires(T& t) { alchemy_before_delete(t); })
        h.before_delete = [](void* o) { alchemy_before_delete(*static_cast<T*>(o)); };
    if constexpr (requires(T& t) { alchemy_after_delete(t); })
        h.after_delete = [](void* o) { alchemy_after_delete(*static_cast<T*>(o)); };
    return h;
}

template <class T>
constexpr auto table_spec() {
    if constexpr (requires { alchemy_table(static_cast<T*>(nullptr)); }) return alchemy_table(static_cast<T*>(nullptr));
    else return table_options<>{};
}

template <class T>
inline constexpr auto table_spec_v = table_spec<T>();

template <class T>
using options_tuple = std::remove_cvref_t<decltype(table_spec_v<T>.options)>;

enum class option_kind {
    primary_key, autoincrement, column_name, foreign_key, unique, index, check, server_default, default_value,
    relation, version_id
};

// What each option of table.hpp is; an unknown type is not a table option.
template <class O>
struct option_traits {
    static constexpr bool known = false;
};
template <class C, class... M>
struct option_traits<primary_key_option<C, M...>> {
    static constexpr option_kind kind = option_kind::primary_key;
};
template <>
struct option_traits<autoincrement_option> {
    static constexpr option_kind kind = option_kind::autoincrement;
};
template <class C, class M>
struct option_traits<column_name_option<C, M>> {
    static constexpr option_kind kind = option_kind::column_name;
};
template <class C, class M, class TC, class TM>
struct option_traits<foreign_key_option<C, M, TC, TM>> {
    static constexpr option_kind kind = option_kind::foreign_key;
    using target = TC;
    using from_type = M;
    using target_type = TM;
};
template <class C, class... M>
struct option_traits<unique_option<C, M...>> {
    static constexpr option_kind kind = option_kind::unique;
};
template <class C, class... M>
struct option_traits<index_option<C, M...>> {
    static constexpr option_kind kind = option_kind::index;
};
template <>
struct option_traits<check_option> {
    static constexpr option_kind kind = option_kind::check;
};
template <class C, class M>
struct option_traits<server_default_option<C, M>> {
    static constexpr option_kind kind = option_kind::server_default;
};
template <class C, class M, class V>
struct option_traits<default_value_option<C, M, V>> {
    static constexpr option_kind kind = option_kind::default_value;
};

template <class C, class M>
struct option_traits<version_id_option<C, M>> {
    static constexpr option_kind kind = option_kind::version_id;
};

template <class C, class M, class VC, class VM>
struct option_traits<relation_option<C, M, VC, VM>> {
    static constexpr option_kind kind = option_kind::relation;
    static constexpr bool has_via = !std::is_void_v<VC>;
    using via_class = VC;
};

template <class T, std::size_t I>
inline constexpr option_kind kind_of = option_traits<std::tuple_element_t<I, options_tuple<T>>>::kind;

// Calls f(std::integral_constant<size_t, I>) for each I < N.
template <std::size_t N, class F>
constexpr void for_each_index(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (f(std::integral_constant<std::size_t, I>{}), ...);
    }(std::make_index_sequence<N>{});
}

/// Whether T has relationship members (most structs do not: no binding work).
template <class T>
inline constexpr bool has_relationships = [] {
    bool any = false;
    for_each_index<reflect<T>::count>([&](auto i) {
        if (is_relationship<typename reflect<T>::template type<i>>::value) any = true;
    });
    return any;
}();

template <class T, std::size_t I>
inline constexpr bool is_column_member = !is_relationship<typename reflect<T>::template type<I>>::value;

/// The column position of member I (relationships are skipped).
template <class T>
constexpr std::size_t column_position(std::size_t member) {
    std::size_t position = 0;
    for_each_index<reflect<T>::count>([&](auto i) {
        if (i < member && is_column_member<T, i>) ++position;
    });
    return position;
}

template <class T>
constexpr std::size_t member_named(std::string_view name) {
    std::size_t found = reflect<T>::count;
    for_each_index<reflect<T>::count>([&](auto i) {
        if (found == reflect<T>::count && reflect<T>::template name<i>() == name) found = i;
    });
    return found;
}

template <class T>
constexpr bool has_primary_key_option() {
    bool found = false;
    for_each_index<std::tuple_size_v<options_tuple<T>>>([&](auto i) {
        if (kind_of<T, i> == option_kind::primary_key) found = true;
    });
    return found;
}

/// Whether member `member` of T is (part of) its primary key.
template <class T>
constexpr bool is_primary_key_member(std::size_t member) {
    if (!has_primary_key_option<T>()) return member == member_named<T>("id");
    bool key = false;
    for_each_index<std::tuple_size_v<options_tuple<T>>>([&](auto i) {
        if constexpr (kind_of<T, i> == option_kind::primary_key)
            std::apply([&](auto... m) { ((reflect<T>::index_of(m) == member ? (key = true) : false), ...); },
                       std::get<i>(table_spec_v<T>.options).members);
    });
    return key;
}

/// Whether member `member` of T alone is UNIQUE (a constraint or a unique index).
template <class T>
constexpr bool is_unique_member(std::size_t member) {
    bool unique = false;
    for_each_index<std::tuple_size_v<options_tuple<T>>>([&](auto i) {
        constexpr auto kind = kind_of<T, i>;
        if constexpr (kind == option_kind::unique || kind == option_kind::index) {
            const auto& option = std::get<i>(table_spec_v<T>.options);
            if constexpr (std::tuple_size_v<decltype(option.members)> == 1) {
                bool is_unique = true;
                if constexpr (kind == option_kind::index) is_unique = option.is_unique;
                if (is_unique && reflect<T>::index_of(std::get<0>(option.members)) == member) unique = true;
            }
        }
    });
    return unique;
}

// ---- compile-time diagnostics ------------------------------------------------------
// Each is instantiated only for the first problem found, so one mistake gives
// one error; the template arguments in the compiler's "required from" line
// name the struct and the member.

template <class Struct>
struct not_reflectable {
    static_assert(dependent_false<Struct>,
                  "alchemy: cannot map this struct: describe it with BOOST_DESCRIBE_STRUCT(T, (), "
                  "(members...)) or make it a plain aggregate (no constructors, no private members)");
};

template <class Struct, fixed_string Member, class MemberType>
struct unsupported_member_type {
    static_assert(dependent_false<Struct>,
                  "alchemy: unsupported member type: a mapped member must be a SQL value (bool, "
                  "integer, floating point, std::string, BLOB vector, enum, chrono time, "
                  "std::optional of one), a relationship, or a type with an alchemy::type_traits "
                  "specialisation");
};

template <class Struct>
struct not_default_constructible {
    static_assert(dependent_false<Struct>,
                  "alchemy: a mapped struct must be default-constructible (the session creates objects "
                  "before filling them from rows): give every member a default");
};

template <class Struct>
struct no_primary_key {
    static_assert(dependent_false<Struct>,
                  "alchemy: the struct has no primary key: name a member `id`, or declare "
                  "alchemy::primary_key(&T::member, ...) in alchemy_table(T*)");
};

template <class Struct, std::size_t Option>
struct option_member_not_listed {
    static_assert(dependent_false<Struct>,
                  "alchemy: an option in alchemy_table() names a member that BOOST_DESCRIBE_STRUCT "
                  "does not list: add it to the member list");
};

template <class Struct, fixed_string Member, class Target>
struct foreign_key_to_unmapped {
    static_assert(dependent_false<Struct>,
                  "alchemy: foreign key to an unmapped struct: the referenced struct must be "
                  "described with BOOST_DESCRIBE_STRUCT or be a plain aggregate, with a primary key");
};

template <class Struct, fixed_string Member, class MemberType, class Target, class TargetType>
struct foreign_key_type_mismatch {
    static_assert(dependent_false<Struct>,
                  "alchemy: foreign key type mismatch: the member and the key it references must "
                  "have the same type (std::optional aside)");
};

template <class Struct, fixed_string Member, class Target>
struct foreign_key_to_non_key {
    static_assert(dependent_false<Struct>,
                  "alchemy: foreign key must reference a primary key or unique member of the "
                  "target struct");
};

template <class Struct>
struct autoincrement_without_integer_key {
    static_assert(dependent_false<Struct>,
                  "alchemy: autoincrement needs a single integer primary key");
};

template <class T, std::size_t I>
constexpr auto member_name_literal() {
    constexpr std::string_view name = reflect<T>::template name<I>();
    return fixed_string<name.size()>(name);
}

template <class T>
constexpr bool has_primary_key() {
    return has_primary_key_option<T>() || member_named<T>("id") < reflect<T>::count;
}

template <class T>
constexpr std::size_t first_unsupported_member() {
    std::size_t bad = reflect<T>::count;
    for_each_index<reflect<T>::count>([&](auto i) {
        using M = typename reflect<T>::template type<i>;
        if (bad == reflect<T>::count && is_column_member<T, i> && !sql_value<M>) bad = i;
    });
    return bad;
}

// The first option (index) naming a member that reflection does not list, or the option count.
template <class T>
constexpr std::size_t first_unlisted_option() {
    constexpr std::size_t n = std::tuple_size_v<options_tuple<T>>;
    std::size_t bad = n;
    for_each_index<n>([&](auto i) {
        const auto& option = std::get<i>(table_spec_v<T>.options);
        constexpr auto kind = kind_of<T, i>;
        bool ok = true;
        if constexpr (kind == option_kind::primary_key || kind == option_kind::unique || kind == option_kind::index)
            std::apply([&](auto... m) { ok = ((reflect<T>::index_of(m) < reflect<T>::count) && ...); }, option.members);
        else if constexpr (kind == option_kind::column_name || kind == option_kind::server_default ||
                           kind == option_kind::default_value || kind == option_kind::version_id)
            ok = reflect<T>::index_of(option.member) < reflect<T>::count;
        else if constexpr (kind == option_kind::foreign_key)
            ok = reflect<T>::index_of(option.from) < reflect<T>::count;
        else if constexpr (kind == option_kind::relation)
            ok = reflect<T>::index_of(option.member) < reflect<T>::count;
        if (!ok && bad == n) bad = i;
    });
    return bad;
}

template <class T>
constexpr bool autoincrement_ok() {
    bool wants = false;
    for_each_index<std::tuple_size_v<options_tuple<T>>>([&](auto i) {
        if (kind_of<T, i> == option_kind::autoincrement) wants = true;
    });
    if (!wants) return true;
    std::size_t key_members = 0;
    bool integer = true;
    for_each_index<reflect<T>::count>([&](auto i) {
        if (is_primary_key_member<T>(i)) {
            ++key_members;
            using M = typename reflect<T>::template type<i>;
            if (!std::is_integral_v<M> || std::is_same_v<M, bool>) integer = false;
        }
    });
    return key_members == 1 && integer;
}

// Checks one foreign key option; returns false after triggering its diagnostic.
template <class T, std::size_t Option>
constexpr bool check_foreign_key() {
    using O = std::tuple_element_t<Option, options_tuple<T>>;
    if constexpr (option_traits<O>::kind != option_kind::foreign_key) {
        return true;
    } else {
        using Target = typename option_traits<O>::target;
        constexpr auto& option = std::get<Option>(table_spec_v<T>.options);
        constexpr std::size_t from = reflect<T>::index_of(option.from);
        using From = std::remove_cv_t<typename option_traits<O>::from_type>;
        using To = std::remove_cv_t<typename option_traits<O>::target_type>;
        if constexpr (!reflectable<Target>) {
            (void)foreign_key_to_unmapped<T, member_name_literal<T, from>(), Target>{};
            return false;
        } else if constexpr (!has_primary_key<Target>()) {
            (void)foreign_key_to_unmapped<T, member_name_literal<T, from>(), Target>{};
            return false;
        } else if constexpr (!std::is_same_v<typename unwrap_optional<From>::type, typename unwrap_optional<To>::type>) {
            (void)foreign_key_type_mismatch<T, member_name_literal<T, from>(), From, Target, To>{};
            return false;
        } else if constexpr (constexpr auto to = reflect<Target>::index_of(option.to);
                             !(to < reflect<Target>::count) ||
                             !(is_primary_key_member<Target>(to) || is_unique_member<Target>(to))) {
            (void)foreign_key_to_non_key<T, member_name_literal<T, from>(), Target>{};
            return false;
        } else {
            return true;
        }
    }
}

// ---- relationships ------------------------------------------------------------------
// Which foreign key links the two sides of a relationship is worked out at
// compile time from the table options, so a missing or ambiguous key is a
// compile error naming the struct and the member.

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

/// The index of the relation() option for member `member` of T, or the option count.
template <class T>
constexpr std::size_t relation_option_of(std::size_t member) {
    constexpr std::size_t n = std::tuple_size_v<options_tuple<T>>;
    std::size_t found = n;
    for_each_index<n>([&](auto i) {
        if constexpr (kind_of<T, i> == option_kind::relation)
            if (reflect<T>::index_of(std::get<i>(table_spec_v<T>.options).member) == member) found = i;
    });
    return found;
}

struct foreign_key_match {
    std::size_t count = 0;        // how many foreign keys qualify
    std::size_t ordinal = npos;   // the (last) one, as an index into Holder's foreign keys
};

/// The foreign keys of Holder that reference Parent: all of them, only the
/// one on member `via`, and never the one numbered `exclude`.
template <class Holder, class Parent>
constexpr foreign_key_match match_foreign_keys(std::size_t via, std::size_t exclude = npos) {
    foreign_key_match m;
    std::size_t ordinal = 0;
    for_each_index<std::tuple_size_v<options_tuple<Holder>>>([&](auto i) {
        if constexpr (kind_of<Holder, i> == option_kind::foreign_key) {
            using O = std::tuple_element_t<i, options_tuple<Holder>>;
            if constexpr (std::is_same_v<typename option_traits<O>::target, Parent>) {
                const auto from = reflect<Holder>::index_of(std::get<i>(table_spec_v<Holder>.options).from);
                if ((via == npos || via == from) && ordinal != exclude) {
                    ++m.count;
                    m.ordinal = ordinal;
                }
            }
            ++ordinal;
        }
    });
    return m;
}

inline constexpr std::size_t via_in_wrong_struct = npos - 1;

/// The member of Holder that relation(&T::member, via) names, npos without
/// one, via_in_wrong_struct when `via` belongs to another struct.
template <class T, std::size_t I, class Holder>
constexpr std::size_t via_member() {
    constexpr auto option = relation_option_of<T>(I);
    if constexpr (option == std::tuple_size_v<options_tuple<T>>) {
        return npos;
    } else {
        using O = std::tuple_element_t<option, options_tuple<T>>;
        if constexpr (!option_traits<O>::has_via) return npos;
        else if constexpr (!std::is_same_v<typename option_traits<O>::via_class, Holder>) return via_in_wrong_struct;
        else return reflect<Holder>::index_of(std::get<option>(table_spec_v<T>.options).via);
    }
}

struct relationship_link {
    foreign_key_match local;   // the key linking this side (see relationship_info::foreign_key)
    foreign_key_match remote;  // many-to-many: the association's key to the target
    std::size_t via = npos;
};

/// How member I of T (a relationship) links to its target.
template <class T, std::size_t I>
constexpr relationship_link link_of() {
    using traits = relationship_traits<typename reflect<T>::template type<I>>;
    using Target = typename traits::target;
    relationship_link link;
    if constexpr (traits::kind == relationship_kind::one_to_many) {
        link.via = via_member<T, I, Target>();
        link.local = match_foreign_keys<Target, T>(link.via);
    } else if constexpr (traits::kind == relationship_kind::many_to_one) {
        link.via = via_member<T, I, T>();
        link.local = match_foreign_keys<T, Target>(link.via);
    } else {
        using Association = typename traits::secondary;
        link.via = via_member<T, I, Association>();
        link.local = match_foreign_keys<Association, T>(link.via);
        link.remote = match_foreign_keys<Association, Target>(
            npos, std::is_same_v<T, Target> ? link.local.ordinal : npos);
    }
    return link;
}

/// The other side of member I of T (the relationship of the target that
/// uses the same foreign key the other way round), as its position among the
/// target's relationships, or npos.
template <class T, std::size_t I>
constexpr std::size_t reverse_of() {
    using traits = relationship_traits<typename reflect<T>::template type<I>>;
    using Target = typename traits::target;
    std::size_t found = npos;
    std::size_t position = 0;
    for_each_index<reflect<Target>::count>([&](auto j) {
        using Other = relationship_traits<typename reflect<Target>::template type<j>>;
        if constexpr (Other::is_relationship) {
            if constexpr (std::is_same_v<typename Other::target, T> && !(std::is_same_v<Target, T> && j == I)) {
                constexpr auto mine = link_of<T, I>();
                constexpr auto theirs = link_of<Target, j>();
                bool match = false;
                if constexpr ((traits::kind == relationship_kind::one_to_many && Other::kind == relationship_kind::many_to_one) ||
                              (traits::kind == relationship_kind::many_to_one && Other::kind == relationship_kind::one_to_many))
                    match = mine.local.ordinal == theirs.local.ordinal;
                else if constexpr (traits::kind == relationship_kind::many_to_many && Other::kind == relationship_kind::many_to_many) {
                    if constexpr (std::is_same_v<typename traits::secondary, typename Other::secondary>)
                        match = mine.local.ordinal == theirs.remote.ordinal && mine.remote.ordinal == theirs.local.ordinal;
                }
                if (match && found == npos) found = position;
            }
            ++position;
        }
    });
    return found;
}

template <class Struct, fixed_string Member, class Target>
struct relationship_without_foreign_key {
    static_assert(dependent_false<Struct>,
                  "alchemy: no foreign key links this relationship to its target: declare "
                  "alchemy::foreign_key(&Child::parent_id, &Parent::id) in the alchemy_table() of the "
                  "struct that holds the key (the child, or the association struct)");
};

template <class Struct, fixed_string Member, class Target>
struct relationship_ambiguous_foreign_key {
    static_assert(dependent_false<Struct>,
                  "alchemy: several foreign keys could link this relationship to its target: name the "
                  "one to use with alchemy::relation(&Struct::member, &Holder::key_member) in "
                  "alchemy_table()");
};

template <class Struct, fixed_string Member>
struct relation_via_not_in_key_struct {
    static_assert(dependent_false<Struct>,
                  "alchemy: relation(member, via): `via` must be a member of the struct that holds the "
                  "foreign key (the child for relationship<Child> and backref<Parent>, the association "
                  "struct for relationship<Other, Association>)");
};

template <class Struct, fixed_string Member, class Target>
struct relationship_to_unmapped {
    static_assert(dependent_false<Struct>,
                  "alchemy: a relationship must link mapped structs: its target (and association) must "
                  "be described with BOOST_DESCRIBE_STRUCT or be a plain aggregate, with a primary key");
};

template <class Struct, fixed_string Member>
struct relation_of_non_relationship {
    static_assert(dependent_false<Struct>,
                  "alchemy: relation() names a member that is not an alchemy::relationship<> or "
                  "alchemy::backref<>");
};

template <class Struct, fixed_string Member>
struct unknown_cascade {
    static_assert(dependent_false<Struct>,
                  "alchemy: unknown cascade in relation(): use save-update, merge, refresh-expire, expunge, "
                  "delete, delete-orphan, all or none, separated by commas");
};

template <class Struct, fixed_string Member>
struct post_update_of_many_to_many {
    static_assert(dependent_false<Struct>,
                  "alchemy: post_update in relation() is for a relationship through a foreign key of one of "
                  "the two tables; a many-to-many relationship's rows are written after both ends exist");
};

template <class Struct, fixed_string Member, class MemberType>
struct version_id_not_integer {
    static_assert(dependent_false<Struct>,
                  "alchemy: version_id() needs an integer member that is not a std::optional (it counts the "
                  "row's versions from 1)");
};

template <class Struct, fixed_string Member>
struct version_id_in_primary_key {
    static_assert(dependent_false<Struct>,
                  "alchemy: version_id() names a member of the primary key: the version must be a column of "
                  "its own");
};

template <class Struct>
struct version_id_twice {
    static_assert(dependent_false<Struct>, "alchemy: a table has one version_id() column; remove the others");
};

template <class T>
constexpr std::size_t version_option_count() {
    std::size_t n = 0;
    for_each_index<std::tuple_size_v<options_tuple<T>>>([&](auto i) {
        if constexpr (kind_of<T, i> == option_kind::version_id) ++n;
    });
    return n;
}

template <class T, std::size_t Option>
constexpr bool check_version_option() {
    if constexpr (kind_of<T, Option> != option_kind::version_id) {
        return true;
    } else {
        constexpr auto member = reflect<T>::index_of(std::get<Option>(table_spec_v<T>.options).member);
        using M = typename reflect<T>::template type<member>;
        if constexpr (!std::is_integral_v<M> || std::is_same_v<M, bool>) {
            (void)version_id_not_integer<T, member_name_literal<T, member>(), M>{};
            return false;
        } else if constexpr (is_primary_key_member<T>(member)) {
            (void)version_id_in_primary_key<T, member_name_literal<T, member>()>{};
            return false;
        } else if constexpr (version_option_count<T>() > 1) {
            (void)version_id_twice<T>{};
            return false;
        } else {
            return true;
        }
    }
}

template <class T>
constexpr bool mappable_target() {
    if constexpr (!reflectable<T>) return false;
    else return has_primary_key<T>();
}

// Checks relationship member I (and relation() options); false after a diagnostic.
template <class T, std::size_t I>
constexpr bool check_relationship() {
    using M = typename reflect<T>::template type<I>;
    if constexpr (!is_relationship<M>::value) {
        return true;
    } else {
        using traits = relationship_traits<M>;
        using Target = typename traits::target;
        constexpr bool association_ok = [] {
            if constexpr (traits::kind == relationship_kind::many_to_many) return mappable_target<typename traits::secondary>();
            else return true;
        }();
        if constexpr (!mappable_target<Target>() || !association_ok) {
            (void)relationship_to_unmapped<T, member_name_literal<T, I>(), Target>{};
            return false;
        } else if constexpr (constexpr auto link = link_of<T, I>(); link.via == via_in_wrong_struct) {
            (void)relation_via_not_in_key_struct<T, member_name_literal<T, I>()>{};
            return false;
        } else if constexpr (link.local.count == 0 ||
                             (traits::kind == relationship_kind::many_to_many && link.remote.count == 0)) {
            (void)relationship_without_foreign_key<T, member_name_literal<T, I>(), Target>{};
            return false;
        } else if constexpr (link.local.count > 1 || link.remote.count > 1) {
            (void)relationship_ambiguous_foreign_key<T, member_name_literal<T, I>(), Target>{};
            return false;
        } else {
            return true;
        }
    }
}

template <class T, std::size_t Option>
constexpr bool check_relation_option() {
    if constexpr (kind_of<T, Option> != option_kind::relation) {
        return true;
    } else {
        constexpr auto member = reflect<T>::index_of(std::get<Option>(table_spec_v<T>.options).member);
        if constexpr (!is_relationship<typename reflect<T>::template type<member>>::value) {
            (void)relation_of_non_relationship<T, member_name_literal<T, member>()>{};
            return false;
        } else if constexpr ((std::get<Option>(table_spec_v<T>.options).cascade_flags & cascade::invalid) != 0) {
            (void)unknown_cascade<T, member_name_literal<T, member>()>{};
            return false;
        } else if constexpr (std::get<Option>(table_spec_v<T>.options).post_update &&
                             relationship_traits<typename reflect<T>::template type<member>>::kind ==
                                 relationship_kind::many_to_many) {
            (void)post_update_of_many_to_many<T, member_name_literal<T, member>()>{};
            return false;
        } else {
            return true;
        }
    }
}

/// True when T can be mapped; otherwise triggers exactly one diagnostic.
template <class T>
constexpr bool check_mapping() {
    if constexpr (!reflectable<T>) {
        (void)not_reflectable<T>{};
        return false;
    } else if constexpr (!std::is_default_constructible_v<T>) {
        (void)not_default_constructible<T>{};
        return false;
    } else if constexpr (constexpr auto bad = first_unsupported_member<T>(); bad < reflect<T>::count) {
        (void)unsupported_member_type<T, member_name_literal<T, bad>(), typename reflect<T>::template type<bad>>{};
        return false;
    } else if constexpr (constexpr auto opt = first_unlisted_option<T>(); opt < std::tuple_size_v<options_tuple<T>>) {
        (void)option_member_not_listed<T, opt>{};
        return false;
    } else if constexpr (!has_primary_key<T>()) {
        (void)no_primary_key<T>{};
        return false;
    } else if constexpr (!autoincrement_ok<T>()) {
        (void)autoincrement_without_integer_key<T>{};
        return false;
    } else {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
                   return (check_foreign_key<T, I>() && ...) && (check_relation_option<T, I>() && ...) &&
                          (check_version_option<T, I>() && ...);
               }(std::make_index_sequence<std::tuple_size_v<options_tuple<T>>>{}) &&
               [&]<std::size_t... I>(std::index_sequence<I...>) {
                   return (check_relationship<T, I>() && ...);
               }(std::make_index_sequence<reflect<T>::count>{});
    }
}

// ---- building the metadata ------------------------------------------------------------

std::string snake_case(std::string_view name);

template <class T, std::size_t I>
void bind_member(binder& out, const void* object) {
    using M = typename reflect<T>::template type<I>;
    type_traits<M>::bind(out, reflect<T>::template get<I>(*static_cast<const T*>(object)));
}

template <class T, std::size_t I>
void read_member(const column_value& value, void* object) {
    using M = typename reflect<T>::template type<I>;
    auto& member = reflect<T>::template get<I>(*static_cast<T*>(object));
    if constexpr (std::is_same_v<M, std::string>) {
        if (value.is_null()) member = read_value<M>(value);  // throws the NULL error
        member.assign(value.as_text());                       // reuses the buffer
    } else {
        member = read_value<M>(value);
    }
}

// Option is the index of the default_value option in T's table options.
template <class T, std::size_t I, std::size_t Option>
void apply_default_member(void* object) {
    constexpr auto& value = std::get<Option>(table_spec_v<T>.options).value;
    auto& member = reflect<T>::template get<I>(*static_cast<T*>(object));
    if (!member) {
        if constexpr (std::is_invocable_v<decltype(value)>) member = value();
        else member = value;
    }
}

// The column positions of the members named by option `Option` of T
// (computed at compile time: member lookup never runs in the program).
template <class T, std::size_t Option>
std::vector<std::size_t> option_columns() {
    using members_type = std::remove_cvref_t<decltype(std::get<Option>(table_spec_v<T>.options).members)>;
    constexpr auto positions = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::size_t, sizeof...(I)>{
            column_position<T>(reflect<T>::index_of(std::get<I>(std::get<Option>(table_spec_v<T>.options).members)))...};
    }(std::make_index_sequence<std::tuple_size_v<members_type>>{});
    return {positions.begin(), positions.end()};
}

template <class T>
const table_info& table_of_unchecked();

template <class T, std::size_t I>
relationship_base& access_relationship(void* object) {
    return reflect<T>::template get<I>(*static_cast<T*>(object));
}

// build_table<T>'s type-independent steps, out of line (compiled once with
// ALCHEMY_SEPARATE_COMPILATION instead of in every TU that maps a struct).
void add_column(table_info& table, column_info&& column);
void add_relationship(table_info& table, const relationship_info& relationship);
void add_foreign_key(table_info& table, foreign_key_info&& foreign_key);
void add_index(table_info& table, index_info&& index);
void add_unique(table_info& table, std::vector<std::size_t> columns);
void add_check(table_info& table, std::string_view sql, std::string_view constraint_name);
/// Marks the primary key's columns, names the unnamed indexes and rejects
/// two members mapped to one column name.
void finish_table(table_info& table);

/// A default-constructed T, to find members' offsets from member pointers.
template <class T>
const T& probe_object() {
    static const T probe{};
    return probe;
}

/// Which members of T are columns, for typed_entity.
template <class T>
struct column_members_of {
    template <std::size_t I>
    static constexpr bool value = is_column_member<T, I>;
};

template <class T>
table_info build_table() {
    constexpr auto& spec = table_spec_v<T>;
    const T& probe = probe_object<T>();
    table_info table;
    table.struct_name = struct_name<T>();
    table.name = spec.name.empty() ? snake_case(table.struct_name) : std::string(spec.name);
    table.ops = &typed_entity<T, column_members_of<T>>::ops;
    table.alignment = alignof(T);
    table.hooks = hooks_of<T>();

    for_each_index<reflect<T>::count>([&](auto i) {
        if constexpr (is_column_member<T, i>) {
            using M = typename reflect<T>::template type<i>;
            constexpr std::string_view member_name = reflect<T>::template name<i>();
            column_info c;
            c.name = std::string(member_name);
            c.member = member_name;
            c.cpp_type = type_name<M>();
            c.type = type_traits<M>::storage;
            c.logical_type = column_type_of<M>();
            c.nullable = is_optional_v<M>;
            c.bind = &bind_member<T, i>;
            c.read = &read_member<T, i>;
            c.offset = static_cast<std::size_t>(reinterpret_cast<const char*>(&reflect<T>::template get<i>(probe)) -
                                                reinterpret_cast<const char*>(&probe));
            add_column(table, std::move(c));
        }
    });

    for_each_index<reflect<T>::count>([&](auto i) {
        using M = typename reflect<T>::template type<i>;
        if constexpr (is_relationship<M>::value) {
            using traits = relationship_traits<M>;
            constexpr auto link = link_of<T, i>();
            constexpr std::string_view member_name = reflect<T>::template name<i>();
            relationship_info r;
            r.member = member_name;
            r.kind = traits::kind;
            r.uselist = traits::uselist;
            r.target = &table_of_unchecked<typename traits::target>;
            if constexpr (traits::kind == relationship_kind::many_to_many)
                r.secondary = &table_of_unchecked<typename traits::secondary>;
            r.foreign_key = link.local.ordinal;
            r.remote_foreign_key = link.remote.ordinal;
            r.reverse = reverse_of<T, i>();
            constexpr auto option = relation_option_of<T>(i);
            if constexpr (option < std::tuple_size_v<options_tuple<T>>) {
                r.cascade = std::get<option>(spec.options).cascade_flags;
                r.passive_deletes = std::get<option>(spec.options).passive_deletes;
                r.post_update = std::get<option>(spec.options).post_update;
                r.lazy = std::get<option>(spec.options).lazy;
            } else {
                r.cascade = cascade::defaults;
            }
            r.access = &access_relationship<T, i>;
            r.ops = relationship_ops_for<M>();
            r.owner_alignment = alignof(T);
            r.make_target = &make_instance<typename traits::target>;
            r.offset = static_cast<std::size_t>(reinterpret_cast<const char*>(&reflect<T>::template get<i>(probe)) -
                                                reinterpret_cast<const char*>(&probe));
            add_relationship(table, r);
        }
    });

    bool primary_key_given = false;
    for_each_index<std::tuple_size_v<options_tuple<T>>>([&](auto i) {
        constexpr auto& option = std::get<i>(spec.options);
        constexpr auto kind = kind_of<T, i>;
        if constexpr (kind == option_kind::primary_key) {
            table.primary_key = option_columns<T, i>();
            primary_key_given = true;
        } else if constexpr (kind == option_kind::autoincrement) {
            table.autoincrement = true;
        } else if constexpr (kind == option_kind::foreign_key) {
            using Target = typename option_traits<std::remove_cvref_t<decltype(option)>>::target;
            constexpr std::size_t from = column_position<T>(reflect<T>::index_of(option.from));
            constexpr std::size_t to = column_position<Target>(reflect<Target>::index_of(option.to));
            foreign_key_info fk;
            fk.columns = {from};
            fk.target = &table_of_unchecked<Target>;
            fk.target_columns = {to};
            fk.on_delete = option.on_delete_action;
            fk.on_update = option.on_update_action;
            add_foreign_key(table, std::move(fk));
        } else if constexpr (kind == option_kind::index) {
            index_info ix;
            ix.columns = option_columns<T, i>();
            ix.unique = option.is_unique;
            ix.name = std::string(option.index_name);
            add_index(table, std::move(ix));
        } else if constexpr (kind == option_kind::unique) {
            add_unique(table, option_columns<T, i>());
        } else if constexpr (kind == option_kind::check) {
            add_check(table, option.sql, option.constraint_name);
        } else if constexpr (kind == option_kind::server_default) {
            constexpr std::size_t column = column_position<T>(reflect<T>::index_of(option.member));
            table.columns[column].server_default = std::string(option.sql);
        } else if constexpr (kind == option_kind::default_value) {
            constexpr std::size_t m = reflect<T>::index_of(option.member);
            using M = typename reflect<T>::template type<m>;
            static_assert(is_optional_v<M>,
                          "alchemy: default_value() is for std::optional members; give a non-optional "
                          "member a default member initializer instead");
            constexpr std::size_t column = column_position<T>(m);
            table.columns[column].apply_default = &apply_default_member<T, m, i>;
        } else if constexpr (kind == option_kind::column_name) {
            constexpr std::size_t column = column_position<T>(reflect<T>::index_of(option.member));
            table.columns[column].name = std::string(option.name);
        } else if constexpr (kind == option_kind::version_id) {
            table.version_column = column_position<T>(reflect<T>::index_of(option.member));
        }
    });
    if (!primary_key_given) {
        constexpr std::size_t id = column_position<T>(member_named<T>("id"));
        table.primary_key = {id};
    }
    finish_table(table);
    return table;
}

template <class T>
const table_info& table_of_unchecked() {
    static const table_info table = build_table<T>();
    return table;
}

}  // namespace detail

/// `tables` in dependency order: each after the tables it references among
/// them (self-references aside); a cycle keeps the given order.
std::vector<const table_info*> sort_by_dependency(std::vector<const table_info*> remaining);

namespace detail {
/// Reads columns first, first + 1, ... of `row` into `object` (table order);
/// a value that does not fit its member throws load_object's ConversionError.
void load_columns(const table_info& table, const column_source& row, std::size_t first, void* object);
}  // namespace detail

/// Fills `object` (a T* for T mapped by `table`) from the columns of `row`
/// starting at `first`, in table column order. A value that does not fit its
/// member throws ConversionError naming the table, the column, the member and
/// the row's primary key, e.g.
///   alchemy: cannot load column "users"."age" (User::age, std::int32_t) of the
///   row with id = 5: expected INTEGER, found TEXT 'abc'
/// `row[i]` must give the column_value of column i (alchemy::row does).
template <class Row>
void load_object(const table_info& table, const Row& row, void* object, std::size_t first = 0) {
    if constexpr (requires { row.source(); }) {  // alchemy::row: straight from the driver
        const std::size_t end = first + table.columns.size();
        if (end > row.size()) (void)row[end - 1];  // throws the row's out-of-range error
        detail::load_columns(table, row.source(), first, object);
    } else {
        struct adapter final : detail::column_source {
            const Row& r;
            explicit adapter(const Row& row) : r(row) {}
            column_value column(std::size_t i) const override { return r[i]; }
        } source(row);
        detail::load_columns(table, source, first, object);
    }
}

/// A struct that can be mapped: reflectable, supported member types, a
/// primary key, valid options. (Use table_of<T>() to see the diagnostics.)
template <class T>
concept mapped = detail::reflectable<T> && requires { detail::table_spec_v<T>; };

/// The table metadata of T, built on first use (thread-safe) and kept for the
/// program's lifetime. A mapping mistake is a compile error here.
template <class T>
const table_info& table_of() {
    if constexpr (!detail::check_mapping<T>()) {
        static const table_info invalid{};
        return invalid;  // not reached: check_mapping has failed the compilation
    } else {
        return detail::table_of_unchecked<T>();
    }
}

namespace detail {
template <class M>
struct not_a_relationship_member {
    static_assert(dependent_false<M>,
                  "alchemy: this needs a relationship member (alchemy::relationship<> or alchemy::backref<>), "
                  "e.g. &User::posts");
};
}  // namespace detail

/// The relationship metadata of the member `member` (&User::posts).
template <class C, class M>
const relationship_info& relationship_of(M C::*member) {
    if constexpr (!detail::is_relationship<M>::value) {
        (void)detail::not_a_relationship_member<M>{};
    }
    const auto& table = table_of<C>();
    const C& probe = detail::probe_object<C>();
    const auto offset = static_cast<std::size_t>(reinterpret_cast<const char*>(&(probe.*member)) -
                                                 reinterpret_cast<const char*>(&probe));
    for (const auto& r : table.relationships)
        if (r.offset == offset) return r;
    throw ArgumentError(fmt::format("alchemy: {} has no relationship at that member", table.struct_name));
}

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/mapping/impl/mapping.ipp>
#endif
