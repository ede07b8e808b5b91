// alchemy/detail/orm/instance.hpp — the session's bookkeeping for one mapped object.
//
// Every object a session knows lives in an instance: the object itself plus
// its state (pending, persistent, marked for deletion ...), its identity,
// whether it was touched since the last commit and the column values it had
// when it was touched (the snapshot flush compares against).
//
// Lifetime. Mapped objects point at each other through relationships (a user
// holds its posts, each post its user), so std::shared_ptr ownership would
// leak every such cycle. Instead, objects linked through a relationship join
// one *group* (a union-find set) that has a single reference count: the
// counted handles (alchemy::ptr, the session's lists) to any member keep the
// whole group alive, and the links inside a group are plain pointers. When
// the last handle to any member goes, the group and every member are freed
// together. Groups only merge (unlinking does not split them), so an object
// lives at most as long as the objects it was ever linked with.
// Handles are not thread-safe: a group is used by one thread at a time, as
// its session is.
//
// Layout. An instance is this header followed by the object, at
// instance_object_offset(alignof(T)), and has no vtable: the object is found
// from the header's address and the table's alignment, and the one operation
// that needs the type, the object's destructor, goes through the table's
// entity_ops. Instances are made by new_instance<T> or in an instance_arena
// and freed by destroy_instance. A relationship member finds its instance
// from its own address the same way.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/orm/identity_key.hpp>
#include <alchemy/detail/orm/relationship_base.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/object_state.hpp>
#include <alchemy/types.hpp>

#include <algorithm>
#include <cassert>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace alchemy {

class session;

namespace detail {

struct instance_base;
struct arena_chunk_header;
inline void destroy_instance(instance_base* i) noexcept;

/// What an object and its relationship members may ask of the session that
/// owns it: the narrow door through which ptr.hpp and relationship.hpp reach
/// the session (session_core implements it), so that a header holding a
/// mapped struct needs neither the session nor the driver. Each call is on a
/// slow path (the first write since a flush, an expired object, a lazy load,
/// a link change), so the virtual call costs nothing measurable.
class instance_owner {
public:
    /// The first write access since the last flush: remember the object and its values.
    virtual void touch_first(instance_base& i) = 0;
    /// Reload an expired object's columns (one SELECT by key).
    virtual void ensure_loaded(instance_base& i) = 0;
    /// Lazy-load relationship `info` of `owner`.
    virtual void load_relationship(instance_base& owner, const relationship_info& info) = 0;
    /// The identity-mapped object a many-to-one's foreign key names (no SQL), or null.
    virtual instance_base* mapped_target(instance_base& child, const relationship_info& info) = 0;
    /// Before `owner` is linked to `item` through `info` (save-update cascade; may throw).
    virtual void before_link(instance_base& owner, const relationship_info& info, instance_base* item) = 0;
    /// After a link changed: the objects whose rows change are touched.
    virtual void after_link(instance_base& owner, const relationship_info& info, instance_base* item) = 0;
    /// A pending object taken out of its delete-orphan parent: it leaves the
    /// session at once (it has no row to delete).
    virtual void expunge_orphan(instance_base& item) = 0;
    /// `child`'s many-to-one now names `parent` (or no longer does), whose
    /// collection `collection` is not loaded: when it loads, it must show that.
    virtual void queue_link(instance_base& parent, const relationship_info& collection, instance_base& child) = 0;

protected:
    instance_owner() = default;
    instance_owner(const instance_owner&) = default;
    instance_owner& operator=(const instance_owner&) = default;
    ~instance_owner() = default;  // never deleted through this interface
};

/// A query's loader options that decide what a later lazy load of its
/// objects does (loading.hpp): per relationship, and raiseload_all().
struct load_overrides {
    std::vector<std::pair<const relationship_info*, loading>> strategies{};
    bool raise_all = false;
    bool empty() const noexcept { return strategies.empty() && !raise_all; }
    /// How `info` loads lazily for these objects.
    loading strategy(const relationship_info& info) const noexcept {
        for (const auto& [r, s] : strategies)
            if (r == &info) return s;
        return raise_all ? loading::raise : info.lazy;
    }
};

/// The objects one query returned, for batched lazy loading (session_options::
/// batch_lazy_loads). Each member clears its entry when it is destroyed; the
/// batch lives while a member (or a batch_ref) refers to it.
struct load_batch {
    std::vector<instance_base*> members;
    std::size_t refs = 0;
    /// How the query's options load its objects' relationships when they
    /// are touched (lazyload, noload, raiseload): over relationship_info::lazy.
    load_overrides overrides{};
};

/// A counted reference to a load_batch: one pointer, where a shared_ptr
/// would cost every loaded object two.
class batch_ref {
public:
    batch_ref() noexcept = default;
    explicit batch_ref(load_batch* b) noexcept : p_(b) {
        if (p_) ++p_->refs;
    }
    batch_ref(const batch_ref& o) noexcept : batch_ref(o.p_) {}
    batch_ref& operator=(batch_ref o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~batch_ref() {
        if (p_ && --p_->refs == 0) delete p_;
    }
    load_batch* operator->() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }

private:
    load_batch* p_ = nullptr;
};

/// Per-column flags (which columns a partial expiry covers): one pointer,
/// null when no column is flagged.
class column_flags {
public:
    bool empty() const noexcept { return !flags_; }
    /// `columns` flags, none set.
    void assign(std::size_t columns) { flags_ = std::make_unique<std::uint8_t[]>(columns); }
    void clear() noexcept { flags_.reset(); }
    std::uint8_t& operator[](std::size_t i) noexcept { return flags_[i]; }
    std::uint8_t operator[](std::size_t i) const noexcept { return flags_[i]; }

private:
    std::unique_ptr<std::uint8_t[]> flags_;
};

/// What an object carries only while it has changes to track: the values it
/// had when touched, the values at the start of the transaction once an
/// UPDATE of it was flushed, and which columns a partial expiry covers. One
/// allocation, made on first need and freed once all three are empty, so an
/// object that is only loaded and read pays one null pointer for them.
struct instance_changes {
    snapshot_ptr snapshot;              // column values when touched (or after the last flush)
    snapshot_ptr transaction_snapshot;  // values at the start of the transaction, once flushed
    column_flags expired_columns;       // partial expiry (empty: none)

