// The fault-injection sweep: a representative unit of work committed again
// and again, the N-th read, write or sync failing in run N, for every N until
// a run commits without meeting its fault (in the spirit of SQLite's own
// I/O-error tests). After each faulted run the database file must pass
// PRAGMA integrity_check and hold exactly the rows from before the
// transaction or exactly the rows from after it, never a mix; and the
// session's objects must be in a state from which one more commit() writes
// exactly the intended rows, to the keys the database hands out then (another
// connection takes the next keys in between). The same sweep runs through the
// plain connection/transaction API, in WAL and rollback-journal mode, with
// transient I/O errors and with a disk that stays full.
// SQLite-only ([sqlite]), every test: the faults come from the fault-injection
// VFS under a SQLite file.
#include "models/relationship_models.hpp"
#include "support/fault_vfs.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <sqlite3.h>

namespace {

using test_support::fault;
using test_support::fault_vfs;
namespace io = test_support::io;
using lines = std::vector<std::string>;

// ---- the database as raw sqlite3 sees it ---------------------------------------

// Every row of the tables, as sorted lines naming related rows by name (not by
// key, which a retry may change), or why the file is not sound. Opened
// read-write through the default VFS: a hot journal left by a failed
// transaction must be rolled back on the way in, as any reader would.
lines contents(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return {"cannot open " + path};
    }
    lines out;
    const auto read = [&](const char* prefix, const char* sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
            out.push_back(std::string("error: ") + sqlite3_errmsg(db));
            return;
        }
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            std::string line = prefix;
            for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
                line += i ? " | " : " ";
                const auto* text = sqlite3_column_text(stmt, i);
                line += text ? reinterpret_cast<const char*>(text) : "NULL";
            }
            out.push_back(line);
        }
        if (rc != SQLITE_DONE) out.push_back(std::string("error: ") + sqlite3_errmsg(db));
        sqlite3_finalize(stmt);
    };
    read("integrity", "PRAGMA integrity_check");
    read("foreign key violation", "PRAGMA foreign_key_check");
    read("user", "SELECT name FROM users ORDER BY name");
    read("post", "SELECT p.title, coalesce(u.name, 'NULL') FROM posts p LEFT JOIN users u ON u.id = p.user_id ORDER BY p.title");
    read("student", "SELECT name FROM students ORDER BY name");
    read("course", "SELECT name FROM courses ORDER BY name");
    read("enrolled", "SELECT s.name, c.name FROM enrollments e JOIN students s ON s.id = e.student_id "
                     "JOIN courses c ON c.id = e.course_id ORDER BY 1, 2");
    sqlite3_close(db);
    std::sort(out.begin(), out.end());
    return out;
}

const lines before = {"integrity ok",  "user ann",     "user bob",         "post p1 | ann", "post p2 | ann",
                      "post p3 | bob", "student sam",  "course art",       "course math",   "enrolled sam | math"};
const lines after_session = {"integrity ok",         "user ann2",     "user bob",           "user carl",
                             "post c1 | carl",       "post c2 | carl", "post p1 | ann2",    "post p3 | carl",
                             "student dee",          "student sam",    "course art",        "course math",
                             "enrolled dee | math",  "enrolled sam | art"};

lines sorted(lines rows) {
    std::sort(rows.begin(), rows.end());
    return rows;
}
lines with_bystander(lines rows) {
    rows.push_back("user zed");
    return sorted(std::move(rows));
}

// A fresh file holding `before`, written without faults.
std::string seed(const std::string& name, bool wal) {
    const auto path = test_support::scratch_path(name);
    auto engine = alchemy::create_engine("sqlite:///" + path, {.backend = alchemy::sqlite::options{.wal = wal}});
    alchemy::metadata<rel::User, rel::Post, rel::Student, rel::Course, rel::Enrollment>().create_all(engine);
    auto conn = engine.connect();
    for (const char* sql : {"INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob')",
                            "INSERT INTO posts (id, title, user_id) VALUES (1, 'p1', 1), (2, 'p2', 1), (3, 'p3', 2)",
                            "INSERT INTO students (id, name) VALUES (1, 'sam')",
                            "INSERT INTO courses (id, name) VALUES (1, 'math'), (2, 'art')",
                            "INSERT INTO enrollments (student_id, course_id) VALUES (1, 1)"})
        conn.execute(sql);
    conn.commit();
    return path;
}

void remove_files(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
}

