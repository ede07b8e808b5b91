// alchemy/detail/driver/pool.hpp — a thread-safe pool of open connections.
//
// Up to pool_size idle connections are kept open; under load up to
// max_overflow more are opened and closed again when returned. A checkout that
// finds every connection busy waits until one comes back or pool_timeout
// passes (TimeoutError). Connections are opened (and pinged) lazily, outside
// the lock.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/driver.hpp>
#include <alchemy/errors.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace alchemy::detail {

class connection_pool {
public:
    using factory = std::function<std::shared_ptr<driver_connection>()>;

    /// `pre_ping`: an idle connection is pinged before it is handed out
    /// again, and closed and replaced if the ping fails.
    connection_pool(factory open, std::size_t size, std::size_t max_overflow,
                    std::chrono::milliseconds timeout, bool pre_ping = false)
        : open_(std::move(open)), size_(size), max_overflow_(max_overflow), timeout_(timeout), pre_ping_(pre_ping) {}

    std::shared_ptr<driver_connection> checkout();

    /// Returns a connection; keeps it open if it is `reusable` and the pool
    /// has room, else closes it.
    void checkin(std::shared_ptr<driver_connection> conn, bool reusable = true) noexcept;

    /// Closes every idle connection; the ones checked out now close when
    /// they are returned (as SQLAlchemy's Engine.dispose()).
    void dispose() noexcept;

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
    static std::chrono::steady_clock::time_point deadline_after(std::chrono::milliseconds timeout);

    factory open_;
    std::size_t size_;
    std::size_t max_overflow_;
    std::chrono::milliseconds timeout_;
    bool pre_ping_;

    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::shared_ptr<driver_connection>> idle_;
    std::size_t open_count_ = 0;
    std::size_t checked_out_ = 0;
    std::uint64_t generation_ = 0;  // dispose() calls so far: older connections are not kept
};

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/driver/impl/pool.ipp>
#endif