    bool empty() const noexcept { return !snapshot && !transaction_snapshot && expired_columns.empty(); }
};

/// Where a session's instances of one table belong: the table and the
/// session (see instance_base::home_word_). The session keeps one per table
/// it holds objects of, at a fixed address, for as long as it lives.
struct instance_home {
    const table_info* table;
    instance_owner* owner;
};

struct instance_base {
    explicit instance_base(const table_info& t) : home_word_(reinterpret_cast<std::uintptr_t>(&t) | unowned_bit) {}
    instance_base(const instance_base&) = delete;
    instance_base& operator=(const instance_base&) = delete;

    /// The mapped object (a T of `table`'s struct) this header precedes.
    void* object() noexcept;
    const void* object() const noexcept { return const_cast<instance_base*>(this)->object(); }

    /// Its table.
    const table_info* table() const noexcept {
        if (home_word_ & unowned_bit) return reinterpret_cast<const table_info*>(home_word_ & ~unowned_bit);
        return reinterpret_cast<const instance_home*>(home_word_)->table;
    }
    /// The session it belongs to; null for a transient or detached object.
    instance_owner* owner() const noexcept {
        if (home_word_ & unowned_bit) return nullptr;
        return reinterpret_cast<const instance_home*>(home_word_)->owner;
    }
    /// It now belongs to home.owner (home.table is its table).
    void set_home(const instance_home& home) noexcept {
        assert(home.table == table() && home.owner);
        home_word_ = reinterpret_cast<std::uintptr_t>(&home);
    }
    /// It belongs to no session any more.
    void clear_owner() noexcept { home_word_ = reinterpret_cast<std::uintptr_t>(table()) | unowned_bit; }

    // The group (see the top of this file), in one word and a list link. At
    // a root, group_word holds the group's handle count (bits 32-63), its
    // number of members (bits 1-31) and a set bit 0; elsewhere it is the
    // parent's address in the union-find tree (bit 0 clear: instances are
    // aligned). group_next is the next member in a circular list of the group.
    std::uint64_t group_word = group_root_word(0, 1);
    instance_base* group_next = this;

