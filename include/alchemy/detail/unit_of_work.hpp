// alchemy/detail/unit_of_work.hpp — flush: the INSERTs, UPDATEs and DELETEs
// that bring the database in line with the session, in one transaction.
//
// Order (SEMANTICS §6): tables in foreign-key dependency order; within a
// table first the UPDATEs (rows sorted by key), then the INSERTs (in the order
// the objects were added); DELETEs afterwards, tables in reverse order.
// Consecutive INSERTs with the same column list whose keys are known, and
// consecutive UPDATEs of the same columns, run as one batch through one
// prepared statement; an INSERT whose key the database generates runs alone
// and its key is written back into the object. Only objects touched since the
// last flush are compared, so the cost follows what was touched.
#pragma once

#include <alchemy/detail/session_core.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

// Orders values of one column type: SQLAlchemy sorts rows by key.
inline bool value_less(const value& a, const value& b) {
    if (a.type() != b.type()) return a.type() < b.type();
    return std::visit(
        [&](const auto& x) -> bool {
            using X = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<X, std::nullptr_t>) return false;
            else return x < std::get<X>(b.get());
        },
        a.get());
}

// The column indices of an INSERT shape (two bytes each, see flush).
inline std::vector<std::size_t> shape_columns(const std::string& shape) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i + 1 < shape.size(); i += 2)
        out.push_back(static_cast<unsigned char>(shape[i]) | (static_cast<std::size_t>(static_cast<unsigned char>(shape[i + 1])) << 8));
    return out;
}

inline std::vector<value> key_values(const instance_base& i, bool from_snapshot) {
    std::vector<value> out;
    for (auto k : i.table->primary_key)
        out.push_back(from_snapshot && i.snapshot ? i.snapshot[k] : i.column_value_of(k));
    return out;
}

