// alchemy/detail/select.hpp — a SELECT as data, and its rendering through the
// compiler. Entity queries and column queries (query.hpp) both build one.
#pragma once

#include <alchemy/compiler.hpp>
#include <alchemy/detail/sql_tree.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/mapping.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

struct join_spec {
    const table_info* table;
    node_ptr on;
    bool outer = false;
};

struct select_spec {
    std::vector<node_ptr> columns;             // the select list
    std::vector<const table_info*> entities;   // tables selected whole, in order
    std::vector<join_spec> joins;
    std::vector<node_ptr> where;
    std::vector<node_ptr> group_by;
    std::vector<node_ptr> having;
    std::vector<order_item> order;
    std::optional<std::int64_t> limit;
    std::optional<std::int64_t> offset;
    bool distinct = false;

    /// Every table the query reads from so far (FROM list and joins).
    std::vector<const table_info*> tables() const {
        std::vector<const table_info*> out = from();
        for (const auto& j : joins) out.push_back(j.table);
        return out;
    }

    /// The FROM list: tables of the selected entities and columns, in order,
    /// that are not joined.
    std::vector<const table_info*> from() const {
        std::vector<const table_info*> out;
        const auto add = [&](const table_info& t) {
            const bool joined = std::any_of(joins.begin(), joins.end(), [&](const join_spec& j) { return j.table == &t; });
            if (!joined && std::find(out.begin(), out.end(), &t) == out.end()) out.push_back(&t);
        };
        for (const auto* e : entities) add(*e);
        for (const auto& c : columns) for_each_table(*c, add);
        return out;
    }
};

/// The ON clause joining `target` to one of `present`, from the one foreign
/// key between them; InvalidRequestError when there is none or several.
inline node_ptr infer_join(const std::vector<const table_info*>& present, const table_info& target) {
    std::vector<node_ptr> found;
    const auto condition = [](const table_info& child, const foreign_key_info& fk) {
        const auto& parent = fk.target();
        node_ptr on;
        for (std::size_t i = 0; i < fk.columns.size(); ++i) {
            auto eq = binary_node("=", column_node(parent, fk.target_columns[i]), column_node(child, fk.columns[i]));
            on = on ? binary_node("AND", on, eq) : eq;
        }
        return on;
    };
    for (const auto* p : present) {
        if (p == &target) continue;
        for (const auto& fk : target.foreign_keys)
            if (&fk.target() == p) found.push_back(condition(target, fk));
        for (const auto& fk : p->foreign_keys)
            if (&fk.target() == &target) found.push_back(condition(*p, fk));
    }
    if (found.empty())
        throw InvalidRequestError(fmt::format(
            "alchemy: Don't know how to join to {} (table '{}'): no foreign key links it to the tables of the "
            "query; give the ON condition explicitly",
            target.struct_name, target.name));
    if (found.size() > 1)
        throw InvalidRequestError(fmt::format(
            "alchemy: Can't determine the join to {} (table '{}'): there are {} foreign key paths; give the ON "
            "condition explicitly",
            target.struct_name, target.name, found.size()));
    return found.front();
}

inline compiled_sql compile_select(const select_spec& s, const dialect& d) {
    sql_compiler c(d);
    std::string sql = s.distinct ? "SELECT DISTINCT " : "SELECT ";
    for (std::size_t i = 0; i < s.columns.size(); ++i) {
        if (i) sql += ", ";
        sql += c.render(*s.columns[i]);
    }
    const auto from = s.from();
    if (from.empty() && s.joins.empty())
        throw ArgumentError("alchemy: the query selects nothing that names a table");
    for (std::size_t i = 0; i < from.size(); ++i) sql += (i ? ", " : " FROM ") + c.table(*from[i]);
    for (const auto& j : s.joins) {
        sql += j.outer ? " LEFT OUTER JOIN " : " JOIN ";
        sql += c.table(*j.table);
        sql += " ON " + c.render(*j.on);
    }
    const auto conditions = [&](const char* keyword, const std::vector<node_ptr>& items) {
        for (std::size_t i = 0; i < items.size(); ++i) {
            sql += i ? " AND " : keyword;
            const bool wrap = items.size() > 1 && items[i]->what == sql_node::kind::binary && items[i]->op == "OR";
            sql += wrap ? "(" + c.render(*items[i]) + ")" : c.render(*items[i]);
        }
    };
    conditions(" WHERE ", s.where);
    for (std::size_t i = 0; i < s.group_by.size(); ++i) sql += (i ? ", " : " GROUP BY ") + c.render(*s.group_by[i]);
    conditions(" HAVING ", s.having);
    for (std::size_t i = 0; i < s.order.size(); ++i) {
        sql += i ? ", " : " ORDER BY ";
        const auto& item = s.order[i];
        // A labelled expression is ordered by its name.
        sql += item.node->what == sql_node::kind::label ? d.quote_identifier(item.node->op) : c.render(*item.node);
        if (item.descending) sql += " DESC";
        if (item.nulls_order == order_item::nulls::first) sql += " NULLS FIRST";
        if (item.nulls_order == order_item::nulls::last) sql += " NULLS LAST";
    }
    if (s.limit || s.offset) {
        sql += " LIMIT " + c.bind(value(s.limit.value_or(d.unlimited())));
        sql += " OFFSET " + c.bind(value(s.offset.value_or(0)));
    }
    return {std::move(sql), std::move(c.params())};
}

}  // namespace alchemy::detail
