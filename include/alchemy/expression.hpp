// alchemy/expression.hpp — SQL expressions written in C++.
//
// C++ cannot overload operators on member pointers, so a column is named
// through col(): `col(&User::name) == "Alice"` is an expression, not a bool.
//
//   using alchemy::col;
//   col(&User::name) == "Alice"                 "users"."name" = ?
//   col(&User::age) >= 18 && col(&User::age) < 65
//   !(col(&User::email) == nullptr)             NOT ("users"."email" IS NULL)
//   col(&Post::user_id) == col(&User::id)       a join condition
//   col(&User::name).desc()                     for order_by
//
// Every value becomes a bound parameter. Comparing a column with a value (or
// column) of an incompatible type — text with a number, a date with a string
// — fails to compile with an "alchemy:" message.
#pragma once

#include <alchemy/detail/sql_tree.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/parameters.hpp>
#include <alchemy/types.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

/// An SQL expression whose values have the C++ type V (bool for conditions).
template <class V>
class expression {
public:
    using value_type = V;
    explicit expression(detail::node_ptr node) : node_(std::move(node)) {}
    const detail::node_ptr& node() const noexcept { return node_; }

private:
    detail::node_ptr node_;
};

/// A condition: what filter() and having() take.
using predicate = expression<bool>;

/// One ORDER BY item.
struct order_item {
    detail::node_ptr node;
    bool descending = false;
    enum class nulls { unspecified, first, last } nulls_order = nulls::unspecified;

    order_item nulls_first() const { return {node, descending, nulls::first}; }
    order_item nulls_last() const { return {node, descending, nulls::last}; }
};

/// A mapped column: col(&T::member).
template <class T, class M>
class column : public expression<M> {
public:
    column(const table_info& table, std::size_t index)
        : expression<M>(detail::column_node(table, index)), table_(&table), index_(index) {}

    const table_info& table() const noexcept { return *table_; }
    const column_info& info() const noexcept { return table_->columns[index_]; }
    std::size_t index() const noexcept { return index_; }

    order_item asc() const { return {this->node(), false}; }
    order_item desc() const { return {this->node(), true}; }

private:
    const table_info* table_;
    std::size_t index_;
};

/// The column of a mapped member. ArgumentError for a member that is not a
/// column (a relationship).
template <class T, class M>
column<T, M> col(M T::*member) {
    const auto& table = table_of<T>();
    const T& probe = detail::probe_object<T>();
    const auto offset = static_cast<std::size_t>(reinterpret_cast<const char*>(&(probe.*member)) -
                                                 reinterpret_cast<const char*>(&probe));
    for (std::size_t i = 0; i < table.columns.size(); ++i)
        if (table.columns[i].offset == offset) return column<T, M>(table, i);
    throw ArgumentError(fmt::format("alchemy: the member passed to col() is not a column of {}", table.struct_name));
}

