// alchemy/detail/orm/impl/links.ipp — definitions of detail/orm/links.hpp's non-template functions
// (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/links.hpp>
#include <alchemy/errors.hpp>

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

ALCHEMY_INLINE void throw_several_for_one_to_one(const instance_base& owner, const relationship_info& info) {
    throw MultipleResultsFound(fmt::format(
        "alchemy: {}.{} is a one-to-one (relationship_one) but several {} rows refer to the {} with key {}: make the foreign key "
        "unique, or map a relationship<> to read them all",
        owner.table()->struct_name, info.member, info.target().struct_name, owner.table()->struct_name,
        owner.describe_key()));
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

ALCHEMY_INLINE void scalar_collection_assign(relationship_base& self, instance_base* item) {
    auto& owner = *self.owner();
    const auto& info = *self.info();
    auto* held = self.item_count() ? self.item(0) : nullptr;
    if (held == item) return;
    if (item && owner.owner()) owner.owner()->before_link(owner, info, item);  // may throw: nothing changed yet
    if (held) collection_remove(self, *held);
    if (item) collection_append(self, *item);
}

ALCHEMY_INLINE void reference_assign(relationship_base& self, instance_base* target) {
    auto& child = *self.owner();
    const auto& info = *self.info();
    auto* old = current_target(self, child);
    if (self.is_loaded() && old == target) return;
    const auto* reverse = reverse_side(info);
    const bool one_to_one = reverse && !reverse->uselist;
    // The object a one-to-one `target` holds is unlinked, so it must be known:
    // loaded now (one SELECT) when it is not, before anything changes.
    if (one_to_one && target && target->has_identity && target->owner()) {
        auto& other = member_of(*target, *reverse);
        if (!other.is_loaded()) load_relationship(other);
    }
    if (child.owner() && target) child.owner()->before_link(child, info, target);
    if (reverse) {
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
            if (collection.is_loaded()) {
                if (one_to_one && collection.item_count() && collection.item(0) != &child)
                    collection_remove(collection, *collection.item(0));  // the object it held is unlinked
                collection.put_item(&child);
            } else {
                queue(*target);
            }
        }
    }
    self.put_item(target);
    self.set_loaded(true);
    self.set_changed(true);
    if (target) join_groups(&child, target);
    if (child.owner()) child.owner()->after_link(child, info, target);
    // Taken from a delete-orphan parent with no new one: a pending orphan leaves the session now.
    if (old && !target && reverse && reverse->cascades(cascade::delete_orphan) && child.owner() && !child.has_identity)
        child.owner()->expunge_orphan(child);
}

}  // namespace alchemy::detail
