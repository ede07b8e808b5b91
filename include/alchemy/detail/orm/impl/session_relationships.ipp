// alchemy/detail/orm/impl/session_relationships.ipp — session_core's relationship members:
// lazy and select-IN loads, the save-update and delete cascades, the
// session's side of linking two objects (declared in detail/orm/session_core.hpp).
#pragma once

#include <alchemy/detail/orm/links.hpp>
#include <alchemy/detail/orm/session_core.hpp>

#include <boost/unordered/unordered_flat_set.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE instance_base* session_core::mapped_target(instance_base& child, const relationship_info& info) {
    const auto& fk = child.table()->foreign_keys[info.foreign_key];
    const auto& target = fk.target();
    if (target.primary_key.size() != 1 || target.primary_key.front() != fk.target_columns.front()) return nullptr;
    const auto v = child.column_value_of(fk.columns.front());
    if (v.is_null()) return nullptr;
    return lookup(target, identity_key::of(v.view())).get();
}

ALCHEMY_INLINE void session_core::before_link(instance_base& owner, const relationship_info& info,
                                              instance_base* item) {
    if (!item || item->owner() == this) return;
    if (item->owner())
        throw InvalidRequestError(fmt::format(
            "alchemy: Object '{}' is already attached to another session; it cannot be linked to {} through {}.{}",
            item->describe(), owner.describe(), owner.table()->struct_name, info.member));
    if (info.cascades(cascade::save_update) && !item->deleted) add(instance_ref(item));
}

ALCHEMY_INLINE void session_core::after_link(instance_base& owner, const relationship_info& info, instance_base* item) {
    touch(owner);
    // A one-to-many changes the child's foreign key: compare it at flush.
    if (item && item->owner() == this && info.kind == relationship_kind::one_to_many && item->has_identity) {
        ensure_loaded(*item);
        touch(*item);
    }
}

ALCHEMY_INLINE void session_core::cascade_add(instance_base& root) {
    // SQLAlchemy's order (Mapper.cascade_iterator), which decides the order of
    // the INSERTs and so of generated keys: each relationship's objects are
    // taken whole (and marked seen), then each is added and gone into before
    // the next. A stack, not recursion: a long chain of objects is no deep call.
    struct frame {
        instance_base* object;
        std::size_t relationship = 0;        // the next of object's relationships
        std::vector<instance_base*> items{};  // the current relationship's objects to add
        std::size_t next = 0;                // the next of them
    };
    // Most objects added link nothing new: then nothing is allocated.
    const auto links_new = [](instance_base& i) {
        for (const auto& r : i.table()->relationships) {
            if (!r.cascades(cascade::save_update)) continue;
            auto& m = member_of(i, r);
            if (!m.is_loaded()) continue;
            for (std::size_t k = 0; k < m.item_count(); ++k)
                if (auto* item = m.item(k); item && !item->owner() && !item->deleted) return true;
        }
        return false;
    };
    if (!links_new(root)) return;
    boost::unordered_flat_set<const instance_base*> seen;
    std::vector<frame> stack;
    stack.push_back({&root});
    while (!stack.empty()) {
        auto& f = stack.back();
        if (f.next < f.items.size()) {
            auto* item = f.items[f.next++];
            if (!item->owner() && attach(instance_ref(item)) && !item->table()->relationships.empty())
                stack.push_back({item});  // (f is not used after this)
            continue;
        }
        const auto& relationships = f.object->table()->relationships;
        if (f.relationship == relationships.size()) {
            stack.pop_back();
            continue;
        }
        const auto& r = relationships[f.relationship++];
        f.items.clear();
        f.next = 0;
        if (!r.cascades(cascade::save_update)) continue;
        auto& m = member_of(*f.object, r);
        if (!m.is_loaded()) continue;
        for (std::size_t k = 0; k < m.item_count(); ++k) {
            auto* item = m.item(k);
            if (item && !item->owner() && !item->deleted && seen.insert(item).second) f.items.push_back(item);
        }
    }
}

ALCHEMY_INLINE std::vector<instance_base*> session_core::related_with(instance_base& i, unsigned flag) {
    std::vector<instance_base*> out;
    for (const auto& r : i.table()->relationships) {
        if (!r.cascades(flag)) continue;
        const auto& m = member_of(i, r);
        if (!m.is_loaded()) continue;
        for (std::size_t k = 0; k < m.item_count(); ++k)
            if (auto* item = m.item(k)) out.push_back(item);
    }
    return out;
}

