// connection::execute(): binding positional and named parameters, reading
// results (by index, by name, whole-result readers, streaming iteration), the
// counts a statement reports, closed resources and the per-connection
// prepared-statement cache.
// Tests tagged [sqlite] stay SQLite-only: they look into SQLite's statements
// through the native handle (sqlite3_next_stmt), or test its rowids, its
// parameter syntax (@name, $name) and texts, or json_each. The rest run on
// every test backend ([backend], support/backend.hpp).
#include "support/backend.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <sqlite3.h>

using Catch::Contains;
using Catch::Equals;
using rows_t = std::vector<std::vector<std::string>>;

namespace {

alchemy::engine memory_engine() { return alchemy::create_engine("sqlite://"); }

// A file engine; scratch paths are absolute, so this is the four-slash form.
alchemy::engine file_engine(const std::string& path, alchemy::engine_options options = {}) {
    return alchemy::create_engine("sqlite:///" + path, std::move(options));
}

// Prepared statements alive on a connection (all of them, or those whose
// SQL is `sql`), seen through SQLite itself rather than alchemy's cache.
int live_statements(sqlite3* db, std::optional<std::string_view> sql = std::nullopt) {
    int n = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s; s = sqlite3_next_stmt(db, s))
        if (!sql || std::string_view(sqlite3_sql(s)) == *sql) ++n;
    return n;
}

sqlite3_stmt* find_statement(sqlite3* db, std::string_view sql) {
    for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s; s = sqlite3_next_stmt(db, s))
        if (std::string_view(sqlite3_sql(s)) == sql) return s;
    return nullptr;
}

int busy_statements(sqlite3* db) {
    int n = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s; s = sqlite3_next_stmt(db, s))
        if (sqlite3_stmt_busy(s)) ++n;
    return n;
}

// people(id, name) with three rows.
void fill_people(alchemy::connection& conn) {
    conn.execute(test_backend::ddl("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"));
    conn.execute("INSERT INTO people (id, name) VALUES (1, 'Alice'), (2, 'Bob'), (3, 'Carol')");
}

}  // namespace

// ---------------------------------------------------------------------------
// parameters

TEST_CASE("execute binds positional parameters in order", "[backend][execute]") {
    test_backend::database db("execute_positional.db");
    {
        auto engine = db.engine();
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (a INTEGER, b TEXT, c REAL)");
        conn.execute("INSERT INTO t (a, b, c) VALUES (?, ?, ?)", 7, std::string("seven"), 7.5);
        conn.execute("INSERT INTO t (a, b, c) VALUES (?, ?, ?)", 8, "eight", std::nullopt);
        conn.commit();
    }
    REQUIRE(db.query("SELECT a, b, c FROM t ORDER BY a") ==
            rows_t{{"7", "seven", "7.5"}, {"8", "eight", "NULL"}});
}

TEST_CASE("named parameters match :name, @name and $name in any order", "[sqlite][execute]") {
    const auto path = test_support::scratch_path("execute_named.db");
    {
        auto engine = file_engine(path);
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (a INTEGER, b TEXT)");
        conn.execute("INSERT INTO t (a, b) VALUES (:a, :b)", alchemy::param("a", 1), alchemy::param("b", "colon"));
        conn.execute("INSERT INTO t (a, b) VALUES (@a, @b)", alchemy::param("b", "at"), alchemy::param("a", 2));
        conn.execute("INSERT INTO t (a, b) VALUES ($a, $b)", alchemy::param("a", 3), alchemy::param("b", "dollar"));
        // a name used twice in the SQL is one parameter
        conn.execute("INSERT INTO t (a, b) VALUES (:n, :n || '!')", alchemy::param("n", 4));
        conn.commit();
    }
    REQUIRE(test_support::raw_query(path, "SELECT a, b FROM t ORDER BY a") ==
            rows_t{{"1", "colon"}, {"2", "at"}, {"3", "dollar"}, {"4", "4!"}});
}

