// Atomicity when the database fails under a transaction: a COMMIT that fails
// on a full disk, a statement after which SQLite rolls the transaction back by
// itself, a COMMIT refused by a lock, and SQL text that begins or ends a
// transaction. The connection must always know the real transaction state, and
// the session must come back to a state from which a retry commits every row
// exactly once. What reached the database is read back through raw sqlite3.
// SQLite-only ([sqlite]), every test but the one on SQL text that begins or
// ends a transaction: the failures come from the fault-injection VFS,
// sqlite3_interrupt and SQLite's own locks.
#include "models/relationship_models.hpp"
#include "models/seed_models.hpp"
#include "support/backend.hpp"
#include "support/fault_vfs.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <sqlite3.h>

namespace {

using Catch::Matchers::Contains;
using alchemy::object_state;
using test_support::fault;
using test_support::fault_vfs;
namespace io = test_support::io;
using rows = std::vector<std::vector<std::string>>;

alchemy::engine engine_with_faults(const std::string& path, const test_support::log_capture& log, bool wal = true) {
    fault_vfs::get();  // registered before the engine opens anything
    return alchemy::create_engine("sqlite:///" + path, {.sink = log.sink(), .backend = alchemy::sqlite::options{.wal = wal, .vfs = fault_vfs::name}});
}

// The kinds of the events logged since the last take(), with "(implicit)"
// after a rollback the database did by itself.
std::vector<std::string> kinds(const test_support::log_capture& log) {
    std::vector<std::string> out;
    for (const auto& e : log.take())
        out.push_back(std::string(alchemy::to_string(e.kind)) + (e.implicit ? " (implicit)" : ""));
    return out;
}

// The message of the E that `f` throws; a failed check if it throws nothing
// (any other exception escapes).
template <class E, class F>
std::string thrown(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    FAIL_CHECK("nothing was thrown");
    return {};
}

// An interrupt from the progress handler makes SQLite fail the running
// statement with SQLITE_INTERRUPT; for a write inside a transaction it rolls
// the whole transaction back.
void interrupt_statements(alchemy::connection& conn, bool on) {
    int (*interrupt)(void*) = [](void*) { return 1; };
    sqlite3_progress_handler(alchemy::sqlite::native_handle(conn), on ? 1 : 0, on ? interrupt : nullptr, nullptr);
}

}  // namespace

// ---- the reproduction --------------------------------------------------

TEST_CASE("atomicity: a COMMIT that fails on a full disk commits nothing, and a later commit writes every object once",
          "[sqlite][atomicity][faults]") {
    using plain::User;
    const auto path = test_support::scratch_path("full-disk-commit.db");
    test_support::log_capture log;
    auto engine = engine_with_faults(path, log);
    alchemy::metadata<plain::User, plain::Post>().create_all(engine);
    auto& vfs = fault_vfs::get();

    alchemy::session session(engine);
    std::vector<alchemy::ptr<User>> first;
    for (const char* name : {"ann", "bob", "cid"}) first.push_back(session.add(User{.name = name}));
    session.flush();  // the INSERTs reach SQLite's page cache; the file is written at COMMIT
    CHECK(first[0]->id == 1);
    log.clear();

    vfs.arm(io::write, 1, fault::disk_full);
    CHECK_THAT(thrown<alchemy::OperationalError>([&] { session.commit(); }),
                         Contains("database or disk is full") && Contains("[SQL: COMMIT]") &&
                             Contains("the database rolled the transaction back: nothing of it was committed"));
    vfs.disarm();
    CHECK(vfs.injected() >= 1);
    CHECK(kinds(log) == std::vector<std::string>{"commit", "rollback (implicit)"});

    // Back to the start of the transaction: pending, keys unset, no transaction.
    CHECK_FALSE(session.in_transaction());
    CHECK(session.pending_count() == 3);
    for (const auto& u : first) {
        CHECK(alchemy::state_of(u) == object_state::pending);
        CHECK(u->id == 0);
    }
    CHECK(test_support::raw_query(path, "SELECT count(*) FROM users") == rows{{"0"}});

    // Five more, the third a duplicate of a pending name: UNIQUE fails in the
    // middle, and nothing at all is committed.
    std::vector<alchemy::ptr<User>> next;
    for (const char* name : {"dan", "eve", "ann", "fay", "gus"}) next.push_back(session.add(User{.name = name}));
    CHECK_THAT(thrown<alchemy::IntegrityError>([&] { session.commit(); }), Contains("UNIQUE constraint failed: users.name"));
    CHECK(kinds(log) == std::vector<std::string>{"begin", "statement", "statement", "statement", "statement", "statement",
                                                 "statement", "rollback"});
    CHECK(test_support::raw_query(path, "SELECT count(*) FROM users") == rows{{"0"}});
    CHECK(session.pending_count() == 8);

    next[2]->name = "hal";
    session.commit();
    CHECK(kinds(log) == std::vector<std::string>{"begin", "statement", "statement", "statement", "statement", "statement",
                                                 "statement", "statement", "statement", "commit"});
    CHECK(test_support::raw_query(path, "SELECT id, name FROM users ORDER BY id") ==
          rows{{"1", "ann"}, {"2", "bob"}, {"3", "cid"}, {"4", "dan"}, {"5", "eve"}, {"6", "hal"}, {"7", "fay"}, {"8", "gus"}});
    CHECK(alchemy::state_of(first[0]) == object_state::persistent);
    CHECK(first[2]->id == 3);
    CHECK(next[4]->id == 8);
}

