// Isolation levels (engine_options::isolation_level, connection::set_isolation_level)
// and the pool's pre-ping on every backend, and what SQLite offers of them.
// PostgreSQL's own levels, serialization failures and a pre-ping that finds
// a dead connection are in tests/postgresql/server_test.cpp.
#include "support/backend.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using alchemy::isolation_level;
using Catch::Contains;

TEST_CASE("isolation: SERIALIZABLE is offered by every backend, per engine and per connection", "[backend][isolation]") {
    test_backend::database db;
    test_support::log_capture log;
    auto engine = db.engine({.sink = log.sink(), .pool_size = 1, .max_overflow = 0,
                             .isolation_level = isolation_level::serializable});
    {
        auto conn = engine.connect();
        CHECK(conn.get_isolation_level() == isolation_level::serializable);
        conn.execute("SELECT 1");
        // Inside a transaction the level cannot change: it would apply to part of it.
        CHECK_THROWS_AS(conn.set_isolation_level(isolation_level::serializable), alchemy::InvalidRequestError);
        CHECK_THROWS_WITH(conn.set_isolation_level(isolation_level::serializable),
                          Contains("cannot set the isolation level to SERIALIZABLE inside a transaction"));
        conn.rollback();
        conn.set_isolation_level(isolation_level::serializable);
        CHECK(conn.execute("SELECT 2").scalar<int>() == 2);
        conn.commit();
    }
    // Nothing of it is logged: the log shows the statements the caller ran.
    CHECK(log.sql() == std::vector<std::string>{"BEGIN", "SELECT 1", "ROLLBACK", "BEGIN", "SELECT 2", "COMMIT"});
}

TEST_CASE("isolation: pool_pre_ping hands out working connections and logs nothing of its own", "[backend][isolation]") {
    test_backend::database db;
    test_support::log_capture log;
    auto engine = db.engine({.sink = log.sink(), .pool_size = 1, .max_overflow = 0, .pool_pre_ping = true});
    for (int i = 0; i < 3; ++i) {
        auto conn = engine.connect();
        CHECK(conn.execute("SELECT ?", "x").scalar<std::string>() == "x");
        conn.commit();
    }
    CHECK(log.sql().size() == 9);  // BEGIN, SELECT, COMMIT three times
    CHECK(engine.checked_out() == 0);
}

TEST_CASE("isolation: SQLite offers SERIALIZABLE and READ UNCOMMITTED, and refuses the others at create_engine",
          "[sqlite][isolation]") {
    // SQLite-only: the set of levels is SQLite's (PostgreSQL takes all four).
    for (auto level : {isolation_level::read_committed, isolation_level::repeatable_read}) {
        CHECK_THROWS_AS(alchemy::create_engine("sqlite://", {.isolation_level = level}), alchemy::ArgumentError);
        CHECK_THROWS_WITH(alchemy::create_engine("sqlite://", {.isolation_level = level}),
                          Contains("SQLite has no isolation level " + std::string(alchemy::to_string(level))) &&
                              Contains("SERIALIZABLE (its default) and READ UNCOMMITTED"));
    }
    auto engine = alchemy::create_engine(
        "sqlite://", {.pool_size = 1, .max_overflow = 0, .isolation_level = isolation_level::read_uncommitted});
    {
        auto conn = engine.connect();
        CHECK(conn.get_isolation_level() == isolation_level::read_uncommitted);
        CHECK(conn.execute("PRAGMA read_uncommitted").scalar<int>() == 1);
        conn.rollback();
        conn.set_isolation_level(isolation_level::serializable);
        CHECK(conn.get_isolation_level() == isolation_level::serializable);
        CHECK_THROWS_AS(conn.set_isolation_level(isolation_level::repeatable_read), alchemy::ArgumentError);
    }
    // Back in the pool, the connection got the engine's level back.
    auto conn = engine.connect();
    CHECK(conn.get_isolation_level() == isolation_level::read_uncommitted);

    auto plain = alchemy::create_engine("sqlite://");
    auto other = plain.connect();
    CHECK(other.get_isolation_level() == isolation_level::serializable);
}
