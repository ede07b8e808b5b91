// alchemy/detail/orm/impl/unit_of_work.ipp — definitions of unit_of_work.hpp's non-template functions
// (see detail/config.hpp).
#pragma once

#include <alchemy/connection.hpp>
#include <alchemy/detail/orm/identity_map.hpp>
#include <alchemy/detail/orm/links.hpp>
#include <alchemy/detail/orm/session_core.hpp>
#include <alchemy/detail/orm/unit_of_work.hpp>

#include <cstdint>
#include <map>
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
    for (auto k : i.table()->primary_key)
        out.push_back(from_snapshot && i.snapshot() ? i.snapshot_value(k) : i.column_value_of(k));
    return out;
}

ALCHEMY_INLINE bool post_updated(const table_info& table, std::size_t fk) {
    for (const auto& r : table.relationships)
        if (r.post_update && r.kind == relationship_kind::many_to_one && r.foreign_key == fk) return true;
    const auto& target = table.foreign_keys[fk].target();
    for (const auto& r : target.relationships)
        if (r.post_update && r.kind == relationship_kind::one_to_many && r.foreign_key == fk && &r.target() == &table)
            return true;
    return false;
}

// The error of a versioned UPDATE or DELETE that matched no row; `where`:
// the key values, then the loaded version.
ALCHEMY_INLINE StaleDataError stale_version(std::string_view statement, std::string_view verb,
                                            const table_info& table, const std::vector<value>& where) {
    const std::vector<value> key(where.begin(), where.end() - 1);
    return StaleDataError(fmt::format(
        "alchemy: {} statement on table '{}' expected to {} 1 row(s); 0 were matched: the {} row with key {} and "
        "version {} was changed or deleted since it was loaded",
        statement, table.name, verb, table.struct_name, format_values(key), where.back().view().as_integer()));
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
        by_table_[items_[k].child->table()].push_back(k);
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
        if (a.parent && a.parent->table() == a.child->table() && !a.parent->has_identity) parent_of[a.child] = a.parent;
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

ALCHEMY_INLINE unit_of_work::unit_of_work(session_core& session)
    : session_(session), render_(session.engine_.dialect()) {}

ALCHEMY_INLINE void unit_of_work::collect_links() {
    auto& links = links_;
    std::vector<instance_base*> orphans;
    const auto visit = [&](instance_base& owner) {
        for (const auto& r : owner.table()->relationships) {
            auto& m = member_of(owner, r);
            if (!m.has_changes()) continue;
            links.processed.push_back(&m);
            if (r.kind == relationship_kind::many_to_one) {
                if (!m.changed()) continue;
                auto* target = m.item_count() ? m.item(0) : nullptr;
                links.assignments.push_back({&owner, r.foreign_key, target});
                if (const auto* reverse = reverse_side(r);
                    !target && reverse && reverse->cascades(cascade::delete_orphan))
                    orphans.push_back(&owner);
                continue;
            }
            const auto* changes = m.changes();
            if (!changes) continue;
            for (auto* item : changes->removed) {
                if (r.kind == relationship_kind::many_to_many) {
                    links.changes.push_back({&r, &owner, item, false});
                } else {
                    links.assignments.push_back({item, r.foreign_key, nullptr});
                    if (r.cascades(cascade::delete_orphan)) orphans.push_back(item);
                }
            }
            for (auto* item : changes->added) {
                if (r.kind == relationship_kind::many_to_many)
                    links.changes.push_back({&r, &owner, item, true});
                else
                    links.assignments.push_back({item, r.foreign_key, &owner});
            }
        }
    };
    for (std::size_t n = 0; n < session_.pending_.size(); ++n)
        if (!session_.pending_[n]->table()->relationships.empty()) visit(*session_.pending_[n]);
    for (const auto& inst : session_.touched_)
        if (!inst->table()->relationships.empty()) visit(*inst);

    // Orphans (delete-orphan): deleted if persistent, forgotten if pending.
    settle(links.assignments);
    for (auto* orphan : orphans) {
        if (orphan->owner() != &session_) continue;
        const bool has_parent = std::any_of(links.assignments.begin(), links.assignments.end(),
                                            [&](const auto& a) { return a.child == orphan && a.parent; });
        if (has_parent) continue;
        if (orphan->has_identity) {
            if (!orphan->marked_for_delete && !orphan->deleted) session_.remove(instance_ref(orphan));
        } else {
            session_.expunge(instance_ref(orphan));
        }
    }

    // Parents being deleted: without a delete cascade their children's keys
    // become NULL (loading the children first unless passive_deletes); their
    // association rows go.
    for (std::size_t n = 0; n < session_.to_delete_.size(); ++n) {
        auto& parent = *session_.to_delete_[n];
        // Its own post-updated keys that the row holds go NULL before the
        // DELETEs (SQLAlchemy loads the row to know them too).
        for (std::size_t k = 0; k < parent.table()->foreign_keys.size(); ++k) {
            if (!post_updated(*parent.table(), k)) continue;
            session_.ensure_loaded(parent);
            const auto column = parent.table()->foreign_keys[k].columns.front();
            const auto stored = parent.snapshot() ? parent.snapshot_value(column) : parent.column_value_of(column);
            if (!stored.is_null()) pre_delete_nulls_.emplace_back(&parent, column);
        }
        for (const auto& r : parent.table()->relationships) {
            if (r.passive_deletes) continue;
            auto& m = member_of(parent, r);
            if (r.kind == relationship_kind::many_to_many) {
                links.clears.push_back({&r, &parent});
            } else if (r.kind == relationship_kind::one_to_many && !r.cascades(cascade::delete_)) {
                {
                    const session_core::internal_load_scope internal(session_);  // (not refused by raiseload)
                    detail::load_relationship(m);
                }
                const auto* reverse = reverse_side(r);
                for (std::size_t k = 0; k < m.item_count(); ++k) {
                    auto* child = m.item(k);
                    if (child->owner() != &session_ || child->marked_for_delete || child->deleted) continue;
                    links.assignments.push_back({child, r.foreign_key, nullptr});
                    if (reverse) {
                        auto& back = member_of(*child, *reverse);
                        if (current_target(back, *child) == &parent) {
                            back.put_item(nullptr);
                            back.set_loaded(true);
                        }
                    }
                }
            }
        }
    }
    // A parent that is being deleted gives no key: its children are set free.
    for (auto& a : links.assignments)
        if (a.parent && a.parent->marked_for_delete) a.parent = nullptr;
    settle(links.assignments);

    // Only objects of this session that are being saved get new keys; a
    // parent outside the session cannot give one.
    std::erase_if(links.assignments, [&](const link_assignment& a) {
        return a.child->owner() != &session_ || a.child->marked_for_delete || a.child->deleted;
    });
    for (const auto& a : links.assignments) {
        if (a.parent && a.parent->owner() != &session_)
            throw FlushError(fmt::format(
                "alchemy: {} is linked to {}, which is not in this session (nor deleted in it): add it to the "
                "session, or keep the save-update cascade on the relationship",
                a.child->describe(), a.parent->describe()));
        if (a.child->has_identity && !a.child->touched) {
            session_.ensure_loaded(*a.child);
            session_.touch(*a.child);
        }
    }
    for (const auto& c : links.changes)
        if (c.remote->owner() != &session_ && c.insert)
            throw FlushError(fmt::format(
                "alchemy: {} is linked through {}.{} to {}, which is not in this session: add it to the session",
                c.local->describe(), c.local->table()->struct_name, c.info->member, c.remote->describe()));
}

ALCHEMY_INLINE void unit_of_work::plan() {
    // Client-side defaults and first versions, then the checks that need no SQL.
    for (const auto& inst : session_.pending_) {
        const auto& table = *inst->table();
        for (const auto& c : table.columns)
            if (c.apply_default) c.apply_default(inst->object());
        if (table.has_version()) table.columns[table.version_column].read(column_value::integer(1), inst->object());
    }
    for (const auto& inst : session_.pending_) {
        if (generates_key(*inst)) continue;
        for (auto k : inst->table()->primary_key)
            if (inst->column_value_of(k).is_null())
                throw FlushError(
                    fmt::format("alchemy: Instance {} has a NULL identity key: set its primary key "
                                "column '{}'",
                                inst->describe(), inst->table()->columns[k].name));
        auto key = inst->table()->name + '\0' + session_core::key_of(*inst).bytes();
        if (auto existing = session_.lookup(*inst->table(), session_core::key_of(*inst));
            existing && !existing->marked_for_delete)
            throw FlushError(
                fmt::format("alchemy: New instance {} with identity key {} conflicts with persistent "
                            "instance {}",
                            inst->describe(), inst->describe_key(), existing->describe()));
        if (auto [it, fresh] = new_keys_.emplace(std::move(key), inst.get()); !fresh)
            throw FlushError(fmt::format("alchemy: New instances {} and {} have the same identity key {}",
                                         it->second->describe(), inst->describe(), inst->describe_key()));
    }

    const auto involve = [&](const table_info* t) {
        if (std::find(tables_.begin(), tables_.end(), t) == tables_.end()) tables_.push_back(t);
    };
    for (const auto& inst : session_.pending_) involve(inst->table());
    for (const auto& inst : session_.touched_) involve(inst->table());
    for (const auto& inst : session_.to_delete_) involve(inst->table());
    for (const auto& c : links_.changes) involve(&c.info->secondary());
    for (const auto& c : links_.clears) involve(&c.info->secondary());

    // post_update keys are written after every INSERT: they order nothing.
    std::vector<link_assignment> ordered;
    ordered.reserve(links_.assignments.size());
    for (const auto& a : links_.assignments)
        (post_updated(*a.child->table(), a.foreign_key) ? post_updates_ : ordered).push_back(a);
    order_tables(ordered);

    for (const auto& gone : session_.to_delete_)
        if (!new_keys_.empty() && new_keys_.contains(gone->table()->name + '\0' + gone->key.bytes()))
            row_switch_deletes_.push_back(gone.get());

    waiting_ = pending_keys(ordered);
}

ALCHEMY_INLINE void unit_of_work::order_tables(const std::vector<link_assignment>& ordered) {
    const auto depends = [](const table_info* t, const table_info* on) {
        for (std::size_t k = 0; k < t->foreign_keys.size(); ++k)
            if (&t->foreign_keys[k].target() == on && !post_updated(*t, k)) return true;
        return false;
    };
    // A self-referential table may hold rows that need each other's keys.
    bool cyclic = std::any_of(tables_.begin(), tables_.end(), [&](const table_info* t) { return depends(t, t); });
    // (child table, parent table) for each row that needs the key of a new
    // row of another table: found only when the tables form a cycle.
    std::vector<std::pair<const table_info*, const table_info*>> row_edges;
    bool row_edges_found = false;
    std::vector<const table_info*> remaining = std::move(tables_);
    tables_.clear();
    const auto is_remaining = [&](const table_info* t) {
        return std::find(remaining.begin(), remaining.end(), t) != remaining.end();
    };
    while (!remaining.empty()) {
        auto ready = std::find_if(remaining.begin(), remaining.end(), [&](const table_info* t) {
            return std::none_of(remaining.begin(), remaining.end(),
                                [&](const table_info* on) { return on != t && depends(t, on); });
        });
        if (ready == remaining.end()) {  // the tables form a cycle: take one whose new rows wait for no other's
            if (!row_edges_found)
                for (const auto& a : ordered)
                    if (a.parent && !a.parent->has_identity && a.parent->table() != a.child->table())
                        row_edges.emplace_back(a.child->table(), a.parent->table());
            row_edges_found = cyclic = true;
            ready = std::find_if(remaining.begin(), remaining.end(), [&](const table_info* t) {
                return std::none_of(row_edges.begin(), row_edges.end(),
                                    [&](const auto& e) { return e.first == t && is_remaining(e.second); });
            });
            if (ready == remaining.end()) ready = remaining.begin();  // check_insert_order names the rows
        }
        tables_.push_back(*ready);
        remaining.erase(ready);
    }
    if (cyclic) check_insert_order(ordered);
}

ALCHEMY_INLINE void unit_of_work::check_insert_order(const std::vector<link_assignment>& ordered) const {
    // What each new row needs: the new rows whose keys it takes.
    boost::unordered_flat_map<const instance_base*, std::vector<const link_assignment*>> needs;
    for (const auto& a : ordered)
        if (a.parent && !a.parent->has_identity && !a.child->has_identity) needs[a.child].push_back(&a);
    const auto column_of = [](const link_assignment& a) {
        const auto& table = *a.child->table();
        const auto& column = table.columns[table.foreign_keys[a.foreign_key].columns.front()];
        return fmt::format("{}::{}", table.struct_name, column.member);
    };
    const std::string remedy =
        "mark one of these relationships post_update (relation(&Struct::member, {.post_update = true})) so that "
        "its key is written by an UPDATE after the INSERTs";

    // Rows that need each other's keys, by a depth-first walk (with its own
    // stack: a long chain of new rows is no deep recursion).
    enum class mark : char { unseen, on_path, done };
    boost::unordered_flat_map<const instance_base*, mark> marks;
    for (const auto& start : session_.pending_) {
        if (!needs.contains(start.get()) || marks[start.get()] != mark::unseen) continue;
        std::vector<std::pair<const instance_base*, std::size_t>> path{{start.get(), 0}};  // (row, next need)
        marks[start.get()] = mark::on_path;
        while (!path.empty()) {
            auto& [row, next] = path.back();
            auto it = needs.find(row);
            if (it == needs.end() || next == it->second.size()) {
                marks[row] = mark::done;
                path.pop_back();
                continue;
            }
            const link_assignment& a = *it->second[next++];
            const instance_base* parent = a.parent;
            if (marks[parent] == mark::done) continue;
            if (marks[parent] == mark::unseen) {
                marks[parent] = mark::on_path;
                path.emplace_back(parent, 0);
                continue;
            }
            // A cycle: from `parent` along the path back to it.
            auto from = std::find_if(path.begin(), path.end(), [&](const auto& p) { return p.first == parent; });
            std::string message = "alchemy: Circular dependency detected: ";
            for (auto p = from; p != path.end(); ++p) {
                const auto& link = *needs.find(p->first)->second[p->second - 1];
                if (p == from) message += p->first->describe() + " needs the key of ";
                else message += ", which needs the key of ";
                message += fmt::format("{} ({})", link.parent->describe(), column_of(link));
            }
            throw CircularDependencyError(message + "; all are new in this flush: " + remedy);
        }
    }

    // No such rows, but tables in a cycle: alchemy inserts table by table, so
    // a row whose table comes first cannot take the key of a later one.
    const auto position = [&](const table_info* t) { return std::find(tables_.begin(), tables_.end(), t); };
    for (const auto& a : ordered) {
        if (!a.parent || a.parent->has_identity || a.parent->table() == a.child->table()) continue;
        if (position(a.parent->table()) > position(a.child->table()))
            throw CircularDependencyError(fmt::format(
                "alchemy: Circular dependency detected: {} needs the key of the new {} ({}), but new rows of "
                "table '{}' need keys of new rows of table '{}' too, and alchemy inserts table by table: flush "
                "in two steps, or {}",
                a.child->describe(), a.parent->describe(), column_of(a), a.parent->table()->name,
                a.child->table()->name, remedy));
    }
}

ALCHEMY_INLINE void unit_of_work::write(connection& c) {
    conn_ = &c;
    write_row_switch_deletes();
    for (const table_info* table : tables_) {
        write_updates(*table);
        write_inserts(*table);
    }
    // Every table is written: a foreign key still waiting names a parent that never got its key.
    if (const auto* a = waiting_.first_open())
        throw FlushError(fmt::format("alchemy: {} could not be linked to {}: its key was never written",
                                     a->child->describe(), a->parent ? a->parent->describe() : "NULL"));
    if (!post_updates_.empty()) write_post_updates();
    if (!pre_delete_nulls_.empty()) write_pre_delete_updates();
    write_deletes();
}

ALCHEMY_INLINE void unit_of_work::write_post_updates() {
    for (const table_info* table : tables_) {
        for (std::size_t k = 0; k < table->foreign_keys.size(); ++k) {
            const auto& fk = table->foreign_keys[k];
            std::vector<std::pair<instance_base*, value>> rows;
            for (const auto& a : post_updates_)
                if (a.child->table() == table && a.foreign_key == k)
                    rows.emplace_back(a.child, a.parent ? a.parent->column_value_of(fk.target_columns.front()) : value());
            if (!rows.empty()) write_key_updates(*table, fk.columns.front(), std::move(rows), false);
        }
    }
}

ALCHEMY_INLINE void unit_of_work::write_pre_delete_updates() {
    for (const table_info* table : tables_) {
        std::vector<std::size_t> columns;
        for (const auto& [row, column] : pre_delete_nulls_)
            if (row->table() == table && std::find(columns.begin(), columns.end(), column) == columns.end())
                columns.push_back(column);
        std::sort(columns.begin(), columns.end());
        for (auto column : columns) {
            std::vector<std::pair<instance_base*, value>> rows;
            for (const auto& [row, c] : pre_delete_nulls_)
                if (row->table() == table && c == column && !deleted_by_row_switch(row)) rows.emplace_back(row, value());
            if (!rows.empty()) write_key_updates(*table, column, std::move(rows), true);
        }
    }
}

ALCHEMY_INLINE void unit_of_work::write_key_updates(const table_info& table, std::size_t column,
                                                    std::vector<std::pair<instance_base*, value>> rows,
                                                    bool before_delete) {
    // A deleted row's key is NULLed in the row only (the object keeps what
    // it held, and its version: the DELETE after it checks that); any other
    // row takes the value, and a new version, in the object too.
    if (!before_delete)
        std::erase_if(rows, [&](const auto& r) { return r.first->column_value_of(column) == r.second; });
    if (rows.empty()) return;
    const bool versioned = table.has_version() && !before_delete;
    struct row_update {
        std::vector<value> key, params;  // params: SET values (column order), key, [loaded version]
    };
    std::vector<row_update> updates;
    for (auto& [row, v] : rows) {
        row_update u{key_values(*row, before_delete), {}};
        if (!before_delete) {
            session_.remember_written_key(*row, column, v);  // a failed flush puts the old value back
            table.columns[column].read(v.view(), row->object());
        }
        if (versioned) {
            // Bumped as by any UPDATE of the row (SQLAlchemy's post_update
            // does too), from the version it holds now: loaded, or written
            // by this flush's INSERT or UPDATE.
            const auto now = row->column_value_of(table.version_column);
            const value next(now.view().as_integer() + 1);
            session_.remember_written_key(*row, table.version_column, next);
            table.columns[table.version_column].read(next.view(), row->object());
            u.params = column < table.version_column ? std::vector<value>{v, next} : std::vector<value>{next, v};
            u.params.insert(u.params.end(), u.key.begin(), u.key.end());
            u.params.push_back(now);
        } else {
            u.params = {v};
            u.params.insert(u.params.end(), u.key.begin(), u.key.end());
        }
        updates.push_back(std::move(u));
    }
    sort_by_key(updates, [](const row_update& u) -> const std::vector<value>& { return u.key; });
    auto& c = *conn_;
    if (versioned) {  // one row at a time: a row that is not matched is named
        std::vector<std::size_t> set{column, table.version_column};
        std::sort(set.begin(), set.end());
        auto where = table.primary_key;
        where.push_back(table.version_column);
        const auto statement = render_.render(update_stmt{&table, std::move(set), std::move(where)});
        for (const auto& u : updates)
            if (c.execute_values(statement, u.params).rows_affected() != 1)
                throw stale_version("UPDATE", "update", table,
                                    std::vector<value>(u.params.begin() + 2, u.params.end()));
        return;
    }
    const auto statement = render_.render(update_stmt{&table, {column}, table.primary_key});
    std::vector<std::vector<value>> params;
    for (auto& u : updates) params.push_back(std::move(u.params));
    const auto matched = params.size() == 1 ? c.execute_values(statement, params.front()).rows_affected()
                                            : c.execute_many(statement, params);
    // (A deleted row's NULL needs no match: its DELETE checks what it must.)
    if (!before_delete && matched != static_cast<std::int64_t>(params.size()))
        throw StaleDataError(
            fmt::format("alchemy: UPDATE statement on table '{}' expected to update {} row(s); {} were matched.",
                        table.name, params.size(), matched));
}

ALCHEMY_INLINE void unit_of_work::write_row_switch_deletes() {
    for (const auto* gone : row_switch_deletes_)
        conn_->execute_values(session_.statements_.delete_by_key(*gone->table()), key_values(*gone, true));
}

ALCHEMY_INLINE void unit_of_work::write_updates(const table_info& table) {
    // Keys from links whose parents are known; objects still waiting for a
    // parent's key are updated after its INSERT (write_inserts).
    if (!waiting_.empty()) write_ready_link_keys(table);
    std::vector<instance_base*> candidates;
    for (const auto& inst : session_.touched_)
        if (inst->table() == &table && inst->owner() == &session_ && !inst->marked_for_delete && !inst->deleted &&
            inst->snapshot() && (waiting_.empty() || !waiting_.waits(inst.get())))
            candidates.push_back(inst.get());
    run_updates(table, candidates);
}

ALCHEMY_INLINE void unit_of_work::write_inserts(const table_info& table) {
    // INSERTs of this table, in insert order; in a self-referential table
    // parents come before their children.
    std::vector<instance_base*> inserts;
    for (const auto& inst : session_.pending_)
        if (inst->table() == &table) inserts.push_back(inst.get());
    if (const auto hook = table.hooks.before_insert)
        for (auto* inst : inserts) hook(inst->object());
    if (!waiting_.empty()) order_parents_first(inserts, waiting_.open_in(&table));
    // Rows of a table no link assignment waits on need no preparing.
    const bool table_waits = !waiting_.empty() && !waiting_.open_in(&table).empty();
    // Consecutive rows mostly share a shape: its columns and statement are
    // looked up once. Only a NULL-able column with a server default (left out
    // while NULL) makes the shape differ between rows of the same kind of key.
    const bool varying_shape = std::any_of(table.columns.begin(), table.columns.end(), [](const column_info& c) {
        return c.server_default && c.nullable;
    });
    std::string fixed_shapes[2];  // [generated_key], when !varying_shape
    if (!varying_shape && !inserts.empty())
        for (bool generated : {false, true}) fixed_shapes[generated] = shape_of(table, *inserts.front(), generated);
    std::string last_shape;
    std::vector<std::size_t> columns;
    const std::string* statement = nullptr;
    auto& c = *conn_;
    for (std::size_t start = 0; start < inserts.size();) {
        prepare_insert(table, inserts[start]);
        const bool generated_key = generates_key(*inserts[start]);
        const auto& shape = varying_shape ? shape_of(table, *inserts[start], generated_key) : fixed_shapes[generated_key];
        std::size_t end = start + 1;
        if (!generated_key)
            while (end < inserts.size()) {
                prepare_insert(table, inserts[end]);
                if (generates_key(*inserts[end]) || (varying_shape && shape_of(table, *inserts[end], false) != shape))
                    break;
                ++end;
            }
        else if (!table_waits)  // keys to read back one by one, through one lease of the statement
            while (end < inserts.size() && generates_key(*inserts[end]) &&
                   (!varying_shape || shape_of(table, *inserts[end], true) == shape))
                ++end;
        if (!statement || shape != last_shape) {
            columns = shape_columns(shape);
            statement = &session_.statements_.insert(table, shape, generated_key);
            last_shape = shape;
        }
        const auto bind_row = [&](std::size_t i, binder& b) {
            for (auto col : columns) table.columns[col].bind(b, inserts[start + i]->object());
        };
        const auto record_row = [&](std::size_t i) {
            std::vector<value> out;
            for (auto col : columns) out.push_back(inserts[start + i]->column_value_of(col));
            return out;
        };
        if (generated_key) {
            c.execute_each_bound(*statement, end - start, bind_row, record_row, [&](std::size_t i, std::int64_t rowid) {
                auto& inst = *inserts[start + i];
                table.columns[table.primary_key.front()].read(column_value::integer(rowid), inst.object());
                inst.key_generated = true;
                generated_.push_back(instance_ref(&inst));
            });
        } else if (end - start == 1) {
            c.execute_bound(
                *statement, [&](binder& b) { bind_row(0, b); }, [&] { return record_row(0); });
        } else {
            c.execute_many_bound(*statement, end - start, bind_row, record_row);
        }
        for (std::size_t i = start; varying_shape && i < end; ++i) {
            std::vector<std::size_t> omitted;
            for (std::size_t col = 0; col < table.columns.size(); ++col)
                if (table.columns[col].server_default && table.columns[col].nullable &&
                    inserts[i]->column_value_of(col).is_null())
                    omitted.push_back(col);
            if (!omitted.empty()) server_defaulted_.emplace_back(instance_ref(inserts[i]), omitted);
        }
        start = end;
    }

    if (const auto hook = table.hooks.after_insert)
        for (auto* inst : inserts) hook(inst->object());

    // Persistent rows that waited for a parent inserted just now.
    if (!waiting_.empty()) {
        std::vector<instance_base*> late;
        for (const auto& a : waiting_.open_in(&table))
            if (a.child->has_identity && parent_ready(a)) late.push_back(a.child);
        write_ready_link_keys(table);
        if (!late.empty()) run_updates(table, late);
    }

    // New association rows, once both ends have their keys.
    sql_rows rows;
    for (const auto& change : links_.changes) {
        if (!change.insert || &change.info->secondary() != &table) continue;
        auto k = association_row(change);
        rows.emplace_back(association_statement(true, table, {k.first, k.second}), std::move(k.values));
    }
    run_rows(rows);
}

ALCHEMY_INLINE void unit_of_work::write_deletes() {
    // Association rows before their ends; in a self-referential table
    // children before their parents.
    for (auto t = tables_.rbegin(); t != tables_.rend(); ++t) {
        sql_rows rows;
        for (const auto& change : links_.changes) {
            if (change.insert || &change.info->secondary() != *t) continue;
            auto k = association_row(change);
            rows.emplace_back(association_statement(false, **t, {k.first, k.second}), std::move(k.values));
        }
        for (const auto& clear : links_.clears) {
            if (&clear.info->secondary() != *t) continue;
            const auto& association = clear.info->secondary();
            const auto& local = association.foreign_keys[clear.info->foreign_key];
            rows.emplace_back(association_statement(false, association, {local.columns.front()}),
                              std::vector<value>{session_.referenced_value(*clear.owner, *clear.info)});
        }
        run_rows(rows);

        std::vector<const instance_base*> gone;
        for (const auto& inst : session_.to_delete_)
            if (inst->table() == *t && !deleted_by_row_switch(inst.get())) gone.push_back(inst.get());
        if (gone.empty()) continue;
        const auto& hooks = (*t)->hooks;
        if (hooks.before_delete)
            for (const auto* inst : gone) hooks.before_delete(const_cast<instance_base*>(inst)->object());
        if ((*t)->has_version()) {
            write_versioned_deletes(**t, gone);
        } else {
            write_deletes_by_key(**t, gone);
        }
        if (hooks.after_delete)
            for (const auto* inst : gone) hooks.after_delete(const_cast<instance_base*>(inst)->object());
    }
}

ALCHEMY_INLINE void unit_of_work::write_deletes_by_key(const table_info& table,
                                                     const std::vector<const instance_base*>& gone) {
    auto& c = *conn_;
    for (const auto& layer : children_first(table, gone)) {
        std::vector<std::vector<value>> keys;
        for (const auto* inst : layer) keys.push_back(key_values(*inst, true));
        sort_by_key(keys, [](const std::vector<value>& k) -> const std::vector<value>& { return k; });
        const auto& statement = session_.statements_.delete_by_key(table);
        if (keys.size() == 1)
            c.execute_values(statement, keys.front());
        else
            c.execute_many(statement, keys);
    }
}

ALCHEMY_INLINE void unit_of_work::write_versioned_deletes(const table_info& table,
                                                        const std::vector<const instance_base*>& gone) {
    // One row at a time, each matched by key and loaded version: a row that
    // is not matched is named.
    auto where = table.primary_key;
    where.push_back(table.version_column);
    const auto statement = render_.render(delete_stmt{&table, std::move(where)});
    for (const auto& layer : children_first(table, gone)) {
        for (const auto* inst : layer) {
            auto values = key_values(*inst, true);
            values.push_back(inst->snapshot() ? inst->snapshot_value(table.version_column)
                                              : inst->column_value_of(table.version_column));
            if (conn_->execute_values(statement, values).rows_affected() != 1)
                throw stale_version("DELETE", "delete", table, values);
        }
    }
}

ALCHEMY_INLINE void unit_of_work::finish() {
    auto& s = session_;
    // The relationship changes written are kept until the transaction ends:
    // if it is lost, a retry writes them again (restore_written).
    s.remember_written_links(links_.processed);
    s.queued_links_.clear();  // the rows now hold what the queue kept for unloaded collections
    // New objects become persistent, flushed deletes deleted. The touched
    // objects are written (or unchanged) and leave the list a flush compares:
    // the next write through a ptr touches them again and takes a fresh
    // snapshot, so each flush costs what was touched since the last one.
    // Inside a savepoint, what it must be able to undo (session_core::savepoint_state).
    auto* savepoint = s.savepoints_.empty() ? nullptr : &s.savepoints_.back();
    const auto listed_before = [&](const instance_base& inst) {
        return savepoint && inst.listed_in_transaction && !savepoint->listed_inside.contains(&inst);
    };
    const auto enlist = [&](const instance_ref& inst) {
        if (!inst->listed_in_transaction) {
            inst->listed_in_transaction = true;
            s.transaction_.push_back(inst);
            if (savepoint) savepoint->listed_inside.insert(inst.get());
        }
    };
    for (const auto& inst : s.pending_) {  // first, in pending_'s order (see session_core::transaction_)
        inst->has_identity = true;
        inst->key = session_core::key_of(*inst);
        inst->inserted_in_transaction = true;
        s.identity_of(*inst->table()).put(inst->key, inst);
        enlist(inst);
        inst->touched = false;
    }
    for (auto& [inst, columns] : server_defaulted_) {  // reload what the database filled in
        inst->expired = true;
        inst->start_partial_expiry();
        for (auto col : columns) inst->flag_expired_column(col);
    }
    for (auto& u : updates_) {
        auto& inst = *u.inst;
        if (listed_before(inst) && savepoint->captured.insert(&inst).second)
            savepoint->rewritten.emplace_back(u.inst, inst.release_snapshot());  // its row when the savepoint began
        if (!inst.inserted_in_transaction && !inst.transaction_snapshot()) inst.snapshot_to_transaction_snapshot();
        if (auto new_key = session_core::key_of(inst); new_key != inst.key) {  // the key itself changed
            s.remove_from_identity(inst);
            inst.key = std::move(new_key);
            s.identity_of(*inst.table()).put(inst.key, u.inst);
        }
        enlist(u.inst);
    }
    for (const auto& inst : s.to_delete_) {
        if (listed_before(*inst)) savepoint->deleted_before.push_back(inst);
        inst->marked_for_delete = false;
        inst->deleted = true;
        inst->deleted_in_transaction = !inst->inserted_in_transaction;
        s.remove_from_identity(*inst);
        s.deleted_.push_back(inst);
        enlist(inst);
    }
    for (const auto& inst : s.touched_) {
        inst->touched = false;
        inst->reset_snapshot();
    }
    s.touched_.clear();
    s.pending_.clear();
    s.to_delete_.clear();
}

ALCHEMY_INLINE void unit_of_work::undo() {
    // Inside a savepoint only its work is undone, if the transaction is still there.
    if (!session_.restore_savepoint_start(generated_)) {
        try {
            if (session_.conn_) session_.conn_->rollback();
        } catch (...) {
        }
        session_.restore_transaction_start(generated_);
    }
    try {
        session_.run_hooks(session_.options_.events.after_rollback);
    } catch (...) {  // the flush's error is the one to report
    }
}

ALCHEMY_INLINE bool unit_of_work::generates_key(const instance_base& i) {
    if (!i.table()->has_integer_key()) return false;
    struct unset_probe final : binder {  // the key member as bound: NULL or 0 is "not set"
        bool unset = false;
        void bind_null() override { unset = true; }
        void bind_integer(std::int64_t v) override { unset = v == 0; }
        void bind_real(double) override {}
        void bind_text(std::string_view) override {}
        void bind_blob(std::span<const std::byte>) override {}
    } probe;
    i.table()->columns[i.table()->primary_key.front()].bind(probe, i.object());
    return probe.unset;
}

ALCHEMY_INLINE bool unit_of_work::parent_ready(const link_assignment& a) const {
    return !a.parent || a.parent->has_identity || !generates_key(*a.parent);
}

ALCHEMY_INLINE void unit_of_work::write_link_key(const link_assignment& a) {
    const auto& fk = a.child->table()->foreign_keys[a.foreign_key];
    const auto& column = a.child->table()->columns[fk.columns.front()];
    if (!a.parent && !column.nullable)
        throw FlushError(fmt::format(
            "alchemy: {} lost its parent, but its foreign key {}::{} (column \"{}\".\"{}\") cannot be NULL: "
            "delete it (cascade delete-orphan) or give it another parent",
            a.child->describe(), a.child->table()->struct_name, column.member, a.child->table()->name, column.name));
    auto v = a.parent ? a.parent->column_value_of(fk.target_columns.front()) : value();
    session_.remember_written_key(*a.child, fk.columns.front(),
                                  v);  // before it is written: a lost transaction reverts it
    column.read(v.view(), a.child->object());
}

ALCHEMY_INLINE void unit_of_work::write_ready_link_keys(const table_info& table, const instance_base* only) {
    waiting_.apply(
        &table, only, [&](const link_assignment& a) { return parent_ready(a); },
        [&](const link_assignment& a) { write_link_key(a); });
}

ALCHEMY_INLINE void unit_of_work::run_updates(const table_info& table, const std::vector<instance_base*>& candidates) {
    const auto first = updates_.size();
    const bool versioned = table.has_version();
    std::vector<instance_base*> compared;  // for after_update hooks (only filled if there are any)
    for (auto* inst : candidates) {
        if (!compared_.emplace(inst, true).second) continue;
        if (table.hooks.after_update) compared.push_back(inst);
        if (const auto hook = table.hooks.before_update) hook(inst->object());  // its changes are compared too
        std::vector<std::size_t> changed;
        table.ops->diff(inst->object(), *inst->snapshot(), changed);
        if (changed.empty()) continue;
        auto where = key_values(*inst, true);
        if (versioned) {
            // The next version, from the one loaded (a retry after a failed
            // flush writes the same): into the object, and into the row only
            // if it still holds the loaded one.
            const auto v = table.version_column;
            auto loaded = inst->snapshot_value(v);  // (an integer: mapping.hpp checks the member)
            table.columns[v].read(column_value::integer(loaded.view().as_integer() + 1), inst->object());
            if (std::find(changed.begin(), changed.end(), v) == changed.end())
                changed.insert(std::upper_bound(changed.begin(), changed.end(), v), v);
            where.push_back(std::move(loaded));
        }
        updates_.push_back({instance_ref(inst), std::move(changed), std::move(where)});
    }
    std::vector<const update*> rows;
    for (auto u = first; u < updates_.size(); ++u) rows.push_back(&updates_[u]);
    sort_by_key(rows, [](const update* u) -> const std::vector<value>& { return u->old_key; });
    auto& c = *conn_;
    for (std::size_t start = 0; start < rows.size();) {
        std::size_t end = start + 1;
        // (A versioned row alone: a row that is not matched is named.)
        while (!versioned && end < rows.size() && rows[end]->columns == rows[start]->columns) ++end;
        const auto& columns = rows[start]->columns;
        auto where = table.primary_key;
        if (versioned) where.push_back(table.version_column);
        // Rendered once per run of rows with the same changed columns.
        const auto statement = render_.render(update_stmt{&table, columns, std::move(where)});
        const auto count = end - start;
        const auto bind_row = [&](std::size_t i, binder& b) {
            const auto& u = *rows[start + i];
            for (auto col : columns) table.columns[col].bind(b, u.inst->object());
            for (const auto& v : u.old_key) type_traits<value>::bind(b, v);
        };
        const auto record_row = [&](std::size_t i) {
            const auto& u = *rows[start + i];
            std::vector<value> out;
            for (auto col : columns) out.push_back(u.inst->column_value_of(col));
            out.insert(out.end(), u.old_key.begin(), u.old_key.end());
            return out;
        };
        const auto matched = count == 1
                                 ? c.execute_bound(
                                        statement, [&](binder& b) { bind_row(0, b); }, [&] { return record_row(0); })
                                       .rows_affected()
                                 : c.execute_many_bound(statement, count, bind_row, record_row);
        if (matched != static_cast<std::int64_t>(count)) {
            if (versioned) throw stale_version("UPDATE", "update", table, rows[start]->old_key);
            throw StaleDataError(
                fmt::format("UPDATE statement on table '{}' expected to update {} row(s); {} were "
                            "matched.",
                            table.name, count, matched));
        }
        start = end;
    }
    if (const auto hook = table.hooks.after_update)
        for (auto* inst : compared) hook(inst->object());
}

ALCHEMY_INLINE std::string unit_of_work::shape_of(const table_info& table, const instance_base& i, bool generated_key) {
    std::string shape;
    for (std::size_t col = 0; col < table.columns.size(); ++col) {
        const auto& column = table.columns[col];
        if (generated_key && column.primary_key) continue;
        if (column.server_default && column.nullable && i.column_value_of(col).is_null()) continue;
        shape += static_cast<char>(col & 0xff);  // two bytes per column index (shape_columns)
        shape += static_cast<char>(col >> 8);
    }
    return shape;
}

ALCHEMY_INLINE void unit_of_work::prepare_insert(const table_info& table, instance_base* row) {
    if (waiting_.empty()) return;
    write_ready_link_keys(table, row);
    if (waiting_.waits(row))
        throw FlushError(
            fmt::format("alchemy: Circular dependency detected: {} needs the key of a parent that is inserted after it",
                        row->describe()));  // (check_insert_order rules this out before any SQL)
}

ALCHEMY_INLINE unit_of_work::association_key unit_of_work::association_row(const association_change& change) const {
    const auto& association = change.info->secondary();
    const auto& local = association.foreign_keys[change.info->foreign_key];
    const auto& remote = association.foreign_keys[change.info->remote_foreign_key];
    association_key k{local.columns.front(),
                      remote.columns.front(),
                      {session_.referenced_value(*change.local, *change.info),
                       change.remote->column_value_of(remote.target_columns.front())}};
    if (k.second < k.first) {
        std::swap(k.first, k.second);
        std::swap(k.values[0], k.values[1]);
    }
    return k;
}

ALCHEMY_INLINE const std::string& unit_of_work::association_statement(bool insert, const table_info& table,
                                                                      std::vector<std::size_t> columns) {
    auto& cache = association_sql_[insert ? 1 : 0];
    auto key = std::make_pair(&table, std::move(columns));
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    auto sql =
        insert ? render_.render(insert_stmt{&table, key.second, {}}) : render_.render(delete_stmt{&table, key.second});
    return cache.emplace(std::move(key), std::move(sql)).first->second;
}

ALCHEMY_INLINE void unit_of_work::run_rows(sql_rows& work) {
    std::stable_sort(work.begin(), work.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    auto& c = *conn_;
    for (std::size_t start = 0; start < work.size();) {
        std::size_t end = start + 1;
        while (end < work.size() && work[end].first == work[start].first) ++end;
        if (end - start == 1) {
            c.execute_values(work[start].first, work[start].second);
        } else {
            std::vector<std::vector<value>> rows;
            for (auto i = start; i < end; ++i) rows.push_back(work[i].second);
            c.execute_many(work[start].first, rows);
        }
        start = end;
    }
}

ALCHEMY_INLINE bool unit_of_work::deleted_by_row_switch(const instance_base* i) const {
    return !row_switch_deletes_.empty() &&
           std::find(row_switch_deletes_.begin(), row_switch_deletes_.end(), i) != row_switch_deletes_.end();
}

}  // namespace alchemy::detail
