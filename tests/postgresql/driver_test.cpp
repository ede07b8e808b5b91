// The PostgreSQL backend against the throwaway server ctest starts: URLs and
// connecting, parameters (? and :name rewritten to $n), every storage class
// both ways, errors classified by SQLSTATE, PostgreSQL's aborted
// transactions, a COMMIT that fails, and the prepared-statement cache. Rows
// are read back with raw libpq.
#include "postgresql/postgres_support.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <boost/describe.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using postgres_support::schema;
using rows = std::vector<std::vector<std::string>>;
using Catch::Contains;

TEST_CASE("postgresql: rewrite_placeholders turns ? and :name into $n outside literals, comments and casts",
          "[postgresql]") {
    using alchemy::detail::rewrite_placeholders;
    const auto positional = rewrite_placeholders("SELECT ?, '?', \"?\", ? -- ?\n/* ? /* ? */ ? */ FROM t");
    CHECK(positional.text == "SELECT $1, '?', \"?\", $2 -- ?\n/* ? /* ? */ ? */ FROM t");
    CHECK(positional.parameter_count == 2);

    const auto named = rewrite_placeholders("SELECT :a::text, :b, :a, 'x:y', $$ :c $$, $q$ ? $q$, e'\\' :d', x::int");
    CHECK(named.text == "SELECT $1::text, $2, $1, 'x:y', $$ :c $$, $q$ ? $q$, e'\\' :d', x::int");
    CHECK(named.names == std::vector<std::string>{":a", ":b"});

    const auto native = rewrite_placeholders("SELECT $1, $3, 'it''s ?'");
    CHECK(native.text == "SELECT $1, $3, 'it''s ?'");
    CHECK(native.parameter_count == 3);

    CHECK_THROWS_WITH(rewrite_placeholders("SELECT $1, ?"), Contains("mixes PostgreSQL's $n parameters with ? or :name"));

    // Only comments, whitespace and ';' is no statement (the server would run nothing).
    CHECK_FALSE(rewrite_placeholders(" -- only a comment\n/* and ; another */ ;").has_statement);
    CHECK(rewrite_placeholders("/* c */ SELECT 1").has_statement);
    CHECK(rewrite_placeholders("'x'").has_statement);
}

TEST_CASE("postgresql: connects through a URL and runs statements with bound parameters", "[postgresql]") {
    schema s("connect");
    test_support::log_capture log;
    auto engine = alchemy::create_engine(s.url, {.sink = log.sink()});
    CHECK(engine.dialect().name() == "postgresql");
    auto conn = engine.connect();
    CHECK(PQserverVersion(alchemy::postgresql::native_handle(conn)) >= 150000);
    CHECK(conn.execute("SELECT CAST(? AS BIGINT) + 1", 41).scalar<std::int64_t>() == 42);
    CHECK(conn.execute("SELECT CAST(:x AS TEXT) || CAST(:y AS TEXT) || CAST(:x AS TEXT)", alchemy::param("x", "a"),
                       alchemy::param("y", "b"))
              .scalar<std::string>() == "aba");
    CHECK(conn.execute("SELECT $1::int + $2::int", 2, 3).scalar<std::int64_t>() == 5);
    conn.commit();
    // The log shows the SQL as written; only the server sees $n.
    CHECK(log.sql() == std::vector<std::string>{"BEGIN", "SELECT CAST(? AS BIGINT) + 1",
                                                "SELECT CAST(:x AS TEXT) || CAST(:y AS TEXT) || CAST(:x AS TEXT)",
                                                "SELECT $1::int + $2::int", "COMMIT"});
    CHECK_THROWS_AS(alchemy::sqlite::native_handle(conn), alchemy::ArgumentError);
}

