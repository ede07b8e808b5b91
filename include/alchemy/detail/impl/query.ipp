// alchemy/detail/impl/query.ipp — definitions of query.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/query.hpp>

#include <cstddef>
#include <string>
#include <utility>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE joined_load add_joined_load(select_spec& spec, const relationship_info& info, const table_info& owner,
                                           std::size_t n) {
    const auto& target = info.target();
    const auto alias = fmt::format("{}_{}", target.name, n);
    const auto push = [&](const table_info& table, std::string name, node_ptr on) {
        join_spec j;
        j.table = &table;
        j.alias = std::move(name);
        j.on = std::move(on);
        j.outer = true;
        spec.joins.push_back(std::move(j));
    };
    const auto aliased_column = [](const std::string& a, const table_info& t, std::size_t c) {
        return alias_column_node(a, t.columns[c].name);
    };
    if (info.kind == relationship_kind::many_to_many) {
        const auto& association = info.secondary();
        const auto link = fmt::format("{}_{}", association.name, n);
        const auto& local = association.foreign_keys[info.foreign_key];
        const auto& remote = association.foreign_keys[info.remote_foreign_key];
        push(association, link, binary_node("=", column_node(owner, local.target_columns.front()),
                                            aliased_column(link, association, local.columns.front())));
        push(target, alias, binary_node("=", aliased_column(alias, target, remote.target_columns.front()),
                                        aliased_column(link, association, remote.columns.front())));
    } else if (info.kind == relationship_kind::one_to_many) {
        const auto& fk = target.foreign_keys[info.foreign_key];
        push(target, alias, binary_node("=", column_node(owner, fk.target_columns.front()),
                                        aliased_column(alias, target, fk.columns.front())));
    } else {
        const auto& fk = owner.foreign_keys[info.foreign_key];
        push(target, alias, binary_node("=", aliased_column(alias, target, fk.target_columns.front()),
                                        column_node(owner, fk.columns.front())));
    }
    joined_load j{&info, spec.columns.size()};
    for (std::size_t c = 0; c < target.columns.size(); ++c) spec.columns.push_back(aliased_column(alias, target, c));
    return j;
}

}  // namespace alchemy::detail
