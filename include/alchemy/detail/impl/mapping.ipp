// alchemy/detail/impl/mapping.ipp — definitions of mapping.hpp's non-template functions (see detail/config.hpp).
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
