// The exception hierarchy and what a database error tells the user: the
// driver's class and text, the statement, its parameters and SQLite's code.
// The tests of SQLite's own error texts, codes and PRAGMA foreign_keys are
// SQLite-only ([sqlite]); those of alchemy's classes and message format run on
// every test backend ([backend], support/backend.hpp).
#include "support/backend.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <sqlite3.h>

using Catch::Contains;
using Catch::Equals;
using rows_t = std::vector<std::vector<std::string>>;

namespace {

// a users-like table: t(id PK, name UNIQUE NOT NULL)
alchemy::connection connect_with_table(alchemy::engine& engine) {
    auto conn = engine.connect();
    conn.execute(test_backend::ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)"));
    return conn;
}

}  // namespace

// ---------------------------------------------------------------------------
// hierarchy

TEST_CASE("the exception hierarchy mirrors SQLAlchemy's", "[errors]") {
    using namespace alchemy;
    STATIC_REQUIRE(std::is_base_of_v<std::runtime_error, Error>);
    STATIC_REQUIRE(std::is_base_of_v<Error, ArgumentError>);
    STATIC_REQUIRE(std::is_base_of_v<Error, ConversionError>);
    STATIC_REQUIRE(std::is_base_of_v<Error, TimeoutError>);
    STATIC_REQUIRE(std::is_base_of_v<Error, InvalidRequestError>);
    STATIC_REQUIRE(std::is_base_of_v<InvalidRequestError, ResourceClosedError>);
    STATIC_REQUIRE(std::is_base_of_v<InvalidRequestError, NoResultFound>);
    STATIC_REQUIRE(std::is_base_of_v<InvalidRequestError, MultipleResultsFound>);
    STATIC_REQUIRE(std::is_base_of_v<Error, StatementError>);
    STATIC_REQUIRE(std::is_base_of_v<StatementError, DBAPIError>);
    STATIC_REQUIRE(std::is_base_of_v<DBAPIError, InterfaceError>);
    STATIC_REQUIRE(std::is_base_of_v<DBAPIError, DatabaseError>);
    STATIC_REQUIRE(std::is_base_of_v<DatabaseError, DataError>);
    STATIC_REQUIRE(std::is_base_of_v<DatabaseError, OperationalError>);
    STATIC_REQUIRE(std::is_base_of_v<DatabaseError, IntegrityError>);
    STATIC_REQUIRE(std::is_base_of_v<DatabaseError, InternalError>);
    STATIC_REQUIRE(std::is_base_of_v<DatabaseError, ProgrammingError>);
    STATIC_REQUIRE(std::is_base_of_v<DatabaseError, NotSupportedError>);
    // siblings stay apart
    STATIC_REQUIRE_FALSE(std::is_base_of_v<StatementError, InvalidRequestError>);
    STATIC_REQUIRE_FALSE(std::is_base_of_v<InvalidRequestError, StatementError>);
    STATIC_REQUIRE_FALSE(std::is_base_of_v<DatabaseError, InterfaceError>);
    STATIC_REQUIRE_FALSE(std::is_base_of_v<IntegrityError, OperationalError>);
    STATIC_REQUIRE_FALSE(std::is_base_of_v<StatementError, ConversionError>);
    STATIC_REQUIRE_FALSE(std::is_base_of_v<StatementError, ArgumentError>);
}

TEST_CASE("a real IntegrityError is caught at every level of its ancestry", "[backend][errors]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = connect_with_table(engine);
    conn.execute("INSERT INTO t (name) VALUES (?)", "Alice");
    const auto duplicate = [&] { conn.execute("INSERT INTO t (name) VALUES (?)", "Alice"); };

    REQUIRE_THROWS_AS(duplicate(), alchemy::IntegrityError);
    REQUIRE_THROWS_AS(duplicate(), alchemy::DatabaseError);
    REQUIRE_THROWS_AS(duplicate(), alchemy::DBAPIError);
    REQUIRE_THROWS_AS(duplicate(), alchemy::StatementError);
    REQUIRE_THROWS_AS(duplicate(), alchemy::Error);
    REQUIRE_THROWS_AS(duplicate(), std::runtime_error);
}

