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

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/label.hpp>
#include <alchemy/detail/sql/tree.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/parameters.hpp>
#include <alchemy/types.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
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
class expression;

/// A condition: what filter() and having() take.
using predicate = expression<bool>;

/// An expression labelled with .label<"name">(): its rows know the name.
template <class V, class Origin, class Label>
class labelled_expression;

namespace detail {
// Where the columns of aliased<T> come from (detail/orm/select_item.hpp).
template <class T>
struct alias_origin;

/// Whether values of V are stored as JSON documents, so that an expression
/// of V has paths (operator[]): set by json.hpp for boost::json::value and
/// the types a program stores as JSON (alchemy::store_as_json).
template <class V>
inline constexpr bool is_json_value = false;
template <class V>
inline constexpr bool is_json_value<std::optional<V>> = is_json_value<V>;
}  // namespace detail

class json_element;  // a path into a JSON document (below)

/// One ORDER BY item.
struct order_item {
    detail::node_ptr node;
    bool descending = false;
    enum class nulls { unspecified, first, last } nulls_order = nulls::unspecified;

    order_item nulls_first() const { return {node, descending, nulls::first}; }
    order_item nulls_last() const { return {node, descending, nulls::last}; }
};

template <class V>
class expression {
public:
    using value_type = V;
    explicit expression(detail::node_ptr node) : node_(std::move(node)) {}
    const detail::node_ptr& node() const noexcept { return node_; }

    /// IN (?, ?, ...); an empty list matches nothing.
    template <class R>
    predicate in_(const std::vector<R>& values) const;
    /// IN (SELECT ...): a query of one column.
    template <class Q>
        requires requires(const Q& q) { q.nested_select(); }
    predicate in_(const Q& subquery) const {
        return predicate(detail::binary_node("IN", node_, subquery.nested_select()));
    }
    template <class R>
    predicate in_(std::initializer_list<R> values) const {
        return in_(std::vector<R>(values));
    }
    /// NOT IN (?, ?, ...); an empty list matches everything.
    template <class R>
    predicate not_in(const std::vector<R>& values) const;
    template <class R>
    predicate not_in(std::initializer_list<R> values) const {
        return not_in(std::vector<R>(values));
    }

    /// LIKE with the pattern as given (% and _ are wildcards).
    ///
    /// SQLite's LIKE reads both the value and the pattern as C strings: each
    /// ends at its first NUL byte. So for like, ilike, startswith, endswith
    /// and contains, text after an embedded NUL does not exist — a value
    /// "ab\0cd" is "ab" to them, and a pattern "ab\0zz" is "ab", which
    /// matches it (and a plain "ab"). `==` compares all the bytes.
    predicate like(std::string_view pattern) const;
    /// Case-insensitive LIKE, spelled by the dialect (SQLite: lower(x) LIKE lower(?)).
    predicate ilike(std::string_view pattern) const;
    /// Starts with / ends with / contains `text` literally: % and _ in it are
    /// escaped, not wildcards. Values and `text` end at a NUL byte, as for like().
    predicate startswith(std::string_view text) const;
    predicate endswith(std::string_view text) const;
    predicate contains(std::string_view text) const;

    /// BETWEEN ? AND ?.
    template <class A, class B>
    predicate between(const A& low, const B& high) const;

    /// IS NULL / IS NOT NULL.
    predicate is_null() const;
    predicate is_not_null() const;

    /// The expression under a name (in the select list: AS "name").
    expression label(std::string name) const { return expression(detail::label_node(std::move(name), node_)); }
    /// The same, with the name in the row type: a query's rows read it back
    /// as alchemy::get<"name">(row) (named_row.hpp).
    template <detail::label_literal L>
    labelled_expression<V, void, detail::label_tag<L>> label() const {
        return labelled_expression<V, void, detail::label_tag<L>>(detail::label_node(std::string(L.view()), node_));
    }

    order_item asc() const { return {node_, false}; }
    order_item desc() const { return {node_, true}; }

