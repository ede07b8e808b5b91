// alchemy/dml.hpp — the parts of a bulk UPDATE or DELETE run from a query
// (query.hpp: update(), delete_()): the SET items and how the session's
// objects follow the statement.
//
//   using alchemy::col;
//   auto n = session.query<User>().filter(col(&User::age) < 18)
//                .update(alchemy::set(&User::age, col(&User::age) + 1));
//   session.query<User>().filter(col(&User::name) == "spam").delete_(alchemy::synchronize_session::fetch);
//
// As SQLAlchemy's Query.update() / Query.delete(): one statement with the
// query's WHERE, after an autoflush; the count of rows it matched returned.
//
// And the bulk INSERT of plain rows, which become no objects of the session
// (SQLAlchemy 2.0's session.execute(insert(User), rows)), with the upsert of
// SQLite and PostgreSQL:
//
//   session.execute(alchemy::insert<User>(), users);   // std::vector<User>: one executemany
//   session.execute(alchemy::insert<User>().on_conflict(&User::name)
//                       .do_update(alchemy::set(&User::email, alchemy::excluded(&User::email))),
//                   users);
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/sql/tree.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/types.hpp>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace alchemy {

/// How the objects of the session follow a bulk UPDATE or DELETE (SQLAlchemy's
/// synchronize_session). Either way the statement is the same; what differs
/// is what the session learns, and at what cost.
enum class synchronize_session {
    /// evaluate when the criteria can be evaluated in C++, else fetch
    /// (SQLAlchemy 2.0's 'auto', its default).
    automatic,
    /// Before the statement, the criteria run in C++ over the table's objects
    /// in the identity map (SQL's NULL logic; text compared byte by byte, as
    /// SQLite's default collation does); after it, the matched ones take the
    /// SET values computed the same way, or are deleted. Criteria or values it
    /// cannot evaluate (functions, subqueries, LIKE, casts, other tables'
    /// columns) are an InvalidRequestError before anything runs; a SET value
    /// it cannot compute expires that column instead.
    evaluate,
    /// The statement returns the keys of the rows it changed (RETURNING), and
    /// of an UPDATE the values it wrote: the identity-mapped objects with those
    /// keys take the values, or are deleted. Exact, for one more column list.
    fetch,
    /// The session is not told: its objects keep the values they had until
    /// they expire (at commit, or expire()).
    none,
};

/// One item of a bulk UPDATE's SET: set(&User::age, col(&User::age) + 1),
/// set(&User::name, "Bob"), set(&User::email, std::nullopt).
class assignment {
public:
    assignment(const table_info& table, std::size_t column, detail::node_ptr value)
        : table_(&table), column_(column), value_(std::move(value)) {}

    const table_info& table() const noexcept { return *table_; }
    std::size_t column() const noexcept { return column_; }
    const detail::node_ptr& value_node() const noexcept { return value_; }

private:
    const table_info* table_;
    std::size_t column_;
    detail::node_ptr value_;
};

namespace detail {
template <class M, class V>
constexpr bool assignable_column_value() {
    using A = strip_optional<M>;
    if constexpr (is_expression_v<V>) return comparable<A, operand_type<V>>();
    else if constexpr (std::is_same_v<V, std::nullptr_t> || std::is_same_v<V, std::nullopt_t>) return is_optional_v<M>;
    else if constexpr (!std::is_constructible_v<M, const V&>) return false;
    // No silent truncation: a floating-point value for an integer member.
    else if constexpr (std::is_integral_v<A> && std::is_floating_point_v<strip_optional<parameter_type<V>>>) return false;
    else return comparable<A, parameter_type<V>>();
}
}  // namespace detail

/// `member` = `v` in a bulk UPDATE: v is an expression (which may read the
/// row's columns: col(&User::age) + 1) or a value the member could hold.
template <class T, class M, class V>
    requires(!detail::is_relationship<M>::value)
assignment set(M T::*member, const V& v) {
    constexpr bool assignable = detail::assignable_column_value<M, V>();
    static_assert(assignable,
                  "alchemy: set(&T::member, v): v is neither a value the member can hold nor an expression of a "
                  "compatible type (text with text, numbers with numbers, NULL only for a std::optional member)");
    const auto& table = table_of<T>();
    const auto index = detail::column_index(member);
    if constexpr (!assignable) {
        return assignment(table, index, nullptr);  // (the static_assert said why)
    } else if constexpr (detail::is_expression_v<V>) {
        return assignment(table, index, v.node());
    } else if constexpr (std::is_same_v<V, std::nullptr_t> || std::is_same_v<V, std::nullopt_t>) {
        return assignment(table, index, detail::bind_node(value()));
    } else {
        // Bound as the member's type binds it (a const char* as text, a
        // chrono value in its column's format).
        return assignment(table, index, detail::to_node(M(v)));
    }
}

/// In ON CONFLICT ... DO UPDATE: the value the row that conflicted would
/// have inserted (SQLAlchemy's `stmt.excluded.email`); col(&T::m) is the
/// value already in the table.
template <class T, class M>
    requires(!detail::is_relationship<M>::value)
expression<M> excluded(M T::*member) {
    const auto& table = table_of<T>();
    return expression<M>(detail::alias_column_node("excluded", table.columns[detail::column_index(member)].name));
}

namespace detail {
/// What an insert_statement says, for the session (impl/bulk_insert.ipp).
struct insert_spec {
    const table_info* table = nullptr;
    bool on_conflict = false;
    std::vector<std::size_t> conflict_target{};  // columns; empty: any conflict (DO NOTHING only)
    bool do_update = false;
    std::vector<assignment> set{};  // DO UPDATE SET
};

/// Column `column`'s client-side default (default_value) as a new T gets
/// it: what a bulk INSERT writes for a row that leaves it empty.
template <class T>
value default_of(std::size_t column) {
    T scratch{};
    const auto& c = table_of<T>().columns[column];
    c.apply_default(&scratch);
    bound_value out;
    c.bind(out, &scratch);
    return std::move(out.out);
}
}  // namespace detail

template <class T>
class conflict_clause;

/// INSERT INTO T's table, run with session.execute(insert<T>(), rows).
template <class T>
class insert_statement {
public:
    insert_statement() { spec_.table = &table_of<T>(); }

    /// ON CONFLICT (the given columns, which must be the primary key or a
    /// unique constraint or index): what follows says what to do instead.
    /// With no column, any conflict (DO NOTHING only).
    template <class... M>
    conflict_clause<T> on_conflict(M T::*... target) const;

    const detail::insert_spec& spec() const noexcept { return spec_; }

private:
    friend class conflict_clause<T>;
    detail::insert_spec spec_;
};

/// insert<T>().on_conflict(...): do_nothing() or do_update(set(...), ...).
template <class T>
class conflict_clause {
public:
    explicit conflict_clause(detail::insert_spec spec) : spec_(std::move(spec)) {}

    /// ON CONFLICT ... DO NOTHING: the conflicting row is skipped (not counted).
    insert_statement<T> do_nothing() const {
        insert_statement<T> out;
        out.spec_ = spec_;
        return out;
    }
    /// ON CONFLICT (...) DO UPDATE SET ...: the row in the table takes these
    /// values; excluded(&T::m) is the value the INSERT proposed.
    insert_statement<T> do_update(std::initializer_list<assignment> sets) const {
        insert_statement<T> out;
        out.spec_ = spec_;
        out.spec_.do_update = true;
        out.spec_.set.assign(sets.begin(), sets.end());
        return out;
    }
    insert_statement<T> do_update(const assignment& set) const { return do_update({set}); }

private:
    detail::insert_spec spec_;
};

template <class T>
template <class... M>
conflict_clause<T> insert_statement<T>::on_conflict(M T::*... target) const {
    auto spec = spec_;
    spec.on_conflict = true;
    spec.conflict_target = {detail::column_index(target)...};
    return conflict_clause<T>(std::move(spec));
}

/// INSERT of T's rows: session.execute(insert<T>(), rows).
template <class T>
insert_statement<T> insert() {
    return insert_statement<T>();
}

}  // namespace alchemy
