// alchemy/detail/orm/impl/identity_map.ipp — definitions of detail/orm/identity_map.hpp's
// non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/identity_map.hpp>

namespace alchemy::detail {

ALCHEMY_INLINE instance_ref* identity_map::find(const std::string& key) noexcept {
    if (const auto i = as_integer(key)) {
        auto it = integers_.find(*i);
        return it == integers_.end() ? nullptr : &it->second;
    }
    auto it = others_.find(key);
    return it == others_.end() ? nullptr : &it->second;
}

ALCHEMY_INLINE void identity_map::put(const std::string& key, instance_ref inst) {
    if (const auto i = as_integer(key)) integers_.insert_or_assign(*i, std::move(inst));
    else others_.insert_or_assign(key, std::move(inst));
}

ALCHEMY_INLINE instance_ref& identity_map::slot(const std::string& key) {
    if (const auto i = as_integer(key)) return integers_.try_emplace(*i).first->second;
    return others_.try_emplace(key).first->second;
}

ALCHEMY_INLINE void identity_map::erase(const std::string& key, const instance_base* inst) noexcept {
    if (const auto i = as_integer(key)) {
        if (auto it = integers_.find(*i); it != integers_.end() && it->second.get() == inst) integers_.erase(it);
    } else if (auto it = others_.find(key); it != others_.end() && it->second.get() == inst) {
        others_.erase(it);
    }
}

}  // namespace alchemy::detail
