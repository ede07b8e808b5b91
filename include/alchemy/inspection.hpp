// alchemy/inspection.hpp — looking at objects and at a session without
// changing anything (SQLAlchemy's inspect(), session.new / dirty / deleted and
// identity_key()):
//
//   for (const alchemy::any_ptr& o : session.new_objects()) ...   // every pending object
//   std::vector<alchemy::ptr<User>> users = session.dirty_objects<User>();
//   auto insp = alchemy::inspect(user);
//   insp.state(); insp.identity_key(); insp.expired_attributes(); insp.unloaded();
//   auto h = insp.history(&User::name);   // h.added, h.unchanged, h.deleted
//   insp.identity_key() == alchemy::identity_key<User>(5)
//
// Nothing here loads, autoflushes or touches: an expired column has an empty
// history, as an unloaded attribute has in SQLAlchemy, and inspecting an object
// never makes it dirty.
#pragma once

#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/detail/orm/links.hpp>
#include <alchemy/detail/orm/session_core.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/object_state.hpp>
#include <alchemy/parameters.hpp>
#include <alchemy/ptr.hpp>
#include <alchemy/types.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

// ---- identities ------------------------------------------------------------------------

/// The identity of a row: its mapped table and its primary key values in key
/// order (SQLAlchemy's identity key, without the class: the table stands for it).
struct identity {
    const table_info* table = nullptr;
    std::vector<value> key;

    friend bool operator==(const identity&, const identity&) = default;
};

/// "User(5)", "Enrollment(1, 2)": the struct and its key values, for messages.
inline std::string to_string(const identity& id) {
    if (!id.table) return "(no identity)";
    return fmt::format("{}{}", id.table->struct_name, format_values(id.key));
}

/// The identity of T's row with primary key `key` (one argument per key
/// column, in key order): `identity_key<User>(5) == inspect(user).identity_key()`.
/// InvalidRequestError naming the table when the number of values is not the key's (as get()).
template <class T, class... K>
identity identity_key(const K&... key) {
    const auto& table = table_of<T>();
    if (sizeof...(K) != table.primary_key.size())
        throw InvalidRequestError(
            fmt::format("alchemy: identity_key<{}>(): table '{}' has a primary key of {} column(s), {} value(s) were given",
                        table.struct_name, table.name, table.primary_key.size(), sizeof...(K)));
    identity out{&table, {}};
    out.key.reserve(sizeof...(K));
    const auto record = [&]<class P>(const P& part) {
        detail::bound_value bound;
        type_traits<detail::parameter_type<P>>::bind(bound, part);
        out.key.push_back(std::move(bound.out));
    };
    (record(key), ...);
    (void)record;
    return out;
}

// ---- handles of any mapped type ---------------------------------------------------------

/// A handle to a mapped object of any type, as the session's views list
/// them: ask its table or state, or get the typed handle back with as<T>().
/// Holds the object alive as a ptr<T> does; comparing compares identity.
class any_ptr {
public:
    any_ptr() noexcept = default;
    template <class T>
    any_ptr(const ptr<T>& object) noexcept : ref_(object.instance()) {}
    /// (alchemy's own use)
    explicit any_ptr(detail::instance_ref ref) noexcept : ref_(std::move(ref)) {}

    explicit operator bool() const noexcept { return static_cast<bool>(ref_); }

    /// The mapped table of the object; InvalidRequestError for an empty handle.
    const table_info& table() const {
        if (!ref_) throw InvalidRequestError("alchemy: any_ptr::table() of an empty handle");
        return *ref_->table();
    }
    /// transient, pending, persistent, deleted or detached.
    object_state state() const noexcept { return ref_ ? ref_->state() : object_state::transient; }

    /// Whether the object is a T.
    template <class T>
    bool is() const {
        return ref_ && ref_->table() == &table_of<T>();
    }
    /// The object as a ptr<T>, or an empty ptr if it is not a T.
    template <class T>
    ptr<T> as() const {
        return is<T>() ? ptr<T>(static_cast<detail::instance<T>*>(ref_.get())) : ptr<T>();
    }

    friend bool operator==(const any_ptr& a, const any_ptr& b) noexcept { return a.ref_ == b.ref_; }

    /// The session's bookkeeping (for alchemy's own use).
    detail::instance_base* instance() const noexcept { return ref_.get(); }

private:
    detail::instance_ref ref_;
};

/// The objects of one of the session's views (new_objects(), dirty_objects(),
/// deleted_objects()) as they were when it was asked: later changes to the
/// session do not show in it. Iterates as any_ptr, in the session's order.
class object_set {
public:
    using value_type = any_ptr;
    using const_iterator = std::vector<any_ptr>::const_iterator;
    using iterator = const_iterator;

    object_set() = default;
    explicit object_set(std::vector<any_ptr> objects) noexcept : objects_(std::move(objects)) {}

    const_iterator begin() const noexcept { return objects_.begin(); }
    const_iterator end() const noexcept { return objects_.end(); }
    std::size_t size() const noexcept { return objects_.size(); }
    bool empty() const noexcept { return objects_.empty(); }

    bool contains(const any_ptr& object) const noexcept {
        return object && std::find(objects_.begin(), objects_.end(), object) != objects_.end();
    }

