// The connection pool on one thread: its size and overflow limits, the pool
// timeout, reuse of returned connections, dispose(). Hand-over between threads
// and many threads writing through one engine are in threaded/pool_test.cpp.
// Every test runs on the current test backend (support/backend.hpp); a
// connection's identity is its native handle, whatever the backend's type.
#include "support/backend.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using namespace std::chrono_literals;

TEST_CASE("pool: pool_size is honoured and a checkout beyond it times out", "[backend][pool]") {
    test_backend::database db("pool.db");
    auto engine = db.engine({.pool_size = 2, .max_overflow = 0, .pool_timeout = 100ms});
    auto a = engine.connect();
    auto b = engine.connect();
    CHECK(engine.checked_out() == 2);
    CHECK(engine.open_connections() == 2);

    const auto start = std::chrono::steady_clock::now();
    std::string message;
    try {
        auto c = engine.connect();
        FAIL("a third checkout should time out");
    } catch (const alchemy::TimeoutError& e) {
        message = e.what();
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed >= 90ms);  // it waited pool_timeout ...
    CHECK(elapsed < 2s);     // ... and not much longer
    CHECK_THAT(message, Catch::Contains("size 2") && Catch::Contains("overflow 0") &&
                            Catch::Contains("timeout 100 ms"));
    // The failed checkout took nothing.
    CHECK(engine.checked_out() == 2);
    CHECK(engine.open_connections() == 2);

    // A connection returned makes room again.
    b.close();
    auto c = engine.connect();
    CHECK(c.execute("SELECT 1").scalar<int>() == 1);
}

TEST_CASE("pool: pool_timeout 0 fails at once when the pool is exhausted", "[backend][pool]") {
    test_backend::database db("pool.db");
    auto engine = db.engine({.pool_size = 1, .max_overflow = 0, .pool_timeout = 0ms});
    auto a = engine.connect();
    const auto start = std::chrono::steady_clock::now();
    REQUIRE_THROWS_AS(engine.connect(), alchemy::TimeoutError);
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("pool: a returned connection is reused", "[backend][pool]") {
    test_backend::database db("reuse.db");
    auto engine = db.engine();
    void* first = nullptr;
    {
        auto conn = engine.connect();
        first = conn.native_handle();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.commit();
    }
    CHECK(engine.checked_out() == 0);
    CHECK(engine.open_connections() == 1);  // kept open in the pool
    for (int i = 0; i < 3; ++i) {
        auto conn = engine.connect();
        CHECK(conn.native_handle() == first);
        CHECK_FALSE(conn.in_transaction());  // it comes back clean
    }
    CHECK(engine.open_connections() == 1);
}

TEST_CASE("pool: overflow connections are opened under load and closed when returned", "[backend][pool]") {
    test_backend::database db("pool.db");
    auto engine = db.engine({.pool_size = 1, .max_overflow = 2, .pool_timeout = 50ms});
    {
        auto a = engine.connect();
        auto b = engine.connect();
        auto c = engine.connect();
        CHECK(engine.open_connections() == 3);
        CHECK(engine.checked_out() == 3);
        CHECK(a.native_handle() != b.native_handle());
        CHECK(b.native_handle() != c.native_handle());
        REQUIRE_THROWS_AS(engine.connect(), alchemy::TimeoutError);  // 1 + 2 is the limit

        // Returned connections beyond pool_size idle ones are closed: never
        // more open than those checked out plus pool_size.
        c.close();
        CHECK(engine.checked_out() == 2);
        CHECK(engine.open_connections() <= 2 + 1);
        b.close();
        CHECK(engine.checked_out() == 1);
        CHECK(engine.open_connections() == 1 + 1);
    }
    // Only pool_size connections stay open.
    CHECK(engine.open_connections() == 1);
    CHECK(engine.checked_out() == 0);
}

TEST_CASE("pool: dispose closes the idle connections and the engine opens new ones on demand", "[backend][pool]") {
    test_backend::database db("pool.db");
    auto engine = db.engine({.pool_size = 3});
    {
        auto a = engine.connect();
        auto b = engine.connect();
        a.execute("CREATE TABLE t (x INTEGER)");
        a.commit();
    }
    CHECK(engine.open_connections() == 2);
    engine.dispose();
    CHECK(engine.open_connections() == 0);
    auto conn = engine.connect();
    CHECK(engine.open_connections() == 1);
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
}

TEST_CASE("pool: a connection checked out during dispose() keeps working and is closed when returned", "[backend][pool]") {
    test_backend::database db("pool.db");
    auto engine = db.engine({.pool_size = 3});
    auto held = engine.connect();
    { auto idle = engine.connect(); }
    CHECK(engine.open_connections() == 2);
    engine.dispose();
    CHECK(engine.open_connections() == 1);  // the held one
    CHECK(held.execute("SELECT 1").scalar<int>() == 1);
    held.close();
    CHECK(engine.open_connections() == 0);  // not pooled again
    auto again = engine.connect();
    CHECK(again.execute("SELECT 2").scalar<int>() == 2);
    again.close();
    CHECK(engine.open_connections() == 1);  // a connection opened after dispose() is pooled as usual
}
