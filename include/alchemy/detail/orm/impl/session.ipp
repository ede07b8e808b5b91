// alchemy/detail/orm/impl/session.ipp — definitions of session.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/session.hpp>

#include <exception>
#include <utility>

namespace alchemy {

ALCHEMY_INLINE session& session::operator=(session&& other) noexcept {
    if (this != &other) {
        close();
        core_ = std::move(other.core_);
        if (core_) core_->set_public(this);
    }
    return *this;
}

ALCHEMY_INLINE nested_transaction::nested_transaction(detail::session_core& core, std::weak_ptr<void> session_alive,
                                                      std::uint64_t id) noexcept
    : core_(&core), session_alive_(std::move(session_alive)), id_(id), uncaught_(std::uncaught_exceptions()) {}

ALCHEMY_INLINE nested_transaction::nested_transaction(nested_transaction&& other) noexcept
    : core_(std::exchange(other.core_, nullptr)),
      session_alive_(std::move(other.session_alive_)),
      id_(other.id_),
      uncaught_(other.uncaught_) {}

ALCHEMY_INLINE nested_transaction::~nested_transaction() noexcept(false) {
    if (!is_active()) return;
    if (std::uncaught_exceptions() > uncaught_) {  // unwinding: roll back, and keep the error in flight
        try {
            rollback();
        } catch (...) {
        }
        return;
    }
    try {
        commit();
    } catch (...) {  // as SQLAlchemy's context manager: a failed commit rolls back, then the error propagates
        try {
            rollback();
        } catch (...) {
        }
        throw;
    }
}

ALCHEMY_INLINE bool nested_transaction::is_active() const noexcept {
    return core_ && !session_alive_.expired() && core_->nested_active(id_);
}

ALCHEMY_INLINE void nested_transaction::commit() {
    if (!core_ || session_alive_.expired())
        throw InvalidRequestError("alchemy: this savepoint's session is gone: nothing to commit");
    core_->commit_nested(id_);
}

ALCHEMY_INLINE void nested_transaction::rollback() {
    if (!core_ || session_alive_.expired()) return;
    core_->rollback_nested(id_);
}

}  // namespace alchemy