inline void session_core::flush() {
    if (flushing_) return;
    if (pending_.empty() && to_delete_.empty() && touched_.empty()) return;  // the common autoflush
    std::erase_if(pending_, [this](const auto& p) { return p->owner != this || p->has_identity; });
    std::erase_if(to_delete_, [this](const auto& p) { return p->owner != this || !p->marked_for_delete; });

    struct update {
        instance_ref inst;
        std::vector<std::size_t> columns;
        std::vector<value> old_key;
    };
    std::vector<update> updates;
    for (const auto& inst : touched_) {
        if (inst->owner != this || inst->marked_for_delete || inst->deleted || !inst->snapshot) continue;
        std::vector<std::size_t> changed;
        for (std::size_t c = 0; c < inst->table->columns.size(); ++c)
            if (!(inst->column_value_of(c) == inst->snapshot[c])) changed.push_back(c);
        if (!changed.empty()) updates.push_back({inst, std::move(changed), key_values(*inst, true)});
    }
    if (pending_.empty() && updates.empty() && to_delete_.empty()) return;  // nothing to do: no SQL

    // Client-side defaults, then the checks that need no SQL.
    for (const auto& inst : pending_)
        for (const auto& c : inst->table->columns)
            if (c.apply_default) c.apply_default(inst->object());
    const auto generates_key = [](const instance_base& i) {
        if (!i.table->has_integer_key()) return false;
        const auto v = i.column_value_of(i.table->primary_key.front());
        return v.is_null() || v == value(std::int64_t{0});
    };
    // Explicit keys of new objects (table name, NUL, encoded key).
    boost::unordered_flat_map<std::string, const instance_base*> new_keys;
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
    for (const auto& u : updates) involve(u.inst->table);
    for (const auto& inst : to_delete_) involve(inst->table);
    tables = sort_by_dependency(std::move(tables));

    struct flushing_guard {
        bool& flag;
        explicit flushing_guard(bool& f) : flag(f) { flag = true; }
        ~flushing_guard() { flag = false; }
    } guard(flushing_);

    // A removed object whose key a new object takes ("row switch"): its
    // DELETE must run before that INSERT.
    std::vector<const instance_base*> early_deletes;
    for (const auto& gone : to_delete_)
        if (!new_keys.empty() && new_keys.contains(gone->table->name + '\0' + gone->key)) early_deletes.push_back(gone.get());
    const auto deleted_early = [&](const instance_base* i) {
        return !early_deletes.empty() && std::find(early_deletes.begin(), early_deletes.end(), i) != early_deletes.end();
    };

    auto& c = conn();
    const auto& d = engine_.dialect();
    std::vector<instance_ref> generated;  // keys written by this flush
    std::vector<std::pair<instance_ref, std::vector<std::size_t>>> server_defaulted;
    try {
        for (const auto* gone : early_deletes) c.execute_values(statements(*gone->table).delete_by_key, key_values(*gone, true));
        for (const table_info* table : tables) {
            const auto quoted_table = d.quote_identifier(table->name);

            // UPDATEs of this table, sorted by key; runs of equal column sets batched.
            std::vector<const update*> rows;
            for (const auto& u : updates)
                if (u.inst->table == table) rows.push_back(&u);
            std::stable_sort(rows.begin(), rows.end(), [](const update* a, const update* b) {
                return std::lexicographical_compare(a->old_key.begin(), a->old_key.end(), b->old_key.begin(),
                                                    b->old_key.end(), value_less);
            });
            for (std::size_t start = 0; start < rows.size();) {
                std::size_t end = start + 1;
                while (end < rows.size() && rows[end]->columns == rows[start]->columns) ++end;
                const auto& columns = rows[start]->columns;
                std::string set;
                for (std::size_t i = 0; i < columns.size(); ++i)
                    set += fmt::format("{}{} = {}", i ? ", " : "", d.quote_identifier(table->columns[columns[i]].name),
                                       d.placeholder(i + 1));
                std::string where;
                for (std::size_t k = 0; k < table->primary_key.size(); ++k)
                    where += fmt::format("{}{} = {}", k ? " AND " : "",
                                         d.quote_identifier(table->columns[table->primary_key[k]].name),
                                         d.placeholder(columns.size() + k + 1));
                const auto statement = fmt::format("UPDATE {} SET {} WHERE {}", quoted_table, set, where);
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

            // INSERTs of this table, in insert order.
            std::vector<instance_base*> inserts;
            for (const auto& inst : pending_)
                if (inst->table == table) inserts.push_back(inst.get());
            // Each row's column list as a short string of column indices (its
            // "shape"): rows of one shape share a statement, rendered once per session.
            std::vector<bool> generated_keys(inserts.size());
            std::vector<std::string> shapes(inserts.size());
            for (std::size_t r = 0; r < inserts.size(); ++r) {
                const auto& i = *inserts[r];
                generated_keys[r] = generates_key(i);
                for (std::size_t col = 0; col < table->columns.size(); ++col) {
                    const auto& column = table->columns[col];
                    if (generated_keys[r] && column.primary_key) continue;
                    if (column.server_default && column.nullable && i.column_value_of(col).is_null()) continue;
                    shapes[r] += static_cast<char>(col & 0xff);  // two bytes per column index
                    shapes[r] += static_cast<char>(col >> 8);
                }
            }
            for (std::size_t start = 0; start < inserts.size();) {
                const bool generated_key = generated_keys[start];
                std::size_t end = start + 1;
                if (!generated_key)
                    while (end < inserts.size() && !generated_keys[end] && shapes[end] == shapes[start]) ++end;
                const auto columns = shape_columns(shapes[start]);
                const auto& statement = insert_statement(*table, shapes[start]);
                const auto bind_row = [&](std::size_t i, binder& b) {
                    for (auto col : columns) table->columns[col].bind(b, inserts[start + i]->object());
                };
                const auto record_row = [&](std::size_t i) {
                    std::vector<value> out;
                    for (auto col : columns) out.push_back(inserts[start + i]->column_value_of(col));
                    return out;
                };
                if (generated_key) {
                    auto r = c.execute_bound(statement, [&](binder& b) { bind_row(0, b); }, [&] { return record_row(0); });
                    auto& inst = *inserts[start];
                    table->columns[table->primary_key.front()].read(column_value::integer(r.last_insert_rowid()),
                                                                    inst.object());
                    inst.key_generated = true;
                    generated.push_back(instance_ref(&inst));
                } else if (end - start == 1) {
                    c.execute_bound(statement, [&](binder& b) { bind_row(0, b); }, [&] { return record_row(0); });
                } else {
                    c.execute_many_bound(statement, end - start, bind_row, record_row);
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
        }

        // DELETEs, referencing tables first, rows sorted by key.
        for (auto t = tables.rbegin(); t != tables.rend(); ++t) {
            std::vector<std::vector<value>> keys;
            for (const auto& inst : to_delete_)
                if (inst->table == *t && !deleted_early(inst.get())) keys.push_back(key_values(*inst, true));
            if (keys.empty()) continue;
            std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
                return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), value_less);
            });
            const auto& statement = statements(**t).delete_by_key;
            if (keys.size() == 1) c.execute_values(statement, keys.front());
            else c.execute_many(statement, keys);
        }
    } catch (...) {
        // Nothing half-written: the database goes back to the start of the
        // transaction and the session to match it, keeping every value.
        try {
            if (conn_) conn_->rollback();
        } catch (...) {
        }
        restore_after_failed_flush(generated);
        throw;
    }

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
        identity_[inst->table][inst->key] = inst;
        enlist(inst);
        inst->touched = false;
    }
    for (auto& [inst, columns] : server_defaulted) {  // reload what the database filled in
        inst->expired = true;
        inst->expired_columns.assign(inst->table->columns.size(), 0);
        for (auto col : columns) inst->expired_columns[col] = 1;
    }
    for (auto& u : updates) {
        auto& inst = *u.inst;
        if (!inst.inserted_in_transaction && !inst.transaction_snapshot) inst.transaction_snapshot = std::move(inst.snapshot);
        if (auto new_key = key_of(inst); new_key != inst.key) {  // the key itself changed
            remove_from_identity(inst);
            inst.key = std::move(new_key);
            identity_[inst.table][inst.key] = u.inst;
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
