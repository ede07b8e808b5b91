// alchemy/detail/pool.hpp — a thread-safe pool of open connections.
//
// Up to pool_size idle connections are kept open; under load up to
// max_overflow more are opened and closed again when returned. A checkout that
// finds every connection busy waits until one comes back or pool_timeout
// passes (TimeoutError). Connections are opened lazily, outside the lock.
#pragma once

#include <alchemy/detail/sqlite_connection.hpp>
#include <alchemy/errors.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

class connection_pool {
public:
    using factory = std::function<std::shared_ptr<sqlite_connection>()>;

    connection_pool(factory open, std::size_t size, std::size_t max_overflow,
                    std::chrono::milliseconds timeout)
        : open_(std::move(open)), size_(size), max_overflow_(max_overflow), timeout_(timeout) {}

    std::shared_ptr<sqlite_connection> checkout() {
        std::unique_lock lock(mutex_);
        const auto deadline = deadline_after(timeout_);
        for (;;) {
            if (!idle_.empty()) {
                auto conn = std::move(idle_.back());
                idle_.pop_back();
                ++checked_out_;
                return conn;
            }
            if (open_count_ < size_ + max_overflow_) {
                ++open_count_;
                ++checked_out_;
                lock.unlock();
                try {
                    return open_();
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

    /// Returns a connection; keeps it open if the pool has room, else closes it.
    void checkin(std::shared_ptr<sqlite_connection> conn) noexcept {
        std::shared_ptr<sqlite_connection> to_close;
        {
            std::lock_guard lock(mutex_);
            --checked_out_;
            if (idle_.size() < size_) {
                idle_.push_back(std::move(conn));
            } else {
                --open_count_;
                to_close = std::move(conn);
            }
        }
        available_.notify_one();
        // to_close is destroyed here, outside the lock.
    }

    /// Closes every idle connection (checked-out ones close when returned).
    void dispose() noexcept {
        std::vector<std::shared_ptr<sqlite_connection>> closing;
        {
            std::lock_guard lock(mutex_);
            open_count_ -= idle_.size();
            closing.swap(idle_);
        }
        available_.notify_all();
    }

    std::size_t checked_out() const {
        std::lock_guard lock(mutex_);
        return checked_out_;
    }
    std::size_t open() const {
        std::lock_guard lock(mutex_);
        return open_count_;
    }

private:
    // now + timeout, saturating: a timeout beyond the clock's range (such as
    // milliseconds::max() for "wait forever") would overflow into the past.
    static std::chrono::steady_clock::time_point deadline_after(std::chrono::milliseconds timeout) {
        using clock = std::chrono::steady_clock;
        const auto now = clock::now();
        const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(clock::time_point::max() - now);
        return timeout < room ? now + timeout : clock::time_point::max();
    }

    factory open_;
    std::size_t size_;
    std::size_t max_overflow_;
    std::chrono::milliseconds timeout_;

    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::shared_ptr<sqlite_connection>> idle_;
    std::size_t open_count_ = 0;
    std::size_t checked_out_ = 0;
};

}  // namespace alchemy::detail
