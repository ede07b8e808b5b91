// What PostgreSQL adds over SQLite and alchemy exposes: isolation levels per
// engine and per connection, serialization failures, the pool's pre-ping
// after a server ended a connection, the server's error diagnostics
// (constraint, table, column, detail), key lists bound as one array
// parameter, integers PostgreSQL cannot store, and batches sent in pipeline
// mode (failures in their middle, a lost connection, concurrent inserters
// whose generated keys must reach the right objects). Rows are read back with
// raw libpq.
#include "postgresql/postgres_support.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <boost/describe.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <latch>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using postgres_support::schema;
using rows = std::vector<std::vector<std::string>>;
using Catch::Contains;

namespace pg_server_test {

struct Author;
struct Book {
    std::int64_t id = 0;
    std::string title{};
    std::optional<std::int64_t> author_id{};
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id))
struct Author {
    std::int64_t id = 0;
    std::string name{};
    alchemy::relationship<Book> books{};
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name, books))
constexpr auto alchemy_table(Author*) { return alchemy::table("authors", alchemy::unique(&Author::name)); }
constexpr auto alchemy_table(Book*) {
    return alchemy::table("books", alchemy::foreign_key(&Book::author_id, &Author::id));
}

}  // namespace pg_server_test

using pg_server_test::Author;
using pg_server_test::Book;

TEST_CASE("postgresql: isolation_level sets every connection's transactions, set_isolation_level one connection's",
          "[postgresql]") {
    schema s("isolation");
    const auto level_of = [](alchemy::connection& conn) {
        auto level = conn.execute("SHOW transaction_isolation").scalar<std::string>();
        conn.rollback();
        return level;
    };
    SECTION("the server's default") {
        auto engine = alchemy::create_engine(s.url);
        auto conn = engine.connect();
        CHECK(level_of(conn) == "read committed");
        CHECK(conn.get_isolation_level() == alchemy::isolation_level::read_committed);
    }
    SECTION("per engine, and per connection until it goes back to the pool") {
        test_support::log_capture log;
        auto engine = alchemy::create_engine(
            s.url, {.sink = log.sink(), .pool_size = 1, .max_overflow = 0,
                    .isolation_level = alchemy::isolation_level::repeatable_read});
        {
            auto conn = engine.connect();
            CHECK(level_of(conn) == "repeatable read");
            conn.set_isolation_level(alchemy::isolation_level::serializable);
            CHECK(level_of(conn) == "serializable");
            CHECK(conn.get_isolation_level() == alchemy::isolation_level::serializable);
            conn.execute("SELECT 1");
            CHECK_THROWS_WITH(conn.set_isolation_level(alchemy::isolation_level::read_committed),
                              Contains("inside a transaction"));
            conn.rollback();
        }
        auto conn = engine.connect();  // the same connection, back at the engine's level
        CHECK(level_of(conn) == "repeatable read");
        // Setting a level is not a statement of the transaction and is not logged.
        for (const auto& sql : log.sql()) CHECK(sql.find("ISOLATION") == std::string::npos);
    }
}

TEST_CASE("postgresql: a serialization failure between two transactions is an OperationalError (40001)",
          "[postgresql]") {
    schema s("serializable");
    auto engine = alchemy::create_engine(s.url, {.isolation_level = alchemy::isolation_level::repeatable_read});
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)");
        conn.execute("INSERT INTO counter VALUES (1, 0)");
        conn.commit();
    }
    auto a = engine.connect();
    auto b = engine.connect();
    CHECK(a.execute("SELECT n FROM counter WHERE id = 1").scalar<std::int64_t>() == 0);
    CHECK(b.execute("SELECT n FROM counter WHERE id = 1").scalar<std::int64_t>() == 0);  // b's snapshot is taken
    a.execute("UPDATE counter SET n = n + 1 WHERE id = 1");
    a.commit();
    try {
        b.execute("UPDATE counter SET n = n + 1 WHERE id = 1");
        FAIL("no serialization failure");
    } catch (const alchemy::OperationalError& e) {
        CHECK(e.sqlstate() == "40001");
        CHECK_THAT(e.what(), Contains("could not serialize access due to concurrent update"));
    }
    b.rollback();
    CHECK(s.rows("SELECT n FROM counter") == rows{{"1"}});  // only a's increment
}

