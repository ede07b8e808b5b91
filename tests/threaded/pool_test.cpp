// The connection pool shared by threads: a waiting checkout is handed the
// connection another thread returns, no connection is ever held by two
// threads at once nor the limit exceeded under contention, dispose() while
// other threads work, and many threads writing through one engine lose no row.
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/core.h>

using namespace std::chrono_literals;
using test_support::raw_query;
using test_support::scratch_path;

namespace {

std::string file_url(const std::string& path) { return "sqlite:///" + path; }

using rows = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("pool: a waiting checkout gets a connection as soon as another thread returns one", "[pool]") {
    auto engine = alchemy::create_engine(
        "sqlite://", {.pool_size = 1, .max_overflow = 0, .pool_timeout = 10s});
    auto held = engine.connect();
    sqlite3* const handle = alchemy::sqlite::native_handle(held);

    std::atomic<bool> returned{false};
    std::chrono::steady_clock::time_point returned_at;
    auto waiter = std::async(std::launch::async, [&] {
        auto conn = engine.connect();  // blocks until `held` is closed
        const auto got_at = std::chrono::steady_clock::now();
        return std::tuple(returned.load(), got_at, alchemy::sqlite::native_handle(conn));
    });

    // The waiter is still waiting.
    REQUIRE(waiter.wait_for(150ms) == std::future_status::timeout);
    returned_at = std::chrono::steady_clock::now();
    returned = true;
    held.close();

    REQUIRE(waiter.wait_for(5s) == std::future_status::ready);
    const auto [saw_return, got_at, got_handle] = waiter.get();
    CHECK(saw_return);            // it got the connection only after the return
    CHECK(got_handle == handle);  // the very connection that was returned
    CHECK(got_at - returned_at < 1s);  // promptly, not at pool_timeout
    CHECK(engine.checked_out() == 0);
}

TEST_CASE("pool: pool_timeout = milliseconds::max() waits as long as it takes", "[pool]") {
    auto engine = alchemy::create_engine(
        "sqlite://", {.pool_size = 1, .max_overflow = 0, .pool_timeout = std::chrono::milliseconds::max()});
    auto held = engine.connect();
    auto waiter = std::async(std::launch::async, [&] {
        auto conn = engine.connect();  // must wait, not time out at once
        return conn.execute("SELECT 1").scalar<int>();
    });
    REQUIRE(waiter.wait_for(150ms) == std::future_status::timeout);
    held.close();
    REQUIRE(waiter.wait_for(5s) == std::future_status::ready);
    CHECK(waiter.get() == 1);
}

TEST_CASE("pool: under contention no connection is held by two threads and the limit holds", "[pool][stress]") {
    constexpr int threads = 8;
    constexpr int per_thread = 300;
    constexpr std::size_t limit = 2 + 1;  // pool_size + max_overflow
    const auto path = scratch_path("contention.db");
    auto engine = alchemy::create_engine(file_url(path), {.pool_size = 2, .max_overflow = 1});

    std::mutex mutex;
    std::set<sqlite3*> in_use;  // handles checked out right now
    std::size_t most_held = 0;
    std::size_t most_reported = 0;  // engine.checked_out() seen by a holder
    std::vector<std::string> errors;
    auto fail = [&](std::string message) {
        std::lock_guard lock(mutex);
        errors.push_back(std::move(message));
    };

    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                try {
                    auto conn = engine.connect();
                    sqlite3* const handle = alchemy::sqlite::native_handle(conn);
                    {
                        std::lock_guard lock(mutex);
                        if (!in_use.insert(handle).second)
                            errors.push_back(fmt::format("thread {} checkout {}: a connection in use was handed out", t, i));
                        most_held = std::max(most_held, in_use.size());
                        most_reported = std::max(most_reported, engine.checked_out());
                    }
                    // The connection works, and holding it a while lets the others queue.
                    if (conn.execute("SELECT ?", i).scalar<int>() != i)
                        fail(fmt::format("thread {} checkout {}: wrong result", t, i));
                    std::this_thread::yield();
                    {
                        std::lock_guard lock(mutex);
                        in_use.erase(handle);
                    }
                } catch (const std::exception& e) {
                    fail(fmt::format("thread {} checkout {}: {}", t, i, e.what()));
                }
            }
        });
    }
    for (auto& w : workers) w.join();

    for (std::size_t i = 0; i < errors.size() && i < 5; ++i) UNSCOPED_INFO(errors[i]);
    CHECK(errors.size() == 0);
    CHECK(most_held <= limit);
    CHECK(most_reported <= limit);
    CHECK(most_held >= 2);  // the threads did contend, or this test proved nothing
    CHECK(engine.checked_out() == 0);
    CHECK(engine.open_connections() <= 2);  // overflow connections were closed
}