TEST_CASE("NoResultFound and MultipleResultsFound are InvalidRequestErrors", "[backend][errors]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    REQUIRE_THROWS_AS(conn.execute("SELECT 1 WHERE 1 = 0").one<int>(), alchemy::InvalidRequestError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 1 UNION ALL SELECT 2").one<int>(), alchemy::InvalidRequestError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 1 UNION ALL SELECT 2").one<int>(), alchemy::Error);
    conn.close();
    REQUIRE_THROWS_AS(conn.execute("SELECT 1"), alchemy::InvalidRequestError);
}

// ---------------------------------------------------------------------------
// constraint violations

TEST_CASE("a UNIQUE violation is an IntegrityError naming the constraint, statement and parameters",
          "[sqlite][errors]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = connect_with_table(engine);
    const std::string sql = "INSERT INTO t (name) VALUES (?)";
    conn.execute(sql, "Alice");

    try {
        conn.execute(sql, "Alice");
        FAIL("no exception");
    } catch (const alchemy::IntegrityError& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Contains("(sqlite3.IntegrityError) UNIQUE constraint failed: t.name"));
        CHECK_THAT(what, Contains("[SQL: INSERT INTO t (name) VALUES (?)]"));
        CHECK_THAT(what, Contains("[parameters: ('Alice')]"));
        CHECK_THAT(what, Contains("2067"));
        CHECK_THAT(what, Equals("(sqlite3.IntegrityError) UNIQUE constraint failed: t.name\n"
                                "[SQL: INSERT INTO t (name) VALUES (?)]\n"
                                "[parameters: ('Alice')]\n"
                                "[SQLite result code 2067: constraint failed]"));
        CHECK(e.sql() == sql);
        CHECK(e.params() == "('Alice')");
        CHECK(e.code() == SQLITE_CONSTRAINT_UNIQUE);
        CHECK(e.code() == 2067);
        CHECK(e.driver_message() == "UNIQUE constraint failed: t.name");
    }
    // only the failing statement was undone: the first row is still there
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 1);
}

TEST_CASE("a NOT NULL violation is an IntegrityError", "[sqlite][errors]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = connect_with_table(engine);
    try {
        conn.execute("INSERT INTO t (id, name) VALUES (?, ?)", 5, std::nullopt);
        FAIL("no exception");
    } catch (const alchemy::IntegrityError& e) {
        CHECK_THAT(std::string(e.what()), Contains("(sqlite3.IntegrityError) NOT NULL constraint failed: t.name") &&
                                              Contains("[parameters: (5, NULL)]"));
        CHECK(e.code() == SQLITE_CONSTRAINT_NOTNULL);
        CHECK(e.sqlstate() == "23502");
        CHECK(e.params() == "(5, NULL)");
        CHECK(e.driver_message() == "NOT NULL constraint failed: t.name");
    }
}

TEST_CASE("PRIMARY KEY, CHECK and datatype violations are IntegrityErrors", "[sqlite][errors]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    conn.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER CHECK (n > 0))");
    conn.execute("INSERT INTO c (id, n) VALUES (1, 1)");

    REQUIRE_THROWS_AS(conn.execute("INSERT INTO c (id, n) VALUES (1, 2)"), alchemy::IntegrityError);
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO c (id, n) VALUES (1, 2)"),
                        Contains("UNIQUE constraint failed: c.id") && Contains(std::to_string(SQLITE_CONSTRAINT_PRIMARYKEY)));
    REQUIRE_THROWS_AS(conn.execute("INSERT INTO c (id, n) VALUES (2, ?)", -1), alchemy::IntegrityError);
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO c (id, n) VALUES (2, ?)", -1),
                        Contains("CHECK constraint failed") && Contains("[parameters: (-1)]"));
    // a non-integer into an INTEGER PRIMARY KEY (SQLITE_MISMATCH), as pysqlite reports it
    REQUIRE_THROWS_AS(conn.execute("INSERT INTO c (id, n) VALUES (?, 1)", "abc"), alchemy::IntegrityError);
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO c (id, n) VALUES (?, 1)", "abc"),
                        Contains("(sqlite3.IntegrityError) datatype mismatch"));
}