    batch_ref batch;                     // the query that loaded it (tables with relationships)
    std::uint32_t batch_index = 0;
    // One bit each (bit-fields): nine bools would take 16 bytes with padding.
    bool has_identity : 1 = false;           // a row exists (or existed) for it
    bool marked_for_delete : 1 = false;      // remove()d, DELETE not flushed yet
    bool deleted : 1 = false;                // DELETE flushed, not committed
    bool touched : 1 = false;                // accessed for writing since the last flush
    bool expired : 1 = false;                // every column must be reloaded before use
    bool key_generated : 1 = false;          // the key came from the database in this transaction
    bool inserted_in_transaction : 1 = false;
    bool deleted_in_transaction : 1 = false;
    bool listed_in_transaction : 1 = false;  // in session_core::transaction_
    // How far past the start of its instance_arena chunk it lives (0: allocated
    // by new): a chunk is at most 64 KiB, so 16 bits where a pointer took 64.
    std::uint16_t chunk_offset = 0;
    identity_key key;                    // its key in the identity map, once it has an identity

    // ---- the changes tracked (instance_changes; null while there are none) ----
    /// The column values when touched (or after the last flush); null if none.
    detail::snapshot* snapshot() const noexcept { return changes_ ? changes_->snapshot.get() : nullptr; }
    void set_snapshot(snapshot_ptr s) { changes()->snapshot = std::move(s); }
    void reset_snapshot() noexcept { reset(&instance_changes::snapshot); }
    /// Takes the snapshot out (null if none): a savepoint keeps it.
    snapshot_ptr release_snapshot() noexcept {
        if (!changes_) return nullptr;
        auto out = std::move(changes_->snapshot);
        drop_changes_if_empty();
        return out;
    }
    /// The values at the start of the transaction, once an UPDATE was flushed; null if none.
    detail::snapshot* transaction_snapshot() const noexcept {
        return changes_ ? changes_->transaction_snapshot.get() : nullptr;
    }
    void reset_transaction_snapshot() noexcept { reset(&instance_changes::transaction_snapshot); }
    /// The snapshot becomes the transaction's (the first UPDATE of it flushed).
    void snapshot_to_transaction_snapshot() noexcept {
        if (!changes_) return;
        changes_->transaction_snapshot = std::move(changes_->snapshot);
        drop_changes_if_empty();
    }
    /// The transaction's snapshot becomes the one compared with (rollback).
    void transaction_snapshot_to_snapshot() noexcept {
        if (!changes_) return;
        changes_->snapshot = std::move(changes_->transaction_snapshot);
        drop_changes_if_empty();
    }
    /// Whether only some columns are expired (expire(i, columns)).
    bool has_expired_columns() const noexcept { return changes_ && !changes_->expired_columns.empty(); }
    bool column_expired(std::size_t c) const noexcept { return changes_->expired_columns[c] != 0; }  // when has_expired_columns()
    /// Starts a partial expiry: no column flagged yet.
    void start_partial_expiry() { changes()->expired_columns.assign(table()->columns.size()); }
    void flag_expired_column(std::size_t c) noexcept { changes_->expired_columns[c] = 1; }  // after start_partial_expiry()
    void clear_expired_columns() noexcept {
        if (!changes_) return;
        changes_->expired_columns.clear();
        drop_changes_if_empty();
    }
    /// Drops the snapshot and the partial expiry (the object is wholly expired).
    void reset_snapshot_and_expiry() noexcept {
        if (!changes_) return;
        changes_->snapshot.reset();
        changes_->expired_columns.clear();
        drop_changes_if_empty();
    }

    object_state state() const noexcept {
        if (deleted) return owner() ? object_state::deleted : object_state::detached;
        if (!owner()) return has_identity ? object_state::detached : object_state::transient;
        return has_identity ? object_state::persistent : object_state::pending;
    }

    /// The current value of column i.
    value column_value_of(std::size_t i) const {
        bound_value r;
        table()->columns[i].bind(r, object());
        return std::move(r.out);
    }

    /// The value of column i in the snapshot (which must exist).
    value snapshot_value(std::size_t i) const {
        bound_value r;
        table()->ops->bind(*snapshot(), i, r);
        return std::move(r.out);
    }