    /// A path into a JSON document (a column of boost::json::value, or of a
    /// type stored as JSON: json.hpp): col(&Doc::data)["a"][0].as_string().
    template <class K, class Element = json_element>
    Element operator[](const K& step) const {
        static_assert(detail::is_json_value<V>,
                      "alchemy: [] is a path into a JSON column (a boost::json::value member, or a type marked "
                      "alchemy::store_as_json; include <alchemy/json.hpp>), and this expression is not one");
        return Element(node_, {})[step];
    }

    /// This aggregate over a window: func::sum(x).over(partition_by(...), order_by(...))
    /// renders sum(x) OVER (PARTITION BY ... ORDER BY ...).
    template <class... C>
    expression over(const C&... clauses) const;

private:
    detail::node_ptr node_;
};

/// A place inside a JSON column: col(&Doc::data)["tags"][0]. Each [] goes
/// one step down (a key of an object, or an index of an array); as_string(),
/// as_integer(), as_float() and as_boolean() read the value there as an
/// expression of that type, NULL (nullopt) where the path leads nowhere:
///
///   session.query<Doc>().filter(col(&Doc::data)["author"]["name"].as_string() == "Ann")
///
/// SQLite renders json_extract("docs"."data", ?) with the path '$."author"."name"',
/// PostgreSQL ("docs"."data" #>> ?) with '{"author","name"}' (and a CAST for the
/// numbers and booleans); the path is a bound parameter on both.
class json_element {
public:
    json_element(detail::node_ptr document, std::vector<value> path)
        : document_(std::move(document)), path_(std::move(path)) {}

    /// The member `key` of the object here.
    json_element operator[](std::string_view key) const { return step(value(std::string(key))); }
    json_element operator[](const char* key) const { return (*this)[std::string_view(key)]; }
    /// The element `index` (from 0) of the array here.
    template <std::integral I>
    json_element operator[](I index) const {
        if constexpr (std::is_signed_v<I>)
            if (index < 0) throw ArgumentError(fmt::format("alchemy: JSON array index {} is negative", index));
        if (static_cast<std::uint64_t>(index) > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            throw ArgumentError("alchemy: JSON array index out of range");
        return step(value(static_cast<std::int64_t>(index)));
    }

    expression<std::optional<std::string>> as_string() const { return as<std::optional<std::string>>(column_type::text); }
    expression<std::optional<std::int64_t>> as_integer() const { return as<std::optional<std::int64_t>>(column_type::integer); }
    expression<std::optional<double>> as_float() const { return as<std::optional<double>>(column_type::real); }
    expression<std::optional<bool>> as_boolean() const { return as<std::optional<bool>>(column_type::boolean); }

private:
    json_element step(value v) const {
        auto path = path_;
        path.push_back(std::move(v));
        return json_element(document_, std::move(path));
    }
    template <class V>
    expression<V> as(column_type type) const {
        return expression<V>(detail::json_extract_node(document_, path_, type));
    }

    detail::node_ptr document_;
    std::vector<value> path_;
};

/// A mapped column: col(&T::member).
template <class T, class M>
class column : public expression<M> {
public:
    column(const table_info& table, std::size_t index, std::string alias = {})
        : expression<M>(detail::column_node(table, index, std::move(alias))), table_(&table), index_(index) {}

    const table_info& table() const noexcept { return *table_; }
    const column_info& info() const noexcept { return table_->columns[index_]; }
    std::size_t index() const noexcept { return index_; }

