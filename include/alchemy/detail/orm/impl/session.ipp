// alchemy/detail/orm/impl/session.ipp — definitions of session.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/session.hpp>

namespace alchemy {

ALCHEMY_INLINE session& session::operator=(session&& other) noexcept {
    if (this != &other) {
        close();
        core_ = std::move(other.core_);
        if (core_) core_->set_public(this);
    }
    return *this;
}

}  // namespace alchemy