// Another connection takes the next keys of every table, so that a retry
// that reused a key from the lost transaction would show.
void bystander(const std::string& path) {
    auto engine = alchemy::create_engine("sqlite:///" + path);
    auto conn = engine.connect();
    conn.execute("INSERT INTO users (id, name) VALUES (100, 'zed')");
    conn.commit();
}

// ---- the unit of work ---------------------------------------------------------------

// New rows with generated keys in parents and children, an update, a child
// moved to a new parent, a delete, and association rows added and removed.
struct work {
    alchemy::ptr<rel::User> ann, carl;
    alchemy::ptr<rel::Post> c1, c2, p3;
    alchemy::ptr<rel::Student> sam, dee;
    alchemy::ptr<rel::Course> math, art;
};

work make_changes(alchemy::session& s) {
    work w;
    w.ann = s.get<rel::User>(1);
    w.ann->name = "ann2";
    w.carl = s.add(rel::User{.name = "carl"});
    w.c1 = s.add(rel::Post{.title = "c1"});
    w.c2 = s.add(rel::Post{.title = "c2"});
    w.carl->posts.append(w.c1);
    w.carl->posts.append(w.c2);
    w.p3 = s.get<rel::Post>(3);
    w.carl->posts.append(w.p3);  // moved from bob
    s.remove(s.get<rel::Post>(2));
    w.sam = s.get<rel::Student>(1);
    w.math = s.get<rel::Course>(1);
    w.art = s.get<rel::Course>(2);
    w.dee = s.add(rel::Student{.name = "dee"});
    w.dee->courses.append(w.math);
    w.sam->courses.remove(w.math);
    w.sam->courses.append(w.art);
    return w;
}

// The objects after a successful commit agree with the rows and with the
// identity map.
void check_objects(alchemy::session& s, const work& w) {
    CHECK(alchemy::state_of(w.carl) == alchemy::object_state::persistent);
    CHECK(alchemy::state_of(w.c1) == alchemy::object_state::persistent);
    const auto carl_id = w.carl->id;
    CHECK(s.get<rel::User>(carl_id) == w.carl);
    CHECK(w.c1->user_id == std::optional<std::int64_t>(carl_id));
    CHECK(w.p3->user_id == std::optional<std::int64_t>(carl_id));
    CHECK(s.get<rel::Post>(w.c2->id) == w.c2);
    CHECK(s.get<rel::Student>(w.dee->id) == w.dee);
    CHECK(s.query<rel::Post>().filter(alchemy::col(&rel::Post::title) == "p2").count() == 0);
}

struct sweep_figures {
    long points = 0;          // runs whose fault was met
    long failed_commits = 0;  // of those, runs whose commit failed (and were retried)
};

// Runs the session's unit of work with fault N for N = 1, 2, ... until a run
// meets no fault.
sweep_figures sweep_session(bool wal, unsigned ops, fault kind) {
    auto& vfs = fault_vfs::get();
    sweep_figures figures;
    for (long n = 1;; ++n) {
        INFO("fault at operation " << n << (wal ? " (WAL)" : " (rollback journal)"));
        const auto path = seed("sweep-session.db", wal);
        {
            auto engine = alchemy::create_engine("sqlite:///" + path, {.backend = alchemy::sqlite::options{.wal = wal, .vfs = fault_vfs::name}});
            alchemy::session s(engine);
            const auto w = make_changes(s);
            vfs.arm(ops, n, kind);
            bool committed = false;
            std::string error;
            try {
                s.commit();
                committed = true;
            } catch (const alchemy::Error& e) {
                error = e.what();
            }
            vfs.disarm();
            INFO("commit: " << (committed ? "succeeded" : error));
            if (vfs.injected() == 0) {  // past the last operation: the sweep is complete
                REQUIRE(committed);
                CHECK(contents(path) == sorted(after_session));
                check_objects(s, w);
                remove_files(path);
                return figures;
            }
            ++figures.points;
            if (committed) {  // SQLite got past the fault (a read it retried, a journal it did without)
                CHECK(contents(path) == sorted(after_session));
                check_objects(s, w);
            } else {
                ++figures.failed_commits;
                const auto seen = contents(path);
                CHECK(seen == sorted(before));
                // Between the failure and the retry another connection writes,
                // unless the transaction is still open (then it holds the lock).
                const bool open = s.in_transaction();
                if (!open) bystander(path);
                s.commit();
                CHECK(contents(path) == sorted(open ? after_session : with_bystander(after_session)));
                check_objects(s, w);
            }
        }
        remove_files(path);
        REQUIRE(n < 5000);  // a sweep that never ends is a bug in the sweep
    }
}

