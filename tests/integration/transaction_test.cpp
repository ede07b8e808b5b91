// Transactions on a connection: autobegin, commit and rollback, rollback on
// close, engine.begin() scopes, savepoints, autocommit, and transaction
// objects that outlive their transaction or connection, on the current test
// backend (support/backend.hpp). What reached the database is checked through
// the log sink; what was stored, by the backend's own read-back.
#include "support/backend.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <sqlite3.h>

namespace {

using rows = std::vector<std::vector<std::string>>;
using strings = std::vector<std::string>;

// A fresh database with table t (x INTEGER) and a log capture that starts
// empty, after the set-up.
struct fixture {
    test_backend::database db{"tx.db"};
    test_support::log_capture log;
    alchemy::engine engine = db.engine({.sink = log.sink()});

    fixture() {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.commit();
        log.clear();
    }

    /// The kinds of the events logged so far, as text (readable when a check fails).
    strings kinds() const {
        strings out;
        for (auto k : log.kinds()) out.emplace_back(alchemy::to_string(k));
        return out;
    }
    /// The values of t as stored, in order.
    rows stored() const { return db.query("SELECT x FROM t ORDER BY x"); }
};

}  // namespace

// ---- autobegin, commit, rollback ---------------------------------------------------

TEST_CASE_METHOD(fixture, "transaction: the first execute begins a transaction", "[backend][transaction]") {
    auto conn = engine.connect();
    CHECK_FALSE(conn.in_transaction());
    CHECK(log.kinds().empty());  // checking out emits nothing

    conn.execute("INSERT INTO t (x) VALUES (?)", 1);
    CHECK(conn.in_transaction());
    conn.execute("INSERT INTO t (x) VALUES (?)", 2);  // no second BEGIN
    conn.commit();
    CHECK_FALSE(conn.in_transaction());
    conn.execute("SELECT count(*) FROM t").scalar<int>();  // a new transaction

    CHECK(kinds() == strings{"begin", "statement", "statement", "commit", "begin", "statement"});
    CHECK(log.sql() == strings{"BEGIN", "INSERT INTO t (x) VALUES (?)", "INSERT INTO t (x) VALUES (?)",
                               "COMMIT", "BEGIN", "SELECT count(*) FROM t"});
}

// [shared]: reads the database back while this connection's write transaction is
// open, which a :memory: database refuses (it lets no reader in beside a writer).
TEST_CASE_METHOD(fixture, "transaction: commit() makes the work durable", "[backend][shared][transaction]") {
    auto conn = engine.connect();
    conn.execute("INSERT INTO t (x) VALUES (?)", 1);
    CHECK(stored().empty());  // not visible to others before the commit
    conn.commit();
    CHECK(stored() == rows{{"1"}});
    CHECK(kinds() == strings{"begin", "statement", "commit"});
}

TEST_CASE_METHOD(fixture, "transaction: rollback() discards the work", "[backend][transaction]") {
    auto conn = engine.connect();
    conn.execute("INSERT INTO t (x) VALUES (?)", 1);
    conn.rollback();
    CHECK_FALSE(conn.in_transaction());
    CHECK(stored().empty());
    CHECK(kinds() == strings{"begin", "statement", "rollback"});
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
}

TEST_CASE_METHOD(fixture, "transaction: commit() and rollback() without a transaction do nothing",
                 "[backend][transaction]") {
    auto conn = engine.connect();
    conn.commit();
    conn.rollback();
    CHECK(log.kinds().empty());
}

// SQLite-only: checks that the pooled sqlite3 handle comes back in autocommit mode.
TEST_CASE_METHOD(fixture, "transaction: closing a connection rolls back uncommitted work", "[sqlite][transaction]") {
    sqlite3* handle = nullptr;
    SECTION("close()") {
        auto conn = engine.connect();
        handle = alchemy::sqlite::native_handle(conn);
        conn.execute("INSERT INTO t (x) VALUES (?)", 1);
        conn.close();
        CHECK(conn.closed());
        REQUIRE_THROWS_AS(conn.execute("SELECT 1"), alchemy::ResourceClosedError);
    }
    SECTION("leaving the scope") {
        auto conn = engine.connect();
        handle = alchemy::sqlite::native_handle(conn);
        conn.execute("INSERT INTO t (x) VALUES (?)", 1);
    }
    CHECK(kinds() == strings{"begin", "statement", "rollback"});
    CHECK(log.sql().back() == "ROLLBACK");
    CHECK(stored().empty());

    // The pooled connection comes back with no transaction open.
    auto again = engine.connect();
    REQUIRE(alchemy::sqlite::native_handle(again) == handle);
    CHECK_FALSE(again.in_transaction());
    CHECK(sqlite3_get_autocommit(alchemy::sqlite::native_handle(again)) == 1);
}

