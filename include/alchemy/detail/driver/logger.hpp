// alchemy/detail/driver/logger.hpp — an engine's echo and log sink, shared by its connections.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/log.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <utility>

namespace alchemy::detail {

class logger {
public:
    logger(bool echo, log_sink sink) : echo_(echo) { set_sink(std::move(sink)); }

    /// True when events must be built at all; the hot path checks only this.
    bool active() const noexcept { return active_.load(std::memory_order_relaxed); }

    void set_sink(log_sink sink);

    void emit(const log_event& event) const;

private:
    bool echo_;
    std::atomic<bool> active_{false};
    mutable std::mutex mutex_;
    std::shared_ptr<const log_sink> sink_;
};

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/driver/impl/logger.ipp>
#endif