    /// The T objects among them, in the same order.
    template <class T>
    std::vector<ptr<T>> of() const {
        std::vector<ptr<T>> out;
        for (const auto& o : objects_)
            if (o.is<T>()) out.push_back(o.as<T>());
        return out;
    }

private:
    std::vector<any_ptr> objects_;
};

// ---- one object -------------------------------------------------------------------------

/// The history of one column since the object was loaded or last flushed
/// (SQLAlchemy's History): a changed column has its new value in `added` and
/// the value the database holds in `deleted`; an unchanged one its value in
/// `unchanged`; a new object's values are all `added`. An expired column, not
/// in memory, has an empty history.
template <class M>
struct attribute_history {
    std::vector<M> added;
    std::vector<M> unchanged;
    std::vector<M> deleted;

    bool empty() const noexcept { return added.empty() && unchanged.empty() && deleted.empty(); }
    bool has_changes() const noexcept { return !added.empty() || !deleted.empty(); }
};

namespace detail {
template <class T, class M>  // (T and M show in the compiler's note: the struct and the member's type)
struct history_of_relationship {
    static_assert(dependent_false<T, M>,
                  "alchemy: history() takes a column member (e.g. &User::name); a relationship member has no "
                  "column history (inspect(obj).unloaded() tells whether it is loaded)");
};
}  // namespace detail

/// What the session knows of one object, read without loading, autoflushing
/// or touching it (SQLAlchemy's InstanceState, from alchemy::inspect()).
/// Each call reads the object's current bookkeeping.
template <class T>
class instance_state {
public:
    /// InvalidRequestError for an empty handle.
    explicit instance_state(ptr<T> object) : object_(std::move(object)) {
        if (!object_) throw InvalidRequestError("alchemy: inspect() of an empty alchemy::ptr");
    }

    const ptr<T>& object() const noexcept { return object_; }

    object_state state() const noexcept { return i().state(); }
    bool transient() const noexcept { return state() == object_state::transient; }
    bool pending() const noexcept { return state() == object_state::pending; }
    bool persistent() const noexcept { return state() == object_state::persistent; }
    bool deleted() const noexcept { return state() == object_state::deleted; }
    bool detached() const noexcept { return state() == object_state::detached; }

    /// Whether a row exists (or existed) for it: persistent, deleted or detached.
    bool has_identity() const noexcept { return i().has_identity; }

    /// The identity of its row; empty without one (transient, pending). The
    /// key as it was loaded or flushed: a changed key column shows in
    /// history(), not here, until it is flushed.
    std::optional<identity> identity_key() const {
        const auto& base = i();
        if (!base.has_identity) return std::nullopt;
        identity out{base.table(), {}};
        for (auto k : base.table()->primary_key)
            out.key.push_back(base.touched && base.snapshot() ? base.snapshot_value(k) : base.column_value_of(k));
        return out;
    }

    /// Whether every column is expired (after commit, rollback or expire()):
    /// the next access reloads it with one SELECT.
    bool expired() const noexcept { return i().expired && !i().has_expired_columns(); }

    /// The member names of the expired columns (all of them if expired()).
    std::vector<std::string_view> expired_attributes() const {
        std::vector<std::string_view> out;
        const auto& columns = i().table()->columns;
        for (std::size_t c = 0; c < columns.size(); ++c)
            if (column_expired(c)) out.push_back(columns[c].member);
        return out;
    }

    /// The member names of what the next access would load: expired columns,
    /// then relationships that are not loaded, in member order.
    std::vector<std::string_view> unloaded() const {
        auto out = expired_attributes();
        auto& base = const_cast<detail::instance_base&>(i());  // member_of() reads the member only
        for (const auto& r : base.table()->relationships)
            if (!detail::member_of(base, r).is_loaded()) out.push_back(r.member);
        return out;
    }

    /// A net change since load or the last flush: a column that differs from
    /// its loaded value, a many-to-one assigned, or a collection appended to
    /// or removed from (session::is_modified). False for a new object.
    bool modified() const { return detail::session_core::is_modified(i()); }

    /// The history of the column member `member` (&User::name).
    template <class M>
    attribute_history<M> history(M T::*member) const {
        if constexpr (detail::is_relationship<M>::value) {
            (void)detail::history_of_relationship<T, M>{};
            return {};
        } else {
            const auto c = detail::column_index(member);
            const auto& base = i();
            attribute_history<M> out;
            if (column_expired(c)) return out;
            const M& current = static_cast<const detail::instance<T>&>(base).value.*member;
            if (!base.has_identity) {
                out.added.push_back(current);
            } else if (base.touched && base.snapshot() && base.snapshot_value(c) != base.column_value_of(c)) {
                out.added.push_back(current);
                out.deleted.push_back(base.snapshot_value(c).template as<M>());
            } else {
                out.unchanged.push_back(current);
            }
            return out;
        }
    }

private:
    const detail::instance_base& i() const noexcept { return *object_.instance(); }
    bool column_expired(std::size_t c) const noexcept {
        const auto& base = i();
        // (A partial expiry sets `expired` too, with the columns flagged.)
        return base.expired && (!base.has_expired_columns() || base.column_expired(c));
    }

    ptr<T> object_;
};

/// The bookkeeping of `object` (SQLAlchemy's inspect(obj)); see instance_state.
template <class T>
instance_state<T> inspect(const ptr<T>& object) {
    return instance_state<T>(object);
}

}  // namespace alchemy
