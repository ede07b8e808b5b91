// alchemy/detail/orm/relationship_base.hpp — what the session sees of a
// relationship member (relationship<> or backref<>), whatever its type.
//
// A relationship member lives inside its object. When the object is put
// behind a ptr (or loaded by a session) the member is *bound*: it learns its
// owning instance and its relationship_info, and from then on its links are
// uncounted pointers inside the owner's group (instance.hpp). A member of a
// loose T (a value not behind a ptr) is unbound and holds counted ptrs.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

namespace alchemy {

struct relationship_info;

namespace detail {

struct instance_base;

/// Changes of a collection since the last flush, on the side the user
/// changed (the mirrored side records nothing, so each change is written once).
struct collection_changes {
    std::vector<instance_base*> added;
    std::vector<instance_base*> removed;
};

/// Takes `item` out of `added` or `removed` (an object is in each at most
/// once); false if it was not there. The newest entry is looked at first, so
/// undoing the latest changes (clear() after appends, appends after clear())
/// costs O(1) per object, not a scan.
inline bool take_change(std::vector<instance_base*>& changes, const instance_base* item) {
    if (!changes.empty() && changes.back() == item) {
        changes.pop_back();
        return true;
    }
    return std::erase(changes, item) != 0;
}

/// The members of a large collection, so that append() can refuse a
/// duplicate without scanning: with a scan per append, building a collection
/// of n objects would cost O(n^2). Collections up to
/// collection_index_threshold objects are scanned (cheaper than hashing).
using member_index = boost::unordered_flat_set<const instance_base*>;
inline constexpr std::size_t collection_index_threshold = 32;

struct relationship_base {
    instance_base* owner = nullptr;            // null: a member of a loose T
    const relationship_info* info = nullptr;
    bool loaded = true;                        // false: load on first access
    bool changed = false;                      // many-to-one: assigned since the last flush
    std::unique_ptr<collection_changes> changes;  // collections: appended/removed since the last flush

    relationship_base() = default;
    relationship_base(const relationship_base&) noexcept {}  // a copy is loose: no owner, no history
    relationship_base& operator=(const relationship_base&) noexcept { return *this; }

    /// Binds the member to its object (see the top of this file); what a loose
    /// member held is linked again through the owner, with the usual sync.
    virtual void bind(instance_base& owner, const relationship_info& info) = 0;
    /// The related objects as loaded (collection: its items; reference: 0 or 1).
    virtual std::size_t item_count() const noexcept = 0;
    virtual instance_base* item(std::size_t i) const noexcept = 0;
    /// Adds a related object without sync or history (loading, mirroring).
    /// A reference replaces its target.
    virtual void put_item(instance_base* item) = 0;
    /// put_item for an object known not to be there yet (the rows of a
    /// one-to-many load name each child once): no scan, so loading n
    /// objects costs O(n), not O(n^2).
    virtual void put_new_item(instance_base* item) = 0;
    /// Removes a related object without sync or history; false if absent.
    virtual bool take_item(instance_base* item) = 0;
    /// Forgets what was loaded (expiry): the next access loads again.
    virtual void unload() noexcept = 0;

    /// Whether `i` is among the related objects as loaded: a scan of the
    /// member's own storage, or a lookup in a large collection's index (built
    /// on first use, so it may allocate).
    virtual bool has_item(const instance_base* i) const = 0;
    collection_changes& history() {
        if (!changes) changes = std::make_unique<collection_changes>();
        return *changes;
    }
    bool has_changes() const noexcept {
        return changed || (changes && (!changes->added.empty() || !changes->removed.empty()));
    }
    void clear_changes() noexcept {
        changed = false;
        changes.reset();
    }

protected:
    ~relationship_base() = default;
};

}  // namespace detail
}  // namespace alchemy