const lines after_plain = {"integrity ok",  "user ann2",   "user bob",     "user carl",     "post c1 | carl",
                           "post p1 | ann2", "post p3 | bob", "student sam", "course art", "course math",
                           "enrolled sam | art"};

// The same transaction written by hand; returns whether it committed.
bool plain_transaction(alchemy::engine& engine, std::string& error) {
    try {
        auto tx = engine.begin();
        tx.execute("UPDATE users SET name = 'ann2' WHERE name = 'ann'");
        tx.execute("INSERT INTO users (name) VALUES ('carl')");
        tx.execute("INSERT INTO posts (title, user_id) VALUES ('c1', (SELECT id FROM users WHERE name = 'carl'))");
        tx.execute("DELETE FROM posts WHERE title = 'p2'");
        tx.execute("DELETE FROM enrollments WHERE student_id = 1 AND course_id = 1");
        tx.execute("INSERT INTO enrollments (student_id, course_id) VALUES (1, 2)");
        return true;  // the destructor commits; its error propagates
    } catch (const alchemy::Error& e) {
        error = e.what();
        return false;
    }
}

sweep_figures sweep_plain(bool wal, unsigned ops, fault kind) {
    auto& vfs = fault_vfs::get();
    sweep_figures figures;
    for (long n = 1;; ++n) {
        INFO("fault at operation " << n << (wal ? " (WAL)" : " (rollback journal)"));
        const auto path = seed("sweep-plain.db", wal);
        {
            auto engine = alchemy::create_engine("sqlite:///" + path, {.backend = alchemy::sqlite::options{.wal = wal, .vfs = fault_vfs::name}});
            vfs.arm(ops, n, kind);
            std::string error;
            const bool committed = plain_transaction(engine, error);
            vfs.disarm();
            INFO("transaction: " << (committed ? "committed" : error));
            if (vfs.injected() == 0) {
                REQUIRE(committed);
                CHECK(contents(path) == sorted(after_plain));
                remove_files(path);
                return figures;
            }
            ++figures.points;
            if (!committed) {
                ++figures.failed_commits;
                CHECK(contents(path) == sorted(before));
                {
                    // The connection came back to the pool clean.
                    auto conn = engine.connect();
                    CHECK_FALSE(conn.in_transaction());
                    CHECK(sqlite3_get_autocommit(alchemy::sqlite::native_handle(conn)) != 0);
                }
                bystander(path);
                REQUIRE(plain_transaction(engine, error));
                CHECK(contents(path) == sorted(with_bystander(after_plain)));
            } else {
                CHECK(contents(path) == sorted(after_plain));
            }
        }
        remove_files(path);
        REQUIRE(n < 5000);
    }
}

void report(const char* what, const sweep_figures& f) {
    WARN(what << ": " << f.points << " injection points, " << f.failed_commits << " failed commits retried");
    CHECK(f.points > 0);
    CHECK(f.failed_commits > 0);
}

}  // namespace

TEST_CASE("fault sweep: session commit, I/O errors on every read, write and sync, WAL", "[sqlite][faults][sweep]") {
    report("session, I/O errors, WAL", sweep_session(true, io::all, fault::io_error));
}
TEST_CASE("fault sweep: session commit, I/O errors on every read, write and sync, rollback journal", "[sqlite][faults][sweep]") {
    report("session, I/O errors, rollback journal", sweep_session(false, io::all, fault::io_error));
}
TEST_CASE("fault sweep: session commit, disk full from every write on, WAL", "[sqlite][faults][sweep]") {
    report("session, disk full, WAL", sweep_session(true, io::write, fault::disk_full));
}
TEST_CASE("fault sweep: session commit, disk full from every write on, rollback journal", "[sqlite][faults][sweep]") {
    report("session, disk full, rollback journal", sweep_session(false, io::write, fault::disk_full));
}
TEST_CASE("fault sweep: plain transaction, I/O errors on every read, write and sync, both journal modes",
          "[sqlite][faults][sweep]") {
    report("plain, I/O errors, WAL", sweep_plain(true, io::all, fault::io_error));
    report("plain, I/O errors, rollback journal", sweep_plain(false, io::all, fault::io_error));
}
TEST_CASE("fault sweep: plain transaction, disk full from every write on, both journal modes", "[sqlite][faults][sweep]") {
    report("plain, disk full, WAL", sweep_plain(true, io::write, fault::disk_full));
    report("plain, disk full, rollback journal", sweep_plain(false, io::write, fault::disk_full));
}
