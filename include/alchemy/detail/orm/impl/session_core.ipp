// alchemy/detail/orm/impl/session_core.ipp — definitions of detail/orm/session_core.hpp's non-template functions (see
// detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/address_order.hpp>
#include <alchemy/detail/orm/session_core.hpp>

#include <algorithm>
#include <functional>
#include <new>
#include <vector>

namespace alchemy {
namespace detail {

ALCHEMY_INLINE session_core::session_core(engine e, session_options options)
    : engine_(std::move(e)), options_(std::move(options)), statements_(engine_.dialect()) {}

ALCHEMY_INLINE session_core::~session_core() { close(); }

ALCHEMY_INLINE void session_core::run_hooks(const std::vector<session_events::hook>& hooks) {
    if (hooks.empty() || !public_) return;
    const auto copy = hooks;  // a hook may register another
    for (const auto& hook : copy) hook(*public_);
}

ALCHEMY_INLINE void session_core::touch_first(instance_base& i) {
    i.touched = true;
    if (i.has_identity && !i.snapshot()) i.set_snapshot(i.take_snapshot());
    if (i.has_identity && !i.deleted) touched_.push_back(instance_ref(&i));
}

ALCHEMY_INLINE session_core::table_objects& session_core::find_objects_of(const table_info& table) {
    if (auto it = identity_.find(&table); it != identity_.end()) return *(last_objects_ = it->second.get());
    auto made = std::make_unique<table_objects>(table, *this);
    auto& objects = *made;
    identity_.emplace(&table, std::move(made));
    return *(last_objects_ = &objects);
}

ALCHEMY_INLINE void session_core::add(const instance_ref& inst) {
    if (attach(inst) && !inst->table()->relationships.empty()) cascade_add(*inst);
}

ALCHEMY_INLINE bool session_core::attach(const instance_ref& inst) {
    auto& i = *inst;
    if (i.owner() && i.owner() != this)
        throw InvalidRequestError(fmt::format(
            "alchemy: Object '{}' is already attached to another session; expunge it there (or close that "
            "session) before adding it to this one",
            i.describe()));
    if (i.deleted && i.owner() == this)
        throw InvalidRequestError(fmt::format(
            "alchemy: Instance '{}' has been deleted. Use the make_transient() function to send this object "
            "back to the transient state.",
            i.describe()));
    if (i.owner() == this) {
        if (i.marked_for_delete) {  // add() cancels a delete that was not flushed yet
            i.marked_for_delete = false;
            std::erase(to_delete_, inst);
        }
        return false;
    }
    if (i.has_identity && !i.deleted) {  // detached -> persistent
        auto& objects = objects_of(*i.table());
        auto& map = objects.map;
        if (auto* held = map.find(i.key); held && *held != inst)
            throw InvalidRequestError(fmt::format(
                "alchemy: Can't attach instance {}; another instance with key {} is already present in this "
                "session.",
                i.describe(), i.describe_key()));
        map.put(i.key, inst);
        i.set_home(objects.home);
        if (i.touched) touched_.push_back(inst);
        return true;
    }
    if (i.deleted) {  // deleted in another (closed) session
        throw InvalidRequestError(fmt::format(
            "alchemy: Instance '{}' has been deleted. Use the make_transient() function to send this object "
            "back to the transient state.",
            i.describe()));
    }
    auto& objects = objects_of(*i.table());
    pending_.push_back(inst);  // (first: an object the session owns is always in one of its lists)
    i.set_home(objects.home);  // transient -> pending
    return true;
}

ALCHEMY_INLINE void session_core::remove(const instance_ref& inst) {
    auto& i = *inst;
    if (i.owner() != this || !i.has_identity || i.deleted)
        throw InvalidRequestError(fmt::format("alchemy: Instance '{}' is not persisted{}", i.describe(),
                                              i.owner() && i.owner() != this ? " in this session" : ""));
    if (i.marked_for_delete) return;
    i.marked_for_delete = true;
    to_delete_.push_back(inst);
    if (!i.table()->relationships.empty()) cascade_remove(i);
}

ALCHEMY_INLINE void session_core::expunge(const instance_ref& inst) {
    auto& i = *inst;
    if (i.owner() != this)
        throw InvalidRequestError(fmt::format("alchemy: Instance {} is not present in this Session", i.describe()));
    const auto related = related_with(i, cascade::expunge);
    if (i.has_identity) remove_from_identity(i);  // get() must not find it any more
    detach(i);
    std::erase(pending_, inst);
    std::erase(touched_, inst);
    std::erase(to_delete_, inst);
    std::erase(deleted_, inst);
    std::erase(transaction_, inst);  // a later rollback no longer concerns it
    i.inserted_in_transaction = i.deleted_in_transaction = i.listed_in_transaction = i.key_generated = false;
    i.reset_transaction_snapshot();
    for (auto* r : related)
        if (r->owner() == this) expunge(instance_ref(r));
}

ALCHEMY_INLINE instance_ref session_core::get(const table_info& table, std::span<const value> key,
                                              instance_ref (*make)(instance_arena*)) {
    if (key.size() != table.primary_key.size())
        throw InvalidRequestError(fmt::format(
            "alchemy: Incorrect number of values in identifier to formulate primary key for session.get(); "
            "table '{}' has a primary key of {} column(s), {} value(s) were given",
            table.name, table.primary_key.size(), key.size()));
    const auto encoded = key_of_values(key);
    if (auto found = lookup(table, encoded)) {
        if (found->expired) {
            if (!load(*found)) return nullptr;
        }
        return found;
    }
    autoflush();
    auto result = conn().execute_values(statements_.select_by_key(table), key);
    if (!result.has_row()) return nullptr;
    return adopt(table, result.current(), make);
}

ALCHEMY_INLINE instance_ref session_core::adopt(const table_info& table, const row& r, instance_ref (*make)(instance_arena*),
                                                std::size_t first, bool* made) {
    return adopt<row>(table, r, make, first, made);
}

ALCHEMY_INLINE void session_core::expunge_all() {
    // The handles are dropped in address order, not in the identity map's
    // hash order: objects loaded or added one after another were allocated
    // one after another, and freeing them in that order lets the allocator
    // merge each with the neighbour it just freed, still in cache. For
    // 100,000 objects that halves the session's teardown (address_order.hpp
    // says why the sort is a radix sort). Sorting needs a vector; without
    // memory for it, hash order it is.
    std::size_t count = 0;
    for (const auto& [table, objects] : identity_) count += objects->map.size();
    std::vector<instance_base*> by_address;  // each holds the handle the map held
    try {
        by_address.reserve(count);
    } catch (const std::bad_alloc&) {
    }
    for (auto& [table, objects] : identity_)
        objects->map.for_each([&](instance_ref& inst) {
            if (by_address.size() < by_address.capacity()) {
                by_address.push_back(inst.into_raw());
                return;
            }
            detach(*inst);
            inst = nullptr;
        });
    sort_by_address(by_address);
    for (auto* inst : by_address) {  // (a group is freed only once all its handles are gone)
        detach(*inst);
        release(inst);
    }
    for (auto& inst : pending_) detach(*inst);
    for (auto& inst : deleted_) detach(*inst);
    identity_.clear();
    last_objects_ = nullptr;
    pending_.clear();
    touched_.clear();
    to_delete_.clear();
    deleted_.clear();
    transaction_.clear();
}

ALCHEMY_INLINE bool session_core::load(instance_base& i) {
    autoflush();
    std::vector<value> key;
    for (auto k : i.table()->primary_key) key.push_back(i.column_value_of(k));
    auto result = conn().execute_values(statements_.select_by_key(*i.table()), key);
    if (!result.has_row()) return false;
    fill_expired(i, result.current());
    return true;
}

ALCHEMY_INLINE void session_core::ensure_loaded(instance_base& i) {
    if (!i.expired) return;
    if (!load(i))
        throw ObjectDeletedError(fmt::format(
            "alchemy: Instance '{}' has been deleted, or its row is otherwise not present.", i.describe()));
}

ALCHEMY_INLINE void session_core::expire(instance_base& i, std::span<const std::string_view> columns) {
    check_owned(i, "expire");
    if (!i.has_identity)
        throw InvalidRequestError(fmt::format(
            "alchemy: Instance {} is not persistent within this Session: a pending object has nothing to reload",
            i.describe()));
    if (columns.empty()) {
        const auto related = related_with(i, cascade::refresh_expire);
        unload_relationships(i);
        for (auto* r : related)
            if (r->owner() == this && r->has_identity && !r->expired) expire(*r);
        i.expired = true;
        i.reset_snapshot_and_expiry();
        i.touched = false;
        std::erase_if(touched_, [&](const auto& p) { return p.get() == &i; });
        return;
    }
    std::vector<std::size_t> indices;  // every name checked before anything changes
    for (auto name : columns)
        indices.push_back(static_cast<std::size_t>(&i.table()->column(name) - i.table()->columns.data()));
    expire(i, indices, {});
}

ALCHEMY_INLINE void session_core::expire(instance_base& i, std::span<const std::size_t> columns,
                                         std::span<const std::size_t> relationships) {
    check_owned(i, "expire");
    if (!i.has_identity)
        throw InvalidRequestError(fmt::format(
            "alchemy: Instance {} is not persistent within this Session: a pending object has nothing to reload",
            i.describe()));
    // Its changes go with it, as with a whole expiry; the objects it held stay in the session.
    for (auto r : relationships) member_of(i, i.table()->relationships[r]).unload();
    if (columns.empty()) return;
    if (i.expired && !i.has_expired_columns()) return;  // wholly expired already
    if (!i.expired) i.start_partial_expiry();
    for (auto c : columns) {
        i.flag_expired_column(c);
        // Its unflushed change is discarded: back to the compared value, so no flush writes it.
        if (auto* snapshot = i.snapshot()) i.table()->ops->restore(i.object(), *snapshot, c);
    }
    i.expired = true;
}

ALCHEMY_INLINE void session_core::refresh(instance_base& i, std::span<const std::size_t> columns,
                                          std::span<const std::size_t> relationships) {
    check_owned(i, "refresh");
    if (!i.has_identity)
        throw InvalidRequestError(fmt::format("alchemy: Instance '{}' is not persistent within this Session",
                                              i.describe()));
    autoflush();  // before the values are read back, as refresh() of the whole object
    expire(i, columns, relationships);
    if (!columns.empty()) ensure_loaded(i);
    for (auto r : relationships) {
        const auto& info = i.table()->relationships[r];
        if (!member_of(i, info).is_loaded()) {
            const internal_load_scope internal(*this);  // refresh() asked for it: not refused by raiseload
            load_relationship(i, info);
        }
    }
}

ALCHEMY_INLINE void session_core::expire_all() {
    for (auto& entry : identity_) {
        const bool has_relationships = !entry.first->relationships.empty();
        entry.second->map.for_each([&](instance_ref& inst) {
            if (has_relationships) unload_relationships(*inst);
            inst->expired = true;
            inst->reset_snapshot_and_expiry();
            inst->touched = false;
        });
    }
    touched_.clear();
}

ALCHEMY_INLINE void session_core::refresh(instance_base& i) {
    check_owned(i, "refresh");
    if (!i.has_identity)
        throw InvalidRequestError(fmt::format("alchemy: Instance '{}' is not persistent within this Session",
                                              i.describe()));
    const auto related = related_with(i, cascade::refresh_expire);
    unload_relationships(i);
    i.expired = true;
    i.reset_snapshot_and_expiry();
    i.touched = false;
    std::erase_if(touched_, [&](const auto& p) { return p.get() == &i; });
    ensure_loaded(i);
    for (auto* r : related)
        if (r->owner() == this && r->has_identity && !r->expired) refresh(*r);
}

ALCHEMY_INLINE void session_core::rollback() {
    const bool rolled_back = conn_.has_value();  // after_rollback follows a real ROLLBACK only (SQLAlchemy)
    if (conn_) conn_->rollback();
    drop_savepoints();
    forget_written();
    undo_bulk(0);  // (everything expires below)
    // SQLAlchemy 9.1: pending and inserted objects become transient,
    // flushed deletes persistent again, everything else is expired.
    for (auto& inst : pending_) detach(*inst);
    pending_.clear();
    for (auto& inst : transaction_) {
        if (inst->inserted_in_transaction) {
            remove_from_identity(*inst);
            inst->has_identity = false;  // before detach(): a transient object is never expired
            inst->deleted = false;       // inserted and deleted in the transaction: transient too
            inst->clear_expired_columns();
            detach(*inst);
        } else if (inst->deleted_in_transaction) {
            inst->deleted = false;
            inst->marked_for_delete = false;
            auto& objects = objects_of(*inst->table());
            inst->set_home(objects.home);
            objects.map.put(inst->key, inst);
        }
        inst->inserted_in_transaction = inst->deleted_in_transaction = false;
        inst->listed_in_transaction = false;
        inst->key_generated = false;
        inst->reset_transaction_snapshot();
    }
    for (auto& inst : to_delete_) inst->marked_for_delete = false;
    to_delete_.clear();
    deleted_.clear();
    transaction_.clear();
    expire_all();
    conn_.reset();
    if (rolled_back) run_hooks(options_.events.after_rollback);
}

ALCHEMY_INLINE void session_core::close() noexcept {
    try {
        if (conn_) conn_->rollback();
    } catch (...) {
    }
    drop_savepoints();
    for (auto& inst : transaction_) {
        if (inst->inserted_in_transaction) {  // its row was rolled back
            inst->has_identity = false;
            inst->deleted = false;
        }
        if (inst->deleted_in_transaction) inst->deleted = false;  // its DELETE too: detached, not deleted
        inst->inserted_in_transaction = inst->deleted_in_transaction = false;
        inst->listed_in_transaction = false;
        inst->key_generated = false;
        inst->reset_transaction_snapshot();
    }
    for (auto& entry : bulk_log_)
        if (entry.deleted) entry.inst->deleted = false;  // a bulk DELETE, rolled back as well
    bulk_log_.clear();
    forget_written();
    expunge_all();
    conn_.reset();
}

ALCHEMY_INLINE void session_core::register_batch(std::vector<instance_base*> members, load_overrides overrides) {
    if (overrides.empty() && (!options_.batch_lazy_loads || members.size() < 2)) return;
    if (members.empty() || members.size() > UINT32_MAX) return;  // (batch_index is 32 bits) such a query loads one at a time
    const batch_ref batch(new load_batch{std::move(members), 0, std::move(overrides)});
    for (std::size_t i = 0; i < batch->members.size(); ++i) {
        auto* m = batch->members[i];
        if (m->batch) m->batch->members[m->batch_index] = nullptr;
        m->batch = batch;
        m->batch_index = static_cast<std::uint32_t>(i);
    }
}

ALCHEMY_INLINE void session_core::discard_changes(instance_base& i) {
    unload_relationships(i);
    i.reset_snapshot_and_expiry();
    if (i.touched) {
        i.touched = false;
        std::erase_if(touched_, [&](const auto& p) { return p.get() == &i; });
    }
}

ALCHEMY_INLINE void session_core::check_owned(const instance_base& i, const char* what) const {
    if (i.owner() != this)
        throw InvalidRequestError(fmt::format("alchemy: cannot {} instance {}: it is not in this session", what,
                                              i.describe()));
}

ALCHEMY_INLINE void session_core::remember_written_key(instance_base& child, std::size_t column, const value& written) {
    written_keys_.push_back({instance_ref(&child), column, child.column_value_of(column), written});
}

ALCHEMY_INLINE void session_core::remember_written_links(const std::vector<relationship_base*>& members) {
    written_links_.reserve(written_links_.size() + members.size());
    for (auto* m : members) {
        written_links_.push_back({instance_ref(m->owner()), m, m->changed(), m->take_changes()});
        m->clear_changes();
    }
}

ALCHEMY_INLINE void session_core::restore_written(std::size_t links_from, std::size_t keys_from) {
    // Foreign keys the flushes wrote, newest first, unless changed since: a
    // key they name may be gone with the transaction. The links below write
    // them again.
    for (auto w = written_keys_.rbegin(); w != written_keys_.rend() - static_cast<std::ptrdiff_t>(keys_from); ++w)
        if (w->child->column_equals(w->column, w->written))
            w->child->table()->columns[w->column].read(w->before.view(), w->child->object());
    // The relationship changes the flushes consumed come back under the ones
    // made since (so an object appended, flushed and then removed again is
    // neither): newest first, each under what is there.
    for (auto w = written_links_.rbegin(); w != written_links_.rend() - static_cast<std::ptrdiff_t>(links_from); ++w) {
        if (w->owner->owner() != this) continue;  // expunged since: not this session's to write
        auto& m = *w->member;
        m.set_changed(m.changed() || w->changed);
        if (w->changes) {
            auto newer = m.take_changes();
            m.put_changes(std::move(w->changes));
            if (newer) {
                auto& changes = *m.changes();
                for (auto* item : newer->removed)
                    if (!take_change(changes.added, item)) changes.removed.push_back(item);
                for (auto* item : newer->added)
                    if (!take_change(changes.removed, item)) changes.added.push_back(item);
            }
        }
        // The next flush looks for changes on pending and touched objects.
        if (w->owner->has_identity && !w->owner->deleted && !w->owner->touched) touch_first(*w->owner);
    }
    written_links_.erase(written_links_.begin() + static_cast<std::ptrdiff_t>(links_from), written_links_.end());
    written_keys_.erase(written_keys_.begin() + static_cast<std::ptrdiff_t>(keys_from), written_keys_.end());
    queued_links_.clear();  // (a flush cleared it when the written entries began)
}

ALCHEMY_INLINE void session_core::commit() {
    flush();
    if (conn_) {
        try {
            conn_->commit();
        } catch (...) {
            // Gone with the failed COMMIT (nothing was committed): back to the
            // start, ready for another commit(). Still open: left as it is.
            if (conn_ && !conn_->in_transaction()) restore_transaction_start({});
            throw;
        }
    }
    end_transaction();
    run_hooks(options_.events.after_commit);
}

ALCHEMY_INLINE void session_core::end_transaction() {
    drop_savepoints();  // released with the COMMIT
    forget_written();
    bulk_log_.clear();  // its deleted objects are in deleted_, detached below
    for (auto& inst : deleted_) {
        inst->clear_owner();
    }
    deleted_.clear();
    for (auto& inst : transaction_) {
        inst->inserted_in_transaction = inst->deleted_in_transaction = false;
        inst->listed_in_transaction = false;
        inst->key_generated = false;
        inst->reset_transaction_snapshot();
    }
    transaction_.clear();
    if (options_.expire_on_commit) {
        expire_all();
    } else {
        for (auto& inst : touched_) {
            inst->touched = false;
            inst->reset_snapshot();
        }
        touched_.clear();
    }
    conn_.reset();
}

ALCHEMY_INLINE void session_core::restore_transaction_start(const std::vector<instance_ref>& generated) {
    restore_listed(0, 0, 0, generated);
    undo_bulk(0);
    drop_savepoints();  // they went with the transaction
    conn_.reset();
}

ALCHEMY_INLINE void session_core::restore_listed(std::size_t from, std::size_t links_from, std::size_t keys_from,
                                                 const std::vector<instance_ref>& generated) {
    for (auto& inst : generated) {  // keys this flush wrote into objects
        if (inst->key_generated && !inst->inserted_in_transaction) reset_generated_key(*inst);
    }
    std::vector<instance_ref> back_to_pending;
    for (auto n = from; n < transaction_.size(); ++n) {
        auto& inst = transaction_[n];
        if (inst->inserted_in_transaction) {
            remove_from_identity(*inst);
            inst->has_identity = false;
            inst->touched = false;
            inst->expired = false;  // server defaults to reload: there is no row any more
            inst->reset_snapshot_and_expiry();
            if (inst->key_generated) reset_generated_key(*inst);
            if (inst->deleted) {  // inserted and deleted in the transaction: nothing to write
                inst->deleted = false;
                detach(*inst);
            } else {
                back_to_pending.push_back(inst);
            }
        } else if (inst->deleted_in_transaction) {
            inst->deleted = false;
            inst->marked_for_delete = true;
            auto& objects = objects_of(*inst->table());
            inst->set_home(objects.home);
            objects.map.put(inst->key, inst);
            to_delete_.push_back(inst);
        }
        if (inst->transaction_snapshot()) {  // flushed UPDATEs are undone: diff against the old row
            inst->transaction_snapshot_to_snapshot();
            if (!inst->touched) {
                inst->touched = true;
                touched_.push_back(inst);
            }
        }
        inst->inserted_in_transaction = inst->deleted_in_transaction = false;
        inst->listed_in_transaction = false;
        inst->key_generated = false;
    }
    std::erase_if(deleted_, [](const auto& p) { return !p->deleted; });
    std::erase_if(touched_, [](const auto& p) { return !p->has_identity; });  // pending again
    restore_written(links_from, keys_from);
    transaction_.erase(transaction_.begin() + static_cast<std::ptrdiff_t>(from), transaction_.end());
    // Re-queue formerly flushed inserts ahead of the still-pending ones: that
    // is the order they were added in, since each flush lists its inserts in
    // transaction_ in pending_'s order and takes every object pending then.
    back_to_pending.insert(back_to_pending.end(), pending_.begin(), pending_.end());
    pending_ = std::move(back_to_pending);
}

// ---- savepoints -------------------------------------------------------------------------

ALCHEMY_INLINE std::size_t session_core::savepoint_index(std::uint64_t id) const noexcept {
    for (std::size_t n = 0; n < savepoints_.size(); ++n)
        if (savepoints_[n].id == id) return n;
    return savepoints_.size();
}

ALCHEMY_INLINE bool session_core::nested_active(std::uint64_t id) const noexcept {
    const auto n = savepoint_index(id);
    return n < savepoints_.size() && savepoints_[n].tx && savepoints_[n].tx->is_active();
}

ALCHEMY_INLINE std::uint64_t session_core::begin_nested() {
    flush();  // the savepoint starts from what the session holds (SQLAlchemy flushes too)
    auto& c = conn();
    savepoint_state sp;
    sp.id = ++last_savepoint_id_;
    sp.tx.emplace(c.begin_nested());
    sp.listed = transaction_.size();
    sp.written_links = written_links_.size();
    sp.written_keys = written_keys_.size();
    sp.bulk = bulk_log_.size();
    savepoints_.push_back(std::move(sp));
    return savepoints_.back().id;
}

ALCHEMY_INLINE void session_core::commit_nested(std::uint64_t id) {
    follow_database();
    if (!nested_active(id))
        throw InvalidRequestError(
            "alchemy: this savepoint is no longer active: it was committed or rolled back, or the session's "
            "transaction ended");
    flush();  // a failure goes back to the innermost savepoint's start, which stays open
    for (auto n = savepoint_index(id); savepoints_.size() > n;) {
        savepoints_.back().tx->commit();  // RELEASE SAVEPOINT
        if (savepoints_.size() > 1) fold_savepoint_into_parent();  // its work is the enclosing one's now
        savepoints_.pop_back();
    }
}

ALCHEMY_INLINE void session_core::rollback_nested(std::uint64_t id) {
    follow_database();
    const auto n = savepoint_index(id);
    if (n == savepoints_.size()) return;
    // Those begun inside it go with it: their records fold into its own, and
    // their SAVEPOINTs with the ROLLBACK TO (their handles kept until then,
    // so that none is released on the way).
    std::vector<std::optional<transaction>> inner;
    while (savepoints_.size() > n + 1) {
        inner.push_back(std::move(savepoints_.back().tx));
        fold_savepoint_into_parent();
        savepoints_.pop_back();
    }
    auto& sp = savepoints_.back();
    try {
        sp.tx->rollback();  // ROLLBACK TO SAVEPOINT, RELEASE SAVEPOINT
    } catch (...) {
        // The connection failed: nothing of the transaction can be trusted.
        rollback();
        throw;
    }
    inner.clear();
    restore_savepoint_objects(sp, {});
    // SQLAlchemy's rules from here: what was added inside it is transient,
    // what was deleted inside it persistent, what was changed inside it
    // expires (the rows hold the values it began with). Nothing else was
    // pending, marked or touched when it began.
    boost::unordered_flat_set<const instance_base*> gone;  // transient now
    for (auto& inst : pending_) {
        gone.insert(inst.get());
        detach(*inst);
    }
    pending_.clear();
    for (auto& inst : to_delete_) inst->marked_for_delete = false;
    to_delete_.clear();
    for (auto& entry : identity_) {
        const auto& table = *entry.first;
        if (table.relationships.empty() && touched_.empty()) continue;
        entry.second->map.for_each([&](instance_ref& inst) {
            bool changed = inst->touched;
            for (const auto& r : table.relationships) changed = changed || member_of(*inst, r).has_changes();
            if (changed) {
                unload_relationships(*inst);
                inst->expired = true;
                inst->reset_snapshot_and_expiry();
                inst->touched = false;
                return;
            }
            // Unchanged, but loaded after a flush inside the savepoint wrote
            // rows it no longer has: such a relationship loads again.
            if (gone.empty()) return;
            for (const auto& r : table.relationships) {
                auto& m = member_of(*inst, r);
                if (!m.is_loaded()) continue;
                for (std::size_t k = 0; k < m.item_count(); ++k)
                    if (gone.contains(m.item(k))) {
                        m.unload();
                        break;
                    }
            }
        });
    }
    touched_.clear();
    savepoints_.pop_back();
    run_hooks(options_.events.after_rollback);
}

ALCHEMY_INLINE bool session_core::restore_savepoint_start(const std::vector<instance_ref>& generated) {
    if (savepoints_.empty() || !conn_ || conn_->needs_rollback() || !conn_->in_transaction()) return false;
    auto& sp = savepoints_.back();
    try {
        sp.tx->rollback();                 // ROLLBACK TO SAVEPOINT, RELEASE SAVEPOINT
        sp.tx.emplace(conn_->begin_nested());  // open again: the savepoint is still the user's
    } catch (...) {
        return false;  // the caller rolls the whole transaction back
    }
    restore_savepoint_objects(sp, generated);
    return true;
}

ALCHEMY_INLINE void session_core::restore_savepoint_objects(savepoint_state& sp,
                                                            const std::vector<instance_ref>& generated) {
    restore_listed(sp.listed, sp.written_links, sp.written_keys, generated);
    undo_bulk(sp.bulk);
    for (auto& [inst, values] : sp.rewritten) {  // compared with the row it began with again
        inst->set_snapshot(std::move(values));
        if (!inst->touched) {
            inst->touched = true;
            touched_.push_back(inst);
        }
    }
    for (auto& inst : sp.deleted_before) {  // marked for deletion again
        inst->deleted = false;
        inst->deleted_in_transaction = false;
        inst->marked_for_delete = true;
        auto& objects = objects_of(*inst->table());
        inst->set_home(objects.home);
        objects.map.put(inst->key, inst);
        to_delete_.push_back(inst);
    }
    std::erase_if(deleted_, [](const auto& p) { return !p->deleted; });
    sp.listed_inside.clear();
    sp.captured.clear();
    sp.rewritten.clear();
    sp.deleted_before.clear();
}

ALCHEMY_INLINE void session_core::fold_savepoint_into_parent() {
    auto& child = savepoints_.back();
    auto& parent = savepoints_[savepoints_.size() - 2];
    // Listed inside the child is listed inside the parent; what the child
    // captured, the parent takes unless it lists or captured the object itself.
    for (const auto* inst : child.listed_inside) parent.listed_inside.insert(inst);
    for (auto& [inst, values] : child.rewritten)
        if (!parent.listed_inside.contains(inst.get()) && parent.captured.insert(inst.get()).second)
            parent.rewritten.emplace_back(inst, std::move(values));
    for (auto& inst : child.deleted_before)
        if (!parent.listed_inside.contains(inst.get())) parent.deleted_before.push_back(inst);
}

ALCHEMY_INLINE void session_core::drop_savepoints() noexcept {
    while (!savepoints_.empty()) {
        if (auto& tx = savepoints_.back().tx) {
            try {
                tx->rollback();  // no SQL once the transaction ended; makes sure no destructor releases it
            } catch (...) {
            }
        }
        savepoints_.pop_back();
    }
}

}  // namespace detail
}  // namespace alchemy