TEST_CASE("pool: dispose() while other threads work closes idle connections and loses no transaction",
          "[pool][stress]") {
    constexpr int threads = 4;
    constexpr int per_thread = 300;
    const auto path = scratch_path("dispose-under-load.db");
    auto engine = alchemy::create_engine(
        file_url(path),
        {.pool_size = 2, .max_overflow = 2, .backend = alchemy::sqlite::options{.synchronous = alchemy::sqlite::synchronous_mode::normal}});
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (thread INTEGER NOT NULL, i INTEGER NOT NULL)");
        conn.commit();
    }

    // A connection checked out before the dispose() calls stays usable after
    // them (it holds no transaction meanwhile, or the writers would wait on it).
    auto held = engine.connect();
    held.execute("INSERT INTO t (thread, i) VALUES (?, ?)", -1, 0);
    held.commit();

    std::atomic<int> running{threads};
    std::mutex errors_mutex;
    std::vector<std::string> errors;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                try {
                    auto tx = engine.begin();
                    tx.execute("INSERT INTO t (thread, i) VALUES (?, ?)", t, i);
                } catch (const std::exception& e) {
                    std::lock_guard lock(errors_mutex);
                    errors.push_back(fmt::format("thread {} row {}: {}", t, i, e.what()));
                }
            }
            --running;
        });
    }
    int disposals = 0;
    while (running > 0) {
        engine.dispose();
        ++disposals;
        std::this_thread::sleep_for(1ms);
    }
    for (auto& w : workers) w.join();
    UNSCOPED_INFO("dispose() calls while the workers ran: " << disposals);

    for (std::size_t i = 0; i < errors.size() && i < 5; ++i) UNSCOPED_INFO(errors[i]);
    CHECK(errors.size() == 0);
    CHECK(engine.checked_out() == 1);  // `held`

    held.execute("INSERT INTO t (thread, i) VALUES (?, ?)", -1, 1);
    held.commit();
    held.close();
    CHECK(engine.checked_out() == 0);
    engine.dispose();
    CHECK(engine.open_connections() == 0);

    rows expected{{"-1", "2"}};
    for (int t = 0; t < threads; ++t) expected.push_back({std::to_string(t), std::to_string(per_thread)});
    CHECK(raw_query(path, "SELECT thread, count(DISTINCT i) FROM t GROUP BY thread ORDER BY thread") == expected);
    CHECK(raw_query(path, "SELECT count(*) FROM t") ==
          rows{{std::to_string(threads * per_thread + 2)}});

    // The engine opens new connections on demand after all that.
    auto conn = engine.connect();
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == threads * per_thread + 2);
}

namespace {

// `threads` threads each run `per_thread` write transactions through one
// engine on a file database; every error is collected, none is lost.
std::vector<std::string> hammer(alchemy::engine& engine, int threads, int per_thread) {
    std::mutex errors_mutex;
    std::vector<std::string> errors;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                try {
                    auto tx = engine.begin();
                    tx.execute("INSERT INTO t (thread, i) VALUES (?, ?)", t, i);
                } catch (const std::exception& e) {
                    std::lock_guard lock(errors_mutex);
                    errors.push_back(fmt::format("thread {} row {}: {}", t, i, e.what()));
                }
            }
        });
    }
    for (auto& w : workers) w.join();
    return errors;
}

void check_every_row_once(const std::string& path, int threads, int per_thread) {
    const auto total = std::to_string(threads * per_thread);
    CHECK(raw_query(path, "SELECT count(*) FROM t") == rows{{total}});
    CHECK(raw_query(path, "SELECT count(*) FROM (SELECT DISTINCT thread, i FROM t)") == rows{{total}});
    rows expected;
    for (int t = 0; t < threads; ++t)
        expected.push_back({std::to_string(t), std::to_string(per_thread), "0", std::to_string(per_thread - 1)});
    CHECK(raw_query(path, "SELECT thread, count(*), min(i), max(i) FROM t GROUP BY thread ORDER BY thread") ==
          expected);
}

}  // namespace

TEST_CASE("pool: 8 threads x 1,000 write transactions lose no row", "[pool][stress]") {
    constexpr int threads = 8;
    constexpr int per_thread = 1000;
    const auto path = scratch_path("stress.db");
    auto engine = alchemy::create_engine(
        file_url(path),
        {.pool_size = 4, .max_overflow = 4, .backend = alchemy::sqlite::options{.synchronous = alchemy::sqlite::synchronous_mode::normal}});
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (thread INTEGER NOT NULL, i INTEGER NOT NULL)");
        conn.commit();
    }

    const auto errors = hammer(engine, threads, per_thread);
    for (std::size_t i = 0; i < errors.size() && i < 5; ++i) UNSCOPED_INFO(errors[i]);
    CHECK(errors.size() == 0);

    CHECK(engine.checked_out() == 0);
    CHECK(engine.open_connections() <= 4);  // overflow connections were closed
    check_every_row_once(path, threads, per_thread);
}

TEST_CASE("pool: more threads than connections wait their turn and lose no row", "[pool][stress]") {
    constexpr int threads = 8;
    constexpr int per_thread = 200;
    const auto path = scratch_path("stress-small-pool.db");
    auto engine = alchemy::create_engine(
        file_url(path),
        {.pool_size = 2, .max_overflow = 1, .backend = alchemy::sqlite::options{.synchronous = alchemy::sqlite::synchronous_mode::normal}});
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (thread INTEGER NOT NULL, i INTEGER NOT NULL)");
        conn.commit();
    }

    const auto errors = hammer(engine, threads, per_thread);
    for (std::size_t i = 0; i < errors.size() && i < 5; ++i) UNSCOPED_INFO(errors[i]);
    CHECK(errors.size() == 0);

    CHECK(engine.checked_out() == 0);
    CHECK(engine.open_connections() <= 2);
    check_every_row_once(path, threads, per_thread);
}