    /// The column under a name (in the select list: AS "name"). It is still
    /// T's column: a query over an outer join of T reads it as optional.
    column label(std::string name) const { return column(*this, detail::label_node(std::move(name), this->node())); }
    template <detail::label_literal L>
    labelled_expression<M, T, detail::label_tag<L>> label() const {
        return labelled_expression<M, T, detail::label_tag<L>>(detail::label_node(std::string(L.view()), this->node()));
    }

protected:
    column(const column& other, detail::node_ptr node)
        : expression<M>(std::move(node)), table_(other.table_), index_(other.index_) {}

private:
    const table_info* table_;
    std::size_t index_;
};

/// A column of a table alias (aliased<T>::c): its own type, so that a query
/// that outer-joins the alias reads the alias's columns as optional, and
/// only those.
template <class T, class M>
class aliased_column : public column<T, M> {
public:
    using column<T, M>::column;
    aliased_column label(std::string name) const {
        return aliased_column(*this, detail::label_node(std::move(name), this->node()));
    }
    template <detail::label_literal L>
    labelled_expression<M, detail::alias_origin<T>, detail::label_tag<L>> label() const {
        return labelled_expression<M, detail::alias_origin<T>, detail::label_tag<L>>(
            detail::label_node(std::string(L.view()), this->node()));
    }

private:
    aliased_column(const aliased_column& other, detail::node_ptr node) : column<T, M>(other, std::move(node)) {}
};

/// An expression labelled with .label<"name">(): in a values query's select
/// list its rows know the name (alchemy::get<"name">(row)). `Origin` is the
/// struct whose column it is (so that an outer join makes it optional), or
/// void; `Label` is detail::label_tag<"name">.
template <class V, class Origin, class Label>
class labelled_expression : public expression<V> {
public:
    using expression<V>::expression;
};

namespace detail {
template <class T, class M>
std::size_t column_index(M T::*member) {
    const auto& table = table_of<T>();
    const T& probe = probe_object<T>();
    const auto offset = static_cast<std::size_t>(reinterpret_cast<const char*>(&(probe.*member)) -
                                                 reinterpret_cast<const char*>(&probe));
    for (std::size_t i = 0; i < table.columns.size(); ++i)
        if (table.columns[i].offset == offset) return i;
    throw ArgumentError(fmt::format("alchemy: the member passed to col() is not a column of {}", table.struct_name));
}
}  // namespace detail

/// The column of a mapped member. (col() of a many-to-one relationship is
/// in relationship_criteria.hpp.)
template <class T, class M>
    requires(!detail::is_relationship<M>::value)
column<T, M> col(M T::*member) {
    return column<T, M>(table_of<T>(), detail::column_index(member));
}

class subquery;  // query.hpp
namespace detail {
struct cte_spec;  // detail/sql/select.hpp
}

/// T's table under another name, for joining a table to itself:
///   alchemy::aliased<Node> parent("parent");
///   session.query<Node>().join(parent, col(&Node::parent_id) == parent.c(&Node::id))
/// or T's objects read from a subquery or CTE that selects T's columns
/// under their own names (SQLAlchemy's aliased(User, subq)):
///   alchemy::aliased<User> active(session.query<User>().filter(...).subquery("active"));
///   session.query(active).filter(active.c(&User::name) < "m").all();   // vector<ptr<User>>
template <class T>
class aliased {
public:
    explicit aliased(std::string name) : name_(std::move(name)) {}
    /// Named as the subquery; ArgumentError when it lacks one of T's
    /// columns (defined in query.hpp).
    explicit aliased(const subquery& source);

    /// A column of the alias.
    template <class M>
    aliased_column<T, M> c(M T::*member) const {
        return aliased_column<T, M>(table_of<T>(), detail::column_index(member), name_);
    }
    const std::string& name() const noexcept { return name_; }
    const table_info& table() const { return table_of<T>(); }

