// Database URLs (alchemy::parse_url) and the option checks of create_engine.
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using namespace std::chrono_literals;

TEST_CASE("parse_url: sqlite:// and sqlite:///:memory: are in-memory databases", "[url]") {
    for (const char* text : {"sqlite://", "sqlite:///:memory:"}) {
        INFO(text);
        const auto u = alchemy::parse_url(text);
        CHECK(u.dialect == "sqlite");
        CHECK(u.database.empty());
        CHECK(u.is_memory());
    }
}

TEST_CASE("parse_url: three slashes give a path relative to the working directory", "[url]") {
    const auto u = alchemy::parse_url("sqlite:///relative.db");
    CHECK(u.dialect == "sqlite");
    CHECK(u.database == "relative.db");
    CHECK_FALSE(u.is_memory());

    CHECK(alchemy::parse_url("sqlite:///sub/dir/app.db").database == "sub/dir/app.db");
}

TEST_CASE("parse_url: four slashes give an absolute path", "[url]") {
    const auto u = alchemy::parse_url("sqlite:////absolute/path.db");
    CHECK(u.dialect == "sqlite");
    CHECK(u.database == "/absolute/path.db");
    CHECK_FALSE(u.is_memory());
}

TEST_CASE("parse_url: a malformed URL is an ArgumentError naming the URL", "[url]") {
    const std::string text = GENERATE(as<std::string>{},
                                      "",
                                      "sqlite:",
                                      "sqlite:/x.db",
                                      "relative.db",
                                      "sqlite://host/x.db",
                                      "sqlite:///",
                                      "sqlite:///x.db?mode=ro",
                                      "sqlite+pysqlite:///x.db",
                                      "mysql://u@h/db");
    INFO("URL: '" << text << "'");
    REQUIRE_THROWS_AS(alchemy::parse_url(text), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(alchemy::parse_url(text), Catch::Contains("'" + text + "'"));
    // The same check happens at create_engine, before anything is opened.
    REQUIRE_THROWS_AS(alchemy::create_engine(text), alchemy::ArgumentError);
}

TEST_CASE("parse_url: the message says what is wrong", "[url]") {
    REQUIRE_THROWS_WITH(alchemy::parse_url("sqlite://host/x.db"),
                        Catch::Contains("'host/x.db' is a host name"));
    REQUIRE_THROWS_WITH(alchemy::parse_url("sqlite:///x.db?mode=ro"),
                        Catch::Contains("query parameters are not supported"));
    REQUIRE_THROWS_WITH(alchemy::parse_url("sqlite+pysqlite:///x.db"),
                        Catch::Contains("driver 'pysqlite' is not supported"));
    REQUIRE_THROWS_WITH(alchemy::parse_url("mysql://u@h/db"),
                        Catch::Contains("'mysql' is not supported (supported: sqlite, postgresql)"));
    REQUIRE_THROWS_WITH(alchemy::parse_url("sqlite:///"), Catch::Contains("the database path is empty"));
}

TEST_CASE("parse_url: a path starting with 'file:' (an SQLite URI filename) is refused, saying what to write",
          "[url]") {
    const auto message = [](const std::string& url, const std::string& path) {
        return "alchemy: database URL '" + url +
               "' is refused: SQLite reads a path that starts with 'file:' as a URI filename, not as a file name "
               "('file::memory:' would give each pooled connection its own empty database); write 'sqlite://' for "
               "an in-memory database, or 'sqlite:///./" + path + "' for a file whose name starts with 'file:'";
    };
    const auto [url, path] = GENERATE(table<std::string, std::string>({
        {"sqlite:///file::memory:", "file::memory:"},
        {"sqlite:///file:x.db", "file:x.db"},
        {"sqlite:///file:", "file:"},
        {"sqlite:///file:///tmp/x.db", "file:///tmp/x.db"},
    }));
    INFO("URL: '" << url << "'");
    REQUIRE_THROWS_AS(alchemy::parse_url(url), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(alchemy::parse_url(url), message(url, path));
    REQUIRE_THROWS_WITH(alchemy::create_engine(url), message(url, path));
}

TEST_CASE("parse_url: 'file:' anywhere but at the start of the path is part of a file name", "[url]") {
    CHECK(alchemy::parse_url("sqlite:///./file:name.db").database == "./file:name.db");
    CHECK(alchemy::parse_url("sqlite:///data/file:x.db").database == "data/file:x.db");
    CHECK(alchemy::parse_url("sqlite:////file:x.db").database == "/file:x.db");  // absolute
    CHECK(alchemy::parse_url("sqlite:///FILE:x.db").database == "FILE:x.db");    // SQLite's check is case-sensitive
    CHECK(alchemy::parse_url("sqlite:///myfile:x.db").database == "myfile:x.db");
}

TEST_CASE("create_engine: invalid options are an ArgumentError naming the option", "[url][engine]") {
    SECTION("pool_size 0") {
        REQUIRE_THROWS_AS(alchemy::create_engine("sqlite://", {.pool_size = 0}), alchemy::ArgumentError);
        REQUIRE_THROWS_WITH(alchemy::create_engine("sqlite://", {.pool_size = 0}),
                            Catch::Contains("pool_size"));
    }
    SECTION("negative pool_timeout") {
        REQUIRE_THROWS_AS(alchemy::create_engine("sqlite://", {.pool_timeout = -1ms}), alchemy::ArgumentError);
        REQUIRE_THROWS_WITH(alchemy::create_engine("sqlite://", {.pool_timeout = -1ms}),
                            Catch::Contains("pool_timeout"));
    }
    SECTION("negative busy_timeout") {
        const alchemy::engine_options options{.backend = alchemy::sqlite::options{.busy_timeout = -1ms}};
        REQUIRE_THROWS_AS(alchemy::create_engine("sqlite://", options), alchemy::ArgumentError);
        REQUIRE_THROWS_WITH(alchemy::create_engine("sqlite://", options),
                            Catch::Contains("sqlite::options.busy_timeout must be between 0 and") &&
                                Catch::Contains("not -1 ms"));
    }
    SECTION("busy_timeout too large for sqlite3_busy_timeout") {
        const auto too_long = std::chrono::milliseconds(std::int64_t{1} << 40);
        REQUIRE_THROWS_AS(alchemy::create_engine("sqlite://", {.backend = alchemy::sqlite::options{.busy_timeout = too_long}}),
                          alchemy::ArgumentError);
    }
    SECTION("zero timeouts and zero overflow are valid") {
        auto engine = alchemy::create_engine(
            "sqlite://", {.pool_size = 1,
                          .max_overflow = 0,
                          .pool_timeout = 0ms,
                          .backend = alchemy::sqlite::options{.busy_timeout = 0ms}});
        auto conn = engine.connect();
        CHECK(conn.execute("SELECT 1").scalar<int>() == 1);
    }
}