// ---- engine.begin() and transaction objects ------------------------------------------

// [shared]: reads the database back while this connection's write transaction is
// open, which a :memory: database refuses (it lets no reader in beside a writer).
TEST_CASE_METHOD(fixture, "transaction: engine.begin() commits at scope end", "[backend][shared][transaction]") {
    {
        auto tx = engine.begin();
        CHECK(tx.is_active());
        tx.execute("INSERT INTO t (x) VALUES (?)", 1);
        CHECK(engine.checked_out() == 1);
        CHECK(stored().empty());
    }
    CHECK(kinds() == strings{"begin", "statement", "commit"});
    CHECK(stored() == rows{{"1"}});
    CHECK(engine.checked_out() == 0);  // and the connection went back to the pool
}

TEST_CASE_METHOD(fixture, "transaction: an exception leaving an engine.begin() scope rolls back and propagates",
                 "[backend][transaction]") {
    const auto work = [&] {
        auto tx = engine.begin();
        tx.execute("INSERT INTO t (x) VALUES (?)", 1);
        throw std::runtime_error("boom");
    };
    REQUIRE_THROWS_AS(work(), std::runtime_error);
    REQUIRE_THROWS_WITH(work(), "boom");
    CHECK(kinds() == strings{"begin", "statement", "rollback", "begin", "statement", "rollback"});
    CHECK(stored().empty());
    CHECK(engine.checked_out() == 0);
}

TEST_CASE_METHOD(fixture, "transaction: a database error inside engine.begin() rolls back the earlier work",
                 "[backend][transaction]") {
    const auto work = [&] {
        auto tx = engine.begin();
        tx.execute("INSERT INTO t (x) VALUES (?)", 1);
        tx.execute("INSERT INTO no_such_table (x) VALUES (?)", 2);
    };
    // A missing table is an OperationalError in SQLite's classification and a
    // ProgrammingError (SQLSTATE 42P01) in PostgreSQL's, as in SQLAlchemy.
    if (test_backend::dialect() == "postgresql")
        REQUIRE_THROWS_AS(work(), alchemy::ProgrammingError);
    else
        REQUIRE_THROWS_AS(work(), alchemy::OperationalError);
    CHECK(kinds().back() == "rollback");
    CHECK(stored().empty());
}

TEST_CASE_METHOD(fixture, "transaction: a COMMIT that fails at engine.begin() scope end throws and rolls back",
                 "[backend][transaction]") {
    {
        auto conn = engine.connect();
        conn.execute(test_backend::ddl("CREATE TABLE parent (id INTEGER PRIMARY KEY)"));
        conn.execute(test_backend::ddl(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, "
            "parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"));
        conn.commit();
    }
    log.clear();
    const auto work = [&] {
        auto tx = engine.begin();
        tx.execute("INSERT INTO child (parent_id) VALUES (?)", 99);  // checked only at COMMIT
    };
    REQUIRE_THROWS_AS(work(), alchemy::IntegrityError);
    CHECK(kinds() == strings{"begin", "statement", "commit", "rollback"});
    CHECK(db.query("SELECT count(*) FROM child") == rows{{"0"}});
    CHECK(engine.checked_out() == 0);
}

TEST_CASE_METHOD(fixture, "transaction: explicit commit() and rollback() on a transaction", "[backend][transaction]") {
    auto conn = engine.connect();
    SECTION("commit") {
        {
            auto tx = conn.begin();
            tx.execute("INSERT INTO t (x) VALUES (?)", 1);
            tx.commit();
            CHECK_FALSE(tx.is_active());
            CHECK_FALSE(conn.in_transaction());
            CHECK(stored() == rows{{"1"}});
        }
        // Scope end after commit() emits nothing more.
        CHECK(kinds() == strings{"begin", "statement", "commit"});
    }
    SECTION("rollback") {
        {
            auto tx = conn.begin();
            tx.execute("INSERT INTO t (x) VALUES (?)", 1);
            tx.rollback();
            CHECK_FALSE(tx.is_active());
            CHECK_FALSE(conn.in_transaction());
        }
        CHECK(kinds() == strings{"begin", "statement", "rollback"});
        CHECK(stored().empty());
    }
}