    /// The subquery or CTE the alias reads, as a FROM item; null for an
    /// alias of T's table.
    const detail::node_ptr& source() const noexcept { return source_; }
    /// The CTE the alias reads, if it reads one.
    const std::shared_ptr<const detail::cte_spec>& common_table() const noexcept { return cte_; }

private:
    std::string name_;
    detail::node_ptr source_{};
    std::shared_ptr<const detail::cte_spec> cte_{};
};

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
template <class T, class M>
struct expression_value<aliased_column<T, M>> {
    using type = M;
};
template <class V, class Origin, class Label>
struct expression_value<labelled_expression<V, Origin, Label>> {
    using type = V;
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

// ---- the members of expression<V> ----------------------------------------------------

namespace detail {

template <class V, class R>
std::vector<node_ptr> value_nodes(const std::vector<R>& values) {
    static_assert(comparable<V, parameter_type<R>>(),
                  "alchemy: cannot compare a column with a value of an incompatible type (text with "
                  "text, numbers with numbers, other types with the same type)");
    std::vector<node_ptr> out;
    out.reserve(values.size());
    for (const auto& v : values) out.push_back(to_node(v));
    return out;
}

template <class V>
constexpr void require_text() {
    static_assert(is_text_v<strip_optional<V>>, "alchemy: LIKE, startswith, endswith and contains need a text expression");
}

// Escapes LIKE's wildcards so that `text` matches literally (escape character '/').
std::string escape_like(std::string_view text);

// ArgumentError unless `name` is a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*):
// func::call() pastes it into the SQL text unquoted.
void check_function_name(std::string_view name);

}  // namespace detail

template <class V>
template <class R>
predicate expression<V>::in_(const std::vector<R>& values) const {
    auto items = detail::value_nodes<V>(values);
    if (items.empty()) return predicate(detail::pattern_node("1 != 1"));
    return predicate(detail::binary_node("IN", node_, detail::list_node(std::move(items))));
}

template <class V>
template <class R>
predicate expression<V>::not_in(const std::vector<R>& values) const {
    auto items = detail::value_nodes<V>(values);
    if (items.empty()) return predicate(detail::pattern_node("1 = 1"));
    return predicate(detail::pattern_node("({} NOT IN {})", {node_, detail::list_node(std::move(items))}));
}

template <class V>
predicate expression<V>::like(std::string_view pattern) const {
    detail::require_text<V>();
    return predicate(detail::binary_node("LIKE", node_, detail::bind_node(value(std::string(pattern)))));
}
template <class V>
predicate expression<V>::ilike(std::string_view pattern) const {
    detail::require_text<V>();
    return predicate(detail::ilike_node(node_, detail::bind_node(value(std::string(pattern)))));
}
template <class V>
predicate expression<V>::startswith(std::string_view text) const {
    detail::require_text<V>();
    return predicate(detail::pattern_node(
        "{} LIKE {} ESCAPE '/'", {node_, detail::bind_node(value(detail::escape_like(text) + "%"))}));
}
template <class V>
predicate expression<V>::endswith(std::string_view text) const {
    detail::require_text<V>();
    return predicate(detail::pattern_node(
        "{} LIKE {} ESCAPE '/'", {node_, detail::bind_node(value("%" + detail::escape_like(text)))}));
}
template <class V>
predicate expression<V>::contains(std::string_view text) const {
    detail::require_text<V>();
    return predicate(detail::pattern_node(
        "{} LIKE {} ESCAPE '/'", {node_, detail::bind_node(value("%" + detail::escape_like(text) + "%"))}));
}

template <class V>
template <class A, class B>
predicate expression<V>::between(const A& low, const B& high) const {
    static_assert(detail::comparable<V, detail::operand_type<A>>() && detail::comparable<V, detail::operand_type<B>>(),
                  "alchemy: cannot compare a column with a value of an incompatible type (text with "
                  "text, numbers with numbers, other types with the same type)");
    return predicate(detail::pattern_node("{} BETWEEN {} AND {}", {node_, detail::to_node(low), detail::to_node(high)}));
}

template <class V>
predicate expression<V>::is_null() const {
    return predicate(detail::postfix_node("IS NULL", node_));
}
template <class V>
predicate expression<V>::is_not_null() const {
    return predicate(detail::postfix_node("IS NOT NULL", node_));
}

// ---- arithmetic --------------------------------------------------------------------------

namespace detail {

template <class L, class R>
using arithmetic_result = std::common_type_t<strip_optional<operand_type<L>>, strip_optional<operand_type<R>>>;

template <class L, class R>
auto arithmetic(const char* op, const L& lhs, const R& rhs) {
    using A = strip_optional<operand_type<L>>;
    using B = strip_optional<operand_type<R>>;
    if constexpr (!(is_number_v<A> && is_number_v<B>)) {
        static_assert(is_number_v<A> && is_number_v<B>, "alchemy: arithmetic needs numeric expressions and values");
        return expression<int>(nullptr);
    } else {
        using result = std::conditional_t<std::is_floating_point_v<A> || std::is_floating_point_v<B>, double,
                                          std::int64_t>;
        return expression<result>(binary_node(op, to_node(lhs), to_node(rhs)));
    }
}

}  // namespace detail

template <class L, class R>
    requires detail::comparison_operands<L, R>
auto operator+(const L& lhs, const R& rhs) {
    return detail::arithmetic("+", lhs, rhs);
}
template <class L, class R>
    requires detail::comparison_operands<L, R>
auto operator-(const L& lhs, const R& rhs) {
    return detail::arithmetic("-", lhs, rhs);
}
template <class L, class R>
    requires detail::comparison_operands<L, R>
auto operator*(const L& lhs, const R& rhs) {
    return detail::arithmetic("*", lhs, rhs);
}
template <class L, class R>
    requires detail::comparison_operands<L, R>
auto operator/(const L& lhs, const R& rhs) {
    return detail::arithmetic("/", lhs, rhs);
}

/// CAST(x AS <the SQL type of T>), read back as T.
template <sql_value T, class X>
    requires detail::is_expression_v<X>
expression<T> cast(const X& x) {
    return expression<T>(detail::cast_node(column_type_of<T>(), type_traits<T>::storage, x.node()));
}

/// A raw SQL fragment as an expression of type V (no parameters; your SQL,
/// pasted as written).
template <class V>
expression<V> literal_sql(std::string sql) {
    return expression<V>(detail::text_node(std::move(sql)));
}

/// DISTINCT x, as an aggregate's argument: func::count(distinct(col(&Post::user_id)))
/// renders count(DISTINCT "posts"."user_id") and counts each value once,
/// NULL not at all.
template <class X>
    requires detail::is_expression_v<X>
expression<detail::operand_type<X>> distinct(const X& x) {
    return expression<detail::operand_type<X>>(detail::pattern_node("DISTINCT {}", {x.node()}));
}

// ---- windows: OVER (PARTITION BY ... ORDER BY ...) ----------------------------------------

/// The PARTITION BY of a window: partition_by(col(&Post::user_id), ...).
struct partition_by_clause {
    std::vector<detail::node_ptr> items;
};
template <class... X>
    requires(sizeof...(X) > 0 && (detail::is_expression_v<X> && ...))
partition_by_clause partition_by(const X&... x) {
    return {{x.node()...}};
}

/// The ORDER BY of a window: expressions (ascending) or order items
/// (desc(x), col(...).desc().nulls_last()).
struct window_order_clause {
    std::vector<order_item> items;
};
namespace detail {
inline order_item window_order_item(const order_item& item) { return item; }
template <class X>
    requires is_expression_v<X>
order_item window_order_item(const X& x) {
    return {x.node(), false};
}

// "<function> OVER (PARTITION BY ... ORDER BY ...)".
node_ptr over_node(node_ptr function, const partition_by_clause* partition, const window_order_clause* order);

template <class... C>
node_ptr over(node_ptr function, const C&... clauses) {
    static_assert(((std::is_same_v<C, partition_by_clause> || std::is_same_v<C, window_order_clause>) && ...),
                  "alchemy: over() takes partition_by(...) and order_by(...), each at most once");
    const partition_by_clause* partition = nullptr;
    const window_order_clause* order = nullptr;
    const auto take = [&](const auto& clause) {
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(clause)>, partition_by_clause>) partition = &clause;
        else order = &clause;
    };
    (take(clauses), ...);
    (void)take;  // (no clauses: OVER ())
    return over_node(std::move(function), partition, order);
}
}  // namespace detail

template <class... O>
    requires(sizeof...(O) > 0)
window_order_clause order_by(const O&... items) {
    return {{detail::window_order_item(items)...}};
}

template <class V>
template <class... C>
expression<V> expression<V>::over(const C&... clauses) const {
    return expression<V>(detail::over(node_, clauses...));
}

/// A function that is only valid with an OVER clause (row_number(), rank(),
/// lag() ...): over() makes it an expression.
template <class V>
class window_function {
public:
    explicit window_function(detail::node_ptr call) : call_(std::move(call)) {}
    /// OVER (...), with partition_by(...) and/or order_by(...), or nothing: OVER ().
    template <class... C>
    expression<V> over(const C&... clauses) const {
        return expression<V>(detail::over(call_, clauses...));
    }

private:
    detail::node_ptr call_;
};

// ---- CASE ------------------------------------------------------------------------------

namespace detail {
// What a CASE branch's value reads as: an expression's type; a value's
// type, text as std::string.
template <class X>
using case_value_t = std::conditional_t<is_expression_v<X>, typename expression_value<std::remove_cvref_t<X>>::type,
                                        std::conditional_t<is_text_v<parameter_type<X>>, std::string, parameter_type<X>>>;

// A value in a CASE branch. PostgreSQL infers the type of a bare parameter
// there as text, so a value that is not text is cast to its own type.
template <class X>
node_ptr case_operand(const X& x) {
    if constexpr (is_expression_v<X> || is_text_v<parameter_type<X>>) {
        return to_node(x);
    } else {
        using T = parameter_type<X>;
        return cast_node(column_type_of<T>(), type_traits<T>::storage, to_node(x));
    }
}

node_ptr case_node(const std::vector<std::pair<node_ptr, node_ptr>>& branches, node_ptr otherwise);
}  // namespace detail

/// One branch of case_(): when(condition, value).
template <class V>
struct when_clause {
    detail::node_ptr condition;
    detail::node_ptr result;
};
template <class X>
when_clause<detail::case_value_t<X>> when(const predicate& condition, const X& result) {
    return {condition.node(), detail::case_operand(result)};
}

/// CASE WHEN ... THEN ... END: case_(when(cond, v), when(cond2, v2)) is NULL
/// where no branch holds (so its type is optional); .else_(v) gives the
/// value then instead:
///   alchemy::case_(alchemy::when(col(&User::age) < 18, "minor")).else_("adult")
template <class V>
class case_expression : public expression<std::conditional_t<detail::is_optional_v<V>, V, std::optional<V>>> {
    using base = expression<std::conditional_t<detail::is_optional_v<V>, V, std::optional<V>>>;

public:
    explicit case_expression(std::vector<std::pair<detail::node_ptr, detail::node_ptr>> branches)
        : base(detail::case_node(branches, nullptr)), branches_(std::move(branches)) {}

