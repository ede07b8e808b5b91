// alchemy/detail/orm/impl/unit_of_work.ipp — definitions of unit_of_work.hpp's non-template functions
// (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/identity_map.hpp>
#include <alchemy/detail/orm/unit_of_work.hpp>

#include <cstdint>
#include <memory>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE bool value_less(const value& a, const value& b) {
    if (a.type() != b.type()) return a.type() < b.type();
    return std::visit(
        [&](const auto& x) -> bool {
            using X = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<X, std::nullptr_t>) return false;
            else return x < std::get<X>(b.get());
        },
        a.get());
}

ALCHEMY_INLINE std::vector<value> key_values(const instance_base& i, bool from_snapshot) {
    std::vector<value> out;
    for (auto k : i.table->primary_key)
        out.push_back(from_snapshot && i.snapshot ? i.snapshot[k] : i.column_value_of(k));
    return out;
}

ALCHEMY_INLINE void settle(std::vector<link_assignment>& assignments) {
    std::vector<link_assignment> out;
    boost::unordered_flat_map<std::pair<instance_base*, std::size_t>, std::size_t> at;
    for (const auto& a : assignments) {
        auto [it, fresh] = at.emplace(std::pair(a.child, a.foreign_key), out.size());
        if (fresh) out.push_back(a);
        else if (a.parent || !out[it->second].parent) out[it->second] = a;
    }
    assignments = std::move(out);
}

ALCHEMY_INLINE pending_keys::pending_keys(const std::vector<link_assignment>& all)
    : items_(all), done_(all.size(), 0), open_(all.size()) {
    for (std::size_t k = 0; k < items_.size(); ++k) {
        by_child_[items_[k].child].push_back(k);
        by_table_[items_[k].child->table].push_back(k);
    }
}

ALCHEMY_INLINE bool pending_keys::waits(const instance_base* child) const {
    if (open_ == 0) return false;
    auto it = by_child_.find(child);
    if (it == by_child_.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(), [&](auto k) { return !done_[k]; });
}

ALCHEMY_INLINE std::vector<link_assignment> pending_keys::open_in(const table_info* table) const {
    std::vector<link_assignment> out;
    if (auto it = by_table_.find(table); it != by_table_.end())
        for (auto k : it->second)
            if (!done_[k]) out.push_back(items_[k]);
    return out;
}

ALCHEMY_INLINE void order_parents_first(std::vector<instance_base*>& rows,
                                        const std::vector<link_assignment>& waiting) {
    boost::unordered_flat_map<const instance_base*, const instance_base*> parent_of;
    for (const auto& a : waiting)
        if (a.parent && a.parent->table == a.child->table && !a.parent->has_identity) parent_of[a.child] = a.parent;
    if (parent_of.empty()) return;
    boost::unordered_flat_map<const instance_base*, std::size_t> depth;
    for (const auto* row : rows) {
        std::size_t d = 0;
        for (auto it = parent_of.find(row); it != parent_of.end() && d <= rows.size(); it = parent_of.find(it->second)) ++d;
        depth[row] = d;  // a cycle stops at rows.size() + 1 and fails at insert
    }
    std::stable_sort(rows.begin(), rows.end(), [&](auto* a, auto* b) { return depth[a] < depth[b]; });
}

ALCHEMY_INLINE std::vector<std::vector<const instance_base*>> children_first(
    const table_info& table, const std::vector<const instance_base*>& rows) {
    const foreign_key_info* self = nullptr;
    for (const auto& fk : table.foreign_keys)
        if (&fk.target() == &table) self = &fk;
    if (!self || rows.size() < 2) return {rows};
    key_map<const instance_base*> by_key;
    for (const auto* row : rows) {
        std::string key;
        encode_key_part(key, row->column_value_of(self->target_columns.front()));
        by_key[key] = row;
    }
    std::vector<std::size_t> depth(rows.size(), 0);
    std::size_t deepest = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto* row = rows[r];
        while (depth[r] <= rows.size()) {
            std::string key;
            encode_key_part(key, row->column_value_of(self->columns.front()));
            auto it = by_key.find(key);
            if (it == by_key.end() || it->second == row) break;
            row = it->second;
            ++depth[r];
        }
        deepest = std::max(deepest, depth[r]);
    }
    std::vector<std::vector<const instance_base*>> layers(deepest + 1);
    for (std::size_t r = 0; r < rows.size(); ++r) layers[deepest - depth[r]].push_back(rows[r]);
    return layers;
}

}  // namespace alchemy::detail