TEST_CASE_METHOD(fixture, "transaction: a committed transaction cannot be used", "[backend][transaction]") {
    auto conn = engine.connect();
    auto tx = conn.begin();
    tx.commit();
    log.clear();
    REQUIRE_THROWS_AS(tx.execute("INSERT INTO t (x) VALUES (?)", 1), alchemy::InvalidRequestError);
    REQUIRE_THROWS_WITH(tx.execute("INSERT INTO t (x) VALUES (?)", 1),
                        Catch::Contains("cannot execute") && Catch::Contains("no longer active"));
    REQUIRE_THROWS_AS(tx.commit(), alchemy::InvalidRequestError);
    REQUIRE_THROWS_AS(tx.begin_nested(), alchemy::InvalidRequestError);
    tx.rollback();  // documented as a no-op when inactive
    CHECK(log.kinds().empty());
    CHECK(stored().empty());
}

TEST_CASE_METHOD(fixture, "transaction: a transaction does not end one begun after it", "[backend][transaction]") {
    auto conn = engine.connect();
    auto old_tx = conn.begin();
    old_tx.commit();
    auto new_tx = conn.begin();
    new_tx.execute("INSERT INTO t (x) VALUES (?)", 1);
    CHECK_FALSE(old_tx.is_active());
    old_tx.rollback();  // must not roll back new_tx
    REQUIRE_THROWS_AS(old_tx.commit(), alchemy::InvalidRequestError);
    CHECK(new_tx.is_active());
    new_tx.commit();
    CHECK(stored() == rows{{"1"}});
}

TEST_CASE_METHOD(fixture, "transaction: conn.begin() while a transaction is open is an InvalidRequestError",
                 "[backend][transaction]") {
    auto conn = engine.connect();
    SECTION("after autobegin") {
        conn.execute("INSERT INTO t (x) VALUES (?)", 1);
        REQUIRE_THROWS_AS(conn.begin(), alchemy::InvalidRequestError);
        REQUIRE_THROWS_WITH(conn.begin(), Catch::Contains("already begun"));
        // The open transaction is untouched.
        CHECK(conn.in_transaction());
        conn.commit();
        CHECK(stored() == rows{{"1"}});
    }
    SECTION("after an explicit begin") {
        auto tx = conn.begin();
        REQUIRE_THROWS_AS(conn.begin(), alchemy::InvalidRequestError);
        CHECK(tx.is_active());
    }
    const auto events = kinds();
    CHECK(events.front() == "begin");
    CHECK(std::count(events.begin(), events.end(), std::string("begin")) == 1);
}

TEST_CASE_METHOD(fixture, "transaction: a moved transaction commits once", "[backend][transaction]") {
    {
        auto tx = engine.begin();
        tx.execute("INSERT INTO t (x) VALUES (?)", 1);
        auto moved = std::move(tx);
        CHECK(moved.is_active());
        CHECK_FALSE(tx.is_active());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    }
    CHECK(kinds() == strings{"begin", "statement", "commit"});
    CHECK(stored() == rows{{"1"}});
    CHECK(engine.checked_out() == 0);
}

// ---- savepoints -----------------------------------------------------------------------

// [shared]: reads the database back while this connection's write transaction is
// open, which a :memory: database refuses (it lets no reader in beside a writer).
TEST_CASE_METHOD(fixture, "transaction: savepoints are released or rolled back to", "[backend][shared][transaction][savepoint]") {
    auto conn = engine.connect();
    {
        auto tx = conn.begin();
        tx.execute("INSERT INTO t (x) VALUES (?)", 1);
        {
            auto sp = conn.begin_nested();
            sp.execute("INSERT INTO t (x) VALUES (?)", 2);
            sp.rollback();
            CHECK_FALSE(sp.is_active());
            CHECK(tx.is_active());
        }
        {
            auto sp = tx.begin_nested();
            sp.execute("INSERT INTO t (x) VALUES (?)", 3);
        }  // released at scope end
        CHECK(stored().empty());  // nothing is durable before the outer commit
    }
    CHECK(kinds() == strings{"begin", "statement", "savepoint", "statement", "rollback_to", "release",
                             "savepoint", "statement", "release", "commit"});
    const auto sql = log.sql();
    REQUIRE(sql.size() == 10);
    CHECK_THAT(sql[2], Catch::StartsWith("SAVEPOINT "));
    CHECK(sql[4] == "ROLLBACK TO SAVEPOINT " + sql[2].substr(10));
    CHECK(sql[5] == "RELEASE SAVEPOINT " + sql[2].substr(10));
    CHECK_THAT(sql[6], Catch::StartsWith("SAVEPOINT "));
    CHECK(sql[6] != sql[2]);  // each savepoint has its own name
    CHECK(sql[8] == "RELEASE SAVEPOINT " + sql[6].substr(10));
    CHECK(stored() == rows{{"1"}, {"3"}});
}

