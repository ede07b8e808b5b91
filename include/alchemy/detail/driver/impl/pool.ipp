// alchemy/detail/driver/impl/pool.ipp — definitions of detail/driver/pool.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/driver/pool.hpp>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE std::shared_ptr<driver_connection> connection_pool::checkout() {
    std::unique_lock lock(mutex_);
    const auto deadline = deadline_after(timeout_);
    for (;;) {
        while (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            ++checked_out_;  // counted out while it is pinged
            bool usable = !conn->lost();
            if (usable && pre_ping_) {
                lock.unlock();
                usable = conn->ping();
                lock.lock();
            }
            if (usable) return conn;
            // Closed (outside the lock) and replaced by another idle one or a new one.
            --checked_out_;
            --open_count_;
            lock.unlock();
            conn.reset();
            lock.lock();
            available_.notify_one();
        }
        if (open_count_ < size_ + max_overflow_) {
            ++open_count_;
            ++checked_out_;
            const auto generation = generation_;
            lock.unlock();
            try {
                auto conn = open_();
                conn->pool_generation = generation;
                return conn;
            } catch (...) {
                lock.lock();
                --open_count_;
                --checked_out_;
                available_.notify_one();
                throw;
            }
        }
        if (available_.wait_until(lock, deadline) == std::cv_status::timeout &&
            idle_.empty() && open_count_ >= size_ + max_overflow_)
            throw TimeoutError(fmt::format(
                "alchemy: connection pool limit of size {} overflow {} reached, connection "
                "timed out, timeout {} ms (every connection is checked out; close "
                "connections and sessions sooner or raise pool_size)",
                size_, max_overflow_, timeout_.count()));
    }
}

ALCHEMY_INLINE void connection_pool::checkin(std::shared_ptr<driver_connection> conn, bool reusable) noexcept {
    std::shared_ptr<driver_connection> to_close;
    {
        std::lock_guard lock(mutex_);
        --checked_out_;
        if (reusable && !conn->lost() && conn->pool_generation == generation_ && idle_.size() < size_) {
            idle_.push_back(std::move(conn));
        } else {
            --open_count_;
            to_close = std::move(conn);
        }
    }
    available_.notify_one();
    // to_close is destroyed here, outside the lock.
}

ALCHEMY_INLINE void connection_pool::dispose() noexcept {
    std::vector<std::shared_ptr<driver_connection>> closing;
    {
        std::lock_guard lock(mutex_);
        ++generation_;
        open_count_ -= idle_.size();
        closing.swap(idle_);
    }
    available_.notify_all();
}

ALCHEMY_INLINE std::chrono::steady_clock::time_point connection_pool::deadline_after(
    std::chrono::milliseconds timeout) {
    using clock = std::chrono::steady_clock;
    const auto now = clock::now();
    const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(clock::time_point::max() - now);
    return timeout < room ? now + timeout : clock::time_point::max();
}

}  // namespace alchemy::detail