TEST_CASE("postgresql: every storage class goes in and comes back unchanged", "[postgresql]") {
    schema s("types");
    auto engine = alchemy::create_engine(s.url);
    auto conn = engine.connect();
    conn.execute("CREATE TABLE v (i BIGINT, b BOOLEAN, r DOUBLE PRECISION, t TEXT, x BYTEA, n NUMERIC, s SMALLINT)");
    const std::vector<std::byte> blob{std::byte{0}, std::byte{1}, std::byte{0x7f}, std::byte{0xff}, std::byte{0}};
    const std::string text = "héllo 'world' \"\\ ? :x $1";
    conn.execute("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?)", std::numeric_limits<std::int64_t>::min(), true, 0.1,
                 text, blob, 12345, std::int16_t{-7});
    conn.execute("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?)", std::numeric_limits<std::int64_t>::max(), false,
                 -std::numeric_limits<double>::infinity(), std::string(), std::vector<std::byte>{}, 2.5,
                 nullptr);
    conn.execute("INSERT INTO v VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    using opt_blob = std::optional<std::vector<std::byte>>;
    const auto rs = conn.execute("SELECT i, b, r, t, x, n, s FROM v ORDER BY i NULLS LAST")
                        .all<std::optional<std::int64_t>, std::optional<bool>, std::optional<double>,
                             std::optional<std::string>, opt_blob, std::optional<double>, std::optional<int>>();
    REQUIRE(rs.size() == 3);
    CHECK(rs[0] == std::tuple{std::numeric_limits<std::int64_t>::min(), true, 0.1, text, blob, 12345.0, -7});
    CHECK(std::get<0>(rs[1]) == std::numeric_limits<std::int64_t>::max());
    CHECK(std::get<1>(rs[1]) == false);
    CHECK(std::get<2>(rs[1]) == -std::numeric_limits<double>::infinity());
    CHECK(std::get<3>(rs[1]) == std::string());
    CHECK(std::get<4>(rs[1]) == std::vector<std::byte>{});
    CHECK(std::get<5>(rs[1]) == 2.5);
    CHECK_FALSE(std::get<6>(rs[1]));
    CHECK(rs[2] == std::tuple{std::nullopt, std::nullopt, std::nullopt, std::nullopt, opt_blob{}, std::nullopt,
                              std::nullopt});
    // A whole numeric reads as an integer (sum() of a BIGINT column is a numeric).
    CHECK(conn.execute("SELECT n FROM v WHERE s = -7").scalar<std::int64_t>() == 12345);
    CHECK(conn.execute("SELECT sum(i) FROM v WHERE i > 0").scalar<std::int64_t>() ==
          std::numeric_limits<std::int64_t>::max());
    conn.commit();
    // What the server stored, read with raw libpq.
    CHECK(s.rows("SELECT i, b, t, encode(x, 'hex'), n FROM v ORDER BY i NULLS LAST") ==
          rows{{"-9223372036854775808", "t", text, "00017fff00", "12345"},
               {"9223372036854775807", "f", "", "", "2.5"},
               {"NULL", "NULL", "NULL", "NULL", "NULL"}});
}

TEST_CASE("postgresql: text with a NUL character is refused (PostgreSQL's text cannot hold it)", "[postgresql]") {
    schema s("nul");
    auto engine = alchemy::create_engine(s.url);
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x TEXT)");
    try {
        conn.execute("INSERT INTO t VALUES (?)", std::string("a\0b", 3));
        FAIL("no error");
    } catch (const alchemy::DataError& e) {
        CHECK(e.sqlstate() == "22021");
        CHECK_THAT(std::string(e.what()), Contains("a text parameter contains a NUL character") &&
                                              Contains("[SQL: INSERT INTO t VALUES (?)]"));
    }
}

