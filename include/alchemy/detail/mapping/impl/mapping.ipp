// alchemy/detail/mapping/impl/mapping.ipp — definitions of mapping.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/mapping.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

ALCHEMY_INLINE const column_info& table_info::column(std::string_view column_name) const {
    if (const auto* c = find_column(column_name)) return *c;
    throw ArgumentError(fmt::format("alchemy: table '{}' ({}) has no column '{}'", name, struct_name, column_name));
}

namespace detail {

ALCHEMY_INLINE void load_columns(const table_info& table, const column_source& row, std::size_t first,
                                 void* object) {
    std::size_t failed = 0;
    try {
        table.ops->load(row, first, object, failed);
    } catch (const ConversionError& e) {
        std::string key;
        for (auto k : table.primary_key) {
            if (!key.empty()) key += ", ";
            key += fmt::format("{} = {}", table.columns[k].name, format_value(value::from(row.column(first + k))));
        }
        const auto& column = table.columns[failed];
        throw ConversionError(fmt::format("alchemy: cannot load column \"{}\".\"{}\" ({}::{}, {}) of the row with {}: {}",
                                          table.name, column.name, table.struct_name, column.member, column.cpp_type,
                                          key, e.what()));
    }
}

ALCHEMY_INLINE std::string snake_case(std::string_view name) {
    std::string out;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool upper = c >= 'A' && c <= 'Z';
        if (upper && i > 0) {
            const char prev = name[i - 1];
            const bool prev_lower = (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
            const bool next_lower = i + 1 < name.size() && name[i + 1] >= 'a' && name[i + 1] <= 'z';
            const bool prev_upper = prev >= 'A' && prev <= 'Z';
            if (prev_lower || (prev_upper && next_lower)) out += '_';
        }
        out += upper ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

ALCHEMY_INLINE void add_column(table_info& table, column_info&& column) { table.columns.push_back(std::move(column)); }

ALCHEMY_INLINE void add_relationship(table_info& table, const relationship_info& relationship) {
    table.relationships.push_back(relationship);
}

ALCHEMY_INLINE void add_foreign_key(table_info& table, foreign_key_info&& foreign_key) {
    table.foreign_keys.push_back(std::move(foreign_key));
}

ALCHEMY_INLINE void add_index(table_info& table, index_info&& index) { table.indexes.push_back(std::move(index)); }

ALCHEMY_INLINE void add_unique(table_info& table, std::vector<std::size_t> columns) {
    table.uniques.push_back({std::move(columns)});
}

ALCHEMY_INLINE void add_check(table_info& table, std::string_view sql, std::string_view constraint_name) {
    table.checks.push_back({std::string(sql), std::string(constraint_name)});
}

ALCHEMY_INLINE void finish_table(table_info& table) {
    for (auto k : table.primary_key) table.columns[k].primary_key = true;

    for (auto& ix : table.indexes) {
        if (!ix.name.empty()) continue;
        ix.name = (ix.unique ? "ux_" : "ix_") + table.name;
        for (auto c : ix.columns) ix.name += "_" + table.columns[c].name;
    }
    for (std::size_t a = 0; a < table.columns.size(); ++a)
        for (std::size_t b = a + 1; b < table.columns.size(); ++b)
            if (table.columns[a].name == table.columns[b].name)
                throw ArgumentError(fmt::format("alchemy: {} maps two members to the column '{}' of table '{}' ({} and {})",
                                                table.struct_name, table.columns[a].name, table.name,
                                                table.columns[a].member, table.columns[b].member));
}

}  // namespace detail

ALCHEMY_INLINE std::vector<const table_info*> sort_by_dependency(std::vector<const table_info*> remaining) {
    std::vector<const table_info*> sorted;
    sorted.reserve(remaining.size());
    const auto is_remaining = [&](const table_info* t) {
        return std::find(remaining.begin(), remaining.end(), t) != remaining.end();
    };
    while (!remaining.empty()) {
        auto ready = std::find_if(remaining.begin(), remaining.end(), [&](const table_info* t) {
            return std::all_of(t->foreign_keys.begin(), t->foreign_keys.end(), [&](const foreign_key_info& fk) {
                const table_info* target = &fk.target();
                return target == t || !is_remaining(target);
            });
        });
        if (ready == remaining.end()) ready = remaining.begin();  // a cycle between tables
        sorted.push_back(*ready);
        remaining.erase(ready);
    }
    return sorted;
}

}  // namespace alchemy
