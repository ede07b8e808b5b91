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

namespace detail {
// The foreign keys of `sorted` (in creation order) that reference a table
// created after theirs: (table, index into its foreign_keys).
inline std::vector<std::pair<const table_info*, std::size_t>> forward_foreign_keys(
    const std::vector<const table_info*>& sorted) {
    std::vector<std::pair<const table_info*, std::size_t>> out;
    for (auto t = sorted.begin(); t != sorted.end(); ++t)
        for (std::size_t k = 0; k < (*t)->foreign_keys.size(); ++k)
            if (std::find(t + 1, sorted.end(), &(*t)->foreign_keys[k].target()) != sorted.end())
                out.emplace_back(*t, k);
    return out;
}
}  // namespace detail

ALCHEMY_INLINE std::vector<std::string> schema::create_statements(const dialect& d) const {
    std::vector<std::string> out;
    const auto sorted = sorted_tables();
    // Tables that reference each other (SQLAlchemy's use_alter): where the
    // database needs it, such a key is added once both tables exist; it is
    // dropped first, so that create_all can run again.
    const auto forward = d.alters_forward_foreign_keys() ? detail::forward_foreign_keys(sorted)
                                                         : std::vector<std::pair<const table_info*, std::size_t>>{};
    for (const auto* table : sorted) {
        detail::create_table_stmt create{table};
        for (const auto& [t, k] : forward)
            if (t == table) create.omitted_foreign_keys.push_back(k);
        out.push_back(detail::render_statement(create, d));
        for (const auto& ix : table->indexes) out.push_back(create_index_sql(*table, ix, d));
    }
    for (const auto& [table, k] : forward) {
        out.push_back(detail::render_statement(detail::alter_foreign_key_stmt{table, k, true}, d));
        out.push_back(detail::render_statement(detail::alter_foreign_key_stmt{table, k, false}, d));
    }
    return out;
}

ALCHEMY_INLINE std::vector<std::string> schema::drop_statements(const dialect& d) const {
    std::vector<std::string> out;
    auto sorted = sorted_tables();
    if (d.alters_forward_foreign_keys())  // a table another references cannot be dropped
        for (const auto& [table, k] : detail::forward_foreign_keys(sorted))
            out.push_back(detail::render_statement(detail::alter_foreign_key_stmt{table, k, true}, d));
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