TEST_CASE("postgresql: database errors become SQLAlchemy's classes with their SQLSTATE", "[postgresql]") {
    schema s("errors");
    auto engine = alchemy::create_engine(s.url);
    auto conn = engine.connect();
    conn.execute("CREATE TABLE u (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
    conn.execute("INSERT INTO u VALUES (1, 'a')");
    conn.commit();

    const auto error_of = [&](auto&& run) -> std::pair<std::string, std::string> {
        try {
            run();
        } catch (const alchemy::DBAPIError& e) {
            conn.rollback();
            return {e.sqlstate(), e.what()};
        }
        return {};
    };
    SECTION("unique violation") {
        const auto [state, what] = error_of([&] { conn.execute("INSERT INTO u VALUES (2, 'a')"); });
        CHECK(state == "23505");
        CHECK_THAT(what, Contains("(libpq.IntegrityError) duplicate key value violates unique constraint") &&
                             Contains("Key (name)=(a) already exists") && Contains("[SQLSTATE 23505]"));
        CHECK_THROWS_AS(conn.execute("INSERT INTO u VALUES (1, 'b')"), alchemy::IntegrityError);
    }
    SECTION("not null") {
        CHECK(error_of([&] { conn.execute("INSERT INTO u VALUES (3, NULL)"); }).first == "23502");
        CHECK_THROWS_AS(conn.execute("INSERT INTO u VALUES (3, NULL)"), alchemy::IntegrityError);
    }
    SECTION("syntax error and unknown table are ProgrammingErrors") {
        CHECK_THROWS_AS(conn.execute("SELEKT 1"), alchemy::ProgrammingError);
        conn.rollback();
        CHECK(error_of([&] { conn.execute("SELECT * FROM nowhere"); }).first == "42P01");
        CHECK_THROWS_AS(conn.execute("SELECT * FROM nowhere"), alchemy::ProgrammingError);
    }
    SECTION("bad input is a DataError") {
        CHECK(error_of([&] { conn.execute("SELECT CAST(? AS INTEGER)", "x"); }).first == "22P02");
        CHECK_THROWS_AS(conn.execute("SELECT 1 / 0"), alchemy::DataError);
    }
    SECTION("two statements in one text are refused") {
        CHECK_THROWS_AS(conn.execute("SELECT 1; SELECT 2"), alchemy::ProgrammingError);
    }
}

TEST_CASE("postgresql: after an error the transaction refuses statements until it is rolled back", "[postgresql]") {
    schema s("aborted");
    auto engine = alchemy::create_engine(s.url);
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)");
    conn.commit();
    conn.execute("INSERT INTO t VALUES (1)");
    try {
        conn.execute("INSERT INTO t VALUES (1)");
        FAIL("no error");
    } catch (const alchemy::IntegrityError& e) {
        CHECK_THAT(std::string(e.what()), Contains("PostgreSQL ignores every further statement of this transaction"));
    }
    try {
        conn.execute("SELECT 1");
        FAIL("no error");
    } catch (const alchemy::InternalError& e) {
        CHECK(e.sqlstate() == "25P02");
    }
    conn.rollback();
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<std::int64_t>() == 0);

    SECTION("a savepoint recovers the transaction") {
        conn.execute("INSERT INTO t VALUES (1)");
        {
            auto nested = conn.begin_nested();
            CHECK_THROWS_AS(conn.execute("INSERT INTO t VALUES (1)"), alchemy::IntegrityError);
            nested.rollback();
        }
        conn.execute("INSERT INTO t VALUES (2)");
        conn.commit();
        CHECK(s.rows("SELECT x FROM t ORDER BY x") == rows{{"1"}, {"2"}});
    }
}

TEST_CASE("postgresql: a COMMIT that fails (a deferred foreign key) commits nothing and says so", "[postgresql]") {
    schema s("commit");
    test_support::log_capture log;
    auto engine = alchemy::create_engine(s.url, {.sink = log.sink()});
    auto conn = engine.connect();
    conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)");
    conn.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)");
    conn.commit();
    conn.execute("INSERT INTO p VALUES (1)");
    conn.execute("INSERT INTO c VALUES (1, 99)");
    log.clear();
    try {
        conn.commit();
        FAIL("no error");
    } catch (const alchemy::IntegrityError& e) {
        CHECK(e.sqlstate() == "23503");
        CHECK_THAT(std::string(e.what()), Contains("nothing of it was committed"));
    }
    CHECK(log.kinds() == std::vector<alchemy::log_kind>{alchemy::log_kind::commit, alchemy::log_kind::rollback});
    CHECK(s.rows("SELECT count(*) FROM p") == rows{{"0"}});
    // The connection is usable again, in a new transaction.
    conn.execute("INSERT INTO p VALUES (2)");
    conn.commit();
    CHECK(s.rows("SELECT id FROM p") == rows{{"2"}});
}

TEST_CASE("postgresql: a server that refuses the connection is an OperationalError naming where, without the password",
          "[postgresql]") {
    // Port 1 on the loopback address: nothing listens there.
    auto engine = alchemy::create_engine("postgresql://scott:s3cr3t-pw@127.0.0.1:1/appdb?connect_timeout=2");
    try {
        engine.connect();
        FAIL("connected");
    } catch (const alchemy::OperationalError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Contains("could not connect to host '127.0.0.1', port 1, database 'appdb'"));
        CHECK(e.sqlstate() == "08001");
        CHECK(what.find("s3cr3t-pw") == std::string::npos);
    }
    CHECK(engine.url().render() == "postgresql://scott:***@127.0.0.1:1/appdb?connect_timeout=2");
}

TEST_CASE("postgresql: an unknown URL parameter is an ArgumentError", "[postgresql]") {
    CHECK_THROWS_WITH(alchemy::create_engine("postgresql://u:pw@h/db?colour=blue"),
                      Contains("unknown parameter 'colour'") && Contains("postgresql://u:***@h/db"));
}

TEST_CASE("postgresql: statements the cache drops are deallocated on the server", "[postgresql]") {
    schema s("cache");
    auto engine = alchemy::create_engine(s.url, {.statement_cache_size = 2});
    auto conn = engine.connect();
    for (int i = 0; i < 6; ++i) conn.execute("SELECT " + std::to_string(i)).scalar<int>();
    const auto prepared = conn.execute("SELECT count(*) FROM pg_prepared_statements").scalar<std::int64_t>();
    CHECK(prepared <= 3);  // the cache's two and the count itself
}