TEST_CASE("a wrong number of positional parameters is a ProgrammingError", "[sqlite][execute]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (a, b)");

    REQUIRE_THROWS_AS(conn.execute("INSERT INTO t (a, b) VALUES (?, ?)", 1), alchemy::ProgrammingError);
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO t (a, b) VALUES (?, ?)", 1),
                        Contains("Incorrect number of bindings supplied. The current statement uses 2, and "
                                 "there are 1 supplied.") &&
                            Contains("[SQL: INSERT INTO t (a, b) VALUES (?, ?)]") && Contains("[parameters: (1)]"));
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO t (a, b) VALUES (?, ?)", 1, 2, 3),
                        Contains("The current statement uses 2, and there are 3 supplied."));
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?"), Contains("uses 1, and there are 0 supplied"));
    REQUIRE_THROWS_AS(conn.execute("SELECT 1", 5), alchemy::ProgrammingError);
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
}

TEST_CASE("an unknown or missing parameter name is a ProgrammingError", "[sqlite][execute]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (a, b)");

    // unknown
    REQUIRE_THROWS_AS(conn.execute("SELECT :a", alchemy::param("b", 1)), alchemy::ProgrammingError);
    REQUIRE_THROWS_WITH(conn.execute("SELECT :a", alchemy::param("b", 1)),
                        Contains("no parameter named ':b'") && Contains("[SQL: SELECT :a]"));
    // a name holding a NUL character names no parameter, not the one named by what precedes
    // the NUL (SQLite reads names as C strings; found by fuzz_text)
    const std::string with_nul("a\0b", 3);
    REQUIRE_THROWS_AS(conn.execute("SELECT :a", alchemy::param(with_nul, 1)), alchemy::ProgrammingError);
    REQUIRE_THROWS_AS(conn.execute("SELECT :a", alchemy::param(std::string_view("a\0", 2), 1)),
                      alchemy::ProgrammingError);
    // missing (too few values)
    REQUIRE_THROWS_AS(conn.execute("INSERT INTO t (a, b) VALUES (:a, :b)", alchemy::param("a", 1)),
                      alchemy::ProgrammingError);
    // missing (the right count, but one name given twice)
    REQUIRE_THROWS_AS(
        conn.execute("INSERT INTO t (a, b) VALUES (:a, :b)", alchemy::param("a", 1), alchemy::param("a", 2)),
        alchemy::ProgrammingError);
    REQUIRE_THROWS_WITH(
        conn.execute("INSERT INTO t (a, b) VALUES (:a, :b)", alchemy::param("a", 1), alchemy::param("a", 2)),
        Contains("no value was given for parameter ':b'"));
    // missing: one name given twice finds :a both times, and @a is a parameter of its own
    REQUIRE_THROWS_WITH(conn.execute("SELECT :a, @a", alchemy::param("a", 1), alchemy::param("a", 2)),
                        Contains("no value was given for parameter '@a'"));
    // named values for positional placeholders
    REQUIRE_THROWS_AS(conn.execute("SELECT ?", alchemy::param("a", 1)), alchemy::ProgrammingError);

    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
}

