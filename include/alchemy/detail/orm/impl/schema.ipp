// alchemy/detail/orm/impl/schema.ipp — definitions of schema.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/schema.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
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
        out.push_back(detail::render_statement(detail::drop_table_stmt{*it}, d));
    return out;
}

ALCHEMY_INLINE void schema::create_all(engine& e) const {
    auto tx = e.begin();
    for (const auto& sql : create_statements(e.dialect())) tx.execute(sql);
    tx.commit();
}

ALCHEMY_INLINE void schema::drop_all(engine& e) const {
    auto tx = e.begin();
    const auto& d = e.dialect();
    if (const auto defer = d.defer_foreign_keys_sql(); !defer.empty()) tx.execute(defer);
    for (const auto& sql : drop_statements(d)) tx.execute(sql);
    tx.commit();
}

ALCHEMY_INLINE std::string schema::create_table_sql(const table_info& table, const dialect& d) {
    return detail::render_statement(detail::create_table_stmt{&table}, d);
}

ALCHEMY_INLINE std::string schema::create_index_sql(const table_info& table, const index_info& ix, const dialect& d) {
    return detail::render_statement(detail::create_index_stmt{&table, &ix}, d);
}

}  // namespace alchemy
