// alchemy/detail/instance.hpp — the session's bookkeeping for one mapped object.
//
// Every object a session knows lives in an instance: the object itself plus
// its state (pending, persistent, marked for deletion ...), its identity,
// whether it was touched since the last commit and the column values it had
// when it was touched (the snapshot flush compares against).
#pragma once

#include <alchemy/mapping.hpp>
#include <alchemy/types.hpp>

#include <cstdint>
#include <span>
#include <string_view>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

/// SQLAlchemy's five object states.
enum class object_state {
    transient,   ///< in no session, no database identity
    pending,     ///< added to a session, not yet flushed
    persistent,  ///< in a session, with a row in the database
    deleted,     ///< its DELETE was flushed; the transaction is not committed yet
    detached,    ///< has an identity, belongs to no session
};

constexpr std::string_view to_string(object_state s) noexcept {
    switch (s) {
        case object_state::transient: return "transient";
        case object_state::pending: return "pending";
        case object_state::persistent: return "persistent";
        case object_state::deleted: return "deleted";
        case object_state::detached: return "detached";
    }
    return "?";
}

class session;

namespace detail {

class session_core;

struct instance_base : std::enable_shared_from_this<instance_base> {
    explicit instance_base(const table_info& t) : table(&t) {}
    instance_base(const instance_base&) = delete;
    instance_base& operator=(const instance_base&) = delete;
    virtual ~instance_base() = default;

    virtual void* object() noexcept = 0;
    const void* object() const noexcept { return const_cast<instance_base*>(this)->object(); }

    const table_info* table;
    session_core* owner = nullptr;       // the session it belongs to, if any
    bool has_identity = false;           // a row exists (or existed) for it
    bool marked_for_delete = false;      // remove()d, DELETE not flushed yet
    bool deleted = false;                // DELETE flushed, not committed
    bool touched = false;                // accessed for writing since the last flush
    bool expired = false;                // every column must be reloaded before use
    bool key_generated = false;          // the key came from the database in this transaction
    bool inserted_in_transaction = false;
    bool deleted_in_transaction = false;
    bool listed_in_transaction = false;  // in session_core::transaction_
    std::uint64_t insert_order = 0;      // when it became pending
    std::vector<std::uint8_t> expired_columns;  // partial expiry (empty: none)
    std::unique_ptr<value[]> snapshot;   // column values when touched (or after the last flush)
    std::unique_ptr<value[]> transaction_snapshot;  // values at the start of the transaction, once flushed
    std::string key;                     // the identity key, encoded (see identity_key)

    object_state state() const noexcept {
        if (deleted) return owner ? object_state::deleted : object_state::detached;
        if (!owner) return has_identity ? object_state::detached : object_state::transient;
        return has_identity ? object_state::persistent : object_state::pending;
    }

    /// The current value of column i.
    value column_value_of(std::size_t i) const {
        value out;
        struct recorder final : binder {
            value& out;
            explicit recorder(value& o) : out(o) {}
            void bind_null() override { out = value(); }
            void bind_integer(std::int64_t v) override { out = value(v); }
            void bind_real(double v) override { out = value(v); }
            void bind_text(std::string_view v) override { out = value(std::string(v)); }
            void bind_blob(std::span<const std::byte> v) override {
                out = value(std::vector<std::byte>(v.begin(), v.end()));
            }
        } r(out);
        table->columns[i].bind(r, object());
        return out;
    }

    /// The current column values.
    std::unique_ptr<value[]> capture() const {
        auto values = std::make_unique<value[]>(table->columns.size());
        for (std::size_t i = 0; i < table->columns.size(); ++i) values[i] = column_value_of(i);
        return values;
    }

    /// "<User at 0x...>", as SQLAlchemy names objects in messages.
    std::string describe() const { return fmt::format("<{} at {}>", table->struct_name, object()); }
};

template <class T>
struct instance final : instance_base {
    template <class... A>
    explicit instance(A&&... args) : instance_base(table_of<T>()), value(std::forward<A>(args)...) {}
    void* object() noexcept override { return &value; }
    T value;
};

}  // namespace detail
}  // namespace alchemy