TEST_CASE_METHOD(fixture, "transaction: begin_nested() without a transaction begins one", "[backend][transaction][savepoint]") {
    auto conn = engine.connect();
    {
        auto sp = conn.begin_nested();
        sp.execute("INSERT INTO t (x) VALUES (?)", 1);
    }
    CHECK(conn.in_transaction());  // the savepoint is released, the transaction stays open
    conn.commit();
    CHECK(kinds() == strings{"begin", "savepoint", "statement", "release", "commit"});
    CHECK(stored() == rows{{"1"}});
}

TEST_CASE_METHOD(fixture, "transaction: savepoints nest two deep", "[backend][transaction][savepoint]") {
    auto conn = engine.connect();
    auto tx = conn.begin();
    tx.execute("INSERT INTO t (x) VALUES (?)", 1);
    SECTION("rolling back the inner one keeps the outer one's work") {
        auto outer = tx.begin_nested();
        outer.execute("INSERT INTO t (x) VALUES (?)", 2);
        auto inner = outer.begin_nested();
        inner.execute("INSERT INTO t (x) VALUES (?)", 3);
        inner.rollback();
        outer.execute("INSERT INTO t (x) VALUES (?)", 4);
        outer.commit();
        tx.commit();
        CHECK(kinds() == strings{"begin", "statement", "savepoint", "statement", "savepoint", "statement",
                                 "rollback_to", "release", "statement", "release", "commit"});
        CHECK(stored() == rows{{"1"}, {"2"}, {"4"}});
    }
    SECTION("rolling back the outer one ends the inner one too") {
        auto outer = tx.begin_nested();
        outer.execute("INSERT INTO t (x) VALUES (?)", 2);
        auto inner = outer.begin_nested();
        inner.execute("INSERT INTO t (x) VALUES (?)", 3);
        outer.rollback();
        CHECK_FALSE(inner.is_active());
        REQUIRE_THROWS_AS(inner.execute("INSERT INTO t (x) VALUES (?)", 5), alchemy::InvalidRequestError);
        tx.commit();
        CHECK(kinds() == strings{"begin", "statement", "savepoint", "statement", "savepoint", "statement",
                                 "rollback_to", "release", "commit"});
        CHECK(stored() == rows{{"1"}});
    }
    SECTION("committing the outer transaction ends both savepoints") {
        auto outer = tx.begin_nested();
        auto inner = outer.begin_nested();
        inner.execute("INSERT INTO t (x) VALUES (?)", 3);
        tx.commit();
        CHECK_FALSE(outer.is_active());
        CHECK_FALSE(inner.is_active());
        CHECK(stored() == rows{{"1"}, {"3"}});
    }
}

TEST_CASE_METHOD(fixture, "transaction: an exception inside a savepoint scope rolls back only the savepoint",
                 "[backend][transaction][savepoint]") {
    {
        auto tx = engine.begin();
        tx.execute("INSERT INTO t (x) VALUES (?)", 1);
        try {
            auto sp = tx.begin_nested();
            sp.execute("INSERT INTO t (x) VALUES (?)", 2);
            throw std::runtime_error("inner failure");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "inner failure");
        }
        CHECK(tx.is_active());
        tx.execute("INSERT INTO t (x) VALUES (?)", 3);
    }
    CHECK(kinds() == strings{"begin", "statement", "savepoint", "statement", "rollback_to", "release",
                             "statement", "commit"});
    CHECK(stored() == rows{{"1"}, {"3"}});
}

TEST_CASE_METHOD(fixture, "transaction: a failing statement inside a savepoint can be rolled back to",
                 "[backend][transaction][savepoint]") {
    auto conn = engine.connect();
    conn.execute("CREATE UNIQUE INDEX t_x ON t (x)");
    conn.execute("INSERT INTO t (x) VALUES (?)", 1);
    {
        auto sp = conn.begin_nested();
        sp.execute("INSERT INTO t (x) VALUES (?)", 2);
        REQUIRE_THROWS_AS(sp.execute("INSERT INTO t (x) VALUES (?)", 1), alchemy::IntegrityError);
        sp.rollback();
    }
    conn.commit();
    CHECK(stored() == rows{{"1"}});
}