TEST_CASE("atomicity: after a failed COMMIT, objects inserted by several flushes are inserted again in the order they were added",
          "[sqlite][atomicity][faults]") {
    using plain::User;
    const auto path = test_support::scratch_path("reinsert-order.db");
    test_support::log_capture log;
    auto engine = engine_with_faults(path, log);
    alchemy::metadata<plain::User, plain::Post>().create_all(engine);
    auto& vfs = fault_vfs::get();

    // Three flushes' worth of INSERTs in the transaction, and one still pending.
    alchemy::session session(engine);
    std::vector<alchemy::ptr<User>> users;
    for (const char* name : {"ann", "bob"}) users.push_back(session.add(User{.name = name}));
    session.flush();
    users.push_back(session.add(User{.name = "cid"}));
    session.flush();
    for (const char* name : {"dan", "eve"}) users.push_back(session.add(User{.name = name}));
    session.flush();
    users.push_back(session.add(User{.name = "fay"}));
    CHECK(users[4]->id == 5);

    vfs.arm(io::write, 1, fault::disk_full);
    CHECK_THROWS_AS(session.commit(), alchemy::OperationalError);
    vfs.disarm();
    REQUIRE(session.pending_count() == 6);
    for (const auto& u : users) CHECK(u->id == 0);

    // The retry gives out the keys again in the order the objects were added.
    log.clear();
    session.commit();
    CHECK(kinds(log) == std::vector<std::string>{"begin", "statement", "statement", "statement", "statement", "statement",
                                                 "statement", "commit"});
    CHECK(test_support::raw_query(path, "SELECT id, name FROM users ORDER BY id") ==
          rows{{"1", "ann"}, {"2", "bob"}, {"3", "cid"}, {"4", "dan"}, {"5", "eve"}, {"6", "fay"}});
    for (std::size_t i = 0; i < users.size(); ++i) CHECK(users[i]->id == static_cast<std::int64_t>(i) + 1);
}

TEST_CASE("atomicity: after a COMMIT failed on a full disk, the connection's next statement begins a new transaction",
          "[sqlite][atomicity][faults]") {
    const auto path = test_support::scratch_path("full-disk-connection.db");
    test_support::log_capture log;
    auto engine = engine_with_faults(path, log);
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.commit();
    }
    auto& vfs = fault_vfs::get();
    auto conn = engine.connect();
    conn.execute("INSERT INTO t VALUES (1)");
    log.clear();

    vfs.arm(io::write, 1, fault::disk_full);
    CHECK_THAT(thrown<alchemy::OperationalError>([&] { conn.commit(); }), Contains("nothing of it was committed"));
    vfs.disarm();
    CHECK(kinds(log) == std::vector<std::string>{"commit", "rollback (implicit)"});
    CHECK_FALSE(conn.in_transaction());
    CHECK_FALSE(conn.needs_rollback());
    CHECK(sqlite3_get_autocommit(alchemy::sqlite::native_handle(conn)) != 0);

    // The next statement is not autocommitted: it begins a transaction, which
    // nobody else sees and rollback() undoes.
    conn.execute("INSERT INTO t VALUES (2)");
    CHECK(kinds(log) == std::vector<std::string>{"begin", "statement"});
    CHECK(test_support::raw_query(path, "SELECT count(*) FROM t") == rows{{"0"}});
    conn.rollback();
    CHECK(test_support::raw_query(path, "SELECT count(*) FROM t") == rows{{"0"}});
    conn.execute("INSERT INTO t VALUES (3)");
    conn.commit();
    CHECK(test_support::raw_query(path, "SELECT x FROM t") == rows{{"3"}});
}

