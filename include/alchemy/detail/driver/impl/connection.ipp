// alchemy/detail/driver/impl/connection.ipp — definitions of connection.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/connection.hpp>

#include <exception>

#include <fmt/core.h>

namespace alchemy {

ALCHEMY_INLINE connection& connection::operator=(connection&& other) noexcept {
    if (this != &other) {
        close();
        engine_ = std::move(other.engine_);
        raw_ = std::move(other.raw_);
    }
    return *this;
}

ALCHEMY_INLINE transaction connection::begin() {
    auto& raw = this->raw();
    if (raw.in_transaction)
        throw InvalidRequestError(
            "alchemy: a transaction is already begun on this connection (execute() begins one "
            "implicitly); commit() or rollback() it first, or use begin_nested() for a savepoint");
    detail::begin(*engine_, raw);
    return transaction(engine_, raw_, raw.transaction_id, false);
}

ALCHEMY_INLINE transaction connection::begin_nested() {
    raw();
    return transaction(engine_, raw_, detail::begin_savepoint(*engine_, *raw_), true);
}

ALCHEMY_INLINE void connection::set_autocommit(bool on) {
    if (on && raw().in_transaction)
        throw InvalidRequestError("alchemy: cannot switch to autocommit inside a transaction; commit or roll back first");
    raw().autocommit = on;
}

ALCHEMY_INLINE void connection::set_isolation_level(isolation_level level) {
    auto& conn = raw();
    if (conn.in_transaction || conn.rolled_back_by_database)
        throw InvalidRequestError(fmt::format("alchemy: cannot set the isolation level to {} inside a transaction; "
                                              "commit or roll back first",
                                              to_string(level)));
    conn.set_isolation_level(level);
    conn.isolation_changed = true;
}

ALCHEMY_INLINE void connection::close() noexcept {
    if (!raw_) return;
    raw_->invalidate_leases();
    try {
        detail::rollback(*engine_, *raw_);
    } catch (...) {
        // Judged below by what SQLite still holds.
    }
    raw_->autocommit = false;
    raw_->checkout_id.fetch_add(1);
    // The next user gets the engine's isolation level.
    if (raw_->isolation_changed && !raw_->database_in_transaction()) {
        try {
            raw_->set_isolation_level(engine_->options.isolation_level);
            raw_->isolation_changed = false;
        } catch (...) {
            // Left changed: closed below.
        }
    }
    // A connection whose ROLLBACK failed still holds its transaction: the
    // next user would run inside it, so the pool closes it instead; likewise
    // one still at another isolation level than the engine's.
    const bool reusable = !raw_->database_in_transaction() && !raw_->isolation_changed;
    engine_->pool.checkin(std::move(raw_), reusable);
    raw_ = nullptr;
}

ALCHEMY_INLINE transaction::transaction(transaction&& other) noexcept
    : engine_(std::move(other.engine_)),
      raw_(std::move(other.raw_)),
      checkout_(other.checkout_),
      id_(other.id_),
      savepoint_(other.savepoint_),
      uncaught_(other.uncaught_),
      owned_(std::move(other.owned_)) {
    other.raw_ = nullptr;
    other.owned_.reset();
}

ALCHEMY_INLINE transaction::~transaction() noexcept(false) {
    if (rolled_back_by_database() && std::uncaught_exceptions() > uncaught_) {
        raw_->rolled_back_by_database.reset();  // unwinding: rolled back is what was wanted
        return;
    }
    if (!is_active() && !rolled_back_by_database()) return;
    if (std::uncaught_exceptions() > uncaught_) {
        try {
            rollback();
        } catch (...) {
            // already unwinding; the connection's close rolls back in the end
        }
    } else {
        commit();
    }
}

ALCHEMY_INLINE void transaction::commit() {
    check_active("commit");
    if (savepoint_) detail::end_savepoint(*engine_, *raw_, id_, true);
    else detail::commit(*engine_, *raw_);
}

ALCHEMY_INLINE void transaction::rollback() {
    if (rolled_back_by_database()) {
        detail::rollback(*engine_, *raw_);  // acknowledges it; nothing left to send
        return;
    }
    if (!is_active()) return;
    if (savepoint_) detail::end_savepoint(*engine_, *raw_, id_, false);
    else detail::rollback(*engine_, *raw_);
}

ALCHEMY_INLINE transaction transaction::begin_nested() {
    check_active("begin_nested");
    return transaction(engine_, raw_, detail::begin_savepoint(*engine_, *raw_), true);
}

ALCHEMY_INLINE transaction::transaction(std::shared_ptr<detail::engine_state> engine,
                                        std::shared_ptr<detail::driver_connection> raw, std::uint64_t id,
                                        bool savepoint)
    : engine_(std::move(engine)),
      raw_(std::move(raw)),
      checkout_(raw_->checkout_id.load()),
      id_(id),
      savepoint_(savepoint),
      uncaught_(std::uncaught_exceptions()) {}

ALCHEMY_INLINE void transaction::check_active(const char* what) const {
    if (!savepoint_ && current() && raw_->transaction_id == id_) detail::check_not_rolled_back(*raw_, what);
    if (!is_active())
        throw InvalidRequestError(fmt::format(
            "alchemy: cannot {}: this {} is no longer active (it was committed or rolled back, "
            "or its connection was closed)",
            what, savepoint_ ? "savepoint" : "transaction"));
}

}  // namespace alchemy
