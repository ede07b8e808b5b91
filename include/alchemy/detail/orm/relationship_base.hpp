// alchemy/detail/orm/relationship_base.hpp — what the session sees of a
// relationship member (relationship<>, backref<> or relationship_one<>), whatever its type.
//
// A relationship member lives inside its object. When the object is put
// behind a ptr (or loaded by a session) the member is *bound*: it learns its
// owning instance and its relationship_info, and from then on its links are
// uncounted pointers inside the owner's group (instance.hpp). A member of a
// loose T (a value not behind a ptr) is unbound and holds counted ptrs.
#pragma once

#include <alchemy/mapping.hpp>

#include <cstddef>
#include <cstdint>
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

struct relationship_base;
struct relationship_block;

/// What the session does to a relationship member without knowing its type
/// (relationship<T, A> or backref<T>): written once per member type
/// (relationship_ops_of) and reached through relationship_info::ops, so the
/// member itself carries no vtable.
struct relationship_ops {
    /// Binds the member to its object (see the top of this file); what a loose
    /// member held is linked again through the owner, with the usual sync.
    void (*bind)(relationship_base& m, const relationship_info& info);
    /// The related objects as loaded (collection: its items; reference: 0 or 1).
    std::size_t (*item_count)(const relationship_base& m) noexcept;
    instance_base* (*item)(const relationship_base& m, std::size_t i) noexcept;
    /// Adds a related object without sync or history (loading, mirroring).
    /// A reference replaces its target.
    void (*put_item)(relationship_base& m, instance_base* item);
    /// put_item for an object known not to be there yet (the rows of a
    /// one-to-many load name each child once): no scan, so loading n
    /// objects costs O(n), not O(n^2).
    void (*put_new_item)(relationship_base& m, instance_base* item);
    /// Removes a related object without sync or history; false if absent.
    bool (*take_item)(relationship_base& m, instance_base* item);
    /// Forgets what was loaded and the changes (expiry): the next access loads again.
    void (*unload)(relationship_base& m) noexcept;
    /// Whether `item` is among the related objects as loaded: a scan of the
    /// member's own storage, or a lookup in a large collection's index (built
    /// on first use, so it may allocate).
    bool (*has_item)(const relationship_base& m, const instance_base* item);
    /// A bound collection's block, created empty if it has none (a reference
    /// has none: the session never asks one for collection changes).
    relationship_block& (*block)(relationship_base& m);
};

template <class Member>
inline constexpr relationship_ops relationship_ops_of{
    &Member::ops_bind,     &Member::ops_item_count, &Member::ops_item,   &Member::ops_put_item,
    &Member::ops_put_new_item, &Member::ops_take_item, &Member::ops_unload, &Member::ops_has_item,
    &Member::ops_block};

template <class Member>
const relationship_ops* relationship_ops_for() noexcept {
    return &relationship_ops_of<Member>;
}

/// What a bound collection holding objects or changes keeps on the heap:
/// relationship<T>'s storage starts with this.
struct alignas(16) relationship_block {
    const relationship_info* info = nullptr;       // null in a loose collection's storage
    std::unique_ptr<collection_changes> changes;   // appended/removed since the last flush
};

/// A relationship member is one word (a backref<> adds the object it points
/// to), so that an object's never-loaded relationships cost 8 bytes each:
///   * loose (a member of a T not behind a ptr): the derived class's own
///     storage pointer (or 0); the bound bit is clear;
///   * bound: the address of its relationship_info, or of its
///     relationship_block once a collection holds objects or changes, with
///     the tag bits below. Its object (`owner()`) is not stored: the member
///     lives at relationship_info::offset inside the object, which lives at a
///     fixed offset inside its instance (instance.hpp).
struct relationship_base {
    relationship_base() = default;
    relationship_base(const relationship_base&) noexcept {}  // a copy is loose: no owner, no history
    relationship_base& operator=(const relationship_base&) noexcept { return *this; }

    bool is_bound() const noexcept { return (word_ & bound_bit) != 0; }
    /// The relationship's metadata; null while loose.
    const relationship_info* info() const noexcept {
        if (!is_bound()) return nullptr;
        if (word_ & block_bit) return reinterpret_cast<const relationship_block*>(word_ & ~tag_mask)->info;
        return reinterpret_cast<const relationship_info*>(word_ & ~tag_mask);
    }
    /// The object the member is part of; null while loose (defined in instance.hpp).
    instance_base* owner() const noexcept;