    /// The value where no branch holds: ELSE.
    template <class X>
    expression<V> else_(const X& otherwise) const {
        static_assert(detail::comparable<V, detail::case_value_t<X>>(),
                      "alchemy: case_(): the ELSE value has a type incompatible with the branches' values");
        return expression<V>(detail::case_node(branches_, detail::case_operand(otherwise)));
    }

private:
    std::vector<std::pair<detail::node_ptr, detail::node_ptr>> branches_;
};

namespace detail {
template <class V>
struct expression_value<case_expression<V>> {
    using type = std::conditional_t<is_optional_v<V>, V, std::optional<V>>;
};
}  // namespace detail

template <class V, class... W>
case_expression<V> case_(const when_clause<V>& first, const when_clause<W>&... more) {
    static_assert((detail::comparable<V, W>() && ...),
                  "alchemy: case_(): the branches' values have incompatible types (text with text, numbers with "
                  "numbers, other types with the same type)");
    return case_expression<V>({{first.condition, first.result}, {more.condition, more.result}...});
}

// ---- SQL functions ---------------------------------------------------------------------

namespace func {

/// count(*).
inline expression<std::int64_t> count() { return expression<std::int64_t>(detail::pattern_node("count(*)")); }

/// count(x): the rows where x is not NULL.
template <class X>
    requires detail::is_expression_v<X>
expression<std::int64_t> count(const X& x) {
    return expression<std::int64_t>(detail::function_node("count", {x.node()}));
}

/// sum(x): NULL (nullopt) over no rows; integer for integer input.
template <class X>
    requires detail::is_expression_v<X>
auto sum(const X& x) {
    using V = detail::strip_optional<detail::operand_type<X>>;
    static_assert(detail::is_number_v<V>, "alchemy: sum() needs a numeric expression");
    using R = std::conditional_t<std::is_floating_point_v<V>, double, std::int64_t>;
    return expression<std::optional<R>>(detail::function_node("sum", {x.node()}));
}

/// avg(x) as a double; NULL (nullopt) over no rows.
template <class X>
    requires detail::is_expression_v<X>
expression<std::optional<double>> avg(const X& x) {
    static_assert(detail::is_number_v<detail::strip_optional<detail::operand_type<X>>>,
                  "alchemy: avg() needs a numeric expression");
    return expression<std::optional<double>>(detail::function_node("avg", {x.node()}));
}

/// min(x) / max(x); NULL (nullopt) over no rows.
template <class X>
    requires detail::is_expression_v<X>
auto min(const X& x) {
    return expression<std::optional<detail::strip_optional<detail::operand_type<X>>>>(
        detail::function_node("min", {x.node()}));
}
template <class X>
    requires detail::is_expression_v<X>
auto max(const X& x) {
    return expression<std::optional<detail::strip_optional<detail::operand_type<X>>>>(
        detail::function_node("max", {x.node()}));
}

/// coalesce(x, fallback): the first that is not NULL.
template <class X, class Y>
    requires detail::is_expression_v<X>
auto coalesce(const X& x, const Y& fallback) {
    using V = detail::strip_optional<detail::operand_type<X>>;
    static_assert(detail::comparable<V, detail::operand_type<Y>>(),
                  "alchemy: coalesce() needs arguments of compatible types");
    return expression<V>(detail::function_node("coalesce", {x.node(), detail::to_node(fallback)}));
}

/// Any SQL function: func::call<double>("round", col(&User::score), 1).
///
/// The name goes into the SQL text as written (SQL cannot bind a function
/// name), so only a plain identifier is accepted: a letter or '_', then
/// letters, digits or '_' ([A-Za-z_][A-Za-z0-9_]*). SQLite's functions have no
/// schema, so there is no dotted "schema.name" form. Anything else — a
/// space, a quote, a parenthesis, a NUL byte — is an ArgumentError here, when
/// call() is called, so no name can smuggle SQL into the statement.
template <class R, class... A>
expression<R> call(std::string name, const A&... args) {
    detail::check_function_name(name);
    return expression<R>(detail::function_node(std::move(name), {detail::to_node(args)...}));
}

// ---- window functions: valid only with .over(...) ----

/// row_number() OVER (...): 1, 2, 3 ... within each partition.
inline window_function<std::int64_t> row_number() { return window_function<std::int64_t>(detail::pattern_node("row_number()")); }
/// rank() / dense_rank(): the row's rank by the window's ORDER BY (ties share one; dense_rank leaves no gaps).
inline window_function<std::int64_t> rank() { return window_function<std::int64_t>(detail::pattern_node("rank()")); }
inline window_function<std::int64_t> dense_rank() { return window_function<std::int64_t>(detail::pattern_node("dense_rank()")); }
/// percent_rank() / cume_dist(): relative rank, between 0 and 1.
inline window_function<double> percent_rank() { return window_function<double>(detail::pattern_node("percent_rank()")); }
inline window_function<double> cume_dist() { return window_function<double>(detail::pattern_node("cume_dist()")); }
/// ntile(n): the number of the bucket (1..n) the row falls in.
inline window_function<std::int64_t> ntile(std::int64_t buckets) {
    return window_function<std::int64_t>(detail::function_node("ntile", {detail::to_node(buckets)}));
}
/// lag(x, n) / lead(x, n): x of the row n before / after, NULL (nullopt) where there is none.
template <class X>
    requires detail::is_expression_v<X>
auto lag(const X& x, std::int64_t offset = 1) {
    using V = std::optional<detail::strip_optional<detail::operand_type<X>>>;
    return window_function<V>(detail::function_node("lag", {x.node(), detail::to_node(offset)}));
}
template <class X>
    requires detail::is_expression_v<X>
auto lead(const X& x, std::int64_t offset = 1) {
    using V = std::optional<detail::strip_optional<detail::operand_type<X>>>;
    return window_function<V>(detail::function_node("lead", {x.node(), detail::to_node(offset)}));
}
/// first_value(x) / last_value(x): x of the window's first / last row.
template <class X>
    requires detail::is_expression_v<X>
auto first_value(const X& x) {
    return window_function<detail::operand_type<X>>(detail::function_node("first_value", {x.node()}));
}
template <class X>
    requires detail::is_expression_v<X>
auto last_value(const X& x) {
    return window_function<detail::operand_type<X>>(detail::function_node("last_value", {x.node()}));
}

}  // namespace func

/// EXISTS (SELECT ...): true when the query (correlated to the enclosing
/// one) finds a row.
template <class Q>
    requires requires(const Q& q) { q.nested_select(); }
predicate exists(const Q& subquery) {
    return predicate(detail::prefix_node("EXISTS", subquery.nested_select_body()));
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

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/sql/impl/expression.ipp>
#endif
