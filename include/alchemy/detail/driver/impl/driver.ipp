// alchemy/detail/driver/impl/driver.ipp — definitions of detail/driver/driver.hpp's
// non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/driver/driver.hpp>

#include <mutex>
#include <string>

namespace alchemy::detail {

ALCHEMY_INLINE std::shared_ptr<statement_slot> driver_connection::prepare_and_cache(std::string_view sql,
                                                                                   std::uint64_t tick) {
    auto slot = lease(make_slot(sql, cache_capacity_ > 0), tick);
    if (cache_capacity_ > 0) {
        evict_if_full();
        cache_.emplace(std::string(sql), slot);
    }
    return slot;
}

ALCHEMY_INLINE void driver_connection::invalidate_leases() noexcept {
    for (statement_slot* slot : leased_) {
        erase_if(cache_, [&](const auto& entry) { return entry.second.get() == slot; });
        slot->finalize();
    }
    leased_.clear();
}

ALCHEMY_INLINE void driver_connection::evict_if_full() {
    if (cache_.size() < cache_capacity_) return;
    auto victim = cache_.end();
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
        if (it->second->in_use) continue;
        if (victim == cache_.end() || it->second->last_used < victim->second->last_used) victim = it;
    }
    if (victim != cache_.end()) cache_.erase(victim);
}

// The registry: a function-local static, so that registering from a static
// initializer in any translation unit finds it constructed.
struct driver_registry {
    std::mutex mutex;
    boost::unordered_flat_map<std::string, driver_factory> factories;

    static driver_registry& instance() {
        static driver_registry registry;
        return registry;
    }
};

ALCHEMY_INLINE void register_driver(std::string_view scheme, driver_factory factory) {
    auto& r = driver_registry::instance();
    std::lock_guard lock(r.mutex);
    r.factories.insert_or_assign(std::string(scheme), factory);
}

ALCHEMY_INLINE driver_factory find_driver(std::string_view scheme) {
    auto& r = driver_registry::instance();
    std::lock_guard lock(r.mutex);
    auto it = r.factories.find(std::string(scheme));
    return it == r.factories.end() ? nullptr : it->second;
}

}  // namespace alchemy::detail
