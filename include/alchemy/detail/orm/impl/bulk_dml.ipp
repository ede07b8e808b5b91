// alchemy/detail/orm/impl/bulk_dml.ipp — session_core::bulk_dml(): a bulk
// UPDATE or DELETE (query::update(), query::delete_()) and what the session's
// objects learn of it (synchronize_session), and undo_bulk(), which takes
// that back when the transaction or savepoint it ran in is rolled back.
#pragma once

#include <alchemy/detail/orm/evaluate.hpp>
#include <alchemy/detail/orm/session_core.hpp>
#include <alchemy/detail/sql/bulk_dml.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE std::int64_t session_core::bulk_dml(bulk_dml_spec spec, synchronize_session sync) {
    const auto& table = *spec.table;
    const char* what = spec.is_delete ? "delete_()" : "update()";
    if (sync != synchronize_session::none)
        for (const auto& [column, value_node] : spec.set)
            if (table.columns[column].primary_key)
                throw ArgumentError(fmt::format(
                    "alchemy: {} of {} (table '{}') sets the primary key column '{}': the session's objects "
                    "would keep their old keys. Change the key on the object and flush, or pass "
                    "synchronize_session::none and expunge the objects yourself",
                    what, table.struct_name, table.name, table.columns[column].name));
    autoflush();

    // evaluate: which of the table's objects in the session the criteria
    // match, before the statement changes their rows.
    std::string unevaluable;
    if (sync == synchronize_session::evaluate || sync == synchronize_session::automatic)
        for (const auto& w : spec.where)
            if (unevaluable.empty()) unevaluable = unevaluable_part(*w, table, sync == synchronize_session::automatic);
    if (sync == synchronize_session::evaluate && !unevaluable.empty())
        throw InvalidRequestError(fmt::format(
            "alchemy: {} of {} with synchronize_session::evaluate: {} in the criteria cannot be evaluated in C++; "
            "use synchronize_session::fetch (or automatic)",
            what, table.struct_name, unevaluable));
    bool evaluating = sync == synchronize_session::evaluate ||
                      (sync == synchronize_session::automatic && unevaluable.empty());
    std::vector<instance_ref> matched;
    std::vector<instance_ref> unknown;  // evaluate: criteria columns not loaded, so not known to match
    if (evaluating) {
        std::vector<std::size_t> read;
        for (const auto& w : spec.where) columns_read(*w, read);
        if (auto* objects = objects_if_any(table)) {
            bool fall_back = false;
            objects->map.for_each([&](instance_ref& inst) {
                if (fall_back || inst->deleted) return;
                const bool loaded = !inst->expired || (inst->has_expired_columns() &&
                                                       std::none_of(read.begin(), read.end(), [&](std::size_t c) {
                                                           return inst->column_expired(c);
                                                       }));
                if (!loaded) {
                    if (sync == synchronize_session::automatic) fall_back = true;  // fetch knows
                    else unknown.push_back(inst);
                    return;
                }
                for (const auto& w : spec.where) {
                    const auto v = evaluate(*w, *inst);
                    if (!v) {
                        if (sync == synchronize_session::automatic) {
                            fall_back = true;
                            return;
                        }
                        throw InvalidRequestError(fmt::format(
                            "alchemy: {} of {} with synchronize_session::evaluate: the criteria cannot be evaluated "
                            "in C++ for the {} with key {} (values of different kinds compared, or an integer overflow, "
                            "which the database decides); use synchronize_session::fetch",
                            what, table.struct_name, table.struct_name, inst->describe_key()));
                    }
                    if (!is_true(*v)) return;
                }
                matched.push_back(inst);
            });
            if (fall_back) {
                evaluating = false;
                matched.clear();
            }
        }
    }
    const bool fetching = sync == synchronize_session::fetch || (sync == synchronize_session::automatic && !evaluating);

    // The SET values evaluate computes, from the rows as they are before the statement.
    std::vector<std::vector<std::optional<value>>> new_values;
    if (evaluating && !spec.is_delete) {
        std::vector<bool> computable;  // per SET item, decided once rather than per object
        for (const auto& [column, value_node] : spec.set)
            computable.push_back(unevaluable_part(*value_node, table, false).empty());
        new_values.reserve(matched.size());
        for (const auto& inst : matched) {
            auto& values = new_values.emplace_back();
            for (std::size_t s = 0; s < spec.set.size(); ++s)
                values.push_back(computable[s] ? evaluate(*spec.set[s].second, *inst) : std::nullopt);
        }
    }
    if (fetching) {
        spec.returning = table.primary_key;
        for (const auto& [column, value_node] : spec.set) spec.returning.push_back(column);
    }

    const auto compiled = compile_bulk_dml(spec, bound_engine().dialect());
    auto result = conn().execute_values(compiled.sql, compiled.params);
    std::int64_t count = 0;
    if (fetching) {
        const auto keys = table.primary_key.size();
        std::vector<value> key(keys);
        for (; result.has_row(); result.next()) {
            ++count;
            const auto row = result.current();
            for (std::size_t k = 0; k < keys; ++k) key[k] = value::from(row[k]);
            auto inst = lookup(table, key_of_values(key));
            if (!inst || inst->deleted) continue;
            matched.push_back(inst);
            if (spec.is_delete) continue;
            auto& values = new_values.emplace_back();
            for (std::size_t s = 0; s < spec.set.size(); ++s) values.emplace_back(value::from(row[keys + s]));
        }
    } else {
        count = result.rows_affected();
    }
    if (sync == synchronize_session::none) return count;

    // The objects take what the statement did.
    std::vector<std::size_t> set_columns;
    for (const auto& [column, value_node] : spec.set) set_columns.push_back(column);
    for (std::size_t m = 0; m < matched.size(); ++m) {
        auto& inst = *matched[m];
        if (spec.is_delete) {
            if (inst.marked_for_delete) {  // remove()d, not flushed (autoflush off): its row is gone already
                inst.marked_for_delete = false;
                std::erase_if(to_delete_, [&](const auto& p) { return p.get() == &inst; });
            }
            inst.deleted = true;
            remove_from_identity(inst);
            deleted_.push_back(matched[m]);
            bulk_log_.push_back({matched[m], true, {}});
            continue;
        }
        std::vector<std::size_t> expire_columns;
        for (std::size_t s = 0; s < spec.set.size(); ++s) {
            const auto c = spec.set[s].first;
            if (inst.expired && (!inst.has_expired_columns() || inst.column_expired(c))) continue;  // reloads anyway
            const auto& v = new_values[m][s];
            bool written = false;
            if (v) {
                try {
                    table.columns[c].read(v->view(), inst.object());
                    if (auto* snapshot = inst.snapshot()) table.ops->update(*snapshot, inst.object(), c);
                    written = true;
                } catch (const ConversionError&) {  // the member cannot hold it: the database's value is read later
                }
            }
            if (!written) expire_columns.push_back(c);
        }
        if (!expire_columns.empty()) expire(inst, expire_columns, {});
        // A relationship whose key the statement changed loads again.
        for (const auto& r : table.relationships) {
            const auto& fk = link_key(r, table);
            const auto& own = r.kind == relationship_kind::many_to_one ? fk.columns : fk.target_columns;
            if (std::any_of(own.begin(), own.end(), [&](std::size_t c) {
                    return std::find(set_columns.begin(), set_columns.end(), c) != set_columns.end();
                }))
                member_of(inst, r).unload();
        }
        bulk_log_.push_back({matched[m], false, set_columns});
    }
    // evaluate could not tell whether these match: what the statement set reloads.
    for (auto& inst : unknown) {
        if (spec.is_delete) expire(*inst);
        else expire(*inst, set_columns, {});
    }
    return count;
}

ALCHEMY_INLINE void session_core::undo_bulk(std::size_t from) {
    // Newest first: an object deleted after an update is put back, then expired.
    for (auto n = bulk_log_.size(); n-- > from;) {
        auto& entry = bulk_log_[n];
        auto& inst = *entry.inst;
        if (inst.owner() != this) continue;  // expunged since
        if (entry.deleted) {
            if (!inst.deleted) continue;
            inst.deleted = false;
            auto& objects = objects_of(*inst.table());
            if (objects.map.find(inst.key)) {  // another object holds its key now
                inst.clear_owner();
                continue;
            }
            inst.set_home(objects.home);
            objects.map.put(inst.key, entry.inst);
        } else if (!entry.columns.empty() && inst.has_identity && !inst.deleted) {
            expire(inst, entry.columns, {});
        }
    }
    bulk_log_.erase(bulk_log_.begin() + static_cast<std::ptrdiff_t>(from), bulk_log_.end());
    std::erase_if(deleted_, [](const auto& p) { return !p->deleted; });
}

}  // namespace alchemy::detail
