// alchemy/detail/orm/impl/query.ipp — definitions of query.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/query.hpp>

#include <cstddef>
#include <string>
#include <utility>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE joined_loads::joined_loads() = default;
ALCHEMY_INLINE joined_loads::~joined_loads() = default;

ALCHEMY_INLINE void joined_loads::take(session_core& core, instance_base* owner, const row& r) {
    if (!owner) return;
    for (auto& j : loads_) {
        if (owner != j.last_owner) {
            const bool filling = !member_of(*owner, *j.info).is_loaded();
            j.last_owner = owner;
            j.last_filling = j.owners.emplace(owner, filling).first->second;
        }
        if (!j.last_filling) continue;  // loaded before this query: left as it is
        const auto& target = j.info->target();
        bool all_null = true;
        for (auto k : target.primary_key) all_null = all_null && r[j.first + k].is_null();
        if (all_null) continue;
        // Joined rows can repeat a child (several joined collections
        // multiply): one found in the identity map is looked for in the
        // collection; one made from this row cannot be in it yet.
        bool made = false;
        auto item = core.adopt(target, r, j.info->make_target, j.first, &made);
        attach_loaded(*owner, *j.info, *item, made);
    }
}

ALCHEMY_INLINE void joined_loads::finish(session_core& core) {
    for (auto& j : loads_)
        for (auto& [owner, filling] : j.owners)
            if (filling) {
                member_of(*owner, *j.info).set_loaded(true);
                core.apply_queued_links(*owner, *j.info);
            }
}

ALCHEMY_INLINE pointer_set::pointer_set() = default;
ALCHEMY_INLINE pointer_set::~pointer_set() = default;
ALCHEMY_INLINE bool pointer_set::insert(const void* p) { return set_.insert(p).second; }

ALCHEMY_INLINE void joined_loads::add(select_spec& spec, const relationship_info& info, const table_info& owner, bool inner) {
    const auto n = loads_.size() + 1;  // aliases <table>_1, <table>_2 ... in the order of the options
    const auto& target = info.target();
    const auto alias = fmt::format("{}_{}", target.name, n);
    const auto push = [&](const table_info& table, std::string name, node_ptr on) {
        join_spec j;
        j.table = &table;
        j.alias = std::move(name);
        j.on = std::move(on);
        j.outer = !inner;
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
    loads_.push_back(joined_load{&info, spec.columns.size()});
    for (std::size_t c = 0; c < target.columns.size(); ++c) spec.columns.push_back(aliased_column(alias, target, c));
}

// ---- loader options ------------------------------------------------------------------

ALCHEMY_INLINE const table_info* owner_among(const std::vector<const table_info*>& tables, const relationship_info& r) {
    for (const auto* t : tables)
        if (!t->relationships.empty() && &r >= t->relationships.data() && &r < t->relationships.data() + t->relationships.size())
            return t;
    return nullptr;
}

ALCHEMY_INLINE std::vector<load_option> loader_options(const std::vector<load_option>& options,
                                                       const std::vector<const table_info*>& entities) {
    std::vector<load_option> out = options;
    for (const auto& o : options)
        if (!o.path().front().relationship) return out;  // raiseload_all() overrides the mapping's defaults
    for (const auto* t : entities)
        for (const auto& r : t->relationships) {
            if (r.lazy != loading::selectin && r.lazy != loading::joined) continue;
            bool named = false;
            for (const auto& o : options) named = named || o.path().front().relationship == &r;
            if (!named) out.emplace_back(load_step{&r, r.lazy});
        }
    return out;
}

ALCHEMY_INLINE void add_joined_loads(joined_loads& joined, select_spec& spec, const std::vector<load_option>& options,
                                     const std::vector<const table_info*>& entities) {
    for (const auto& o : options) {
        const auto& step = o.path().front();
        if (step.strategy == loading::joined && step.relationship)
            joined.add(spec, *step.relationship, *owner_among(entities, *step.relationship), step.inner);
    }
}

ALCHEMY_INLINE void apply_loader_options(session_core& core, const table_info& table, std::vector<instance_base*> objects,
                                         const std::vector<load_option>& options, bool joined_in_query) {
    load_overrides overrides;
    for (const auto& o : options) {
        const auto& path = o.path();
        const auto& first = path.front();
        if (first.relationship && !owner_among({&table}, *first.relationship)) continue;
        // Step 0 on the query's objects, each further step on the objects the one before loaded.
        std::vector<instance_base*> level = objects;
        for (std::size_t k = 0; k < path.size() && !level.empty(); ++k) {
            const auto& step = path[k];
            if (step.strategy == loading::selectin || step.strategy == loading::joined) {
                if (!(k == 0 && step.strategy == loading::joined && joined_in_query)) core.load_many(*step.relationship, level);
            } else if (k == 0) {  // lazyload / noload / raiseload of the query's own objects
                if (step.relationship) overrides.strategies.emplace_back(step.relationship, step.strategy);
                else overrides.raise_all = step.strategy == loading::raise;
                break;
            } else {  // ... of the objects an earlier step loaded
                load_overrides theirs;
                theirs.strategies.emplace_back(step.relationship, step.strategy);
                core.register_batch(std::move(level), std::move(theirs));
                break;
            }
            if (k + 1 == path.size()) break;
            // The objects this step loaded, each once.
            std::vector<instance_base*> next;
            pointer_set seen;
            for (auto* owner : level) {
                const auto& m = member_of(*owner, *step.relationship);
                if (!m.is_loaded()) continue;
                for (std::size_t i = 0; i < m.item_count(); ++i)
                    if (auto* item = m.item(i); item && seen.insert(item)) next.push_back(item);
            }
            level = std::move(next);
        }
    }
    core.register_batch(std::move(objects), std::move(overrides));
}

}  // namespace alchemy::detail
