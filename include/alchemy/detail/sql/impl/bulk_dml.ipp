// alchemy/detail/sql/impl/bulk_dml.ipp — definitions of detail/sql/bulk_dml.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/sql/bulk_dml.hpp>
#include <alchemy/errors.hpp>

#include <string>
#include <utility>

#include <fmt/core.h>

namespace alchemy::detail {

// The first column of an alias or subquery in n (not in a nested SELECT), or null.
ALCHEMY_INLINE const sql_node* first_alias_column(const sql_node& n) {
    if ((n.what == sql_node::kind::column && !n.alias.empty()) || n.what == sql_node::kind::alias_column) return &n;
    for (const auto& c : n.children)
        if (const auto* found = c ? first_alias_column(*c) : nullptr) return found;
    return nullptr;
}

ALCHEMY_INLINE bulk_dml_spec bulk_dml_of(const select_spec& query, std::vector<assignment> sets, bool is_delete) {
    const char* what = is_delete ? "delete_()" : "update()";
    const auto& table = *query.entities.front();
    const auto refuse = [&](const char* clause) {
        throw ArgumentError(fmt::format(
            "alchemy: {} of {}: the query has {}, which a bulk UPDATE or DELETE cannot have; filter() is all it takes",
            what, table.struct_name, clause));
    };
    if (!query.joins.empty()) refuse("a join");
    if (!query.group_by.empty() || !query.having.empty()) refuse("GROUP BY/HAVING");
    if (!query.order.empty()) refuse("ORDER BY");
    if (query.limit || query.offset) refuse("LIMIT/OFFSET");
    if (query.distinct) refuse("DISTINCT");
    if (!query.compound.empty()) refuse("a set operation");
    if (!query.entity_alias(0).empty()) refuse("an aliased entity");
    if (!query.extra_from.empty()) refuse("select_from()");
    // `part` names the part of the statement, with its verb.
    const auto own_table_only = [&](const sql_node& n, const char* part) {
        for_each_table(n, [&](const table_info& t) {
            if (&t != &table)
                throw ArgumentError(fmt::format(
                    "alchemy: {} of {}: {} table '{}'; a bulk UPDATE or DELETE filters on its own table's columns (a "
                    "subquery can reach others: col(&T::id).in_(...))",
                    what, table.struct_name, part, t.name));
        });
        if (const auto* aliased = first_alias_column(n))
            throw ArgumentError(fmt::format(
                "alchemy: {} of {}: {} alias '{}', which the statement does not read; a bulk UPDATE or DELETE "
                "filters on its own table's columns (a subquery can reach others: col(&T::id).in_(...))",
                what, table.struct_name, part, aliased->alias));
    };
    bulk_dml_spec dml;
    dml.table = &table;
    dml.is_delete = is_delete;
    for (const auto& w : query.where) own_table_only(*w, "the criteria name");
    dml.where = query.where;
    for (const auto& a : sets) {
        if (&a.table() != &table)
            throw ArgumentError(fmt::format("alchemy: {} of {}: set() of a column of {} (table '{}')", what,
                                            table.struct_name, a.table().struct_name, a.table().name));
        for (const auto& [column, value_node] : dml.set)
            if (column == a.column())
                throw ArgumentError(fmt::format("alchemy: {} of {}: column '{}' is set twice", what,
                                                table.struct_name, table.columns[column].name));
        own_table_only(*a.value_node(), "a SET value names");
        dml.set.emplace_back(a.column(), a.value_node());
    }
    if (!is_delete && dml.set.empty())
        throw ArgumentError(fmt::format("alchemy: update() of {}: no set() given", table.struct_name));
    return dml;
}

ALCHEMY_INLINE compiled_sql compile_bulk_dml(const bulk_dml_spec& s, const dialect& d) {
    sql_compiler c(d);
    // A subquery in the criteria correlates to the table being changed.
    c.enclosing_tables().push_back(s.table);
    std::string sql = s.is_delete ? "DELETE FROM " : "UPDATE ";
    sql += c.table(*s.table);
    for (std::size_t i = 0; i < s.set.size(); ++i) {
        sql += i ? ", " : " SET ";
        sql += d.quote_identifier(s.table->columns[s.set[i].first].name);
        sql += " = ";
        sql += c.render(*s.set[i].second);
    }
    for (std::size_t i = 0; i < s.where.size(); ++i) {
        sql += i ? " AND " : " WHERE ";
        const auto& w = *s.where[i];
        const bool wrap = s.where.size() > 1 && w.what == sql_node::kind::binary && w.op == "OR";
        sql += wrap ? "(" + c.render(w) + ")" : c.render(w);
    }
    for (std::size_t i = 0; i < s.returning.size(); ++i) {
        sql += i ? ", " : " RETURNING ";
        sql += d.quote_identifier(s.table->columns[s.returning[i]].name);
    }
    return {std::move(sql), std::move(c.params())};
}

}  // namespace alchemy::detail
