// An engine and another thread: a write waiting on a lock that another thread
// releases.
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using test_support::raw_connection;
using test_support::raw_query;
using test_support::scratch_path;

namespace {

std::string file_url(const std::string& path) { return "sqlite:///" + path; }

}  // namespace

TEST_CASE("engine: a write succeeds when a lock is released within busy_timeout", "[engine]") {
    const auto path = scratch_path("busy-wait.db");
    auto engine = alchemy::create_engine(file_url(path), {.busy_timeout = 5000ms});
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER)");
    conn.commit();

    raw_connection other(path);
    other.exec("BEGIN IMMEDIATE");
    other.exec("INSERT INTO t (x) VALUES (1)");
    std::thread releaser([&] {
        std::this_thread::sleep_for(150ms);
        other.exec("COMMIT");
    });
    const auto start = std::chrono::steady_clock::now();
    try {
        conn.execute("INSERT INTO t (x) VALUES (?)", 2);
        conn.commit();
    } catch (...) {
        releaser.join();
        throw;
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    releaser.join();
    CHECK(elapsed >= 100ms);
    CHECK(raw_query(path, "SELECT x FROM t ORDER BY x") == std::vector<std::vector<std::string>>{{"1"}, {"2"}});
}