TEST_CASE("parameter values are bound, never interpolated into the SQL", "[backend][execute]") {
    test_backend::database db("execute_injection.db");
    const std::string evil = "x'); DROP TABLE t; --";
    const std::string evil2 = "\" OR 1=1; DELETE FROM t; --";
    {
        auto engine = db.engine();
        auto conn = engine.connect();
        conn.execute(test_backend::ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"));
        conn.execute("INSERT INTO t (name) VALUES (?)", evil);
        conn.execute("INSERT INTO t (name) VALUES (:name)", alchemy::param("name", evil2));
        CHECK(conn.execute("SELECT count(*) FROM t WHERE name = ?", evil).scalar<int>() == 1);
        conn.commit();
    }
    REQUIRE(db.query("SELECT name FROM t ORDER BY id") == rows_t{{evil}, {evil2}});
    REQUIRE(db.table_names() == std::vector<std::string>{"t"});
}

// ---------------------------------------------------------------------------
// the SQL text

TEST_CASE("two statements in one SQL string are a ProgrammingError and neither runs", "[sqlite][execute]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER)");

    const std::string two = "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)";
    REQUIRE_THROWS_AS(conn.execute(two), alchemy::ProgrammingError);
    REQUIRE_THROWS_WITH(conn.execute(two),
                        Contains("You can only execute one statement at a time.") && Contains("[SQL: " + two + "]"));
    REQUIRE_THROWS_AS(conn.execute("SELECT 1; SELECT 2"), alchemy::ProgrammingError);
    REQUIRE_THROWS_AS(conn.execute("SELECT ?; DROP TABLE t", 1), alchemy::ProgrammingError);
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);

    // a trailing semicolon, whitespace or comment is not a second statement
    CHECK(conn.execute("SELECT 1;").scalar<int>() == 1);
    CHECK(conn.execute("SELECT 2;  \n").scalar<int>() == 2);
    CHECK(conn.execute("SELECT 3; -- done").scalar<int>() == 3);
    CHECK(conn.execute("SELECT 4; /* done */ ;").scalar<int>() == 4);
}

TEST_CASE("SQL without a statement is an ArgumentError", "[backend][execute]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    REQUIRE_THROWS_AS(conn.execute(""), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(conn.execute(""), Contains("contains no statement"));
    REQUIRE_THROWS_AS(conn.execute("   \n\t"), alchemy::ArgumentError);
    REQUIRE_THROWS_AS(conn.execute("-- only a comment"), alchemy::ArgumentError);
    REQUIRE_THROWS_AS(conn.execute(";"), alchemy::ArgumentError);
    // the connection is still usable
    CHECK(conn.execute("SELECT 1").scalar<int>() == 1);
}

TEST_CASE("SQL text with a NUL byte is an ArgumentError", "[sqlite][execute]") {
    // Found by tests/fuzz/fuzz_text: SQLite stops reading at a NUL byte, so
    // a second statement after one was dropped without a word.
    auto engine = memory_engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x)");
    const std::string two("INSERT INTO t VALUES (1)\0; DROP TABLE t", 39);
    REQUIRE_THROWS_AS(conn.execute(two), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(conn.execute(two), Contains("contains a NUL byte at offset 24"));
    REQUIRE_THROWS_AS(conn.execute(std::string("SELECT 1\0", 9)), alchemy::ArgumentError);
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
}

// ---------------------------------------------------------------------------
// reading rows

