// Backend options carried in engine_options::backend: the type-erased holder
// (backend_options), and the SQLite driver reading sqlite::options from it —
// the values reach every connection, the defaults apply when none are given,
// and another backend's options are refused at create_engine.
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using namespace std::chrono_literals;
using test_support::log_capture;
using test_support::raw_query;
using test_support::scratch_path;

// Stands for the options of a backend other than SQLite (a later
// postgresql::options), which the SQLite driver must refuse.
namespace other_backend {
struct options {
    std::string host = "localhost";
    int port = 5432;
};
}  // namespace other_backend

TEST_CASE("backend_options: empty by default, holds a copy of any options struct", "[engine][options]") {
    const alchemy::backend_options none;
    CHECK_FALSE(none.has_value());
    CHECK(none.type_name().empty());
    CHECK(none.get_if<alchemy::sqlite::options>() == nullptr);

    alchemy::sqlite::options given{.busy_timeout = 250ms, .wal = false};
    const alchemy::backend_options held = given;
    given.busy_timeout = 1s;  // the holder kept its own copy
    REQUIRE(held.has_value());
    CHECK(held.type_name() == "alchemy::sqlite::options");
    const auto* read = held.get_if<alchemy::sqlite::options>();
    REQUIRE(read != nullptr);
    CHECK(read->busy_timeout == 250ms);
    CHECK_FALSE(read->wal);
    CHECK(held.get_if<other_backend::options>() == nullptr);

    const alchemy::backend_options copy = held;
    REQUIRE(copy.get_if<alchemy::sqlite::options>() != nullptr);
    CHECK(copy.get_if<alchemy::sqlite::options>()->busy_timeout == 250ms);
}

TEST_CASE("backend_options::get gives the defaults when nothing is held", "[engine][options]") {
    const auto o = alchemy::backend_options{}.get<alchemy::sqlite::options>("sqlite");
    const alchemy::sqlite::options defaults;
    CHECK(o.busy_timeout == 5000ms);
    CHECK(o.busy_timeout == defaults.busy_timeout);
    CHECK(o.foreign_keys);
    CHECK(o.wal);
    CHECK(o.synchronous == alchemy::sqlite::synchronous_mode::unchanged);
    CHECK(o.begin == alchemy::sqlite::begin_mode::deferred);
    CHECK(o.vfs.empty());
}

TEST_CASE("backend_options::get refuses another backend's options, naming the scheme and both types",
          "[engine][options][errors]") {
    const alchemy::backend_options held = other_backend::options{};
    REQUIRE_THROWS_AS(held.get<alchemy::sqlite::options>("sqlite"), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(held.get<alchemy::sqlite::options>("sqlite"),
                        "alchemy: engine_options.backend holds other_backend::options, which 'sqlite://' URLs do "
                        "not take: give alchemy::sqlite::options (or nothing, for its defaults)");
}

TEST_CASE("create_engine: another backend's options in engine_options.backend are an ArgumentError",
          "[engine][options][errors]") {
    const alchemy::engine_options options{.backend = other_backend::options{.host = "db.example"}};
    REQUIRE_THROWS_AS(alchemy::create_engine("sqlite://", options), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(alchemy::create_engine("sqlite://", options),
                        Catch::Contains("engine_options.backend holds other_backend::options") &&
                            Catch::Contains("'sqlite://' URLs do not take") &&
                            Catch::Contains("alchemy::sqlite::options"));
}

TEST_CASE("create_engine: sqlite::options reach every connection", "[engine][options]") {
    const auto path = scratch_path("backend-options.db");
    log_capture log;
    auto engine = alchemy::create_engine(
        "sqlite:///" + path,
        {.sink = log.sink(),
         .pool_size = 2,
         .backend = alchemy::sqlite::options{.busy_timeout = 1234ms,
                                             .foreign_keys = false,
                                             .wal = false,
                                             .synchronous = alchemy::sqlite::synchronous_mode::normal,
                                             .begin = alchemy::sqlite::begin_mode::immediate}});
    CHECK(engine.options().backend.type_name() == "alchemy::sqlite::options");
    auto a = engine.connect();
    auto b = engine.connect();
    for (auto* conn : {&a, &b}) {
        CHECK(conn->execute("PRAGMA busy_timeout").scalar<int>() == 1234);
        CHECK(conn->execute("PRAGMA foreign_keys").scalar<int>() == 0);
        CHECK(conn->execute("PRAGMA journal_mode").scalar<std::string>() == "delete");
        CHECK(conn->execute("PRAGMA synchronous").scalar<int>() == 1);
        // execute() began a transaction as `begin` says: end it, or the other
        // connection's BEGIN IMMEDIATE would wait for its write lock.
        conn->rollback();
    }
    CHECK(log.count("BEGIN IMMEDIATE") == 2);
}

TEST_CASE("create_engine: without backend options SQLite's connections get the defaults", "[engine][options]") {
    const auto path = scratch_path("backend-defaults.db");
    {
        // SQLite's own PRAGMA synchronous, which `unchanged` keeps.
        auto seed = alchemy::create_engine("sqlite:///" + path);
        auto conn = seed.connect();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.commit();
    }
    const auto raw_synchronous = raw_query(path, "PRAGMA synchronous").at(0).at(0);
    log_capture log;
    auto engine = alchemy::create_engine("sqlite:///" + path, {.sink = log.sink()});
    CHECK_FALSE(engine.options().backend.has_value());
    auto conn = engine.connect();
    CHECK(conn.execute("PRAGMA busy_timeout").scalar<int>() == 5000);
    CHECK(conn.execute("PRAGMA foreign_keys").scalar<int>() == 1);
    CHECK(conn.execute("PRAGMA journal_mode").scalar<std::string>() == "wal");
    CHECK(std::to_string(conn.execute("PRAGMA synchronous").scalar<int>()) == raw_synchronous);
    conn.rollback();
    // execute() began its transaction with a plain (deferred) BEGIN.
    CHECK(log.count("BEGIN") == 1);
    CHECK(log.count("BEGIN IMMEDIATE") == 0);
}

TEST_CASE("create_engine: engine and SQLite options together in designated initializers", "[engine][options]") {
    const auto path = scratch_path("backend-designated.db");
    auto engine = alchemy::create_engine("sqlite:///" + path,
                                         {.pool_size = 4, .backend = alchemy::sqlite::options{.busy_timeout = 1s, .wal = false}});
    CHECK(engine.options().pool_size == 4);
    const auto* sqlite = engine.options().backend.get_if<alchemy::sqlite::options>();
    REQUIRE(sqlite != nullptr);
    CHECK(sqlite->busy_timeout == 1s);
    CHECK_FALSE(sqlite->wal);
    auto conn = engine.connect();
    CHECK(conn.execute("PRAGMA busy_timeout").scalar<int>() == 1000);
    CHECK(conn.execute("PRAGMA journal_mode").scalar<std::string>() != "wal");
}