// ---- a statement after which SQLite rolled the transaction back -----------------------------

TEST_CASE("atomicity: after the database rolled a transaction back, the connection refuses statements until rollback()",
          "[sqlite][atomicity]") {
    const auto path = test_support::scratch_path("interrupted.db");
    test_support::log_capture log;
    auto engine = alchemy::create_engine("sqlite:///" + path, {.sink = log.sink()});
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.commit();
    }
    auto conn = engine.connect();
    conn.execute("INSERT INTO t VALUES (1)");
    log.clear();

    interrupt_statements(conn, true);
    CHECK_THAT(thrown<alchemy::OperationalError>([&] { conn.execute("UPDATE t SET x = x + 1"); }),
                         Contains("interrupted") && Contains("call rollback() before running more statements"));
    interrupt_statements(conn, false);
    CHECK(kinds(log) == std::vector<std::string>{"statement", "rollback (implicit)"});
    CHECK(conn.needs_rollback());
    CHECK(conn.in_transaction());
    CHECK(sqlite3_get_autocommit(alchemy::sqlite::native_handle(conn)) != 0);  // SQLite has no transaction any more

    // Nothing may run outside the transaction the caller believes is open.
    CHECK_THAT(thrown<alchemy::PendingRollbackError>([&] { conn.execute("INSERT INTO t VALUES (2)"); }),
                         Contains("alchemy: cannot execute a statement: the database rolled this connection's "
                                  "transaction back after an error (interrupted); call rollback() first"));
    CHECK_THAT(thrown<alchemy::PendingRollbackError>([&] { conn.commit(); }), Contains("cannot commit"));
    CHECK_THAT(thrown<alchemy::PendingRollbackError>([&] { conn.begin(); }), Contains("cannot begin a transaction"));
    CHECK_THROWS_AS(conn.begin_nested(), alchemy::PendingRollbackError);
    CHECK(kinds(log).empty());  // none of them reached the database
    CHECK(test_support::raw_query(path, "SELECT count(*) FROM t") == rows{{"0"}});

    conn.rollback();  // acknowledges: nothing left to send
    CHECK(kinds(log).empty());
    CHECK_FALSE(conn.needs_rollback());
    CHECK_FALSE(conn.in_transaction());
    conn.execute("INSERT INTO t VALUES (2)");
    conn.commit();
    CHECK(kinds(log) == std::vector<std::string>{"begin", "statement", "commit"});
    CHECK(test_support::raw_query(path, "SELECT x FROM t") == rows{{"2"}});  // 1 went with the rolled-back transaction
}

TEST_CASE("atomicity: a transaction object the database rolled back is inactive, refuses work, and rolls back quietly",
          "[sqlite][atomicity]") {
    const auto path = test_support::scratch_path("interrupted-transaction.db");
    auto engine = alchemy::create_engine("sqlite:///" + path);
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.commit();
    }

    SECTION("explicit rollback() of the transaction object") {
        auto conn = engine.connect();
        auto tx = conn.begin();
        tx.execute("INSERT INTO t VALUES (1)");
        interrupt_statements(conn, true);
        CHECK_THROWS_AS(tx.execute("UPDATE t SET x = 5"), alchemy::OperationalError);
        interrupt_statements(conn, false);
        CHECK_FALSE(tx.is_active());
        CHECK_THROWS_AS(tx.execute("INSERT INTO t VALUES (2)"), alchemy::PendingRollbackError);
        CHECK_THROWS_AS(tx.commit(), alchemy::PendingRollbackError);
        tx.rollback();
        CHECK_FALSE(conn.needs_rollback());
        conn.execute("INSERT INTO t VALUES (3)");
        conn.commit();
        CHECK(test_support::raw_query(path, "SELECT x FROM t") == rows{{"3"}});
    }
    SECTION("engine.begin() left by the exception gives its connection back clean") {
        // The pool hands the one idle connection out again: interrupt through its handle.
        bool interrupt = false;
        sqlite3* handle = nullptr;
        {
            auto conn = engine.connect();
            handle = alchemy::sqlite::native_handle(conn);
        }
        sqlite3_progress_handler(handle, 1, [](void* on) { return *static_cast<bool*>(on) ? 1 : 0; }, &interrupt);
        CHECK_THROWS_AS(
            [&] {
                auto tx = engine.begin();
                tx.execute("INSERT INTO t VALUES (1)");
                interrupt = true;
                tx.execute("UPDATE t SET x = 5");
            }(),
            alchemy::OperationalError);
        interrupt = false;
        auto conn = engine.connect();
        CHECK(alchemy::sqlite::native_handle(conn) == handle);
        CHECK_FALSE(conn.in_transaction());
        CHECK_FALSE(conn.needs_rollback());
        conn.execute("INSERT INTO t VALUES (2)");
        conn.commit();
        CHECK(test_support::raw_query(path, "SELECT x FROM t") == rows{{"2"}});
        sqlite3_progress_handler(handle, 0, nullptr, nullptr);
    }
    SECTION("a transaction object left normally after the database rolled it back throws from its end") {
        auto conn = engine.connect();
        CHECK_THROWS_AS(
            [&] {
                auto tx = conn.begin();
                tx.execute("INSERT INTO t VALUES (1)");
                interrupt_statements(conn, true);
                try {
                    tx.execute("UPDATE t SET x = 5");
                } catch (const alchemy::OperationalError&) {
                    // swallowed: the block then ends normally and asks for a commit
                }
                interrupt_statements(conn, false);
            }(),
            alchemy::PendingRollbackError);
        CHECK(conn.needs_rollback());
        conn.rollback();
        CHECK(test_support::raw_query(path, "SELECT count(*) FROM t") == rows{{"0"}});
    }
}