TEST_CASE("a row is read by index and by column name", "[backend][execute][result]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    const std::string sql = "SELECT 1 AS id, 'Alice' AS name, NULL AS note";
    auto r = conn.execute(sql);
    REQUIRE(r.has_row());
    CHECK(r.columns() == std::vector<std::string>{"id", "name", "note"});

    const alchemy::row row = r.current();
    CHECK(row.size() == 3);
    CHECK(row.name(1) == "name");
    CHECK(row.index("note") == 2);
    CHECK(row.get<int>(0) == 1);
    CHECK(row.get<std::string>(1) == "Alice");
    CHECK(row.get<std::optional<std::string>>(2) == std::nullopt);
    CHECK(row.get<std::int64_t>("id") == 1);
    CHECK(row.get<std::string>("name") == "Alice");
    CHECK(row[1].as_text() == "Alice");
    CHECK(row["note"].is_null());
    CHECK(row.sql() == sql);

    REQUIRE_THROWS_AS(row.get<int>("nope"), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(row.get<int>("nope"), Contains("no column named 'nope'") &&
                                                  Contains("(columns: 'id', 'name', 'note')") &&
                                                  Contains(sql));
    REQUIRE_THROWS_WITH(row.get<int>("ID"), Contains("no column named 'ID'"));  // names are exact
    REQUIRE_THROWS_AS(row.get<int>(3), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(row.get<int>(3), Contains("column index 3 is out of range") &&
                                             Contains("has 3 column(s)"));
    REQUIRE_THROWS_AS(row.name(3), alchemy::ArgumentError);
    REQUIRE_THROWS_AS(row[7], alchemy::ArgumentError);
}

TEST_CASE("as<T...> reads the whole row and checks the number of types", "[backend][execute][result]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    auto r = conn.execute("SELECT 1 AS id, 'Alice' AS name, NULL AS note");
    const auto row = r.current();

    const auto [id, name, note] = row.as<int, std::string, std::optional<std::string>>();
    CHECK(id == 1);
    CHECK(name == "Alice");
    CHECK(note == std::nullopt);

    REQUIRE_THROWS_AS((row.as<int, std::string>()), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH((row.as<int, std::string>()), Contains("has 3 column(s) but 2 type(s)"));
    REQUIRE_THROWS_AS((row.as<int, std::string, std::string, int>()), alchemy::ArgumentError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 1, 2").one<int>(), alchemy::ArgumentError);
}

TEST_CASE("all<T...> returns every row as values or tuples", "[backend][execute][result]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    fill_people(conn);

    CHECK(conn.execute("SELECT name FROM people ORDER BY id").all<std::string>() ==
          std::vector<std::string>{"Alice", "Bob", "Carol"});
    CHECK(conn.execute("SELECT id, name FROM people ORDER BY id DESC").all<int, std::string>() ==
          std::vector<std::tuple<int, std::string>>{{3, "Carol"}, {2, "Bob"}, {1, "Alice"}});
    CHECK(conn.execute("SELECT id FROM people WHERE id > ?", 10).all<int>().empty());
    REQUIRE_THROWS_AS(conn.execute("SELECT id, name FROM people").all<int>(), alchemy::ArgumentError);

    // what is left after reading some rows
    auto r = conn.execute("SELECT id FROM people ORDER BY id");
    r.next();
    CHECK(r.all<int>() == std::vector<int>{2, 3});
}

namespace {
// SQLite's own statements are checked where the backend is SQLite.
bool on_sqlite() { return test_backend::dialect() == "sqlite"; }
}  // namespace

TEST_CASE("first returns the first row or nullopt and discards the rest", "[backend][execute][result]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    fill_people(conn);

    auto r = conn.execute("SELECT id, name FROM people ORDER BY id");
    CHECK(r.first<int, std::string>() == std::tuple<int, std::string>{1, "Alice"});
    CHECK_FALSE(r.has_row());
    if (on_sqlite()) CHECK(busy_statements(alchemy::sqlite::native_handle(conn)) == 0);  // the statement was released

    CHECK(conn.execute("SELECT name FROM people WHERE id = 2").first<std::string>() == "Bob");
    CHECK(conn.execute("SELECT name FROM people WHERE id = 99").first<std::string>() == std::nullopt);
}

TEST_CASE("one requires exactly one row", "[backend][execute][result]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    fill_people(conn);

    CHECK(conn.execute("SELECT name FROM people WHERE id = ?", 3).one<std::string>() == "Carol");
    CHECK(conn.execute("SELECT id, name FROM people WHERE id = ?", 1).one<int, std::string>() ==
          std::tuple<int, std::string>{1, "Alice"});

    REQUIRE_THROWS_AS(conn.execute("SELECT name FROM people WHERE id = 99").one<std::string>(),
                      alchemy::NoResultFound);
    REQUIRE_THROWS_WITH(conn.execute("SELECT name FROM people WHERE id = 99").one<std::string>(),
                        Equals("No row was found when one was required"));
    REQUIRE_THROWS_AS(conn.execute("SELECT name FROM people").one<std::string>(), alchemy::MultipleResultsFound);
    REQUIRE_THROWS_WITH(conn.execute("SELECT name FROM people").one<std::string>(),
                        Equals("Multiple rows were found when exactly one was required"));
    if (on_sqlite()) CHECK(busy_statements(alchemy::sqlite::native_handle(conn)) == 0);
}

TEST_CASE("one_or_none allows no row but not several", "[backend][execute][result]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    fill_people(conn);

    CHECK(conn.execute("SELECT name FROM people WHERE id = 2").one_or_none<std::string>() == "Bob");
    CHECK(conn.execute("SELECT name FROM people WHERE id = 99").one_or_none<std::string>() == std::nullopt);
    REQUIRE_THROWS_AS(conn.execute("SELECT name FROM people").one_or_none<std::string>(),
                      alchemy::MultipleResultsFound);
    REQUIRE_THROWS_WITH(conn.execute("SELECT name FROM people").one_or_none<std::string>(),
                        Equals("Multiple rows were found when one or none was required"));
}

TEST_CASE("scalar reads the first column of the first row", "[backend][execute][result]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    fill_people(conn);

    CHECK(conn.execute("SELECT count(*) FROM people").scalar<int>() == 3);
    CHECK(conn.execute("SELECT name, id FROM people ORDER BY id DESC").scalar<std::string>() == "Carol");
    CHECK(conn.execute("SELECT max(id) FROM people WHERE id > 99").scalar<std::optional<int>>() == std::nullopt);

    // no row at all
    REQUIRE_THROWS_AS(conn.execute("SELECT id FROM people WHERE id = 99").scalar<int>(), alchemy::NoResultFound);
    CHECK(conn.execute("SELECT id FROM people WHERE id = 99").scalar<std::optional<int>>() == std::nullopt);
    // a statement that returns no rows
    CHECK(conn.execute("UPDATE people SET name = name WHERE 1 = 0").scalar<std::optional<int>>() == std::nullopt);
    if (on_sqlite()) CHECK(busy_statements(alchemy::sqlite::native_handle(conn)) == 0);
}

TEST_CASE("fetch_all returns every row as owned values", "[backend][execute][result]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    using alchemy::value;

    const auto rows = conn.execute("SELECT 1, 'a', NULL UNION ALL SELECT 2, 'b', 2.5").fetch_all();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == std::vector<value>{value(std::int64_t{1}), value(std::string("a")), value()});
    CHECK(rows[1] == std::vector<value>{value(std::int64_t{2}), value(std::string("b")), value(2.5)});
    CHECK(conn.execute("SELECT 1 WHERE 1 = 0").fetch_all().empty());
    CHECK(conn.execute("CREATE TABLE t (x INTEGER)").fetch_all().empty());
}

TEST_CASE("range-for streams a large result one row at a time", "[sqlite][execute][result]") {
    auto engine = memory_engine();
    auto conn = engine.connect();

    // A SQL function that counts how many rows SQLite has produced so far.
    std::int64_t produced = 0;
    REQUIRE(sqlite3_create_function_v2(
                alchemy::sqlite::native_handle(conn), "produce", 1, SQLITE_UTF8, &produced,
                [](sqlite3_context* ctx, int, sqlite3_value** argv) {
                    ++*static_cast<std::int64_t*>(sqlite3_user_data(ctx));
                    sqlite3_result_value(ctx, argv[0]);
                },
                nullptr, nullptr, nullptr) == SQLITE_OK);

    const std::string sql =
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 10000) "
        "SELECT produce(n) AS n, 'row ' || n AS label FROM seq";
    std::int64_t seen = 0, sum = 0, most_ahead = 0;
    bool labels_ok = true;
    for (alchemy::row row : conn.execute(sql)) {
        ++seen;
        sum += row.get<std::int64_t>("n");
        labels_ok = labels_ok && row.get<std::string>(1) == "row " + std::to_string(seen);
        most_ahead = std::max(most_ahead, produced - seen);
    }
    CHECK(seen == 10000);
    CHECK(sum == 10000LL * 10001 / 2);
    CHECK(labels_ok);
    // SQLite never ran ahead of the reader: nothing was materialised
    CHECK(most_ahead == 0);
    CHECK(busy_statements(alchemy::sqlite::native_handle(conn)) == 0);

    // leaving the loop early stops SQLite too
    produced = 0;
    {
        auto r = conn.execute(sql);
        int taken = 0;
        for (alchemy::row row : r) {
            (void)row;
            if (++taken == 10) break;
        }
    }
    CHECK(produced == 10);
    CHECK(busy_statements(alchemy::sqlite::native_handle(conn)) == 0);
    sqlite3_create_function_v2(alchemy::sqlite::native_handle(conn), "produce", 1, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr,
                               nullptr);
}

TEST_CASE("reading past the last row is an InvalidRequestError", "[backend][execute][result]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    auto r = conn.execute("SELECT 1");
    REQUIRE(r.has_row());
    r.next();
    CHECK_FALSE(r.has_row());
    CHECK(r.columns().empty());
    REQUIRE_THROWS_AS(r.current(), alchemy::InvalidRequestError);
    REQUIRE_THROWS_AS(r.next(), alchemy::InvalidRequestError);
    auto none = conn.execute("CREATE TABLE t (x INTEGER)");
    CHECK_FALSE(none.has_row());
}

// ---------------------------------------------------------------------------
// what a statement reports

TEST_CASE("rows_affected and last_insert_rowid", "[sqlite][execute]") {
    const auto path = test_support::scratch_path("execute_counts.db");
    {
        auto engine = file_engine(path);
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)");

        auto r1 = conn.execute("INSERT INTO t (x) VALUES (?)", 10);
        CHECK(r1.rows_affected() == 1);
        CHECK(r1.last_insert_rowid() == 1);
        auto r2 = conn.execute("INSERT INTO t (x) VALUES (?), (?), (?)", 20, 30, 40);
        CHECK(r2.rows_affected() == 3);
        CHECK(r2.last_insert_rowid() == 4);
        CHECK(conn.last_insert_rowid() == 4);
        auto r3 = conn.execute("INSERT INTO t (id, x) VALUES (100, 50)");
        CHECK(r3.last_insert_rowid() == 100);
        CHECK(r1.last_insert_rowid() == 1);  // each result keeps its own

        CHECK(conn.execute("UPDATE t SET x = x + 1 WHERE x >= ?", 30).rows_affected() == 3);
        CHECK(conn.execute("UPDATE t SET x = 0 WHERE id = 12345").rows_affected() == 0);
        CHECK(conn.execute("DELETE FROM t WHERE id = ?", 1).rows_affected() == 1);
        conn.commit();
    }
    REQUIRE(test_support::raw_query(path, "SELECT id, x FROM t ORDER BY id") ==
            rows_t{{"2", "20"}, {"3", "31"}, {"4", "41"}, {"100", "51"}});
}

TEST_CASE("rows_affected of a statement that changes nothing is 0, not the previous count", "[backend][execute]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER)");
    REQUIRE(conn.execute("INSERT INTO t VALUES (1), (2)").rows_affected() == 2);
    CHECK(conn.execute("SELECT x FROM t WHERE x > 5").rows_affected() == 0);
    CHECK(conn.execute("CREATE TABLE u (y INTEGER)").rows_affected() == 0);
    CHECK(conn.execute("UPDATE t SET x = x WHERE x > 5").rows_affected() == 0);
    CHECK(conn.execute("DELETE FROM t").rows_affected() == 2);  // the truncate optimisation still counts
}