TEST_CASE("postgresql: pool_pre_ping replaces a connection the server ended before handing it out", "[postgresql]") {
    schema s("preping");
    test_support::log_capture log;
    auto engine = alchemy::create_engine(s.url, {.sink = log.sink(), .pool_size = 1, .max_overflow = 0,
                                                 .pool_pre_ping = true});
    std::int64_t victim = 0;
    {
        auto conn = engine.connect();
        victim = conn.execute("SELECT pg_backend_pid()").scalar<std::int64_t>();
        conn.commit();
    }
    CHECK(s.rows("SELECT pg_terminate_backend(" + std::to_string(victim) + ")") == rows{{"t"}});
    // Wait until the server process is gone (pg_terminate_backend only signals it).
    for (int i = 0; i < 500 && !s.rows("SELECT 1 FROM pg_stat_activity WHERE pid = " + std::to_string(victim)).empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log.clear();
    auto conn = engine.connect();  // pinged, found dead, replaced: no error reaches the caller
    CHECK(conn.execute("SELECT pg_backend_pid()").scalar<std::int64_t>() != victim);
    CHECK(log.sql() == std::vector<std::string>{"BEGIN", "SELECT pg_backend_pid()"});  // the ping is not logged
    CHECK(engine.checked_out() == 1);
}

TEST_CASE("postgresql: a constraint violation carries the server's constraint, table, column and detail",
          "[postgresql]") {
    schema s("diagnostics");
    auto engine = alchemy::create_engine(s.url);
    alchemy::metadata<Author, Book>().create_all(engine);
    alchemy::session session(engine);
    session.add(Author{.name = "Le Guin"});
    session.commit();
    session.add(Author{.name = "Le Guin"});
    try {
        session.commit();
        FAIL("no IntegrityError");
    } catch (const alchemy::IntegrityError& e) {
        CHECK(e.sqlstate() == "23505");
        CHECK(e.diagnostics().constraint_name == "authors_name_key");
        CHECK(e.diagnostics().table_name == "authors");
        CHECK(e.diagnostics().schema_name == s.name);
        CHECK(e.diagnostics().detail == "Key (name)=(Le Guin) already exists.");
    }
    session.rollback();
    session.add(Book{.title = "Orphan", .author_id = 99});
    try {
        session.commit();
        FAIL("no IntegrityError");
    } catch (const alchemy::IntegrityError& e) {
        CHECK(e.sqlstate() == "23503");
        CHECK(e.diagnostics().constraint_name == "books_author_id_fkey");
        CHECK(e.diagnostics().table_name == "books");
    }
    session.rollback();
    auto conn = engine.connect();
    try {
        conn.execute("INSERT INTO authors (name) VALUES (NULL)");
        FAIL("no IntegrityError");
    } catch (const alchemy::IntegrityError& e) {
        CHECK(e.sqlstate() == "23502");
        CHECK(e.diagnostics().column_name == "name");
        CHECK(e.diagnostics().constraint_name.empty());
    }
}

TEST_CASE("postgresql: select-IN loading binds the keys as one array, so one prepared statement serves any count",
          "[postgresql]") {
    schema s("anyarray");
    test_support::log_capture log;
    auto engine = alchemy::create_engine(s.url, {.sink = log.sink()});
    alchemy::metadata<Author, Book>().create_all(engine);
    {
        auto conn = engine.connect();
        for (int a = 1; a <= 5; ++a) {
            conn.execute("INSERT INTO authors (name) VALUES (?)", "author " + std::to_string(a));
            for (int b = 0; b < a; ++b) conn.execute("INSERT INTO books (title, author_id) VALUES (?, ?)", "book", a);
        }
        conn.commit();
    }
    const std::string load =
        R"(SELECT "books"."id", "books"."title", "books"."author_id" FROM "books" WHERE "books"."author_id" = ANY($1))";
    for (std::size_t limit : {5u, 2u}) {
        log.clear();
        alchemy::session session(engine);
        auto authors = session.query<Author>()
                           .order_by(alchemy::col(&Author::id))
                           .limit(static_cast<std::int64_t>(limit))
                           .options(alchemy::selectinload(&Author::books))
                           .all();
        REQUIRE(authors.size() == limit);
        std::size_t books = 0;
        for (const auto& a : authors) books += std::as_const(a)->books.size();
        CHECK(books == (limit == 5 ? 15u : 3u));
        const auto trace = log.trace();
        REQUIRE(trace.size() == 3);
        CHECK(trace[2] == "statement " + load + (limit == 5 ? " <- ('{1,2,3,4,5}')" : " <- ('{1,2}')"));
    }
}

TEST_CASE("postgresql: an integer the column cannot hold is a DataError, never truncated", "[postgresql]") {
    schema s("range");
    auto engine = alchemy::create_engine(s.url);
    auto conn = engine.connect();
    conn.execute("CREATE TABLE small (n SMALLINT, i INTEGER)");
    conn.commit();
    try {
        conn.execute("INSERT INTO small (n) VALUES (?)", 70000);
        FAIL("no DataError");
    } catch (const alchemy::DataError& e) {
        CHECK(e.sqlstate() == "22003");
        CHECK_THAT(e.what(), Contains("out of range"));
    }
    conn.rollback();
    CHECK_THROWS_AS(conn.execute("INSERT INTO small (i) VALUES (?)", std::int64_t{1} << 40), alchemy::DataError);
    conn.rollback();
    // A BIGINT read into a narrower C++ type that cannot hold it is a ConversionError.
    CHECK_THROWS_AS(conn.execute("SELECT CAST(? AS BIGINT)", std::int64_t{1} << 40).scalar<std::int32_t>(),
                    alchemy::ConversionError);
    CHECK(s.rows("SELECT count(*) FROM small") == rows{{"0"}});
}

// ---- pipelined batches ---------------------------------------------------------------------
// Inside a transaction, a batch runs in libpq's pipeline mode: up to 512 executions sent ahead
// of their results (pg_connection::pipeline_depth). 1,200 rows span three pipelines.

namespace {

std::vector<std::vector<alchemy::value>> numbered_rows(int count) {
    std::vector<std::vector<alchemy::value>> out;
    for (int n = 1; n <= count; ++n) out.push_back({alchemy::value(std::int64_t{n}), alchemy::value("row " + std::to_string(n))});
    return out;
}

}  // namespace

TEST_CASE("postgresql: a pipelined batch that fails in its middle names its row, and leaves the connection ready",
          "[postgresql]") {
    schema s("pipeline");
    auto engine = alchemy::create_engine(s.url);
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, label TEXT NOT NULL)");
    conn.commit();
    const std::string insert = "INSERT INTO t (n, label) VALUES (?, ?)";
    auto rows_in = numbered_rows(1200);

    SECTION("every row") {
        CHECK(conn.execute_many(insert, rows_in) == 1200);
        conn.commit();
        CHECK(s.rows("SELECT count(*), sum(n), min(label), max(label) FROM t") ==
              rows{{"1200", "720600", "row 1", "row 999"}});
    }
    SECTION("row 700 repeats the key of row 7: the server's error, then rollback() and the connection works") {
        rows_in[699][0] = alchemy::value(std::int64_t{7});
        try {
            conn.execute_many(insert, rows_in);
            FAIL("no IntegrityError");
        } catch (const alchemy::IntegrityError& e) {
            CHECK(e.sqlstate() == "23505");
            CHECK_THAT(std::string(e.what()), Contains("[parameters: (7, 'row 700')]") &&
                                                  Contains("PostgreSQL ignores every further statement"));
        }
        CHECK(conn.in_transaction());
        conn.rollback();
        CHECK(conn.execute("SELECT count(*) FROM t").scalar<std::int64_t>() == 0);
        CHECK(conn.execute_many(insert, numbered_rows(600)) == 600);
        conn.commit();
        CHECK(s.rows("SELECT count(*) FROM t") == rows{{"600"}});
    }
    SECTION("row 600 has a NUL character: refused before it is sent, the rows sent before it still run") {
        rows_in[599][1] = alchemy::value(std::string("a\0b", 3));
        CHECK_THROWS_AS(conn.execute_many(insert, rows_in), alchemy::DataError);
        // Nothing failed on the server: the transaction holds rows 1-599, as it would row by row.
        CHECK(conn.in_transaction());
        CHECK(conn.execute("SELECT count(*) FROM t").scalar<std::int64_t>() == 599);
        conn.rollback();
        CHECK(s.rows("SELECT count(*) FROM t") == rows{{"0"}});
    }
}