// [shared]: reads back while the connection's write transaction is open.
TEST_CASE("atomicity: SQL text that begins or ends a transaction is followed by the connection", "[backend][shared][atomicity]") {
    test_backend::database db("text-transactions.db");
    test_support::log_capture log;
    auto engine = db.engine({.sink = log.sink()});
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER)");
    conn.execute("COMMIT");
    CHECK_FALSE(conn.in_transaction());
    log.clear();

    conn.execute("INSERT INTO t VALUES (1)");  // a new transaction, not autocommit
    CHECK(kinds(log) == std::vector<std::string>{"begin", "statement"});
    conn.rollback();
    CHECK(db.query("SELECT count(*) FROM t") == rows{{"0"}});

    conn.set_autocommit(true);
    conn.execute("BEGIN");
    CHECK(conn.in_transaction());
    conn.execute("INSERT INTO t VALUES (2)");
    CHECK(db.query("SELECT count(*) FROM t") == rows{{"0"}});
    conn.rollback();
    CHECK_FALSE(conn.in_transaction());
    CHECK(db.query("SELECT count(*) FROM t") == rows{{"0"}});
    conn.execute("INSERT INTO t VALUES (3)");  // autocommit again
    CHECK(db.query("SELECT x FROM t") == rows{{"3"}});
}

// ---- the session ----------------------------------------------------------------------------------

TEST_CASE("atomicity: when the database rolls the session's transaction back, the session starts it over and commits once",
          "[sqlite][atomicity]") {
    using plain::User;
    const auto path = test_support::scratch_path("session-interrupted.db");
    test_support::log_capture log;
    auto engine = alchemy::create_engine("sqlite:///" + path, {.sink = log.sink()});
    alchemy::metadata<plain::User, plain::Post>().create_all(engine);
    alchemy::session session(engine);
    auto ann = session.add(User{.name = "ann"});
    auto bob = session.add(User{.name = "bob"});
    session.flush();
    CHECK(alchemy::state_of(ann) == object_state::persistent);
    log.clear();

    interrupt_statements(session.connection(), true);
    CHECK_THROWS_AS(session.execute(alchemy::text("UPDATE users SET email = 'x'")), alchemy::OperationalError);
    interrupt_statements(session.connection(), false);
    CHECK(kinds(log) == std::vector<std::string>{"statement", "rollback (implicit)"});

    // The next call notices: the flushed objects are pending again.
    CHECK_FALSE(session.in_transaction());
    CHECK(alchemy::state_of(ann) == object_state::pending);
    CHECK(ann->id == 0);
    CHECK(session.pending_count() == 2);

    session.commit();
    CHECK(kinds(log) == std::vector<std::string>{"begin", "statement", "statement", "commit"});
    CHECK(test_support::raw_query(path, "SELECT id, name FROM users ORDER BY id") == rows{{"1", "ann"}, {"2", "bob"}});
    CHECK(bob->id == 2);
}

