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
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/sql/tree.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/types.hpp>

#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

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

}  // namespace alchemy