TEST_CASE("postgresql: a connection the server ends during a pipelined batch fails it, and the pool opens a new one",
          "[postgresql]") {
    schema s("pipeline_lost");
    auto engine = alchemy::create_engine(s.url, {.pool_size = 1, .max_overflow = 0});
    const std::string insert = "INSERT INTO t (n, label) VALUES (?, ?)";
    std::int64_t victim = 0;
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, label TEXT NOT NULL)");
        conn.execute_many(insert, numbered_rows(2));  // the INSERT is prepared and cached
        conn.commit();
        victim = conn.execute("SELECT pg_backend_pid()").scalar<std::int64_t>();  // in a transaction again
        CHECK(s.rows("SELECT pg_terminate_backend(" + std::to_string(victim) + ")") == rows{{"t"}});
        for (int i = 0; i < 500 && !s.rows("SELECT 1 FROM pg_stat_activity WHERE pid = " + std::to_string(victim)).empty(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK_THROWS_AS(conn.execute_many(insert, numbered_rows(1200)), alchemy::OperationalError);
    }
    auto conn = engine.connect();
    CHECK(conn.execute("SELECT pg_backend_pid()").scalar<std::int64_t>() != victim);
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<std::int64_t>() == 2);  // nothing of the lost transaction
    conn.execute("DELETE FROM t");
    CHECK(conn.execute_many(insert, numbered_rows(1200)) == 1200);
    conn.commit();
    CHECK(s.rows("SELECT count(*) FROM t") == rows{{"1200"}});
}