TEST_CASE("foreign keys are enforced by default", "[sqlite][errors]") {
    const auto path = test_support::scratch_path("errors_fk_on.db");
    {
        auto engine = alchemy::create_engine("sqlite:///" + path);
        auto conn = engine.connect();
        CHECK(conn.execute("PRAGMA foreign_keys").scalar<int>() == 1);
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
        conn.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id))");
        conn.execute("INSERT INTO users (id, name) VALUES (1, 'Alice')");
        conn.execute("INSERT INTO posts (id, user_id) VALUES (1, 1)");
        try {
            conn.execute("INSERT INTO posts (id, user_id) VALUES (?, ?)", 2, 99);
            FAIL("no exception");
        } catch (const alchemy::IntegrityError& e) {
            CHECK_THAT(std::string(e.what()), Contains("(sqlite3.IntegrityError) FOREIGN KEY constraint failed") &&
                                                  Contains("[parameters: (2, 99)]"));
            CHECK(e.code() == SQLITE_CONSTRAINT_FOREIGNKEY);
            CHECK(e.sqlstate() == "23503");
            CHECK(e.driver_message() == "FOREIGN KEY constraint failed");
        }
        REQUIRE_THROWS_AS(conn.execute("DELETE FROM users WHERE id = 1"), alchemy::IntegrityError);
        conn.commit();

        // every connection of the pool has them, not only the first
        auto other = engine.connect();
        CHECK(other.execute("PRAGMA foreign_keys").scalar<int>() == 1);
    }
    CHECK(test_support::raw_query(path, "SELECT id, user_id FROM posts ORDER BY id") == rows_t{{"1", "1"}});
    CHECK(test_support::raw_query(path, "SELECT count(*) FROM users") == rows_t{{"1"}});
}

TEST_CASE("foreign keys are not enforced with sqlite::options{.foreign_keys = false}", "[sqlite][errors]") {
    const auto path = test_support::scratch_path("errors_fk_off.db");
    {
        auto engine = alchemy::create_engine("sqlite:///" + path, {.backend = alchemy::sqlite::options{.foreign_keys = false}});
        auto conn = engine.connect();
        CHECK(conn.execute("PRAGMA foreign_keys").scalar<int>() == 0);
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)");
        conn.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id))");
        REQUIRE_NOTHROW(conn.execute("INSERT INTO posts (id, user_id) VALUES (?, ?)", 1, 99));
        conn.commit();
    }
    CHECK(test_support::raw_query(path, "SELECT id, user_id FROM posts") == rows_t{{"1", "99"}});
}

// ---------------------------------------------------------------------------
// other database errors

TEST_CASE("a syntax error or a missing table is an OperationalError", "[sqlite][errors]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();

    try {
        conn.execute("SELEC 1");
        FAIL("no exception");
    } catch (const alchemy::OperationalError& e) {
        CHECK_THAT(std::string(e.what()), Contains("(sqlite3.OperationalError) near \"SELEC\": syntax error") &&
                                              Contains("[SQL: SELEC 1]"));
        CHECK(e.sql() == "SELEC 1");
        CHECK(e.code() == SQLITE_ERROR);
        CHECK(e.sqlstate() == "42601");
    }
    REQUIRE_THROWS_AS(conn.execute("SELECT * FROM nope"), alchemy::OperationalError);
    REQUIRE_THROWS_WITH(conn.execute("SELECT * FROM nope"),
                        Contains("(sqlite3.OperationalError) no such table: nope") &&
                            Contains("[SQL: SELECT * FROM nope]"));
    REQUIRE_THROWS_AS(conn.execute("SELECT nosuch FROM sqlite_master"), alchemy::OperationalError);
    // still usable afterwards
    CHECK(conn.execute("SELECT 1").scalar<int>() == 1);
}

// The SQLSTATE a program can test the same way on every backend.
static std::string sqlstate_of(alchemy::connection& conn, const std::string& sql) {
    try {
        conn.execute(sql);
    } catch (const alchemy::DBAPIError& e) {
        return e.sqlstate();
    }
    return "no error";
}

