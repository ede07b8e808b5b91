// alchemy/detail/orm/impl/schema.ipp — definitions of schema.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/schema.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

ALCHEMY_INLINE schema& schema::add(const table_info& table) {
    if (std::find(tables_.begin(), tables_.end(), &table) != tables_.end()) return *this;
    for (const auto* existing : tables_)
        if (existing->name == table.name)
            throw ArgumentError(fmt::format("alchemy: table '{}' is mapped twice, by {} and by {}", table.name,
                                            existing->struct_name, table.struct_name));
    tables_.push_back(&table);
    for (const auto& fk : table.foreign_keys) add(fk.target());
    return *this;
}

ALCHEMY_INLINE std::vector<std::string> schema::create_statements(const dialect& d) const {
    std::vector<std::string> out;
    for (const auto* table : sorted_tables()) {
        out.push_back(create_table_sql(*table, d));
        for (const auto& ix : table->indexes) out.push_back(create_index_sql(*table, ix, d));
    }
    return out;
}

ALCHEMY_INLINE std::vector<std::string> schema::drop_statements(const dialect& d) const {
    std::vector<std::string> out;
    auto sorted = sorted_tables();
    for (auto it = sorted.rbegin(); it != sorted.rend(); ++it)
        out.push_back(fmt::format("DROP TABLE IF EXISTS {}", d.quote_identifier((*it)->name)));
    return out;
}

ALCHEMY_INLINE void schema::create_all(engine& e) const {
    auto tx = e.begin();
    for (const auto& sql : create_statements(e.dialect())) tx.execute(sql);
    tx.commit();
}

ALCHEMY_INLINE void schema::drop_all(engine& e) const {
    auto tx = e.begin();
    tx.execute("PRAGMA defer_foreign_keys = ON");
    for (const auto& sql : drop_statements(e.dialect())) tx.execute(sql);
    tx.commit();
}

ALCHEMY_INLINE std::string schema::create_table_sql(const table_info& table, const dialect& d) {
    const auto q = [&](std::string_view name) { return d.quote_identifier(name); };
    const auto column_list = [&](const table_info& t, const std::vector<std::size_t>& columns) {
        return quoted_columns(t, columns, d);
    };
    const bool inline_key = table.has_integer_key();
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const auto& c = table.columns[i];
        std::string part = q(c.name);
        if (const auto type = d.type_name(c.type); !type.empty()) part += fmt::format(" {}", type);
        if (!c.nullable) part += " NOT NULL";
        if (inline_key && c.primary_key) part += " " + d.integer_key_clause(table.autoincrement);
        if (c.server_default) part += fmt::format(" DEFAULT ({})", *c.server_default);
        parts.push_back(std::move(part));
    }
    if (!inline_key) parts.push_back(fmt::format("PRIMARY KEY ({})", column_list(table, table.primary_key)));
    for (const auto& u : table.uniques) parts.push_back(fmt::format("UNIQUE ({})", column_list(table, u.columns)));
    for (const auto& fk : table.foreign_keys) {
        const auto& target = fk.target();
        std::string part = fmt::format("FOREIGN KEY ({}) REFERENCES {} ({})", column_list(table, fk.columns),
                                       q(target.name), column_list(target, fk.target_columns));
        if (fk.on_delete != fk_action::no_action) part += fmt::format(" ON DELETE {}", to_sql(fk.on_delete));
        if (fk.on_update != fk_action::no_action) part += fmt::format(" ON UPDATE {}", to_sql(fk.on_update));
        parts.push_back(std::move(part));
    }
    for (const auto& ck : table.checks) {
        if (ck.name.empty()) parts.push_back(fmt::format("CHECK ({})", ck.sql));
        else parts.push_back(fmt::format("CONSTRAINT {} CHECK ({})", q(ck.name), ck.sql));
    }
    std::string sql = fmt::format("CREATE TABLE IF NOT EXISTS {} (", q(table.name));
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) sql += ", ";
        sql += parts[i];
    }
    sql += ')';
    return sql;
}

ALCHEMY_INLINE std::string schema::create_index_sql(const table_info& table, const index_info& ix, const dialect& d) {
    return fmt::format("CREATE {}INDEX IF NOT EXISTS {} ON {} ({})", ix.unique ? "UNIQUE " : "",
                       d.quote_identifier(ix.name), d.quote_identifier(table.name),
                       quoted_columns(table, ix.columns, d));
}

ALCHEMY_INLINE std::string schema::quoted_columns(const table_info& table, const std::vector<std::size_t>& columns,
                                                  const dialect& d) {
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) out += ", ";
        out += d.quote_identifier(table.columns[columns[i]].name);
    }
    return out;
}

}  // namespace alchemy