// ---- the ORM on PostgreSQL: keys through RETURNING -------------------------------

namespace pg_models {
struct Post;
struct Author {
    std::int64_t id = 0;
    std::string name;
    alchemy::relationship<Post> posts{};
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name, posts))
struct Post {
    std::int64_t id = 0;
    std::string title;
    std::optional<std::int64_t> author_id{};
    alchemy::backref<Author> author{};
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, title, author_id, author))
inline constexpr auto alchemy_table(Author*) { return alchemy::table("authors", alchemy::primary_key(&Author::id)); }
inline constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::primary_key(&Post::id), alchemy::foreign_key(&Post::author_id, &Author::id));
}
}  // namespace pg_models

TEST_CASE("postgresql: the session writes objects and reads the generated keys back through RETURNING",
          "[postgresql]") {
    using pg_models::Author;
    using pg_models::Post;
    schema s("orm");
    test_support::log_capture log;
    auto engine = alchemy::create_engine(s.url, {.sink = log.sink()});
    alchemy::metadata<Author, Post>().create_all(engine);
    log.clear();
    {
        alchemy::session session(engine);
        auto a = session.add(Author{.name = "ann"});
        a->posts.append(alchemy::make(Post{.title = "one"}));
        a->posts.append(alchemy::make(Post{.title = "two"}));
        session.commit();
        CHECK(a->id == 1);
    }
    CHECK(log.sql() == std::vector<std::string>{
                           "BEGIN",
                           R"(INSERT INTO "authors" ("name") VALUES ($1) RETURNING "id")",
                           R"(INSERT INTO "posts" ("title", "author_id") VALUES ($1, $2) RETURNING "id")",
                           R"(INSERT INTO "posts" ("title", "author_id") VALUES ($1, $2) RETURNING "id")",
                           "COMMIT",
                           "BEGIN",
                           R"(SELECT "id", "name" FROM "authors" WHERE "id" = $1)",
                           "ROLLBACK"});
    CHECK(s.rows("SELECT p.id, p.title, a.name FROM posts p JOIN authors a ON a.id = p.author_id ORDER BY p.id") ==
          rows{{"1", "one", "ann"}, {"2", "two", "ann"}});
    {
        alchemy::session session(engine);
        auto authors = session.query<Author>().filter(alchemy::col(&Author::name).ilike("A%")).all();
        REQUIRE(authors.size() == 1);
        CHECK(authors[0]->posts.size() == 2);
        session.remove(authors[0]->posts[0]);
        authors[0]->name = "anna";
        session.commit();
    }
    CHECK(s.rows("SELECT a.name, p.title FROM authors a JOIN posts p ON a.id = p.author_id") ==
          rows{{"anna", "two"}});
}

TEST_CASE("postgresql: a failed flush rolls back, keeps every object's values, and a corrected commit writes once",
          "[postgresql]") {
    using pg_models::Author;
    schema s("flush");
    test_support::log_capture log;
    auto engine = alchemy::create_engine(s.url, {.sink = log.sink()});
    alchemy::metadata<Author, pg_models::Post>().create_all(engine);
    {
        auto conn = engine.connect();
        conn.execute("CREATE UNIQUE INDEX authors_name ON authors (name)");
        conn.execute("INSERT INTO authors (id, name) VALUES (100, 'ann')");
        conn.commit();
    }
    alchemy::session session(engine);
    auto ann = session.get<Author>(100);
    ann->name = "ann b.";
    auto bob = session.add(Author{.name = "bob"});
    auto dup = session.add(Author{.name = "ann b."});
    log.clear();
    CHECK_THROWS_AS(session.commit(), alchemy::IntegrityError);
    CHECK(log.sql() == std::vector<std::string>{R"(UPDATE "authors" SET "name" = $1 WHERE "id" = $2)",
                                                R"(INSERT INTO "authors" ("name") VALUES ($1) RETURNING "id")",
                                                R"(INSERT INTO "authors" ("name") VALUES ($1) RETURNING "id")",
                                                "ROLLBACK"});
    CHECK(s.rows("SELECT id, name FROM authors") == rows{{"100", "ann"}});
    CHECK(alchemy::state_of(ann) == alchemy::object_state::persistent);
    CHECK(alchemy::state_of(bob) == alchemy::object_state::pending);
    CHECK(std::as_const(bob)->id == 0);  // the generated key is taken back with its row
    CHECK(std::as_const(ann)->name == "ann b.");

    dup->name = "dora";
    log.clear();
    session.commit();
    CHECK(log.sql() == std::vector<std::string>{"BEGIN", R"(UPDATE "authors" SET "name" = $1 WHERE "id" = $2)",
                                                R"(INSERT INTO "authors" ("name") VALUES ($1) RETURNING "id")",
                                                R"(INSERT INTO "authors" ("name") VALUES ($1) RETURNING "id")",
                                                "COMMIT"});
    // The identity sequence moved on during the failed attempt: PostgreSQL never reuses its values.
    CHECK(s.rows("SELECT name FROM authors ORDER BY name") == rows{{"ann b."}, {"bob"}, {"dora"}});
}