TEST_CASE("postgresql: two sessions flushing 1,000 new objects each at the same time get their own rows' keys",
          "[postgresql]") {
    schema s("concurrent_keys");
    auto engine = alchemy::create_engine(s.url);
    alchemy::metadata<Author, Book>().create_all(engine);
    constexpr int per_thread = 1000;
    std::latch ready(2);
    std::vector<std::vector<std::pair<std::string, std::int64_t>>> keys(2);
    std::vector<std::exception_ptr> errors(2);
    const auto work = [&](std::size_t t) {
        try {
            alchemy::session session(engine);
            std::vector<alchemy::ptr<Author>> authors;
            for (int i = 0; i < per_thread; ++i)
                authors.push_back(session.add(Author{.name = "thread " + std::to_string(t) + " author " + std::to_string(i)}));
            ready.arrive_and_wait();  // both flush at once
            session.flush();
            for (const auto& a : authors) keys[t].emplace_back(std::as_const(a)->name, std::as_const(a)->id);
            session.commit();
        } catch (...) {
            errors[t] = std::current_exception();
        }
    };
    std::thread first(work, 0), second(work, 1);
    first.join();
    second.join();
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
    std::map<std::string, std::string> stored;
    for (const auto& r : s.rows("SELECT id, name FROM authors")) stored[r[1]] = r[0];
    REQUIRE(stored.size() == 2 * per_thread);
    int wrong = 0;
    for (const auto& thread_keys : keys) {
        REQUIRE(thread_keys.size() == per_thread);
        for (const auto& [name, id] : thread_keys)
            if (stored[name] != std::to_string(id)) ++wrong;
    }
    CHECK(wrong == 0);
}