ALCHEMY_INLINE void session_core::cascade_remove(instance_base& i) {
    for (const auto& r : i.table()->relationships) {
        if (!r.cascades(cascade::delete_)) continue;
        auto& m = member_of(i, r);
        {
            // SQLAlchemy loads the children at delete() time, without autoflush
            // (which would flush this very delete before its children's).
            const bool was = std::exchange(no_autoflush_, true);
            const internal_load_scope internal(*this);  // a cascade is not refused by raiseload
            try {
                detail::load_relationship(m);
            } catch (...) {
                no_autoflush_ = was;
                throw;
            }
            no_autoflush_ = was;
        }
        std::vector<instance_base*> items;
        for (std::size_t k = 0; k < m.item_count(); ++k) items.push_back(m.item(k));
        for (auto* item : items) {
            if (!item || item->owner() != this) continue;
            if (item->has_identity) {
                if (!item->marked_for_delete && !item->deleted) remove(instance_ref(item));
            } else {
                expunge(instance_ref(item));  // a pending child goes with its parent
            }
        }
    }
}

ALCHEMY_INLINE void session_core::load_relationship(instance_base& owner, const relationship_info& info) {
    auto& m = member_of(owner, info);
    ensure_loaded(owner);
    if (!owner.has_identity) {  // pending: nothing in the database yet
        m.set_loaded(true);
        return;
    }
    if (!internal_load_) {  // the user touched it: raiseload / noload apply
        const auto strategy = owner.batch ? owner.batch->overrides.strategy(info) : info.lazy;
        if (strategy == loading::raise)
            throw InvalidRequestError(fmt::format(
                "alchemy: '{}.{}' is not available due to lazy='raise' (raiseload): load it in the query "
                "(.options(alchemy::selectinload(&{}::{})) or joinedload), or allow it with lazyload()",
                owner.table()->struct_name, info.member, owner.table()->struct_name, info.member));
        if (strategy == loading::noload) {
            m.set_loaded(true);  // empty, no SQL
            return;
        }
    }
    // Batched lazy loading: the other objects the same query returned load
    // this relationship in the same IN statement (session_options).
    if (options_.batch_lazy_loads && owner.batch && owner.batch->members.size() > 1) {
        const auto batch = owner.batch;  // kept alive while loading
        std::vector<instance_base*> owners;
        for (auto* o : batch->members)
            if (o && o->table() == owner.table()) owners.push_back(o);
        load_many(info, owners);
        if (m.is_loaded()) return;
    }
    const auto& target = info.target();
    if (info.kind == relationship_kind::many_to_one) {
        const auto& fk = owner.table()->foreign_keys[info.foreign_key];
        const auto v = owner.column_value_of(fk.columns.front());
        instance_ref found;
        if (!v.is_null()) {
            if (target.primary_key.size() == 1 && target.primary_key.front() == fk.target_columns.front()) {
                const value key[] = {v};
                found = get(target, key, info.make_target);
            } else {
                autoflush();
                auto result =
                    conn().execute_values(statements_.relationship_load(info, *owner.table()), std::vector<value>{v});
                if (result.has_row()) found = adopt(target, result.current(), info.make_target);
            }
        }
        m.put_item(found.get());
        if (found) join_groups(&owner, found.get());
        m.set_loaded(true);
        return;
    }
    autoflush();
    auto result = conn().execute_values(statements_.relationship_load(info, *owner.table()),
                                        std::vector<value>{referenced_value(owner, info)});
    const bool once = info.kind == relationship_kind::one_to_many;
    arena_scope arena(*this);
    for (; result.has_row(); result.next())
        attach_loaded(owner, info, *adopt(target, result.current(), info.make_target), once);
    m.set_loaded(true);
    apply_queued_links(owner, info);
}

ALCHEMY_INLINE void session_core::apply_queued_links(instance_base& owner, const relationship_info& info) {
    if (queued_links_.empty()) return;
    const auto* reverse = reverse_side(info);
    auto& collection = member_of(owner, info);
    std::erase_if(queued_links_, [&](const queued_link& q) {
        if (q.parent.get() != &owner || q.collection != &info) return false;
        auto& back = member_of(*q.child, *reverse);
        const bool belongs = back.is_loaded() && back.item_count() == 1 && back.item(0) == &owner;
        if (belongs) collection.put_item(q.child.get());  // (once: put_item looks first)
        else collection.take_item(q.child.get());
        return true;
    });
}