TEST_CASE("DBAPIError::sqlstate() gives PostgreSQL's SQLSTATE for SQLite's errors", "[sqlite][errors]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0))");
    conn.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id))");
    conn.execute("INSERT INTO p (id, name, n) VALUES (1, 'a', 1)");
    CHECK(sqlstate_of(conn, "INSERT INTO p (id, name, n) VALUES (1, 'b', 1)") == "23505");  // primary key
    CHECK(sqlstate_of(conn, "INSERT INTO p (id, name, n) VALUES (2, 'a', 1)") == "23505");  // unique
    CHECK(sqlstate_of(conn, "INSERT INTO p (id, name, n) VALUES (2, NULL, 1)") == "23502");
    CHECK(sqlstate_of(conn, "INSERT INTO p (id, name, n) VALUES (2, 'b', -1)") == "23514");
    CHECK(sqlstate_of(conn, "INSERT INTO c (id, p_id) VALUES (1, 99)") == "23503");
    CHECK(sqlstate_of(conn, "INSERT INTO p (id, name, n) VALUES ('x', 'b', 1)") == "42804");
    CHECK(sqlstate_of(conn, "SELECT * FROM nope") == "42P01");
    CHECK(sqlstate_of(conn, "SELECT nope FROM p") == "42703");
    CHECK(sqlstate_of(conn, "SELECT nope(1)") == "42883");
    CHECK(sqlstate_of(conn, "CREATE TABLE p (id INTEGER)") == "42P07");
    CHECK(sqlstate_of(conn, "SELEC 1") == "42601");
    // alchemy's own check of the parameters, before the driver
    try {
        conn.execute("SELECT ?", 1, 2);
        FAIL("no exception");
    } catch (const alchemy::ProgrammingError& e) {
        CHECK(e.sqlstate() == "07001");
        CHECK(e.code() == 0);
    }
}

TEST_CASE("an error while stepping through rows is reported from next()", "[sqlite][errors]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    const std::string sql =
        "SELECT CASE WHEN value = 3 THEN abs(-9223372036854775807 - 1) ELSE value END FROM json_each('[1,2,3]')";
    auto r = conn.execute(sql);
    CHECK(r.current().get<int>(0) == 1);
    r.next();
    CHECK(r.current().get<int>(0) == 2);
    REQUIRE_THROWS_AS(r.next(), alchemy::OperationalError);
    CHECK_FALSE(r.has_row());
    REQUIRE_THROWS_WITH(conn.execute(sql).all<int>(), Contains("integer overflow") && Contains("[SQL: " + sql + "]"));
}

TEST_CASE("a database error on a statement with parameters names them even when it fails to prepare",
          "[backend][errors]") {
    test_backend::database db;
    // SQLAlchemy prints "[parameters: ...]" for every statement error, also
    // for errors found while the statement is compiled.
    auto engine = db.engine();
    auto conn = engine.connect();
    REQUIRE_THROWS_WITH(conn.execute("SELECT * FROM nope WHERE x = ?", 42), Contains("[parameters: (42)]"));
}

TEST_CASE("long parameter values are truncated in the error message", "[backend][errors]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = connect_with_table(engine);
    const std::string long_name(300, 'x');
    conn.execute("INSERT INTO t (name) VALUES (?)", long_name);
    try {
        conn.execute("INSERT INTO t (name) VALUES (?)", long_name);
        FAIL("no exception");
    } catch (const alchemy::IntegrityError& e) {
        const std::string what = e.what();
        const std::string shown = "('" + std::string(100, 'x') + "' ... (200 characters truncated))";
        CHECK_THAT(what, Contains("[parameters: " + shown + "]"));
        CHECK(e.params() == shown);
        CHECK(what.find(std::string(101, 'x')) == std::string::npos);
        CHECK(what.size() < 700);  // (PostgreSQL adds its DETAIL, cut likewise, and a note)
    }
    conn.rollback();  // PostgreSQL takes no further statement in a failed transaction
    // blobs are summarised, never dumped
    conn.execute(test_backend::ddl("CREATE TABLE b (data BLOB UNIQUE)"));
    const std::vector<std::byte> blob(5000, std::byte{0x41});
    conn.execute("INSERT INTO b (data) VALUES (?)", blob);
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO b (data) VALUES (?)", blob),
                        Contains("[parameters: (<blob 5000 bytes>)]") && !Contains("AAAAAAAAAA"));
}