// ---------------------------------------------------------------------------
// closed resources

TEST_CASE("a result used after its connection was closed is a ResourceClosedError", "[sqlite][execute][result]") {
    auto engine = memory_engine();
    const std::string sql = "SELECT value FROM json_each('[1,2,3]')";
    alchemy::result stale;
    {
        auto conn = engine.connect();
        stale = conn.execute(sql);
        REQUIRE(stale.has_row());
        CHECK(stale.current().get<int>(0) == 1);
        conn.close();
        CHECK(conn.closed());
        REQUIRE_THROWS_AS(stale.has_row(), alchemy::ResourceClosedError);
        REQUIRE_THROWS_AS(stale.current(), alchemy::ResourceClosedError);
        REQUIRE_THROWS_AS(stale.next(), alchemy::ResourceClosedError);
        REQUIRE_THROWS_WITH(stale.current(), Contains("closed"));
    }
    // The pooled connection is reused; the stale result cannot disturb it.
    auto conn = engine.connect();
    auto fresh = conn.execute(sql);
    REQUIRE_THROWS_AS(stale.next(), alchemy::ResourceClosedError);
    stale.close();
    CHECK(fresh.all<int>() == std::vector<int>{1, 2, 3});
}

TEST_CASE("a connection used after close() is a ResourceClosedError", "[backend][execute]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER)");
    conn.close();
    conn.close();  // idempotent
    CHECK(conn.closed());
    CHECK(engine.checked_out() == 0);

    REQUIRE_THROWS_AS(conn.execute("SELECT 1"), alchemy::ResourceClosedError);
    REQUIRE_THROWS_WITH(conn.execute("SELECT 1"), Contains("this connection is closed"));
    REQUIRE_THROWS_AS(conn.execute("INSERT INTO t VALUES (?)", 1), alchemy::ResourceClosedError);
    REQUIRE_THROWS_AS(conn.commit(), alchemy::ResourceClosedError);
    REQUIRE_THROWS_AS(conn.rollback(), alchemy::ResourceClosedError);
    REQUIRE_THROWS_AS(conn.begin(), alchemy::ResourceClosedError);
    REQUIRE_THROWS_AS(conn.native_handle(), alchemy::ResourceClosedError);
    REQUIRE_THROWS_AS(conn.last_insert_rowid(), alchemy::ResourceClosedError);

    // close() rolled back the implicit transaction: the table is gone
    CHECK(db.table_names().empty());
}