TEST_CASE("postgresql: a connection the server closed fails once, and the pool then opens a new one",
          "[postgresql]") {
    schema s("lost");
    auto engine = alchemy::create_engine(s.url, {.pool_size = 1, .max_overflow = 0});
    std::int64_t victim = 0;
    {
        auto conn = engine.connect();
        victim = conn.execute("SELECT pg_backend_pid()").scalar<std::int64_t>();
        conn.commit();
    }
    // Another connection, outside the engine, ends the pooled one's server process.
    CHECK(s.rows("SELECT pg_terminate_backend(" + std::to_string(victim) + ")") == rows{{"t"}});
    {
        auto conn = engine.connect();
        CHECK_THROWS_AS(conn.execute("SELECT 1"), alchemy::OperationalError);
    }
    auto conn = engine.connect();
    CHECK(conn.execute("SELECT pg_backend_pid()").scalar<std::int64_t>() != victim);
}

TEST_CASE("postgresql: another backend's options are refused, not ignored", "[postgresql]") {
    CHECK_THROWS_WITH(
        alchemy::create_engine("postgresql://u:pw@h/db", {.backend = alchemy::sqlite::options{.wal = false}}),
        Contains("engine_options.backend holds alchemy::sqlite::options, which 'postgresql://' URLs do not take") &&
            Contains("postgresql://u:***@h/db"));
}

namespace pg_models {
struct Shift {
    std::int64_t id = 0;
    bool open = false;
    std::chrono::sys_days day{};
    std::chrono::sys_time<std::chrono::microseconds> starts{};
    std::optional<bool> checked{};
    std::chrono::system_clock::time_point noted{};  // nanoseconds: declared TEXT
};
BOOST_DESCRIBE_STRUCT(Shift, (), (id, open, day, starts, checked, noted))
inline constexpr auto alchemy_table(Shift*) { return alchemy::table("shifts", alchemy::primary_key(&Shift::id)); }
}  // namespace pg_models

TEST_CASE("postgresql: bool, date and timestamp members are BOOLEAN, DATE and TIMESTAMP columns and round-trip",
          "[postgresql]") {
    using pg_models::Shift;
    using namespace std::chrono;
    schema s("types_ddl");
    test_support::log_capture log;
    auto engine = alchemy::create_engine(s.url, {.sink = log.sink()});
    alchemy::metadata<Shift>().create_all(engine);
    CHECK(log.sql()[1] ==
          R"(CREATE TABLE IF NOT EXISTS "shifts" ("id" BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, )"
          R"("open" BOOLEAN NOT NULL, "day" DATE NOT NULL, "starts" TIMESTAMP NOT NULL, "checked" BOOLEAN, )"
          R"("noted" TEXT NOT NULL))");
    const auto day = sys_days{year{2026} / December / 5};
    const auto starts = sys_time<microseconds>{day + hours{22} + minutes{5} + microseconds{123456}};
    const auto noted = system_clock::time_point{day + nanoseconds{1}};
    {
        alchemy::session session(engine);
        session.add(Shift{.open = true, .day = day, .starts = starts, .checked = false, .noted = noted});
        session.commit();
    }
    CHECK(s.rows("SELECT open, day, starts, checked, noted FROM shifts") ==
          rows{{"t", "2026-12-05", "2026-12-05 22:05:00.123456", "f", "2026-12-05 00:00:00.000000001"}});
    alchemy::session session(engine);
    auto shift = session.query<Shift>().one();
    CHECK(shift->open);
    CHECK(shift->day == day);
    CHECK(shift->starts == starts);
    CHECK(shift->checked == false);
    CHECK(shift->noted == noted);
    CHECK(session.query<Shift>().filter(alchemy::col(&Shift::day) == day).count() == 1);
}
