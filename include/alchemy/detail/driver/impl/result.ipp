// alchemy/detail/driver/impl/result.ipp — definitions of result.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/result.hpp>

namespace alchemy {

ALCHEMY_INLINE result& result::operator=(result&& other) noexcept {
    if (this != &other) {
        close();
        slot_ = std::exchange(other.slot_, nullptr);
        changes_ = other.changes_;
        last_rowid_ = other.last_rowid_;
    }
    return *this;
}

ALCHEMY_INLINE std::vector<std::string> result::columns() const {
    std::vector<std::string> out;
    if (!has_row()) return out;
    row r(*slot_->stmt);
    for (std::size_t i = 0; i < r.size(); ++i) out.emplace_back(r.name(i));
    return out;
}

}  // namespace alchemy