// ---------------------------------------------------------------------------
// the prepared-statement cache

TEST_CASE("the same SQL can be used again while a result of it is still open", "[sqlite][execute][cache]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER)");
    conn.execute("INSERT INTO t VALUES (1), (2), (3)");

    const std::string sql = "SELECT x FROM t WHERE x >= ? ORDER BY x";
    std::vector<std::pair<int, int>> pairs;
    int most_statements = 0;
    for (alchemy::row outer : conn.execute(sql, 1)) {
        const int a = outer.get<int>(0);
        for (alchemy::row inner : conn.execute(sql, a)) {
            pairs.emplace_back(a, inner.get<int>(0));
            most_statements = std::max(most_statements, live_statements(alchemy::sqlite::native_handle(conn), sql));
        }
    }
    CHECK(pairs == std::vector<std::pair<int, int>>{{1, 1}, {1, 2}, {1, 3}, {2, 2}, {2, 3}, {3, 3}});
    CHECK(most_statements == 2);
    // the extra statement was not kept
    CHECK(live_statements(alchemy::sqlite::native_handle(conn), sql) == 1);

    // two results of the same SQL read side by side
    auto r1 = conn.execute(sql, 2);
    auto r2 = conn.execute(sql, 1);
    CHECK(r1.current().get<int>(0) == 2);
    CHECK(r2.current().get<int>(0) == 1);
    r1.next();
    r2.next();
    CHECK(r1.current().get<int>(0) == 3);
    CHECK(r2.current().get<int>(0) == 2);
    CHECK(r2.all<int>() == std::vector<int>{2, 3});
    CHECK(r1.all<int>() == std::vector<int>{3});
}

