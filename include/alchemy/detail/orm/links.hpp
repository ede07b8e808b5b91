// alchemy/detail/orm/links.hpp — the in-memory side of relationships: keeping
// both sides of a link in sync when a collection is appended to or a
// many-to-one assigned, and lazy loading. It needs no session: an object's
// session, if any, is reached through instance_owner (instance.hpp), so
// relationship.hpp compiles against this header without the driver.
// (The session's side: detail/orm/session_core.hpp; flushing the links:
// unit_of_work.hpp.)
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/detail/orm/relationship_base.hpp>
#include <alchemy/mapping.hpp>

namespace alchemy::detail {

inline relationship_base& member_of(instance_base& i, const relationship_info& info) {
    return info.access(i.object());
}

/// The relationship on the other side of `info` (back_populates), or null.
inline const relationship_info* reverse_side(const relationship_info& info) {
    return info.has_reverse() ? &info.target().relationships[info.reverse] : nullptr;
}

/// MultipleResultsFound: the database holds several rows for `owner`'s one-to-one `info`.
[[noreturn]] void throw_several_for_one_to_one(const instance_base& owner, const relationship_info& info);

/// Puts `item`, just loaded from the database, into `owner`'s relationship
/// `info` (lazy, select-IN and joined loads): the two join one lifetime
/// group, and a one-to-many child's many-to-one back to `owner` is known
/// (loaded) too. `once`: the item cannot be in the collection yet (a one-to-many
/// SELECT names each item once, or the item was just made from its row), so
/// the collection is not scanned for it.
inline void attach_loaded(instance_base& owner, const relationship_info& info, instance_base& item, bool once) {
    auto& m = member_of(owner, info);
    if (info.kind == relationship_kind::one_to_many && !info.uselist && m.item_count() != 0 && m.item(0) != &item)
        throw_several_for_one_to_one(owner, info);
    if (once) m.put_new_item(&item);
    else m.put_item(&item);
    join_groups(&owner, &item);
    if (info.kind != relationship_kind::one_to_many) return;
    if (const auto* reverse = reverse_side(info)) {
        auto& back = member_of(item, *reverse);
        if (!back.is_loaded()) {
            back.put_item(&owner);
            back.set_loaded(true);
        }
    }
}

/// The foreign key that links the two sides of `info`, declared on `owner`'s table.
const foreign_key_info& link_key(const relationship_info& info, const table_info& owner);

/// The object a many-to-one member currently points to, without SQL: the
/// loaded target, or the identity-mapped object its foreign key names.
inline instance_base* current_target(const relationship_base& m, instance_base& child) {
    if (m.is_loaded()) return m.item_count() ? m.item(0) : nullptr;
    return child.owner() ? child.owner()->mapped_target(child, *m.info()) : nullptr;
}

void load_relationship(relationship_base& m);

/// collection.append(item) on a bound collection.
void collection_append(relationship_base& self, instance_base& item);

/// collection.remove(item) on a bound collection (item is in it).
void collection_remove(relationship_base& self, instance_base& item);

/// relationship_one = item (or null) on a bound, loaded one-to-one: the object
/// it held is removed, `item` appended.
void scalar_collection_assign(relationship_base& self, instance_base* item);

/// backref = target (or null) on a bound many-to-one.
void reference_assign(relationship_base& self, instance_base* target);

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/links.ipp>
#endif
