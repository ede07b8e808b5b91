// alchemy/ptr.hpp — alchemy::ptr<T>, the handle through which mapped objects
// are used.
//
// A session hands out objects as ptr<T>: a shared, reference-counted handle
// (like std::shared_ptr<T>) that also lets the session see what you do:
//
//   * Access through a non-const ptr (`user->name = "Bob"`, `*user`,
//     `user.get()`) TOUCHES the object: the session remembers it and the
//     values it had, and the next flush compares just the touched objects
//     (an UPDATE lists only the columns that really changed). This is what
//     keeps a flush's cost proportional to what you touched, not to the size
//     of the identity map.
//   * Access through a const ptr (`const auto& u`, std::as_const(u)) only
//     reads and touches nothing.
//   * Either kind of access first reloads an expired object (after commit,
//     expire() or rollback): one SELECT by key.
//
// A change counts if it is made through a ptr, or through a reference taken
// from a ptr since the last flush (commit, or the autoflush before a query).
// Keep the ptr, not a T&, across flushes.
// Copies of a ptr share the object; comparing ptrs compares identity. A ptr
// keeps its object alive together with every object linked to it through
// relationships (detail/orm/instance.hpp explains these groups).
//
// The ptrs inside a relationship collection are the collection's own slots:
// read, dereference and copy them freely, but change the collection through
// its append()/remove()/assignment; assigning to a slot throws.
#pragma once

#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/object_state.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include <fmt/core.h>

namespace alchemy {

template <class T>
class ptr {
public:
    ptr() noexcept = default;
    ptr(std::nullptr_t) noexcept {}
    ptr(const ptr& other) noexcept : word_(reinterpret_cast<std::uintptr_t>(other.p())) {
        if (p()) detail::retain(p());
    }
    ptr(ptr&& other) noexcept : word_(reinterpret_cast<std::uintptr_t>(other.p())) {
        if (other.counted()) other.word_ = 0;  // a slot is copied, never emptied
        else if (p()) detail::retain(p());
    }
    ptr& operator=(const ptr& other) {
        ptr copy(other);
        return *this = std::move(copy);
    }
    ptr& operator=(ptr&& other) {
        if (!counted())
            throw InvalidRequestError(
                "alchemy: cannot assign to an element of a relationship collection: change the collection "
                "through append(), remove() or assigning the whole relationship");
        ptr taken(std::move(other));
        std::swap(word_, taken.word_);
        return *this;
    }
    ~ptr() {
        if (word_ && counted()) detail::release(p());
    }

    /// A new transient object (not in any session yet).
    static ptr make(T value) {
        ptr made(detail::new_instance<T>(std::move(value)));
        if constexpr (detail::has_relationships<T>) detail::bind_relationships(*made.p(), true);
        return made;
    }

    /// Write access: reloads an expired object, then touches it.
    T* operator->() { return &write(); }
    T& operator*() { return write(); }
    T* get() { return &write(); }

    /// Read access: reloads an expired object; touches nothing.
    const T* operator->() const { return &read(); }
    const T& operator*() const { return read(); }
    const T* get() const { return &read(); }

    explicit operator bool() const noexcept { return p() != nullptr; }

    /// transient, pending, persistent, deleted or detached.
    object_state state() const noexcept { return p() ? p()->state() : object_state::transient; }

    friend bool operator==(const ptr& a, const ptr& b) noexcept { return a.p() == b.p(); }
    friend bool operator==(const ptr& a, std::nullptr_t) noexcept { return a.p() == nullptr; }

    /// The session's bookkeeping (for alchemy's own use).
    detail::instance<T>* instance() const noexcept { return p(); }
    /// A counted handle to `inst` (alchemy's own use).
    explicit ptr(detail::instance<T>* inst) noexcept : word_(reinterpret_cast<std::uintptr_t>(inst)) {
        if (inst) detail::retain(inst);
    }
    /// A slot of a relationship collection: does not count (alchemy's own
    /// use; the collection never moves or assigns its slots).
    ptr(detail::slot_tag, detail::instance<T>* inst) noexcept
        : word_(reinterpret_cast<std::uintptr_t>(inst) | slot_bit) {}

private:
    T& write() {
        auto& i = checked();
        load(i);
        if (!i.touched) {  // the first write since the last flush
            if (auto* owner = i.owner()) {
                owner->touch_first(i);
            } else if (i.has_identity) {  // detached: changes flush when it is added again
                i.touched = true;
                i.set_snapshot(i.take_snapshot());
            }
        }
        return i.value;
    }
    const T& read() const {
        auto& i = checked();
        load(i);
        return i.value;
    }
    detail::instance<T>& checked() const {
        if (!p()) throw InvalidRequestError("alchemy: dereferencing an empty alchemy::ptr");
        return *p();
    }
    static void load(detail::instance<T>& i) {
        if (!i.expired) return;
        auto* owner = i.owner();
        if (!owner)
            throw DetachedInstanceError(fmt::format(
                "alchemy: Instance {} is not bound to a Session; attribute refresh operation cannot proceed",
                i.describe()));
        owner->ensure_loaded(i);
    }

    // The instance pointer, with its lowest bit (always 0 in an instance's
    // address) set for a relationship collection's uncounted slot: a ptr is
    // one word, which a session of 100,000 loaded objects notices.
    static constexpr std::uintptr_t slot_bit = 1;
    static_assert(alignof(detail::instance_base) > slot_bit);
    detail::instance<T>* p() const noexcept { return reinterpret_cast<detail::instance<T>*>(word_ & ~slot_bit); }
    bool counted() const noexcept { return (word_ & slot_bit) == 0; }

    std::uintptr_t word_ = 0;
};

/// A new transient object: `auto u = alchemy::make<User>(User{.name = "Ann"});`
template <class T>
ptr<T> make(T value) {
    return ptr<T>::make(std::move(value));
}

}  // namespace alchemy