TEST_CASE("the same SQL executed 100 times is prepared once", "[sqlite][execute][cache]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER)");

    const std::string insert = "INSERT INTO t (x) VALUES (?)";
    const std::string select = "SELECT count(*) FROM t WHERE x <= ?";
    for (int i = 0; i < 100; ++i) {
        conn.execute(insert, i);
        CHECK(conn.execute(select, i).scalar<int>() == i + 1);
    }
    sqlite3* db = alchemy::sqlite::native_handle(conn);
    CHECK(live_statements(db, insert) == 1);
    CHECK(live_statements(db, select) == 1);
    // one statement object ran all 100 times
    REQUIRE(find_statement(db, insert) != nullptr);
    CHECK(sqlite3_stmt_status(find_statement(db, insert), SQLITE_STMTSTATUS_RUN, 0) == 100);
    CHECK(sqlite3_stmt_status(find_statement(db, select), SQLITE_STMTSTATUS_RUN, 0) == 100);
    CHECK(busy_statements(db) == 0);
}

TEST_CASE("the statement cache is bounded by statement_cache_size (least recently used evicted)",
          "[sqlite][execute][cache]") {
    auto engine = alchemy::create_engine("sqlite://", {.statement_cache_size = 8});
    auto conn = engine.connect();
    sqlite3* db = alchemy::sqlite::native_handle(conn);

    for (int i = 0; i < 50; ++i)
        CHECK(conn.execute("SELECT " + std::to_string(i)).scalar<int>() == i);
    CHECK(live_statements(db) <= 8);
    CHECK(live_statements(db, "SELECT 49") == 1);  // the most recent are kept
    CHECK(live_statements(db, "SELECT 0") == 0);   // the oldest are gone

    // a kept statement is reused, not prepared again
    conn.execute("SELECT 49").scalar<int>();
    CHECK(sqlite3_stmt_status(find_statement(db, "SELECT 49"), SQLITE_STMTSTATUS_RUN, 0) == 2);
    CHECK(live_statements(db) <= 8);
    CHECK(busy_statements(db) == 0);
}