    /// Whether the related objects are known (loaded, or a new object's); a
    /// loose member always is.
    bool is_loaded() const noexcept { return !is_bound() || (word_ & loaded_bit) != 0; }
    void set_loaded(bool loaded) noexcept { set_tag(loaded_bit, loaded); }
    /// Many-to-one: assigned since the last flush.
    bool changed() const noexcept { return (word_ & (bound_bit | changed_bit)) == (bound_bit | changed_bit); }
    /// Whether merge() takes this member from the object it is given: a
    /// bound member when it is loaded; a loose one (of a plain T) when it was
    /// given objects, assigned or appended to. A default-constructed member
    /// means "not set": merging it leaves the target's relationship alone.
    bool is_set() const noexcept { return is_bound() ? is_loaded() : (word_ & set_bit) != 0; }
    void set_changed(bool changed) noexcept { set_tag(changed_bit, changed); }

    // Dispatched through relationship_info::ops (bound members only, except bind).
    void bind(const relationship_info& i) { i.ops->bind(*this, i); }
    std::size_t item_count() const noexcept { return ops().item_count(*this); }
    instance_base* item(std::size_t i) const noexcept { return ops().item(*this, i); }
    void put_item(instance_base* i) { ops().put_item(*this, i); }
    void put_new_item(instance_base* i) { ops().put_new_item(*this, i); }
    bool take_item(instance_base* i) { return ops().take_item(*this, i); }
    void unload() noexcept { ops().unload(*this); }
    bool has_item(const instance_base* i) const { return ops().has_item(*this, i); }

    /// A collection's changes since the last flush, or null if none were recorded.
    collection_changes* changes() const noexcept {
        const auto* b = bound_block();
        return b ? b->changes.get() : nullptr;
    }
    /// A bound collection's changes, recorded from now on.
    collection_changes& history() {
        auto& b = ops().block(*this);
        if (!b.changes) b.changes = std::make_unique<collection_changes>();
        return *b.changes;
    }
    /// Takes the changes out (a flush that may be rolled back keeps them aside) ...
    std::unique_ptr<collection_changes> take_changes() noexcept {
        auto* b = bound_block();
        return b ? std::move(b->changes) : nullptr;
    }
    /// ... and puts them back (a bound collection only).
    void put_changes(std::unique_ptr<collection_changes> c) {
        if (c) ops().block(*this).changes = std::move(c);
    }
    bool has_changes() const noexcept {
        const auto* c = changes();
        return changed() || (c && (!c->added.empty() || !c->removed.empty()));
    }
    void clear_changes() noexcept {
        set_changed(false);
        (void)take_changes();
    }

protected:
    ~relationship_base() = default;

    static constexpr std::uintptr_t bound_bit = 1, loaded_bit = 2, changed_bit = 4, block_bit = 8, tag_mask = 15;
    // A loose member's "set" flag (is_set()) in the bit a bound one uses for `changed`.
    static constexpr std::uintptr_t set_bit = changed_bit;
    void mark_set() noexcept { word_ |= set_bit; }  // (loose members only)

    const relationship_ops& ops() const noexcept { return *info()->ops; }
    void set_tag(std::uintptr_t bit, bool on) noexcept { word_ = on ? word_ | bit : word_ & ~bit; }
    /// Binds: the word becomes `i`'s address, loaded (a new object's members
    /// are; a loaded object's are set unloaded after).
    void bind_word(const relationship_info& i) noexcept {
        word_ = reinterpret_cast<std::uintptr_t>(&i) | bound_bit | loaded_bit;
    }
    /// A bound member's block, or null.
    relationship_block* bound_block() const noexcept {
        return (word_ & (bound_bit | block_bit)) == (bound_bit | block_bit)
                   ? reinterpret_cast<relationship_block*>(word_ & ~tag_mask)
                   : nullptr;
    }
    /// Gives a bound member the block `b` (which holds its info) ...
    void attach_block(relationship_block* b) noexcept {
        word_ = reinterpret_cast<std::uintptr_t>(b) | (word_ & (bound_bit | loaded_bit | changed_bit)) | block_bit;
    }
    /// ... or takes it away, returning it (the caller frees it).
    relationship_block* detach_block() noexcept {
        auto* b = bound_block();
        if (b) word_ = reinterpret_cast<std::uintptr_t>(b->info) | (word_ & (bound_bit | loaded_bit | changed_bit));
        return b;
    }

    std::uintptr_t word_ = 0;
};

}  // namespace detail
}  // namespace alchemy
