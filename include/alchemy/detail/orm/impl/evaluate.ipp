// alchemy/detail/orm/impl/evaluate.ipp — definitions of detail/orm/evaluate.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/evaluate.hpp>

#include <algorithm>
#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <fmt/core.h>

namespace alchemy::detail {

namespace evaluation {

// The predicates expression.hpp spells as patterns, which the interpreter knows.
inline constexpr std::string_view always_false = "1 != 1";  // in_({})
inline constexpr std::string_view always_true = "1 = 1";    // not_in({})
inline constexpr std::string_view not_in = "({} NOT IN {})";
inline constexpr std::string_view between = "{} BETWEEN {} AND {}";

inline bool comparison(const std::string& op) {
    return op == "=" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=";
}
inline bool ordering(const std::string& op) { return op == "<" || op == "<=" || op == ">" || op == ">="; }
inline bool arithmetic(const std::string& op) { return op == "+" || op == "-" || op == "*" || op == "/"; }

// Whether `n` is text: a text column or a bound text value (under a label).
inline bool text_operand(const sql_node& n) {
    if (n.what == sql_node::kind::label) return text_operand(*n.children.front());
    if (n.what == sql_node::kind::column) return n.table->columns[n.column].type == sql_type::text;
    if (n.what == sql_node::kind::bind) return n.bound.type() == sql_type::text;
    return false;
}

inline value truth(bool b) { return value(std::int64_t{b ? 1 : 0}); }

// -1, 0 or 1 for two non-NULL values, as SQL orders them; empty when C++
// cannot tell (values of different kinds, which each database compares by
// rules of its own).
inline std::optional<int> compare(const value& a, const value& b) {
    const auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    const auto& x = a.get();
    const auto& y = b.get();
    if (const auto* i = std::get_if<std::int64_t>(&x)) {
        if (const auto* j = std::get_if<std::int64_t>(&y)) return sign(*i, *j);
        if (const auto* e = std::get_if<double>(&y)) return sign(static_cast<double>(*i), *e);
        return std::nullopt;
    }
    if (const auto* d = std::get_if<double>(&x)) {
        if (const auto* j = std::get_if<std::int64_t>(&y)) return sign(*d, static_cast<double>(*j));
        if (const auto* e = std::get_if<double>(&y)) return sign(*d, *e);
        return std::nullopt;
    }
    if (const auto* s = std::get_if<std::string>(&x)) {
        // Byte by byte (char_traits<char> compares as unsigned char): SQLite's BINARY collation.
        if (const auto* t = std::get_if<std::string>(&y)) return sign(s->compare(*t), 0);
        return std::nullopt;
    }
    if (const auto* s = std::get_if<std::vector<std::byte>>(&x)) {
        if (const auto* t = std::get_if<std::vector<std::byte>>(&y)) {
            const auto r = std::lexicographical_compare_three_way(s->begin(), s->end(), t->begin(), t->end());
            return r < 0 ? -1 : (r > 0 ? 1 : 0);
        }
        return std::nullopt;
    }
    return std::nullopt;
}

inline std::optional<value> compare_op(const std::string& op, const value& a, const value& b) {
    if (a.is_null() || b.is_null()) return value();
    const auto order = compare(a, b);
    if (!order) return std::nullopt;
    const int c = *order;
    if (op == "=") return truth(c == 0);
    if (op == "!=") return truth(c != 0);
    if (op == "<") return truth(c < 0);
    if (op == "<=") return truth(c <= 0);
    if (op == ">") return truth(c > 0);
    return truth(c >= 0);
}

inline std::optional<value> arithmetic_op(const std::string& op, const value& a, const value& b) {
    if (a.is_null() || b.is_null()) return value();
    const auto* i = std::get_if<std::int64_t>(&a.get());
    const auto* j = std::get_if<std::int64_t>(&b.get());
    if (i && j) {
        std::int64_t out = 0;
        bool overflow = false;
        if (op == "+") overflow = __builtin_add_overflow(*i, *j, &out);
        else if (op == "-") overflow = __builtin_sub_overflow(*i, *j, &out);
        else if (op == "*") overflow = __builtin_mul_overflow(*i, *j, &out);
        else if (*j == 0) return value();  // SQLite: NULL (PostgreSQL refuses the statement)
        else if (*j == -1 && *i == std::numeric_limits<std::int64_t>::min()) overflow = true;
        else out = *i / *j;  // truncated, as both databases divide integers
        if (overflow) return std::nullopt;  // SQLite goes to REAL, PostgreSQL refuses: the database's call
        return value(out);
    }
    const auto as_double = [](const value& v) -> std::optional<double> {
        if (const auto* n = std::get_if<std::int64_t>(&v.get())) return static_cast<double>(*n);
        if (const auto* d = std::get_if<double>(&v.get())) return *d;
        return std::nullopt;
    };
    const auto x = as_double(a);
    const auto y = as_double(b);
    if (!x || !y) return std::nullopt;
    if (op == "+") return value(*x + *y);
    if (op == "-") return value(*x - *y);
    if (op == "*") return value(*x * *y);
    if (*y == 0) return value();
    return value(*x / *y);
}

// x IN (items...), with SQL's NULL rules: NULL when x is NULL, or when no
// item equals x and one of them is NULL.
inline std::optional<value> in_list(const sql_node& x, const sql_node& list, const instance_base& i) {
    const auto lhs = evaluate(x, i);
    if (!lhs) return std::nullopt;
    if (lhs->is_null()) return value();
    bool unknown = false;
    for (const auto& item : list.children) {
        const auto v = evaluate(*item, i);
        if (!v) return std::nullopt;
        const auto eq = compare_op("=", *lhs, *v);
        if (!eq) return std::nullopt;
        if (eq->is_null()) unknown = true;
        else if (is_true(*eq)) return truth(true);
    }
    return unknown ? value() : truth(false);
}

inline std::optional<value> negate(const std::optional<value>& v) {
    if (!v) return std::nullopt;
    if (v->is_null()) return value();
    return truth(!is_true(*v));
}

}  // namespace evaluation

ALCHEMY_INLINE std::string unevaluable_part(const sql_node& n, const table_info& table, bool exact) {
    using evaluation::arithmetic;
    using evaluation::comparison;
    const auto children = [&]() -> std::string {
        for (const auto& c : n.children)
            if (auto why = unevaluable_part(*c, table, exact); !why.empty()) return why;
        return {};
    };
    switch (n.what) {
        case sql_node::kind::column:
            if (n.table != &table || !n.alias.empty())
                return fmt::format("the column '{}' of {} '{}'", n.table->columns[n.column].name,
                                   n.alias.empty() ? "table" : "alias", n.alias.empty() ? n.table->name : n.alias);
            return {};
        case sql_node::kind::bind:
        case sql_node::kind::deferred_bind: return {};
        case sql_node::kind::label: return children();
        case sql_node::kind::binary:
            if (comparison(n.op) || arithmetic(n.op) || n.op == "AND" || n.op == "OR") {
                if (exact && evaluation::ordering(n.op) &&
                    (evaluation::text_operand(*n.children[0]) || evaluation::text_operand(*n.children[1])))
                    return fmt::format("text ordered with '{}' (the database's collation decides)", n.op);
                return children();
            }
            if (n.op == "IN") {
                if (n.children[1]->what != sql_node::kind::list) return "IN of a subquery";
                if (auto why = unevaluable_part(*n.children[0], table, exact); !why.empty()) return why;
                return unevaluable_part(*n.children[1], table, exact);
            }
            return fmt::format("the operator {}", n.op);
        case sql_node::kind::list: return children();
        case sql_node::kind::prefix:
            if (n.op == "NOT") return children();
            return fmt::format("{} (a subquery)", n.op);
        case sql_node::kind::postfix:
            if (n.op == "IS NULL" || n.op == "IS NOT NULL") return children();
            return fmt::format("the operator {}", n.op);
        case sql_node::kind::pattern:
            if (n.op == evaluation::always_false || n.op == evaluation::always_true) return {};
            if (n.op == evaluation::not_in) {
                if (n.children[1]->what != sql_node::kind::list) return "NOT IN of a subquery";
                return children();
            }
            if (n.op == evaluation::between) {
                if (exact && evaluation::text_operand(*n.children[0]))
                    return "text compared with BETWEEN (the database's collation decides)";
                return children();
            }
            if (n.op.find("LIKE") != std::string::npos) return "LIKE";
            return fmt::format("the SQL '{}'", n.op);
        case sql_node::kind::function: return fmt::format("the function {}()", n.op);
        case sql_node::kind::text: return fmt::format("the SQL text '{}'", n.op);
        case sql_node::kind::cast: return "a CAST";
        case sql_node::kind::nested: return "a subquery";
        case sql_node::kind::alias_column: return fmt::format("the column '{}' of subquery '{}'", n.op, n.alias);
        case sql_node::kind::ilike: return "ILIKE";
        case sql_node::kind::json_extract: return "a JSON path";
    }
    return "an expression of an unknown kind";
}

ALCHEMY_INLINE void columns_read(const sql_node& n, std::vector<std::size_t>& out) {
    if (n.what == sql_node::kind::column && std::find(out.begin(), out.end(), n.column) == out.end())
        out.push_back(n.column);
    for (const auto& c : n.children)
        if (c) columns_read(*c, out);
}

ALCHEMY_INLINE std::optional<value> evaluate(const sql_node& n, const instance_base& i) {
    using evaluation::compare_op;
    using evaluation::in_list;
        using evaluation::negate;
    using evaluation::truth;
    switch (n.what) {
        case sql_node::kind::column: return i.column_value_of(n.column);
        case sql_node::kind::bind: return n.bound;
        case sql_node::kind::deferred_bind: return (*n.deferred)();
        case sql_node::kind::label: return evaluate(*n.children.front(), i);
        case sql_node::kind::prefix: return negate(evaluate(*n.children.front(), i));  // NOT
        case sql_node::kind::postfix: {
            const auto v = evaluate(*n.children.front(), i);
            if (!v) return std::nullopt;
            return truth(v->is_null() == (n.op == "IS NULL"));
        }
        case sql_node::kind::pattern: {
            if (n.op == evaluation::always_false) return truth(false);
            if (n.op == evaluation::always_true) return truth(true);
            if (n.op == evaluation::not_in) return negate(in_list(*n.children[0], *n.children[1], i));
            // x BETWEEN lo AND hi is x >= lo AND x <= hi.
            const auto x = evaluate(*n.children[0], i);
            const auto lo = evaluate(*n.children[1], i);
            const auto hi = evaluate(*n.children[2], i);
            if (!x || !lo || !hi) return std::nullopt;
            const auto above = compare_op(">=", *x, *lo);
            const auto below = compare_op("<=", *x, *hi);
            if (!above || !below) return std::nullopt;
            if ((!above->is_null() && !is_true(*above)) || (!below->is_null() && !is_true(*below))) return truth(false);
            if (above->is_null() || below->is_null()) return value();
            return truth(true);
        }
        case sql_node::kind::binary: {
            if (n.op == "IN") return in_list(*n.children[0], *n.children[1], i);
            const auto a = evaluate(*n.children[0], i);
            if (!a) return std::nullopt;
            if (n.op == "AND" || n.op == "OR") {
                // false AND x is false, true OR x is true, whatever x is;
                // otherwise NULL (unknown) wins over the identity.
                const bool absorbing = n.op == "OR";
                if (!a->is_null() && is_true(*a) == absorbing) return truth(absorbing);
                const auto b = evaluate(*n.children[1], i);
                if (!b) return std::nullopt;
                if (!b->is_null() && is_true(*b) == absorbing) return truth(absorbing);
                if (a->is_null() || b->is_null()) return value();
                return truth(!absorbing);
            }
            const auto b = evaluate(*n.children[1], i);
            if (!b) return std::nullopt;
            if (evaluation::comparison(n.op)) return compare_op(n.op, *a, *b);
            return evaluation::arithmetic_op(n.op, *a, *b);
        }
        default: return std::nullopt;  // unevaluable_part() said so first
    }
}

}  // namespace alchemy::detail