TEST_CASE("statement_cache_size = 0 keeps no statements", "[sqlite][execute][cache]") {
    auto engine = alchemy::create_engine("sqlite://", {.statement_cache_size = 0});
    auto conn = engine.connect();
    for (int i = 0; i < 5; ++i) CHECK(conn.execute("SELECT ?", i).scalar<int>() == i);
    CHECK(live_statements(alchemy::sqlite::native_handle(conn)) == 0);
    // results still stream while they are open
    auto r = conn.execute("SELECT value FROM json_each('[1,2]')");
    CHECK(live_statements(alchemy::sqlite::native_handle(conn)) == 1);
    CHECK(r.all<int>() == std::vector<int>{1, 2});
    CHECK(live_statements(alchemy::sqlite::native_handle(conn)) == 0);
}

// The unit of work reads generated keys through execute_each_bound: from the
// row an INSERT ... RETURNING gives back when the dialect asks for RETURNING
// (key_fetch::returning), else from the driver's last insert id.
TEST_CASE("execute_each_bound takes the generated key from an INSERT ... RETURNING row, else the rowid",
          "[sqlite][execute]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER)");
    const auto bind = [](std::size_t i, alchemy::binder& b) { b.bind_integer(static_cast<std::int64_t>(i) + 1); };
    const auto record = [](std::size_t i) {
        return std::vector<alchemy::value>{alchemy::value(static_cast<std::int64_t>(i) + 1)};
    };
    std::vector<std::int64_t> keys;
    conn.execute_each_bound("INSERT INTO t (code) VALUES (?) RETURNING code * 10", 3, bind, record,
                            [&](std::size_t, std::int64_t key) { keys.push_back(key); });
    CHECK(keys == std::vector<std::int64_t>{10, 20, 30});  // the returned values, not the rowids 1, 2, 3
    keys.clear();
    conn.execute_each_bound("INSERT INTO t (code) VALUES (?)", 2, bind, record,
                            [&](std::size_t, std::int64_t key) { keys.push_back(key); });
    CHECK(keys == std::vector<std::int64_t>{4, 5});
    CHECK(conn.execute("SELECT id, code FROM t ORDER BY id").all<std::int64_t, std::int64_t>() ==
          std::vector<std::tuple<std::int64_t, std::int64_t>>{{1, 1}, {2, 2}, {3, 3}, {4, 1}, {5, 2}});
}