    /// Whether column i holds `v` (as column_value_of(i) == v, without
    /// copying the member's value).
    bool column_equals(std::size_t i, const value& v) const {
        struct comparer final : binder {
            const value& v;
            bool equal = false;
            explicit comparer(const value& expected) : v(expected) {}
            void bind_null() override { equal = v.is_null(); }
            void bind_integer(std::int64_t x) override {
                equal = v.type() == sql_type::integer && std::get<std::int64_t>(v.get()) == x;
            }
            void bind_real(double x) override { equal = v.type() == sql_type::real && std::get<double>(v.get()) == x; }
            void bind_text(std::string_view x) override {
                equal = v.type() == sql_type::text && std::get<std::string>(v.get()) == x;
            }
            void bind_blob(std::span<const std::byte> x) override {
                if (v.type() != sql_type::blob) return;
                const auto& b = std::get<std::vector<std::byte>>(v.get());
                equal = std::equal(b.begin(), b.end(), x.begin(), x.end());
            }
        } c(v);
        table()->columns[i].bind(c, object());
        return c.equal;
    }

    /// A typed copy of the column members (what touching an object keeps).
    snapshot_ptr take_snapshot() const { return table()->ops->take_snapshot(object()); }

    /// "<User at 0x...>", as SQLAlchemy names objects in messages.
    std::string describe() const;
    /// Its primary key's values as messages print them: "(1)", "(1, 'a')".
    std::string describe_key() const;

    static constexpr std::uint64_t group_root_word(std::uint64_t handles, std::uint64_t size) noexcept {
        return handles << 32 | size << 1 | 1;
    }
    static constexpr std::uint64_t one_group_handle = std::uint64_t{1} << 32;

    /// The instance_arena chunk it lives in; null if it was allocated by new.
    arena_chunk_header* chunk() const noexcept {
        if (chunk_offset == 0) return nullptr;
        return reinterpret_cast<arena_chunk_header*>(
            const_cast<std::byte*>(reinterpret_cast<const std::byte*>(this) - chunk_offset));
    }
    bool is_group_root() const noexcept { return group_word & 1; }
    /// At a root: the handles to any member of the group.
    std::uint32_t group_handles() const noexcept { return static_cast<std::uint32_t>(group_word >> 32); }
    /// At a root: how many objects the group holds.
    std::uint32_t group_size() const noexcept { return static_cast<std::uint32_t>(group_word >> 1) & 0x7fff'ffffu; }

private:
    instance_changes* changes() {
        if (!changes_) changes_ = std::make_unique<instance_changes>();
        return changes_.get();
    }
    void reset(snapshot_ptr instance_changes::*which) noexcept {
        if (!changes_) return;
        ((*changes_).*which).reset();
        drop_changes_if_empty();
    }
    // (The record lives only while it holds something.)
    void drop_changes_if_empty() noexcept {
        if (changes_->empty()) changes_.reset();
    }

    // Its table and its session in one word: with bit 0 set, the table_info's
    // address (no session); else the address of its session's instance_home
    // for the table. (Both are aligned, so bit 0 is free.) A session holds
    // one instance per object, so the word saved is worth the branch.
    static constexpr std::uintptr_t unowned_bit = 1;
    std::uintptr_t home_word_;

    std::unique_ptr<instance_changes> changes_;

protected:
    // Only destroy_instance ends an instance's life (it runs the object's
    // destructor through the table first).
    ~instance_base() {
        if (batch) batch->members[batch_index] = nullptr;
    }
    friend void destroy_instance(instance_base* i) noexcept;
};

// What a session pays per object besides the object itself (the members
// above are ordered to pack to this on 64-bit targets).
static_assert(sizeof(void*) != 8 || sizeof(instance_base) <= 56, "alchemy: instance_base grew past 56 bytes");

/// The root of i's group (path halving keeps the trees flat).
inline instance_base* group_root(instance_base* i) noexcept {
    while (!i->is_group_root()) {
        auto* parent = reinterpret_cast<instance_base*>(static_cast<std::uintptr_t>(i->group_word));
        if (parent->is_group_root()) return parent;
        i->group_word = parent->group_word;  // now the grandparent
        i = reinterpret_cast<instance_base*>(static_cast<std::uintptr_t>(i->group_word));
    }
    return i;
}

inline void retain(instance_base* i) noexcept { group_root(i)->group_word += instance_base::one_group_handle; }

/// The start of every instance_arena chunk: how many objects in it are
/// alive, plus one while its arena still places objects in it. Atomic:
/// objects of one chunk may end up in groups that different threads drop
/// (after their session is closed, each group may move to another thread).
struct arena_chunk_header {
    std::atomic<std::size_t> live;
};

/// Memory for the objects one query loads, so that loading n objects costs
/// one allocation per chunk (up to a few hundred objects) rather than n.
/// The first object is allocated alone (a one-row query wastes nothing);
/// the next go one after another into chunks with room for two objects,
/// then twice as much each time up to 64 KiB, so at most about half of the
/// memory is unused (instance_base::chunk() finds an object's chunk). A chunk counts the objects alive in it (plus one
/// while the arena still fills it) and is freed with the last one: an object
/// kept from a large result keeps its chunk, at most 64 KiB.
class instance_arena {
public:
    instance_arena() = default;
    instance_arena(const instance_arena&) = delete;
    instance_arena& operator=(const instance_arena&) = delete;
    ~instance_arena() { close(); }