namespace detail {

template <class X>
struct expression_value {
    using type = void;
};
template <class V>
struct expression_value<expression<V>> {
    using type = V;
};
template <class T, class M>
struct expression_value<column<T, M>> {
    using type = M;
};

template <class X>
inline constexpr bool is_expression_v = !std::is_void_v<typename expression_value<std::remove_cvref_t<X>>::type>;

// The C++ type an operand stands for: an expression's value type, or the
// value's own type (string literals as const char*).
template <class X>
using operand_type = std::conditional_t<is_expression_v<X>, typename expression_value<std::remove_cvref_t<X>>::type,
                                        parameter_type<X>>;

template <class X>
using strip_optional = typename unwrap_optional<std::remove_cvref_t<X>>::type;

template <class X>
inline constexpr bool is_text_v = std::is_same_v<X, std::string> || std::is_same_v<X, std::string_view> ||
                                  std::is_same_v<X, const char*>;
template <class X>
inline constexpr bool is_number_v = std::is_arithmetic_v<X> && !std::is_same_v<X, bool>;

/// Whether values of A and B can be compared in SQL without a cast.
template <class A0, class B0>
constexpr bool comparable() {
    using A = strip_optional<A0>;
    using B = strip_optional<B0>;
    if constexpr (is_text_v<A> || is_text_v<B>) return is_text_v<A> && is_text_v<B>;
    else if constexpr (is_number_v<A> || is_number_v<B>) return is_number_v<A> && is_number_v<B>;
    else return std::is_same_v<A, B>;
}

template <class X>
node_ptr to_node(const X& x) {
    if constexpr (is_expression_v<X>) {
        return x.node();
    } else {
        std::vector<value> out;
        value_recorder recorder(out);
        type_traits<parameter_type<X>>::bind(recorder, x);
        return bind_node(std::move(out.front()));
    }
}

template <class L, class R>
predicate compare(const char* op, const L& lhs, const R& rhs) {
    using A = operand_type<L>;
    using B = operand_type<R>;
    if constexpr (std::is_same_v<B, std::nullptr_t> || std::is_same_v<B, std::nullopt_t>) {
        static_assert(is_optional_v<A>, "alchemy: only a NULL-able (std::optional) column can be compared with NULL");
        const bool equal = std::string_view(op) == "=";
        if (!equal && std::string_view(op) != "!=")
            throw ArgumentError(fmt::format("alchemy: NULL cannot be compared with '{}'", op));
        return predicate(postfix_node(equal ? "IS NULL" : "IS NOT NULL", to_node(lhs)));
    } else if constexpr (!comparable<A, B>()) {
        static_assert(comparable<A, B>(),
                      "alchemy: cannot compare a column with a value of an incompatible type (text with "
                      "text, numbers with numbers, other types with the same type)");
        return predicate(nullptr);
    } else {
        return predicate(binary_node(op, to_node(lhs), to_node(rhs)));
    }
}

template <class L, class R>
concept comparison_operands = is_expression_v<L> || is_expression_v<R>;

}  // namespace detail

template <class L, class R>
    requires detail::comparison_operands<L, R>
predicate operator==(const L& lhs, const R& rhs) {
    return detail::compare("=", lhs, rhs);
}
template <class L, class R>
    requires detail::comparison_operands<L, R>
predicate operator!=(const L& lhs, const R& rhs) {
    return detail::compare("!=", lhs, rhs);
}
template <class L, class R>
    requires detail::comparison_operands<L, R>
predicate operator<(const L& lhs, const R& rhs) {
    return detail::compare("<", lhs, rhs);
}
template <class L, class R>
    requires detail::comparison_operands<L, R>
predicate operator<=(const L& lhs, const R& rhs) {
    return detail::compare("<=", lhs, rhs);
}
template <class L, class R>
    requires detail::comparison_operands<L, R>
predicate operator>(const L& lhs, const R& rhs) {
    return detail::compare(">", lhs, rhs);
}
template <class L, class R>
    requires detail::comparison_operands<L, R>
predicate operator>=(const L& lhs, const R& rhs) {
    return detail::compare(">=", lhs, rhs);
}

/// Both conditions (SQL AND).
inline predicate operator&&(const predicate& a, const predicate& b) {
    return predicate(detail::binary_node("AND", a.node(), b.node()));
}
/// Either condition (SQL OR).
inline predicate operator||(const predicate& a, const predicate& b) {
    return predicate(detail::binary_node("OR", a.node(), b.node()));
}
/// The negation (SQL NOT).
inline predicate operator!(const predicate& a) { return predicate(detail::prefix_node("NOT", a.node())); }

/// "x IS NULL" / "x IS NOT NULL".
template <class X>
    requires detail::is_expression_v<X>
predicate is_null(const X& x) {
    return predicate(detail::postfix_node("IS NULL", x.node()));
}
template <class X>
    requires detail::is_expression_v<X>
predicate is_not_null(const X& x) {
    return predicate(detail::postfix_node("IS NOT NULL", x.node()));
}

/// Ascending / descending ORDER BY items.
template <class X>
    requires detail::is_expression_v<X>
order_item asc(const X& x) {
    return {x.node(), false};
}
template <class X>
    requires detail::is_expression_v<X>
order_item desc(const X& x) {
    return {x.node(), true};
}

}  // namespace alchemy
