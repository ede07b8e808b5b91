// alchemy/detail/orm/impl/links.ipp — definitions of detail/orm/links.hpp's non-template functions
// (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/links.hpp>

#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE const foreign_key_info& link_key(const relationship_info& info, const table_info& owner) {
    switch (info.kind) {
        case relationship_kind::one_to_many: return info.target().foreign_keys[info.foreign_key];
        case relationship_kind::many_to_one: return owner.foreign_keys[info.foreign_key];
        case relationship_kind::many_to_many: break;
    }
    return info.secondary().foreign_keys[info.foreign_key];
}

ALCHEMY_INLINE void load_relationship(relationship_base& m) {
    if (m.is_loaded()) return;  // (a loose member always is)
    auto& owner = *m.owner();
    if (!owner.owner()) {
        if (owner.has_identity)
            throw DetachedInstanceError(fmt::format(
                "alchemy: Parent instance {} is not bound to a Session; lazy load operation of attribute '{}' "
                "cannot proceed",
                owner.describe(), m.info()->member));
        m.set_loaded(true);  // a new object: nothing to load
        return;
    }
    owner.owner()->load_relationship(owner, *m.info());
}

ALCHEMY_INLINE void collection_append(relationship_base& self, instance_base& item) {
    auto& owner = *self.owner();
    const auto& info = *self.info();
    if (self.has_item(&item)) return;
    if (owner.owner()) owner.owner()->before_link(owner, info, &item);  // may throw: nothing changed yet
    self.put_new_item(&item);  // checked above: not there yet
    join_groups(&owner, &item);
    auto& history = self.history();
    // Taken out since the last flush and back now: nothing to write.
    if (!take_change(history.removed, &item)) history.added.push_back(&item);
    if (const auto* reverse = reverse_side(info)) {
        auto& back = member_of(item, *reverse);
        if (info.kind == relationship_kind::one_to_many) {  // the child leaves its old parent
            auto* old = current_target(back, item);
            if (old && old != &owner) {
                auto& old_collection = member_of(*old, info);
                if (old_collection.is_loaded()) old_collection.take_item(&item);
                if (auto* changes = old_collection.changes()) take_change(changes->added, &item);
            }
            back.put_item(&owner);
            back.set_loaded(true);
            back.set_changed(true);
        } else if (back.is_loaded()) {
            back.put_item(&owner);
        }
    }
    if (owner.owner()) owner.owner()->after_link(owner, info, &item);
}

ALCHEMY_INLINE void collection_remove(relationship_base& self, instance_base& item) {
    auto& owner = *self.owner();
    const auto& info = *self.info();
    self.take_item(&item);
    auto& history = self.history();
    const bool was_added = take_change(history.added, &item);
    if (!was_added || info.cascades(cascade::delete_orphan)) history.removed.push_back(&item);
    if (const auto* reverse = reverse_side(info)) {
        auto& back = member_of(item, *reverse);
        if (info.kind == relationship_kind::one_to_many) {
            if (current_target(back, item) == &owner) {
                back.put_item(nullptr);
                back.set_loaded(true);
                back.set_changed(true);
            }
        } else if (back.is_loaded()) {
            back.take_item(&owner);
        }
    }
    if (owner.owner()) owner.owner()->after_link(owner, info, &item);
    // A pending orphan leaves the session now, as in SQLAlchemy, not at the next flush.
    if (info.kind == relationship_kind::one_to_many && info.cascades(cascade::delete_orphan) && item.owner() &&
        !item.has_identity)
        item.owner()->expunge_orphan(item);
}

ALCHEMY_INLINE void reference_assign(relationship_base& self, instance_base* target) {
    auto& child = *self.owner();
    const auto& info = *self.info();
    auto* old = current_target(self, child);
    if (self.is_loaded() && old == target) return;
    if (child.owner() && target) child.owner()->before_link(child, info, target);
    if (const auto* reverse = reverse_side(info)) {
        // A collection that is not loaded hears of the change when it loads
        // (through the session, which keeps what its rows cannot say yet).
        const auto queue = [&](instance_base& parent) {
            if (auto* session = child.owner() ? child.owner() : parent.owner()) session->queue_link(parent, *reverse, child);
        };
        if (old && old != target) {
            auto& collection = member_of(*old, *reverse);
            if (collection.is_loaded()) collection.take_item(&child);
            else queue(*old);
            if (auto* changes = collection.changes()) take_change(changes->added, &child);
        }
        if (target) {
            auto& collection = member_of(*target, *reverse);
            if (collection.is_loaded()) collection.put_item(&child);
            else queue(*target);
        }
    }
    self.put_item(target);
    self.set_loaded(true);
    self.set_changed(true);
    if (target) join_groups(&child, target);
    if (child.owner()) child.owner()->after_link(child, info, target);
    // Taken from a delete-orphan parent with no new one: a pending orphan leaves the session now.
    if (const auto* reverse = reverse_side(info); old && !target && reverse &&
                                                  reverse->cascades(cascade::delete_orphan) && child.owner() &&
                                                  !child.has_identity)
        child.owner()->expunge_orphan(child);
}

}  // namespace alchemy::detail
