// alchemy/detail/driver/impl/logger.ipp — definitions of detail/driver/logger.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/driver/logger.hpp>

#include <cstdio>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE void logger::set_sink(log_sink sink) {
    auto shared = sink ? std::make_shared<const log_sink>(std::move(sink)) : nullptr;
    std::lock_guard lock(mutex_);
    sink_ = std::move(shared);
    active_.store(echo_ || sink_ != nullptr, std::memory_order_relaxed);
}

ALCHEMY_INLINE void logger::emit(const log_event& event) const {
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

}  // namespace alchemy::detail