// ---- autocommit --------------------------------------------------------------------------

TEST_CASE_METHOD(fixture, "transaction: with autocommit each statement is durable at once", "[backend][transaction]") {
    auto conn = engine.connect();
    conn.set_autocommit(true);
    conn.execute("INSERT INTO t (x) VALUES (?)", 1);
    CHECK_FALSE(conn.in_transaction());
    CHECK(stored() == rows{{"1"}});  // while the connection is still open
    conn.execute("INSERT INTO t (x) VALUES (?)", 2);
    CHECK(stored() == rows{{"1"}, {"2"}});
    CHECK(kinds() == strings{"statement", "statement"});  // no BEGIN, no COMMIT

    conn.rollback();  // nothing to roll back
    CHECK(stored() == rows{{"1"}, {"2"}});

    SECTION("autocommit is off again for the next checkout") {
        const auto handle = conn.native_handle();
        conn.close();
        auto again = engine.connect();
        REQUIRE(again.native_handle() == handle);
        again.execute("INSERT INTO t (x) VALUES (?)", 3);
        CHECK(again.in_transaction());
        CHECK(kinds().back() == "statement");
        CHECK(kinds()[kinds().size() - 2] == "begin");
    }
    SECTION("switching autocommit off makes execute begin again") {
        conn.set_autocommit(false);
        conn.execute("INSERT INTO t (x) VALUES (?)", 3);
        CHECK(conn.in_transaction());
        conn.rollback();
        CHECK(stored() == rows{{"1"}, {"2"}});
    }
}

TEST_CASE_METHOD(fixture, "transaction: autocommit cannot be switched on inside a transaction", "[backend][transaction]") {
    auto conn = engine.connect();
    conn.execute("INSERT INTO t (x) VALUES (?)", 1);
    REQUIRE_THROWS_AS(conn.set_autocommit(true), alchemy::InvalidRequestError);
    REQUIRE_THROWS_WITH(conn.set_autocommit(true), Catch::Contains("autocommit inside a transaction"));
    // Still transactional: the row goes away on rollback.
    CHECK(conn.in_transaction());
    conn.rollback();
    CHECK(stored().empty());
}

// ---- objects outliving their connection ---------------------------------------------------

TEST_CASE_METHOD(fixture, "transaction: a transaction that outlives conn.close() is inactive and harmless",
                 "[backend][transaction]") {
    std::optional<alchemy::transaction> stale;
    auto conn = engine.connect();
    const auto handle = conn.native_handle();
    stale.emplace(conn.begin());
    stale->execute("INSERT INTO t (x) VALUES (?)", 1);
    conn.close();  // rolls back
    CHECK(kinds() == strings{"begin", "statement", "rollback"});
    CHECK_FALSE(stale->is_active());
    REQUIRE_THROWS_AS(stale->execute("INSERT INTO t (x) VALUES (?)", 2), alchemy::InvalidRequestError);
    REQUIRE_THROWS_AS(stale->commit(), alchemy::InvalidRequestError);

    // The same SQLite connection, checked out again, runs someone else's transaction ...
    auto other = engine.connect();
    REQUIRE(other.native_handle() == handle);
    auto other_tx = other.begin();
    other_tx.execute("INSERT INTO t (x) VALUES (?)", 3);
    log.clear();

    // ... which the stale transaction's destructor must leave alone.
    stale.reset();
    CHECK(log.kinds().empty());
    CHECK(other_tx.is_active());
    other_tx.commit();
    CHECK(stored() == rows{{"3"}});
}

TEST_CASE_METHOD(fixture, "transaction: a savepoint that outlives conn.close() is inactive and harmless",
                 "[backend][transaction][savepoint]") {
    std::optional<alchemy::transaction> stale;
    auto conn = engine.connect();
    stale.emplace(conn.begin_nested());
    conn.close();

    auto other = engine.connect();
    auto sp = other.begin_nested();
    sp.execute("INSERT INTO t (x) VALUES (?)", 1);
    log.clear();
    stale.reset();  // must not release or roll back `sp`
    CHECK(log.kinds().empty());
    CHECK(sp.is_active());
    sp.commit();
    other.commit();
    CHECK(stored() == rows{{"1"}});
}
