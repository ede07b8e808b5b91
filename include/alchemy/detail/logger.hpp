// alchemy/detail/logger.hpp — an engine's echo and log sink, shared by its connections.
#pragma once

#include <alchemy/log.hpp>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <utility>

#include <fmt/core.h>

namespace alchemy::detail {

class logger {
public:
    logger(bool echo, log_sink sink) : echo_(echo) { set_sink(std::move(sink)); }

    /// True when events must be built at all; the hot path checks only this.
    bool active() const noexcept { return active_.load(std::memory_order_relaxed); }

    void set_sink(log_sink sink) {
        auto shared = sink ? std::make_shared<const log_sink>(std::move(sink)) : nullptr;
        std::lock_guard lock(mutex_);
        sink_ = std::move(shared);
        active_.store(echo_ || sink_ != nullptr, std::memory_order_relaxed);
    }

    void emit(const log_event& event) const {
        if (echo_) {
            const auto text = format_event(event);
            std::size_t start = 0;
            while (start <= text.size()) {  // prefix every line
                const auto end = text.find('\n', start);
                const auto line = std::string_view(text).substr(
                    start, end == std::string::npos ? std::string::npos : end - start);
                fmt::print(stdout, "[alchemy] {}\n", line);
                if (end == std::string::npos) break;
                start = end + 1;
            }
            std::fflush(stdout);
        }
        std::shared_ptr<const log_sink> sink;
        {
            std::lock_guard lock(mutex_);
            sink = sink_;
        }
        if (sink) (*sink)(event);
    }

private:
    bool echo_;
    std::atomic<bool> active_{false};
    mutable std::mutex mutex_;
    std::shared_ptr<const log_sink> sink_;
};

}  // namespace alchemy::detail