/// Loads relationship `info` of every object in `owners` (objects of the
/// relationship's table, in this session) with IN statements of up to
/// 1,000 keys each: select-IN loading, for selectinload() and for batched lazy
/// loads. Owners whose relationship is loaded already are left as they are.
ALCHEMY_INLINE void session_core::load_many(const relationship_info& info,
                                            const std::vector<instance_base*>& all_owners) {
    arena_scope arena(*this);
    std::vector<instance_base*> owners;
    for (auto* o : all_owners)
        if (o && o->owner() == this && o->has_identity && !member_of(*o, info).is_loaded()) owners.push_back(o);
    if (owners.empty()) return;
    autoflush();
    const auto& owner_table = *owners.front()->table();
    const auto& target = info.target();
    const statement_renderer render(engine_.dialect());
    const auto encoded = [](const auto& v) {
        std::string key;
        encode_key_part(key, v);
        return key;
    };
    // SELECT [<association key>,] <target's columns> FROM <target> ... WHERE <key> IN (n keys),
    // or <key> = ANY(one array of n keys) where the dialect binds key arrays.
    const auto select_in = [&](std::size_t n) { return render.render(relationship_load(info, owner_table, n)); };
    const bool arrays = engine_.dialect().binds_key_arrays();
    // Keys per statement: SQLite takes up to 32,766 parameters; SQLAlchemy
    // uses 500 for portability. 1,000 loads a thousand parents in one
    // statement; an array could take all of them, but chunks bound how
    // much one result holds.
    constexpr std::size_t chunk = 1000;
    // Runs `sql_for(n)` over `values` in chunks, calling on_row(row) for each row.
    const auto run_in = [&](const std::vector<value>& values, auto&& sql_for, auto&& on_row) {
        for (std::size_t start = 0; start < values.size(); start += chunk) {
            const auto n = std::min(chunk, values.size() - start);
            std::vector<value> params(values.begin() + static_cast<std::ptrdiff_t>(start),
                                      values.begin() + static_cast<std::ptrdiff_t>(start + n));
            if (arrays) params = {engine_.dialect().key_array(params)};
            auto result = conn().execute_values(sql_for(n), params);
            for (; result.has_row(); result.next()) on_row(result.current());
        }
    };

    if (info.kind == relationship_kind::many_to_one) {
        const auto& fk = owner_table.foreign_keys[info.foreign_key];
        const bool by_primary_key = target.primary_key.size() == 1 && target.primary_key.front() == fk.target_columns.front();
        key_map<instance_base*> found;
        std::vector<value> missing;
        for (auto* o : owners) {
            ensure_loaded(*o);
            const auto v = o->column_value_of(fk.columns.front());
            if (v.is_null()) continue;
            auto key = encoded(v);
            if (found.contains(key)) continue;
            instance_base* hit = by_primary_key ? lookup(target, identity_key::of(v.view())).get() : nullptr;
            if (!hit) missing.push_back(v);
            found.emplace(std::move(key), hit);
        }
        run_in(
            missing, select_in,
            [&](const row& r) {
                auto item = adopt(target, r, info.make_target);
                found[encoded(r[fk.target_columns.front()])] = item.get();
            });
        for (auto* o : owners) {
            auto& m = member_of(*o, info);
            const auto v = o->column_value_of(fk.columns.front());
            auto* t = v.is_null() ? nullptr : found[encoded(v)];
            m.put_item(t);
            if (t) join_groups(o, t);
            m.set_loaded(true);
        }
        return;
    }

    key_map<instance_base*> by_value;
    std::vector<value> values;
    for (auto* o : owners) {
        auto v = referenced_value(*o, info);
        if (by_value.emplace(encoded(v), o).second) values.push_back(std::move(v));
        member_of(*o, info).unload();  // (it is not loaded: nothing is lost)
    }
    const bool once = info.kind == relationship_kind::one_to_many;
    const auto attach = [&](instance_base* owner, const instance_ref& item) { attach_loaded(*owner, info, *item, once); };
    if (info.kind == relationship_kind::one_to_many) {
        const auto& fk = target.foreign_keys[info.foreign_key];
        run_in(
            values, select_in,
            [&](const row& r) {
                auto item = adopt(target, r, info.make_target);
                if (auto it = by_value.find(encoded(r[fk.columns.front()])); it != by_value.end()) attach(it->second, item);
            });
    } else {  // the association's key column comes first in each row
        run_in(
            values, select_in,
            [&](const row& r) {
                auto item = adopt(target, r, info.make_target, 1);
                if (auto it = by_value.find(encoded(r[0])); it != by_value.end()) attach(it->second, item);
            });
    }
    for (auto* o : owners) {
        member_of(*o, info).set_loaded(true);
        apply_queued_links(*o, info);
    }
}

}  // namespace alchemy::detail