TEST_CASE("atomicity: a COMMIT refused by another connection's lock keeps the transaction, for commit() again or rollback()",
          "[sqlite][atomicity]") {
    using plain::User;
    const auto path = test_support::scratch_path("busy-commit.db");
    test_support::log_capture log;
    // A rollback journal: a reader's SHARED lock stops the writer's COMMIT.
    auto engine = alchemy::create_engine(
        "sqlite:///" + path, {.sink = log.sink(), .backend = alchemy::sqlite::options{.busy_timeout = std::chrono::milliseconds(50), .wal = false}});
    alchemy::metadata<plain::User, plain::Post>().create_all(engine);
    alchemy::session session(engine);
    auto ann = session.add(User{.name = "ann"});
    session.flush();

    sqlite3* reader = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &reader) == SQLITE_OK);
    REQUIRE(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM users;", nullptr, nullptr, nullptr) == SQLITE_OK);
    log.clear();

    CHECK_THAT(thrown<alchemy::OperationalError>([&] { session.commit(); }),
                         Contains("database is locked") &&
                             Contains("the transaction is still open: call commit() again to retry it, or rollback()"));
    CHECK(kinds(log) == std::vector<std::string>{"commit"});
    CHECK(session.in_transaction());
    CHECK(alchemy::state_of(ann) == object_state::persistent);
    CHECK(sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(reader);

    SECTION("commit() again") {
        session.commit();
        CHECK(kinds(log) == std::vector<std::string>{"commit"});
        CHECK(test_support::raw_query(path, "SELECT id, name FROM users") == rows{{"1", "ann"}});
        CHECK(alchemy::state_of(ann) == object_state::persistent);
    }
    SECTION("rollback()") {
        session.rollback();
        CHECK(kinds(log) == std::vector<std::string>{"rollback"});
        CHECK(test_support::raw_query(path, "SELECT count(*) FROM users") == rows{{"0"}});
        CHECK(alchemy::state_of(ann) == object_state::transient);
    }
}

TEST_CASE("atomicity: links written by an earlier flush are written again, to the new keys, after a failed COMMIT",
          "[sqlite][atomicity][faults]") {
    const auto path = test_support::scratch_path("links-after-failed-commit.db");
    test_support::log_capture log;
    auto engine = engine_with_faults(path, log);
    alchemy::metadata<rel::User, rel::Post, rel::Student, rel::Course, rel::Enrollment>().create_all(engine);
    auto& vfs = fault_vfs::get();

    alchemy::session session(engine);
    auto ann = session.add(rel::User{.name = "ann"});
    auto p1 = session.add(rel::Post{.title = "p1"});
    auto p2 = session.add(rel::Post{.title = "p2"});
    ann->posts.append(p1);
    ann->posts.append(p2);
    auto sam = session.add(rel::Student{.name = "sam"});
    auto math = session.add(rel::Course{.name = "math"});
    sam->courses.append(math);
    session.flush();  // ann 1; p1, p2 -> 1; sam enrolled in math
    CHECK(p2->user_id == std::optional<std::int64_t>(1));

    ann->posts.remove(p2);  // after the flush: p2 loses its parent
    auto bob = session.add(rel::User{.name = "bob"});
    auto p3 = session.add(rel::Post{.title = "p3"});
    bob->posts.append(p3);

    vfs.arm(io::write, 1, fault::disk_full);
    CHECK_THROWS_AS(session.commit(), alchemy::OperationalError);
    vfs.disarm();
    CHECK(alchemy::state_of(ann) == object_state::pending);
    CHECK(p1->user_id == std::nullopt);  // the key the lost flush wrote is gone again
    CHECK(test_support::raw_query(path, "SELECT count(*) FROM users") == rows{{"0"}});

    // Someone else takes the next keys: the retry must not reuse the old ones.
    {
        auto other = alchemy::create_engine("sqlite:///" + path);
        auto conn = other.connect();
        conn.execute("INSERT INTO users (name) VALUES ('zed')");
        conn.execute("INSERT INTO courses (name) VALUES ('art')");
        conn.commit();
    }
    session.commit();
    CHECK(test_support::raw_query(path, "SELECT p.title, coalesce(u.name, 'NULL') FROM posts p LEFT JOIN users u "
                                        "ON u.id = p.user_id ORDER BY p.title") ==
          rows{{"p1", "ann"}, {"p2", "NULL"}, {"p3", "bob"}});
    CHECK(test_support::raw_query(path, "SELECT s.name, c.name FROM enrollments e JOIN students s ON s.id = e.student_id "
                                        "JOIN courses c ON c.id = e.course_id") == rows{{"sam", "math"}});
    CHECK(ann->id == 2);
    CHECK(p1->user_id == std::optional<std::int64_t>(2));
    CHECK(p2->user_id == std::nullopt);
    CHECK(math->id == 2);
}
