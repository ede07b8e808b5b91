// alchemy/detail/orm/impl/flush.ipp — session_core::flush() and collect_links(): the
// unit of work's writes (detail/orm/unit_of_work.hpp describes the order).
#pragma once

#include <alchemy/detail/orm/links.hpp>
#include <alchemy/detail/orm/session_core.hpp>
#include <alchemy/detail/orm/unit_of_work.hpp>

#include <cstdint>
#include <map>
#include <memory>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE flush_links session_core::collect_links() {
    flush_links links;
    std::vector<instance_base*> orphans;
    const auto visit = [&](instance_base& owner) {
        for (const auto& r : owner.table->relationships) {
            auto& m = member_of(owner, r);
            if (!m.has_changes()) continue;
            links.processed.push_back(&m);
            if (r.kind == relationship_kind::many_to_one) {
                if (!m.changed) continue;
                auto* target = m.item_count() ? m.item(0) : nullptr;
                links.assignments.push_back({&owner, r.foreign_key, target});
                if (const auto* reverse = reverse_side(r); !target && reverse && reverse->cascades(cascade::delete_orphan))
                    orphans.push_back(&owner);
                continue;
            }
            if (!m.changes) continue;
            for (auto* item : m.changes->removed) {
                if (r.kind == relationship_kind::many_to_many) {
                    links.changes.push_back({&r, &owner, item, false});
                } else {
                    links.assignments.push_back({item, r.foreign_key, nullptr});
                    if (r.cascades(cascade::delete_orphan)) orphans.push_back(item);
                }
            }
            for (auto* item : m.changes->added) {
                if (r.kind == relationship_kind::many_to_many) links.changes.push_back({&r, &owner, item, true});
                else links.assignments.push_back({item, r.foreign_key, &owner});
            }
        }
    };
    for (std::size_t n = 0; n < pending_.size(); ++n)
        if (!pending_[n]->table->relationships.empty()) visit(*pending_[n]);
    for (const auto& inst : touched_)
        if (!inst->table->relationships.empty()) visit(*inst);

    // Orphans (delete-orphan): deleted if persistent, forgotten if pending.
    settle(links.assignments);
    for (auto* orphan : orphans) {
        if (orphan->owner != this) continue;
        const bool has_parent = std::any_of(links.assignments.begin(), links.assignments.end(), [&](const auto& a) {
            return a.child == orphan && a.parent;
        });
        if (has_parent) continue;
        if (orphan->has_identity) {
            if (!orphan->marked_for_delete && !orphan->deleted) remove(instance_ref(orphan));
        } else {
            expunge(instance_ref(orphan));
        }
    }

    // Parents being deleted: without a delete cascade their children's keys
    // become NULL (loading the children first unless passive_deletes); their
    // association rows go.
    for (std::size_t n = 0; n < to_delete_.size(); ++n) {
        auto& parent = *to_delete_[n];
        for (const auto& r : parent.table->relationships) {
            if (r.passive_deletes) continue;
            auto& m = member_of(parent, r);
            if (r.kind == relationship_kind::many_to_many) {
                links.clears.push_back({&r, &parent});
            } else if (r.kind == relationship_kind::one_to_many && !r.cascades(cascade::delete_)) {
                detail::load_relationship(m);
                const auto* reverse = reverse_side(r);
                for (std::size_t k = 0; k < m.item_count(); ++k) {
                    auto* child = m.item(k);
                    if (child->owner != this || child->marked_for_delete || child->deleted) continue;
                    links.assignments.push_back({child, r.foreign_key, nullptr});
                    if (reverse) {
                        auto& back = member_of(*child, *reverse);
                        if (current_target(back, *child) == &parent) {
                            back.put_item(nullptr);
                            back.loaded = true;
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
        return a.child->owner != this || a.child->marked_for_delete || a.child->deleted;
    });
    for (const auto& a : links.assignments) {
        if (a.parent && a.parent->owner != this)
            throw FlushError(fmt::format(
                "alchemy: {} is linked to {}, which is not in this session (nor deleted in it): add it to the "
                "session, or keep the save-update cascade on the relationship",
                a.child->describe(), a.parent->describe()));
        if (a.child->has_identity && !a.child->touched) {
            ensure_loaded(*a.child);
            touch(*a.child);
        }
    }
    for (const auto& c : links.changes)
        if (c.remote->owner != this && c.insert)
            throw FlushError(fmt::format(
                "alchemy: {} is linked through {}.{} to {}, which is not in this session: add it to the session",
                c.local->describe(), c.local->table->struct_name, c.info->member, c.remote->describe()));
    return links;
}

ALCHEMY_INLINE void session_core::flush() {
    if (flushing_) return;
    follow_database();  // a transaction the database rolled back: its objects are pending again
    if (pending_.empty() && to_delete_.empty() && touched_.empty()) return;  // the common autoflush
    std::erase_if(pending_, [this](const auto& p) { return p->owner != this || p->has_identity; });
    std::erase_if(to_delete_, [this](const auto& p) { return p->owner != this || !p->marked_for_delete; });

    struct flushing_guard {
        bool& flag;
        explicit flushing_guard(bool& f) : flag(f) { flag = true; }
        ~flushing_guard() { flag = false; }
    } guard(flushing_);

    const auto generates_key = [](const instance_base& i) {
        if (!i.table->has_integer_key()) return false;
        const auto v = i.column_value_of(i.table->primary_key.front());
        return v.is_null() || v == value(std::int64_t{0});
    };

    struct update {
        instance_ref inst;
        std::vector<std::size_t> columns;
        std::vector<value> old_key;
    };
    std::vector<update> updates;
    std::vector<instance_ref> generated;  // keys written by this flush
    std::vector<std::pair<instance_ref, std::vector<std::size_t>>> server_defaulted;
    // On failure nothing is half-written: the database goes back to the start
    // of the transaction and the session to match it, keeping every value.
    const auto undo = [&] {
        try {
            if (conn_) conn_->rollback();
        } catch (...) {
        }
        restore_transaction_start(generated);
    };
    flush_links links;
    try {
        links = collect_links();  // may load children of deleted parents
    } catch (...) {
        undo();
        throw;
    }

    // Client-side defaults, then the checks that need no SQL.
    for (const auto& inst : pending_)
        for (const auto& c : inst->table->columns)
            if (c.apply_default) c.apply_default(inst->object());
    // Explicit keys of new objects (table name, NUL, encoded key).
    key_map<const instance_base*> new_keys;
    {
        for (const auto& inst : pending_) {
            if (generates_key(*inst)) continue;
            for (auto k : inst->table->primary_key)
                if (inst->column_value_of(k).is_null())
                    throw FlushError(fmt::format("alchemy: Instance {} has a NULL identity key: set its primary key "
                                                 "column '{}'",
                                                 inst->describe(), inst->table->columns[k].name));
            auto key = inst->table->name + '\0' + key_of(*inst);
            if (auto existing = lookup(*inst->table, key_of(*inst)); existing && !existing->marked_for_delete)
                throw FlushError(fmt::format(
                    "alchemy: New instance {} with identity key {} conflicts with persistent instance {}",
                    inst->describe(), describe_key(*inst), existing->describe()));
            if (auto [it, fresh] = new_keys.emplace(std::move(key), inst.get()); !fresh)
                throw FlushError(fmt::format("alchemy: New instances {} and {} have the same identity key {}",
                                             it->second->describe(), inst->describe(), describe_key(*inst)));
        }
    }

    std::vector<const table_info*> tables;
    const auto involve = [&](const table_info* t) {
        if (std::find(tables.begin(), tables.end(), t) == tables.end()) tables.push_back(t);
    };
    for (const auto& inst : pending_) involve(inst->table);
    for (const auto& inst : touched_) involve(inst->table);
    for (const auto& inst : to_delete_) involve(inst->table);
    for (const auto& c : links.changes) involve(&c.info->secondary());
    for (const auto& c : links.clears) involve(&c.info->secondary());
    tables = sort_by_dependency(std::move(tables));

    // A removed object whose key a new object takes ("row switch"): its
    // DELETE must run before that INSERT.
    std::vector<const instance_base*> early_deletes;
    for (const auto& gone : to_delete_)
        if (!new_keys.empty() && new_keys.contains(gone->table->name + '\0' + gone->key)) early_deletes.push_back(gone.get());
    const auto deleted_early = [&](const instance_base* i) {
        return !early_deletes.empty() && std::find(early_deletes.begin(), early_deletes.end(), i) != early_deletes.end();
    };

    // Foreign keys from links, written once the parent's key is known (a
    // parent inserted by this flush has it after its INSERT).
    pending_keys waiting(links.assignments);
    const auto parent_ready = [&](const link_assignment& a) {
        return !a.parent || a.parent->has_identity || !generates_key(*a.parent);
    };
    const auto apply = [&](const link_assignment& a) {
        const auto& fk = a.child->table->foreign_keys[a.foreign_key];
        const auto& column = a.child->table->columns[fk.columns.front()];
        if (!a.parent && !column.nullable)
            throw FlushError(fmt::format(
                "alchemy: {} lost its parent, but its foreign key {}::{} (column \"{}\".\"{}\") cannot be NULL: "
                "delete it (cascade delete-orphan) or give it another parent",
                a.child->describe(), a.child->table->struct_name, column.member, a.child->table->name, column.name));
        auto v = a.parent ? a.parent->column_value_of(fk.target_columns.front()) : value();
        remember_written_key(*a.child, fk.columns.front(), v);  // before it is written: a lost transaction reverts it
        column.read(v.view(), a.child->object());
    };
    const auto apply_ready = [&](const table_info* table, const instance_base* only = nullptr) {
        waiting.apply(table, only, parent_ready, apply);
    };
    const auto is_waiting = [&](const instance_base* i) { return waiting.waits(i); };

    auto& c = conn();
    const statement_renderer render(engine_.dialect());
    boost::unordered_flat_map<const instance_base*, bool> compared;  // touched objects already compared
    // The UPDATEs of `table` for the touched objects `candidates`, sorted by key, runs of equal column sets batched.
    const auto run_updates = [&](const table_info* table, const std::vector<instance_base*>& candidates) {
        const auto first = updates.size();
        for (auto* inst : candidates) {
            if (!compared.emplace(inst, true).second) continue;
            std::vector<std::size_t> changed;
            for (std::size_t col = 0; col < table->columns.size(); ++col)
                if (!inst->column_equals(col, inst->snapshot[col])) changed.push_back(col);
            if (!changed.empty()) updates.push_back({instance_ref(inst), std::move(changed), key_values(*inst, true)});
        }
        std::vector<const update*> rows;
        for (auto u = first; u < updates.size(); ++u) rows.push_back(&updates[u]);
        sort_by_key(rows, [](const update* u) -> const std::vector<value>& { return u->old_key; });
        for (std::size_t start = 0; start < rows.size();) {
            std::size_t end = start + 1;
            while (end < rows.size() && rows[end]->columns == rows[start]->columns) ++end;
            const auto& columns = rows[start]->columns;
            // Rendered once per run of rows with the same changed columns.
            const auto statement = render.render(update_stmt{table, columns, table->primary_key});
            const auto count = end - start;
            const auto bind_row = [&](std::size_t i, binder& b) {
                const auto& u = *rows[start + i];
                for (auto col : columns) table->columns[col].bind(b, u.inst->object());
                for (const auto& v : u.old_key) type_traits<value>::bind(b, v);
            };
            const auto record_row = [&](std::size_t i) {
                const auto& u = *rows[start + i];
                std::vector<value> out;
                for (auto col : columns) out.push_back(u.inst->column_value_of(col));
                out.insert(out.end(), u.old_key.begin(), u.old_key.end());
                return out;
            };
            const auto matched = count == 1 ? c.execute_bound(statement, [&](binder& b) { bind_row(0, b); },
                                                              [&] { return record_row(0); })
                                                  .rows_affected()
                                            : c.execute_many_bound(statement, count, bind_row, record_row);
            if (matched != static_cast<std::int64_t>(count))
                throw StaleDataError(fmt::format(
                    "UPDATE statement on table '{}' expected to update {} row(s); {} were matched.", table->name,
                    count, matched));
            start = end;
        }
    };
    // An association row's two key columns and values, in the association
    // table's column order (whichever side changed).
    struct association_key {
        std::size_t first, second;
        std::vector<value> values;
    };
    const auto association_row = [&](const association_change& change) {
        const auto& association = change.info->secondary();
        const auto& local = association.foreign_keys[change.info->foreign_key];
        const auto& remote = association.foreign_keys[change.info->remote_foreign_key];
        association_key k{local.columns.front(), remote.columns.front(),
                          {referenced_value(*change.local, *change.info),
                           change.remote->column_value_of(remote.target_columns.front())}};
        if (k.second < k.first) {
            std::swap(k.first, k.second);
            std::swap(k.values[0], k.values[1]);
        }
        return k;
    };
    // The INSERT / DELETE of association rows keyed by some of `table`'s
    // columns, rendered once per flush for each table and column set, not per row.
    std::map<std::pair<const table_info*, std::vector<std::size_t>>, std::string> association_sql[2];
    const auto association_statement = [&](bool insert, const table_info& table, std::vector<std::size_t> columns) {
        auto& cache = association_sql[insert ? 1 : 0];
        auto key = std::make_pair(&table, std::move(columns));
        if (auto it = cache.find(key); it != cache.end()) return it->second;
        auto sql = insert ? render.render(insert_stmt{&table, key.second, {}})
                          : render.render(delete_stmt{&table, key.second});
        return cache.emplace(std::move(key), std::move(sql)).first->second;
    };
    // Runs one statement per distinct SQL over its rows (a batch for several).
    const auto run_rows = [&](std::vector<std::pair<std::string, std::vector<value>>>& work) {
        std::stable_sort(work.begin(), work.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
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
    };

    try {
        for (const auto* gone : early_deletes) c.execute_values(statements_.delete_by_key(*gone->table), key_values(*gone, true));
        for (const table_info* table : tables) {
            // Keys from links whose parents are known; then the UPDATEs of
            // this table (objects still waiting for a parent's key later).
            if (!waiting.empty()) apply_ready(table);
            {
                std::vector<instance_base*> candidates;
                for (const auto& inst : touched_)
                    if (inst->table == table && inst->owner == this && !inst->marked_for_delete && !inst->deleted &&
                        inst->snapshot && (waiting.empty() || !is_waiting(inst.get())))
                        candidates.push_back(inst.get());
                run_updates(table, candidates);
            }

            // INSERTs of this table, in insert order; in a self-referential
            // table parents come before their children.
            std::vector<instance_base*> inserts;
            for (const auto& inst : pending_)
                if (inst->table == table) inserts.push_back(inst.get());
            if (!waiting.empty()) order_parents_first(inserts, waiting.open_in(table));
            // Each row's column list as a short string of column indices (its
            // "shape"): rows of one shape share a statement, rendered once per session.
            const auto shape_of = [&](const instance_base& i, bool generated_key) {
                std::string shape;
                for (std::size_t col = 0; col < table->columns.size(); ++col) {
                    const auto& column = table->columns[col];
                    if (generated_key && column.primary_key) continue;
                    if (column.server_default && column.nullable && i.column_value_of(col).is_null()) continue;
                    shape += static_cast<char>(col & 0xff);  // two bytes per column index
                    shape += static_cast<char>(col >> 8);
                }
                return shape;
            };
            const auto prepare_row = [&](instance_base* row) {
                if (!waiting.empty()) {
                    apply_ready(table, row);
                    if (is_waiting(row))
                        throw FlushError(fmt::format(
                            "alchemy: Circular dependency detected: {} needs the key of a parent that is inserted "
                            "after it",
                            row->describe()));
                }
            };
            // Rows of a table no link assignment waits on need no preparing.
            const bool table_waits = !waiting.empty() && !waiting.open_in(table).empty();
            // Consecutive rows mostly share a shape: its columns and statement are looked up once.
            std::string last_shape;
            std::vector<std::size_t> columns;
            const std::string* statement = nullptr;
            for (std::size_t start = 0; start < inserts.size();) {
                prepare_row(inserts[start]);
                const bool generated_key = generates_key(*inserts[start]);
                const auto shape = shape_of(*inserts[start], generated_key);
                std::size_t end = start + 1;
                if (!generated_key)
                    while (end < inserts.size()) {
                        prepare_row(inserts[end]);
                        if (generates_key(*inserts[end]) || shape_of(*inserts[end], false) != shape) break;
                        ++end;
                    }
                else if (!table_waits)  // keys to read back one by one, through one lease of the statement
                    while (end < inserts.size() && generates_key(*inserts[end]) && shape_of(*inserts[end], true) == shape)
                        ++end;
                if (!statement || shape != last_shape) {
                    columns = shape_columns(shape);
                    statement = &statements_.insert(*table, shape, generated_key);
                    last_shape = shape;
                }
                const auto bind_row = [&](std::size_t i, binder& b) {
                    for (auto col : columns) table->columns[col].bind(b, inserts[start + i]->object());
                };
                const auto record_row = [&](std::size_t i) {
                    std::vector<value> out;
                    for (auto col : columns) out.push_back(inserts[start + i]->column_value_of(col));
                    return out;
                };
                if (generated_key) {
                    c.execute_each_bound(*statement, end - start, bind_row, record_row,
                                         [&](std::size_t i, std::int64_t rowid) {
                                             auto& inst = *inserts[start + i];
                                             table->columns[table->primary_key.front()].read(
                                                 column_value::integer(rowid), inst.object());
                                             inst.key_generated = true;
                                             generated.push_back(instance_ref(&inst));
                                         });
                } else if (end - start == 1) {
                    c.execute_bound(*statement, [&](binder& b) { bind_row(0, b); }, [&] { return record_row(0); });
                } else {
                    c.execute_many_bound(*statement, end - start, bind_row, record_row);
                }
                for (std::size_t i = start; i < end; ++i) {
                    std::vector<std::size_t> omitted;
                    for (std::size_t col = 0; col < table->columns.size(); ++col)
                        if (table->columns[col].server_default && table->columns[col].nullable &&
                            inserts[i]->column_value_of(col).is_null())
                            omitted.push_back(col);
                    if (!omitted.empty()) server_defaulted.emplace_back(instance_ref(inserts[i]), omitted);
                }
                start = end;
            }

            // Persistent rows that waited for a parent inserted just now.
            if (!waiting.empty()) {
                std::vector<instance_base*> late;
                for (const auto& a : waiting.open_in(table))
                    if (a.child->has_identity && parent_ready(a)) late.push_back(a.child);
                apply_ready(table);
                if (!late.empty()) run_updates(table, late);
            }

            // New association rows, once both ends have their keys.
            std::vector<std::pair<std::string, std::vector<value>>> rows;
            for (const auto& change : links.changes) {
                if (!change.insert || &change.info->secondary() != table) continue;
                auto k = association_row(change);
                rows.emplace_back(association_statement(true, *table, {k.first, k.second}), std::move(k.values));
            }
            run_rows(rows);
        }
        if (const auto* a = waiting.first_open())
            throw FlushError(fmt::format("alchemy: {} could not be linked to {}: its key was never written",
                                         a->child->describe(), a->parent ? a->parent->describe() : "NULL"));

        // DELETEs, referencing tables first (association rows before their
        // ends); in a self-referential table children before their parents.
        for (auto t = tables.rbegin(); t != tables.rend(); ++t) {
            std::vector<std::pair<std::string, std::vector<value>>> rows;
            for (const auto& change : links.changes) {
                if (change.insert || &change.info->secondary() != *t) continue;
                auto k = association_row(change);
                rows.emplace_back(association_statement(false, **t, {k.first, k.second}), std::move(k.values));
            }
            for (const auto& clear : links.clears) {
                if (&clear.info->secondary() != *t) continue;
                const auto& association = clear.info->secondary();
                const auto& local = association.foreign_keys[clear.info->foreign_key];
                rows.emplace_back(association_statement(false, association, {local.columns.front()}),
                                  std::vector<value>{referenced_value(*clear.owner, *clear.info)});
            }
            run_rows(rows);

            std::vector<const instance_base*> gone;
            for (const auto& inst : to_delete_)
                if (inst->table == *t && !deleted_early(inst.get())) gone.push_back(inst.get());
            if (gone.empty()) continue;
            for (const auto& layer : children_first(**t, gone)) {
                std::vector<std::vector<value>> keys;
                for (const auto* inst : layer) keys.push_back(key_values(*inst, true));
                sort_by_key(keys, [](const std::vector<value>& k) -> const std::vector<value>& { return k; });
                const auto& statement = statements_.delete_by_key(**t);
                if (keys.size() == 1) c.execute_values(statement, keys.front());
                else c.execute_many(statement, keys);
            }
        }
    } catch (...) {
        undo();
        throw;
    }

    // The relationship changes written are kept until the transaction ends:
    // if it is lost, a retry writes them again (restore_written).
    remember_written_links(links.processed);
    // Success: new objects become persistent, flushed deletes deleted. The
    // touched objects are written (or unchanged) and leave the list a flush
    // compares: the next write through a ptr touches them again and takes a
    // fresh snapshot, so each flush costs what was touched since the last one.
    const auto enlist = [&](const instance_ref& inst) {
        if (!inst->listed_in_transaction) {
            inst->listed_in_transaction = true;
            transaction_.push_back(inst);
        }
    };
    for (const auto& inst : pending_) {
        inst->has_identity = true;
        inst->key = key_of(*inst);
        inst->inserted_in_transaction = true;
        identity_[inst->table].put(inst->key, inst);
        enlist(inst);
        inst->touched = false;
    }
    for (auto& [inst, columns] : server_defaulted) {  // reload what the database filled in
        inst->expired = true;
        inst->expired_columns.assign(inst->table->columns.size());
        for (auto col : columns) inst->expired_columns[col] = 1;
    }
    for (auto& u : updates) {
        auto& inst = *u.inst;
        if (!inst.inserted_in_transaction && !inst.transaction_snapshot) inst.transaction_snapshot = std::move(inst.snapshot);
        if (auto new_key = key_of(inst); new_key != inst.key) {  // the key itself changed
            remove_from_identity(inst);
            inst.key = std::move(new_key);
            identity_[inst.table].put(inst.key, u.inst);
        }
        enlist(u.inst);
    }
    for (const auto& inst : to_delete_) {
        inst->marked_for_delete = false;
        inst->deleted = true;
        inst->deleted_in_transaction = !inst->inserted_in_transaction;
        remove_from_identity(*inst);
        deleted_.push_back(inst);
        enlist(inst);
    }
    for (const auto& inst : touched_) {
        inst->touched = false;
        inst->snapshot.reset();
    }
    touched_.clear();
    pending_.clear();
    to_delete_.clear();
}

}  // namespace alchemy::detail
