// alchemy/detail/sql/impl/expression.ipp — definitions of expression.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/expression.hpp>

#include <string>
#include <string_view>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE std::string escape_like(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '%' || c == '_' || c == '/') out += '/';
        out += c;
    }
    return out;
}

ALCHEMY_INLINE void check_function_name(std::string_view name) {
    // <cctype> would follow the C locale; SQL identifiers are ASCII here.
    const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    bool ok = !name.empty() && letter(name.front());
    for (char c : name) ok = ok && (letter(c) || digit(c));
    if (!ok)
        throw ArgumentError(fmt::format(
            "alchemy: func::call: {:?} is not a function name; a function name is a plain SQL identifier, a "
            "letter or '_' followed by letters, digits or '_' ([A-Za-z_][A-Za-z0-9_]*)",
            name));
}

ALCHEMY_INLINE node_ptr over_node(node_ptr function, const partition_by_clause* partition, const window_order_clause* order) {
    std::string pattern = "{} OVER (";
    std::vector<node_ptr> children{std::move(function)};
    if (partition) {
        pattern += "PARTITION BY ";
        for (std::size_t i = 0; i < partition->items.size(); ++i) {
            pattern += i ? ", {}" : "{}";
            children.push_back(partition->items[i]);
        }
    }
    if (order) {
        pattern += partition ? " ORDER BY " : "ORDER BY ";
        for (std::size_t i = 0; i < order->items.size(); ++i) {
            const auto& item = order->items[i];
            pattern += i ? ", {}" : "{}";
            // A labelled expression is ordered by what it labels.
            children.push_back(item.node->what == sql_node::kind::label ? item.node->children.front() : item.node);
            if (item.descending) pattern += " DESC";
            if (item.nulls_order == order_item::nulls::first) pattern += " NULLS FIRST";
            if (item.nulls_order == order_item::nulls::last) pattern += " NULLS LAST";
        }
    }
    pattern += ")";
    return pattern_node(std::move(pattern), std::move(children));
}

ALCHEMY_INLINE node_ptr case_node(const std::vector<std::pair<node_ptr, node_ptr>>& branches, node_ptr otherwise) {
    std::string pattern = "CASE";
    std::vector<node_ptr> children;
    for (const auto& [condition, result] : branches) {
        pattern += " WHEN {} THEN {}";
        children.push_back(condition);
        children.push_back(result);
    }
    if (otherwise) {
        pattern += " ELSE {}";
        children.push_back(std::move(otherwise));
    }
    pattern += " END";
    return pattern_node(std::move(pattern), std::move(children));
}

}  // namespace alchemy::detail