    /// Room for an object of `size` bytes (aligned to `align`), counted in its
    /// chunk, which `chunk` is set to. Null when it does not fit a chunk (use new).
    void* allocate(std::size_t size, std::size_t align, arena_chunk_header*& chunk);
    /// Gives up the current chunk (freed now if nothing in it is alive).
    void close() noexcept;

    /// Drops the count an object (or the arena) holds on `chunk`; the last one frees it.
    static void release(arena_chunk_header* chunk) noexcept;

private:
    static constexpr std::size_t largest_chunk = std::size_t{64} << 10;
    static_assert(largest_chunk <= std::size_t{1} << 16, "alchemy: instance_base::chunk_offset is 16 bits");
    arena_chunk_header* chunk_ = nullptr;
    std::size_t used_ = 0;      // bytes of chunk_ in use
    std::size_t capacity_ = 0;  // chunk_'s size; the next is twice as large, up to largest_chunk
    bool first_given_ = false;  // the first object went to new
};

/// Memory for an instance (what new_instance and destroy_instance pair):
/// operator new's aligned form only for structs aligned beyond what plain
/// new guarantees.
inline void* allocate_instance_memory(std::size_t size, std::size_t alignment) {
    if (alignment > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator new(size, std::align_val_t{alignment});
    return ::operator new(size);
}
inline void free_instance_memory(void* memory, std::size_t alignment) noexcept {
    if (alignment > __STDCPP_DEFAULT_NEW_ALIGNMENT__) ::operator delete(memory, std::align_val_t{alignment});
    else ::operator delete(memory);
}

/// The alignment of an instance whose struct is aligned to `alignment`.
constexpr std::size_t instance_alignment(std::size_t alignment) noexcept {
    return alignment > alignof(instance_base) ? alignment : alignof(instance_base);
}

/// Destroys one instance (its object first) and frees its memory (or its
/// share of a chunk).
inline void destroy_instance(instance_base* i) noexcept {
    const table_info* table = i->table();
    auto* chunk = i->chunk();
    table->ops->destroy(i->object());
    i->~instance_base();
    if (chunk) instance_arena::release(chunk);
    else free_instance_memory(i, instance_alignment(table->alignment));
}

/// Frees every member of the group whose root is `root` (its last handle is gone).
void free_group(instance_base* root) noexcept;

/// Drops one handle; the last handle of a group frees every member.
inline void release(instance_base* i) noexcept {
    auto* root = group_root(i);
    root->group_word -= instance_base::one_group_handle;
    if (root->group_handles() == 0) free_group(root);
}

/// Puts a and b in one group (linking them through a relationship).
inline void join_groups(instance_base* a, instance_base* b) noexcept {
    auto* ra = group_root(a);
    auto* rb = group_root(b);
    if (ra == rb) return;
    if (ra->group_size() < rb->group_size()) std::swap(ra, rb);
    const std::uint64_t handles = std::uint64_t{ra->group_handles()} + rb->group_handles();
    const std::uint64_t size = std::uint64_t{ra->group_size()} + rb->group_size();
    rb->group_word = reinterpret_cast<std::uintptr_t>(ra);
    ra->group_word = instance_base::group_root_word(handles, size);
    std::swap(ra->group_next, rb->group_next);  // splices the two circular lists
}

/// Selects the constructor of a relationship collection's uncounted ptr slots.
struct slot_tag {};

/// A counted handle to an instance (the session's lists and identity map).
class instance_ref {
public:
    instance_ref() noexcept = default;
    instance_ref(std::nullptr_t) noexcept {}
    explicit instance_ref(instance_base* i) noexcept : p_(i) {
        if (p_) retain(p_);
    }
    instance_ref(const instance_ref& o) noexcept : instance_ref(o.p_) {}
    instance_ref(instance_ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    instance_ref& operator=(instance_ref o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~instance_ref() {
        if (p_) release(p_);
    }
    instance_base* get() const noexcept { return p_; }
    /// Gives up the handle without dropping it: the caller now owns the
    /// count and must release() the instance.
    [[nodiscard]] instance_base* into_raw() noexcept { return std::exchange(p_, nullptr); }
    instance_base* operator->() const noexcept { return p_; }
    instance_base& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    friend bool operator==(const instance_ref& a, const instance_ref& b) noexcept { return a.p_ == b.p_; }

private:
    instance_base* p_ = nullptr;
};

/// Where an object of a struct aligned to `alignment` sits in its instance
/// (checked below): a relationship member finds its
/// object's instance from its own address with it.
/// (alignment is a power of two.)
constexpr std::size_t instance_object_offset(std::size_t alignment) noexcept {
    return (sizeof(instance_base) + alignment - 1) & ~(alignment - 1);
}

inline void* instance_base::object() noexcept {
    return reinterpret_cast<std::byte*>(this) + instance_object_offset(table()->alignment);
}

template <class T>
struct instance;

// instance<T> places T at the first offset past the header's data that suits
// alignof(T). That is instance_object_offset(alignof(T)) unless a derived
// class's member can go into the header's tail padding; a char placed after
// the header proves that it cannot, once for every T. (A per-T offsetof needs
// -Winvalid-offsetof silenced, and GCC 12 forgets that pragma inside a
// precompiled header.)
struct instance_tail_probe final : instance_base {
    char c;
};
static_assert(sizeof(instance_tail_probe) > sizeof(instance_base),
              "alchemy: an object is not where instance_object_offset says");

template <class T>
struct instance final : instance_base {
    template <class... A>
    explicit instance(A&&... args) : instance_base(table_of<T>()), value(std::forward<A>(args)...) {
        assert(static_cast<void*>(&value) == object());
    }
    T value;

private:
    // destroy_instance ends its life in parts (the object, then the header).
    ~instance() = default;
};

/// A new instance of T made from `args`, not counted (destroy_instance frees it).
template <class T, class... A>
instance<T>* new_instance(A&&... args) {
    static_assert(alignof(instance<T>) == instance_alignment(alignof(T)));
    void* memory = allocate_instance_memory(sizeof(instance<T>), alignof(instance<T>));
    try {
        return ::new (memory) instance<T>(std::forward<A>(args)...);
    } catch (...) {
        free_instance_memory(memory, alignof(instance<T>));
        throw;
    }
}

inline instance_base* relationship_base::owner() const noexcept {
    const auto* i = info();
    if (!i) return nullptr;
    const auto object = reinterpret_cast<std::uintptr_t>(this) - i->offset;
    return reinterpret_cast<instance_base*>(object - instance_object_offset(i->owner_alignment));
}

/// Binds the relationship members of a new, counted instance to it
/// (relationship_base.hpp). Members of an object made from a row start
/// unloaded; a new object's start loaded (and empty, unless given items).
inline void bind_relationships(instance_base& i, bool loaded) {
    for (const auto& r : i.table()->relationships) {
        auto& member = r.access(i.object());
        member.bind(r);
        assert(member.owner() == &i);  // (instance_object_offset and relationship_info::offset agree)
        member.set_loaded(loaded);
    }
}

/// A new, empty instance of T, counted (what the session loads rows into);
/// from `arena` when one is given and T fits its chunks.
template <class T>
instance_ref make_instance(instance_arena* arena) {
    instance<T>* made = nullptr;
    arena_chunk_header* chunk = nullptr;
    if (void* memory = arena ? arena->allocate(sizeof(instance<T>), alignof(instance<T>), chunk) : nullptr) {
        try {
            made = ::new (memory) instance<T>();
        } catch (...) {
            instance_arena::release(chunk);
            throw;
        }
        made->chunk_offset = static_cast<std::uint16_t>(reinterpret_cast<std::byte*>(made) -
                                                        reinterpret_cast<std::byte*>(chunk));
    } else {
        made = new_instance<T>();
    }
    instance_ref ref(made);
    if constexpr (has_relationships<T>) bind_relationships(*ref, false);
    return ref;
}

}  // namespace detail
}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/instance.ipp>
#endif
