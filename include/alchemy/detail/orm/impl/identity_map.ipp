// alchemy/detail/orm/impl/identity_map.ipp — definitions of detail/orm/identity_map.hpp's
// non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/identity_map.hpp>

namespace alchemy::detail {

ALCHEMY_INLINE instance_ref* identity_map::find(const identity_key& key) noexcept {
    if (key.is_integer()) {
        auto it = integers_.find(key.integer());
        return it == integers_.end() ? nullptr : &it->second;
    }
    auto it = others_.find(key.encoded());
    return it == others_.end() ? nullptr : &it->second;
}

ALCHEMY_INLINE void identity_map::put(const identity_key& key, instance_ref inst) {
    if (key.is_integer()) integers_.insert_or_assign(key.integer(), std::move(inst));
    else others_.insert_or_assign(key.encoded(), std::move(inst));
}

ALCHEMY_INLINE instance_ref& identity_map::slot(const identity_key& key) {
    if (key.is_integer()) return integers_.try_emplace(key.integer()).first->second;
    return others_.try_emplace(key.encoded()).first->second;
}

ALCHEMY_INLINE void identity_map::erase(const identity_key& key, const instance_base* inst) noexcept {
    if (key.is_integer()) {
        if (auto it = integers_.find(key.integer()); it != integers_.end() && it->second.get() == inst)
            integers_.erase(it);
    } else if (auto it = others_.find(key.encoded()); it != others_.end() && it->second.get() == inst) {
        others_.erase(it);
    }
}

}  // namespace alchemy::detail
