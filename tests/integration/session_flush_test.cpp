// The Session's unit of work: what a flush writes and in which order
// (change tracking, flush order), failed flushes and the retry alchemy allows, FlushError,
// autoflush (§4), and change detection that follows what was touched, not the
// size of the identity map. Every test checks the SQL that reached the database (the
// engine's log), the rows stored (the test backend's own read-back) and the objects.
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>

using namespace session_support;
using alchemy::object_state;

namespace {

// Read access that touches nothing (a const ptr).
template <class T>
const T& peek(const alchemy::ptr<T>& p) {
    return *p;
}

// A table with a server default and a UNIQUE column.
struct Note {
    std::int64_t id = 0;
    std::string text{};
    std::optional<std::string> created{};
};
constexpr auto alchemy_table(Note*) {
    return alchemy::table("notes", alchemy::unique(&Note::text), alchemy::server_default(&Note::created, "'today'"));
}

}  // namespace

// ---- nothing to do: no SQL ---------------------------------------------------------------

TEST_CASE("session flush: a commit with nothing to do emits nothing, not even BEGIN/COMMIT", "[backend][session][flush]") {
    database db;
    auto session = db.session();
    session.flush();
    session.commit();
    session.commit();
    CHECK(db.sql().empty());
    CHECK_FALSE(session.in_transaction());
    CHECK(db.engine.checked_out() == 0);

    // A session that began (a get() miss) ends its transaction with just COMMIT.
    CHECK_FALSE(session.get<User>(1));
    db.clear();
    session.flush();
    session.commit();
    CHECK(db.sql() == strings{"COMMIT"});
}

TEST_CASE("session flush: no UPDATE for an object only read through a non-const ptr, or changed back",
          "[backend][session][flush]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x'), (2, 'Bob', NULL)"});
    auto session = db.session();
    auto a = session.get<User>(1);
    auto b = session.get<User>(2);
    db.clear();

    const std::string name = a->name;  // write access: touched, but nothing changed
    CHECK(name == "Alice");
    a->email = "a@x";  // the same value again
    b->name = "Robert";
    b->email = "b@x";
    b->name = "Bob";  // changed back
    b->email = std::nullopt;
    CHECK_FALSE(session.is_modified(a));
    CHECK_FALSE(session.is_modified(b));
    session.flush();
    CHECK(db.sql().empty());
    session.commit();
    CHECK(db.sql() == strings{"COMMIT"});
    CHECK(db.users() == rows{{"1", "Alice", "a@x"}, {"2", "Bob", "NULL"}});
}

// ---- UPDATE ----------------------------------------------------------------------------------

TEST_CASE("session flush: an UPDATE lists only the changed columns, in table order", "[backend][session][flush][update]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    db.clear();
    a->email = "new@x";  // changed first ...
    a->name = "Alicia";  // ... but "name" comes first in the table
    session.commit();
    CHECK(db.trace() ==
          strings{stmt(test_backend::sql(R"(UPDATE "users" SET "name" = ?, "email" = ? WHERE "id" = ?)"), "('Alicia', 'new@x', 1)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Alicia", "new@x"}});
    // After the flush, the flushed values are the ones compared with.
    CHECK_FALSE(session.is_modified(a));
}

TEST_CASE("session flush: a write after a flush is compared with the flushed values, and only it", "[backend][session][flush][update]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x'), (2, 'Bob', NULL)"});
    auto session = db.session();
    auto a = session.get<User>(1);
    auto b = session.get<User>(2);
    db.clear();
    a->name = "Alicia";
    b->name = "Robert";
    session.flush();
    a->email = "new@x";       // touched again through the ptr: compared at the next flush
    b->name = "Robert";       // a write of the value it already has: no UPDATE
    CHECK(session.is_modified(a));
    CHECK_FALSE(session.is_modified(b));
    session.commit();
    CHECK(db.trace() ==
          strings{"batch " + update_user_name + " <- ('Alicia', 1) <- ('Robert', 2)",
                  stmt(test_backend::sql(R"(UPDATE "users" SET "email" = ? WHERE "id" = ?)"), "('new@x', 1)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Alicia", "new@x"}, {"2", "Robert", "NULL"}});
}

TEST_CASE("session flush: consecutive UPDATEs of the same columns are one batch, rows sorted by key",
          "[backend][session][flush][update]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'u1'), (2, 'u2'), (3, 'u3'), (4, 'u4'), (5, 'u5')"});
    auto session = db.session();
    std::vector<alchemy::ptr<User>> u{nullptr};
    for (int id = 1; id <= 5; ++id) u.push_back(session.get<User>(id));
    db.clear();

    // Touched out of key order; 2 changes another column.
    u[5]->name = "five";
    u[3]->name = "three";
    u[2]->email = "two@x";
    u[4]->name = "four";
    u[1]->name = "one";
    session.commit();
    CHECK(db.trace() == strings{stmt(update_user_name, "('one', 1)"),
                                stmt(update_user_email, "('two@x', 2)"),
                                "batch " + update_user_name + " <- ('three', 3) <- ('four', 4) <- ('five', 5)",
                                COMMIT});
    CHECK(db.users() == rows{{"1", "one", "NULL"},
                             {"2", "u2", "two@x"},
                             {"3", "three", "NULL"},
                             {"4", "four", "NULL"},
                             {"5", "five", "NULL"}});
}

TEST_CASE("session flush: an UPDATE that matches no row is a StaleDataError and rolls back",
          "[backend][session][flush][update][errors]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Bob')"});
    auto session = db.session({.expire_on_commit = false});
    auto a = session.get<User>(1);
    auto b = session.get<User>(2);
    session.commit();
    db.run({"DELETE FROM users WHERE id = 2"});
    a->name = "Ann";
    b->name = "Bobby";
    CHECK_THROWS_AS(session.commit(), alchemy::StaleDataError);
    CHECK(db.trace() == strings{BEGIN, "batch " + update_user_name + " <- ('Ann', 1) <- ('Bobby', 2)", ROLLBACK});
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});
    CHECK(a.state() == object_state::persistent);
    CHECK(session.is_modified(a));  // still to be written
    db.clear();

    session.expunge(b);
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(update_user_name, "('Ann', 1)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Ann", "NULL"}});
}

TEST_CASE("session flush: changing the primary key UPDATEs it by the old key and re-keys the identity map",
          "[backend][session][flush][update]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session({.expire_on_commit = false});
    auto a = session.get<User>(1);
    db.clear();
    a->id = 10;
    session.commit();
    CHECK(db.trace() == strings{stmt(test_backend::sql(R"(UPDATE "users" SET "id" = ? WHERE "id" = ?)"), "(10, 1)"), COMMIT});
    CHECK(db.users() == rows{{"10", "Alice", "NULL"}});
    db.clear();
    CHECK(session.get<User>(10) == a);
    CHECK(db.sql().empty());
    CHECK_FALSE(session.get<User>(1));
    CHECK(db.sql() == strings{"BEGIN", select_user});
}

TEST_CASE("session flush: a value changed back after a flush is written back", "[backend][session][flush][update]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    db.clear();
    a->name = "Temporary";
    session.flush();
    a->name = "Alice";
    CHECK(session.is_modified(a));  // compared with what was flushed
    session.commit();
    CHECK(db.trace() ==
          strings{stmt(update_user_name, "('Temporary', 1)"), stmt(update_user_name, "('Alice', 1)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});
}

// ---- INSERT --------------------------------------------------------------------------------

TEST_CASE("session flush: INSERTs in foreign-key order, parents first, even when children were added first",
          "[backend][session][flush][insert]") {
    database db;
    auto session = db.session();
    auto post = session.add(Post{.title = "Hello", .user_id = 7});
    auto user = session.add(User{.id = 7, .name = "Grace"});
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user_with_id, "(7, 'Grace', NULL)"),
                                stmt(insert_post, "('Hello', 7)"), COMMIT});
    CHECK(db.users() == rows{{"7", "Grace", "NULL"}});
    CHECK(db.posts() == rows{{"1", "Hello", "7"}});
    CHECK(post.state() == object_state::persistent);
    CHECK(user.state() == object_state::persistent);
    CHECK(peek(post).id == 1);
}

TEST_CASE("session flush: INSERTs with known keys are batched, generated keys run one by one",
          "[backend][session][flush][insert]") {
    database db;
    auto session = db.session();

    SECTION("known keys: one batch carrying every row") {
        session.add(User{.id = 1, .name = "a"});
        session.add(User{.id = 2, .name = "b", .email = "b@x"});
        session.add(User{.id = 3, .name = "c"});
        session.commit();
        CHECK(db.trace() == strings{BEGIN,
                                    "batch " + insert_user_with_id + " <- (1, 'a', NULL) <- (2, 'b', 'b@x') <- (3, 'c', NULL)",
                                    COMMIT});
        CHECK(db.kinds() == strings{"begin", "batch", "commit"});
        CHECK(db.users() == rows{{"1", "a", "NULL"}, {"2", "b", "b@x"}, {"3", "c", "NULL"}});
    }
    SECTION("generated keys: one statement per row, each object gets its id") {
        auto a = session.add(User{.name = "a"});
        auto b = session.add(User{.name = "b"});
        auto c = session.add(User{.name = "c"});
        session.flush();
        CHECK(peek(a).id == 1);
        CHECK(peek(b).id == 2);
        CHECK(peek(c).id == 3);
        session.commit();
        CHECK(db.trace() == strings{BEGIN, stmt(insert_user, "('a', NULL)"), stmt(insert_user, "('b', NULL)"),
                                    stmt(insert_user, "('c', NULL)"), COMMIT});
        CHECK(db.users() == rows{{"1", "a", "NULL"}, {"2", "b", "NULL"}, {"3", "c", "NULL"}});
        db.clear();
        CHECK(session.get<User>(2) == b);  // entered in the identity map under its generated key
        CHECK(db.sql() == strings{"BEGIN", select_user});  // (expired by the commit: reloaded)
    }
    SECTION("mixed: only consecutive rows with known keys are batched, in insert order") {
        session.add(User{.id = 10, .name = "a"});
        session.add(User{.id = 11, .name = "b"});
        auto c = session.add(User{.name = "c"});
        session.add(User{.id = 20, .name = "d"});
        session.commit();
        CHECK(db.trace() == strings{BEGIN, "batch " + insert_user_with_id + " <- (10, 'a', NULL) <- (11, 'b', NULL)",
                                    stmt(insert_user, "('c', NULL)"), stmt(insert_user_with_id, "(20, 'd', NULL)"),
                                    COMMIT});
        // The generated key: SQLite's rowid follows the largest key stored; a
        // PostgreSQL identity column counts on from its sequence, which the
        // explicit keys did not move (as with SQLAlchemy on PostgreSQL).
        if (test_backend::dialect() == "postgresql")
            CHECK(db.users() == rows{{"1", "c", "NULL"}, {"10", "a", "NULL"}, {"11", "b", "NULL"}, {"20", "d", "NULL"}});
        else
            CHECK(db.users() == rows{{"10", "a", "NULL"}, {"11", "b", "NULL"}, {"12", "c", "NULL"}, {"20", "d", "NULL"}});
        CHECK(session.get<User>(c->id) == c);
    }
}

// Large flushes: PostgreSQL sends a run of INSERTs, UPDATEs or DELETEs pipelined, up to 512
// ahead of their results (pg_connection::pipeline_depth); these rows span several pipelines,
// and the failures fall in the middle of one. SQLite runs the same rows one by one: the SQL,
// the rows and the objects must come out the same.
TEST_CASE("session flush: 1,500 INSERTs with generated keys give each object its own row's key, "
          "and one failing among them rolls every row back",
          "[backend][session][flush][insert]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (100000, 'taken')"});
    auto session = db.session();
    constexpr int count = 1500;
    // Names in an order of their own (7 and 1,500 share no factor), so a key given to the
    // wrong object shows.
    const auto name_of = [](int i) { return fmt::format("user {:04}", (i * 7) % count); };
    std::vector<alchemy::ptr<User>> users;
    for (int i = 0; i < count; ++i) users.push_back(session.add(User{.name = name_of(i)}));
    // The statements every row logs, in insert order; `failing` gets name `taken`.
    const auto expected_trace = [&](int rows, int failing, const std::string& taken) {
        strings out{BEGIN};
        for (int i = 0; i < rows; ++i) out.push_back(stmt(insert_user, fmt::format("('{}', NULL)", i == failing ? taken : name_of(i))));
        return out;
    };
    // Every object's key is the key of the row stored with its name, and keys rise in insert order.
    const auto check_keys = [&](const std::vector<std::int64_t>& keys) {
        std::map<std::string, std::string> key_of_name;
        for (const auto& r : db.stored("SELECT id, name FROM users")) key_of_name[r[1]] = r[0];
        int wrong = 0, unordered = 0;
        for (int i = 0; i < count; ++i) {
            if (key_of_name[std::string(peek(users[static_cast<std::size_t>(i)]).name)] !=
                std::to_string(keys[static_cast<std::size_t>(i)]))
                ++wrong;
            if (i > 0 && keys[static_cast<std::size_t>(i)] <= keys[static_cast<std::size_t>(i - 1)]) ++unordered;
        }
        CHECK(wrong == 0);
        CHECK(unordered == 0);
    };
    const auto keys_now = [&] {
        std::vector<std::int64_t> keys;
        for (const auto& u : users) keys.push_back(peek(u).id);
        return keys;
    };

    SECTION("every object gets its row's key") {
        session.flush();
        const auto keys = keys_now();
        session.commit();
        auto trace = expected_trace(count, -1, "");
        trace.push_back(COMMIT);
        CHECK(db.trace() == trace);
        CHECK(db.stored("SELECT count(*) FROM users") == rows{{std::to_string(count + 1)}});
        check_keys(keys);
    }
    SECTION("row 1,000 breaks a UNIQUE constraint: nothing is stored, every object is pending again, "
            "and the corrected commit stores all") {
        users[999]->name = "taken";
        CHECK_THROWS_AS(session.flush(), alchemy::IntegrityError);
        auto trace = expected_trace(1000, 999, "taken");  // the rows up to the failing one, as run
        trace.push_back(ROLLBACK);
        CHECK(db.trace() == trace);
        CHECK(db.users() == rows{{"100000", "taken", "NULL"}});
        int pending = 0;
        for (const auto& u : users)
            if (u.state() == object_state::pending && peek(u).id == 0) ++pending;
        CHECK(pending == count);
        CHECK(session.pending_count() == static_cast<std::size_t>(count));
        db.clear();

        users[999]->name = name_of(999);
        session.flush();
        const auto keys = keys_now();
        session.commit();
        trace = expected_trace(count, -1, "");
        trace.push_back(COMMIT);
        CHECK(db.trace() == trace);
        check_keys(keys);
    }
}

TEST_CASE("session flush: 1,100 UPDATEs and 100 DELETEs in one flush are one batch each, "
          "and an UPDATE failing in the middle names its row and rolls every row back",
          "[backend][session][flush][update][delete]") {
    database db;
    db.run({"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1200) "
            "INSERT INTO users (id, name) SELECT i, 'n' || i FROM s"});
    auto session = db.session();
    auto users = session.query<User>().order_by(alchemy::col(&User::id)).all();
    REQUIRE(users.size() == 1200);
    for (std::size_t i = 0; i < 1100; ++i) users[i]->name = "m" + std::to_string(i + 1);
    for (std::size_t i = 1100; i < 1200; ++i) session.remove(users[i]);
    std::string update_rows, delete_rows;
    for (int id = 1; id <= 1100; ++id) update_rows += fmt::format(" <- ('m{}', {})", id, id);
    for (int id = 1101; id <= 1200; ++id) delete_rows += fmt::format(" <- ({})", id);

    const auto stored_names = [&] {
        std::string out;
        for (const auto& r : db.stored("SELECT id, name FROM users ORDER BY id")) out += r[0] + "=" + r[1] + " ";
        return out;
    };
    std::string written;
    for (int id = 1; id <= 1100; ++id) written += fmt::format("{}=m{} ", id, id);

    SECTION("every row written") {
        db.clear();
        session.commit();
        CHECK(db.trace() == strings{"batch " + update_user_name + update_rows, "batch " + delete_user + delete_rows, COMMIT});
        CHECK(stored_names() == written);
    }
    SECTION("user 700 takes the name of user 1,150, deleted only after the UPDATEs") {
        users[699]->name = "n1150";
        db.clear();
        CHECK_THROWS_WITH(session.commit(), Catch::Contains("[parameters: ('n1150', 700)]"));
        const auto failing_rows = update_rows.substr(0, update_rows.find(" <- ('m700', 700)")) + " <- ('n1150', 700)" +
                                  update_rows.substr(update_rows.find(" <- ('m701', 701)"));
        CHECK(db.trace() == strings{"batch " + update_user_name + failing_rows, ROLLBACK});
        std::string unchanged;
        for (int id = 1; id <= 1200; ++id) unchanged += fmt::format("{}=n{} ", id, id);
        CHECK(stored_names() == unchanged);
        CHECK(users[0].state() == object_state::persistent);
        CHECK(session.is_modified(users[0]));
        CHECK(users[1150].state() == object_state::persistent);  // still to be deleted
        db.clear();

        users[699]->name = "m700";
        session.commit();
        CHECK(db.trace() == strings{BEGIN, "batch " + update_user_name + update_rows, "batch " + delete_user + delete_rows, COMMIT});
        CHECK(stored_names() == written);
        CHECK(users[1150].state() == object_state::detached);
    }
}

// ---- DELETE and the whole flush -------------------------------------------------------------

TEST_CASE("session flush: DELETEs children before parents, rows sorted by key", "[backend][session][flush][delete]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Bob')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'p1', 1), (2, 'p2', 1), (3, 'p3', 2)"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    auto p2 = session.get<Post>(2);
    auto p1 = session.get<Post>(1);
    db.clear();
    session.remove(alice);  // parent marked first
    session.remove(p2);
    session.remove(p1);
    session.commit();
    CHECK(db.trace() == strings{"batch " + delete_post + " <- (1) <- (2)", stmt(delete_user, "(1)"), COMMIT});
    CHECK(db.users() == rows{{"2", "Bob", "NULL"}});
    CHECK(db.posts() == rows{{"3", "p3", "2"}});
    CHECK(alice.state() == object_state::detached);
    CHECK(p1.state() == object_state::detached);
}

TEST_CASE("session flush: UPDATEs, INSERTs and DELETEs of several tables in one BEGIN ... COMMIT",
          "[backend][session][flush]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Bob')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'p1', 1), (2, 'p2', 2)"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    auto bob = session.get<User>(2);
    auto p1 = session.get<Post>(1);
    auto p2 = session.get<Post>(2);
    db.clear();

    auto p3 = session.add(Post{.title = "p3", .user_id = 3});  // references carol: she goes first
    auto carol = session.add(User{.id = 3, .name = "Carol"});
    p1->title = "p1 edited";
    alice->email = "a@x";
    session.remove(p2);
    session.remove(bob);
    session.commit();
    CHECK(db.trace() == strings{// per table: UPDATEs, INSERTs; DELETEs last, children first
                                stmt(update_user_email, "('a@x', 1)"),
                                stmt(insert_user_with_id, "(3, 'Carol', NULL)"),
                                stmt(test_backend::sql(R"(UPDATE "posts" SET "title" = ? WHERE "id" = ?)"), "('p1 edited', 1)"),
                                stmt(insert_post, "('p3', 3)"),
                                stmt(delete_post, "(2)"),
                                stmt(delete_user, "(2)"),
                                COMMIT});
    CHECK(db.users() == rows{{"1", "Alice", "a@x"}, {"3", "Carol", "NULL"}});
    CHECK(db.posts() == rows{{"1", "p1 edited", "1"}, {"3", "p3", "3"}});
    CHECK(p3.state() == object_state::persistent);
    CHECK(carol.state() == object_state::persistent);
    CHECK(bob.state() == object_state::detached);
    CHECK(session.size() == 4);  // alice, carol, p1, p3
}

// ---- failed flushes and the retry -------------------------------------------------------------

TEST_CASE("session flush failure: an IntegrityError rolls the flush back, the objects keep their values, "
          "a corrected commit writes everything once",
          "[backend][session][flush][failure]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    alice->email = "alice@x";
    auto bob = session.add(User{.name = "Bob"});
    auto dup = session.add(User{.name = "Alice", .email = "dup@x"});
    db.clear();

    CHECK_THROWS_AS(session.commit(), alchemy::IntegrityError);
    CHECK(db.trace() == strings{stmt(update_user_email, "('alice@x', 1)"), stmt(insert_user, "('Bob', NULL)"),
                                stmt(insert_user, "('Alice', 'dup@x')"), ROLLBACK});
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});  // none of the flush's rows
    CHECK_FALSE(session.in_transaction());
    CHECK(db.engine.checked_out() == 0);

    // The session is as it was before the transaction, every value kept.
    CHECK(alice.state() == object_state::persistent);
    CHECK(peek(alice).email == "alice@x");
    CHECK(session.is_modified(alice));
    CHECK(bob.state() == object_state::pending);
    CHECK(peek(bob).id == 0);  // the generated key is taken back with its row
    CHECK(peek(bob).name == "Bob");
    CHECK(dup.state() == object_state::pending);
    CHECK(session.pending_count() == 2);
    CHECK(session.size() == 1);
    db.clear();

    // Correct the object and commit again: every row is written, once.
    dup->name = "Alicia";
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(update_user_email, "('alice@x', 1)"), stmt(insert_user, "('Bob', NULL)"),
                                stmt(insert_user, "('Alicia', 'dup@x')"), COMMIT});
    // (PostgreSQL's failed transaction took the keys 2 and 3.)
    CHECK(db.users() == rows{{"1", "Alice", "alice@x"}, {key_text(2, 4), "Bob", "NULL"}, {key_text(3, 5), "Alicia", "dup@x"}});
    CHECK(bob.state() == object_state::persistent);
    CHECK(dup.state() == object_state::persistent);
    CHECK(peek(bob).id == generated_key(2, 4));
}

// SQLite-only: the error text checked is SQLite's.
TEST_CASE("session flush failure: the error names the statement and the constraint, rollback() then discards",
          "[sqlite][session][flush][failure]") {
    database db;
    auto session = db.session();
    auto a = session.add(User{.name = "Same"});
    auto b = session.add(User{.name = "Same"});
    CHECK_THROWS_WITH(session.flush(), Catch::Contains("(sqlite3.IntegrityError) UNIQUE constraint failed: users.name") &&
                                           Catch::Contains("[SQL: " + insert_user + "]") &&
                                           Catch::Contains("[parameters: ('Same', NULL)]"));
    CHECK(db.sql() == strings{"BEGIN", insert_user, insert_user, "ROLLBACK"});
    CHECK(db.users().empty());
    db.clear();

    // SQLAlchemy's way out works too: rollback() (nothing left to roll back) discards the pending objects.
    session.rollback();
    CHECK(db.sql().empty());
    CHECK(a.state() == object_state::transient);
    CHECK(b.state() == object_state::transient);
    session.commit();
    CHECK(db.sql().empty());
    CHECK(db.users().empty());
}

TEST_CASE("session flush failure: a later flush fails after an earlier one succeeded in the same transaction",
          "[backend][session][flush][failure]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Zed')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'p1', 1)"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    auto zed = session.get<User>(2);
    auto p1 = session.get<Post>(1);
    alice->email = "alice@x";
    session.remove(zed);
    auto bob = session.add(User{.name = "Bob"});
    auto post = session.add(Post{.title = "by Bob", .user_id = 1});
    session.flush();  // succeeds: UPDATE alice, INSERT bob (id 3), INSERT post, DELETE zed
    CHECK(peek(bob).id == 3);
    CHECK(zed.state() == object_state::deleted);
    bob->email = "bob@x";  // changes after the first flush
    p1->title = "p1 edited";
    auto dup = session.add(User{.name = "Alice"});
    db.clear();

    CHECK_THROWS_AS(session.commit(), alchemy::IntegrityError);
    CHECK(db.trace() == strings{stmt(update_user_email, "('bob@x', 3)"), stmt(insert_user, "('Alice', NULL)"),
                                ROLLBACK});
    // Nothing of the transaction remains.
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}, {"2", "Zed", "NULL"}});
    CHECK(db.posts() == rows{{"1", "p1", "1"}});

    // The session is back where the transaction began, with every change still to write.
    CHECK(alice.state() == object_state::persistent);
    CHECK(session.is_modified(alice));
    CHECK(zed.state() == object_state::persistent);
    CHECK(session.deleted_count() == 1);  // marked again
    CHECK(bob.state() == object_state::pending);
    CHECK(peek(bob).id == 0);
    CHECK(peek(bob).email == "bob@x");
    CHECK(post.state() == object_state::pending);
    CHECK(peek(post).id == 0);
    CHECK(peek(p1).title == "p1 edited");
    CHECK(session.is_modified(p1));
    CHECK(dup.state() == object_state::pending);
    CHECK(session.pending_count() == 3);
    CHECK(session.size() == 3);  // alice, zed, p1
    db.clear();

    dup->name = "Carol";
    session.commit();
    CHECK(db.trace() == strings{BEGIN,
                                stmt(update_user_email, "('alice@x', 1)"),
                                stmt(insert_user, "('Bob', 'bob@x')"),
                                stmt(insert_user, "('Carol', NULL)"),
                                stmt(test_backend::sql(R"(UPDATE "posts" SET "title" = ? WHERE "id" = ?)"), "('p1 edited', 1)"),
                                stmt(insert_post, "('by Bob', 1)"),
                                stmt(delete_user, "(2)"),
                                COMMIT});
    // (PostgreSQL's failed transaction took the user keys 3 and 4, the post key 2.)
    CHECK(db.users() == rows{{"1", "Alice", "alice@x"}, {key_text(3, 5), "Bob", "bob@x"}, {key_text(4, 6), "Carol", "NULL"}});
    CHECK(db.posts() == rows{{"1", "p1 edited", "1"}, {key_text(2, 3), "by Bob", "1"}});
    CHECK(zed.state() == object_state::detached);
    CHECK(bob.state() == object_state::persistent);
    CHECK(post.state() == object_state::persistent);
}

TEST_CASE("session flush failure: after a retried flush, later changes are flushed once", "[backend][session][flush][failure]") {
    database db;
    auto session = db.session({.expire_on_commit = false});
    auto bob = session.add(User{.name = "Bob"});
    session.flush();
    bob->email = "bob@x";  // touched as a persistent object
    auto dup = session.add(User{.name = "Bob"});
    CHECK_THROWS_AS(session.flush(), alchemy::IntegrityError);
    CHECK(bob.state() == object_state::pending);
    bob->name = "Robert";  // touched again, now pending
    dup->name = "Bobby";
    session.flush();
    CHECK(bob.state() == object_state::persistent);
    db.clear();

    bob->email = "robert@x";
    session.commit();
    // (PostgreSQL's failed flush took the keys 1 and 2.)
    CHECK(db.trace() == strings{stmt(update_user_email, "('robert@x', " + key_text(1, 3) + ")"), COMMIT});
    CHECK(db.users() == rows{{key_text(1, 3), "Robert", "robert@x"}, {key_text(2, 4), "Bobby", "NULL"}});
}

TEST_CASE("session flush failure: an object inserted and deleted in the failed transaction leaves the session",
          "[backend][session][flush][failure]") {
    database db;
    auto session = db.session();
    auto temp = session.add(User{.name = "Temporary"});
    session.flush();
    session.remove(temp);
    session.flush();
    CHECK(temp.state() == object_state::deleted);
    auto keep = session.add(User{.name = "Keep"});
    session.add(User{.name = "Keep"});
    CHECK_THROWS_AS(session.commit(), alchemy::IntegrityError);
    CHECK(temp.state() == object_state::transient);  // its INSERT and DELETE cancel out
    CHECK_FALSE(session.contains(temp));
    CHECK(session.pending_count() == 2);
    CHECK(session.deleted_count() == 0);
    db.clear();

    session.expunge(keep);
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user, "('Keep', NULL)"), COMMIT});
    CHECK(db.users() == rows{{key_text(1, 4), "Keep", "NULL"}});  // PostgreSQL's failed transaction took 1 to 3
}


TEST_CASE("session flush: a server default is left to the database and reloaded, also across a failed flush",
          "[backend][session][flush][failure]") {
    database db;
    alchemy::metadata<Note>().create_all(db.engine);
    db.clear();
    auto session = db.session();
    auto a = session.add(Note{.text = "a"});
    auto b = session.add(Note{.text = "b", .created = "yesterday"});
    session.flush();
    CHECK(db.sql() == strings{"BEGIN", test_backend::sql(R"(INSERT INTO "notes" ("text") VALUES (?))"),
                              test_backend::sql(R"(INSERT INTO "notes" ("text", "created") VALUES (?, ?))")});
    db.clear();

    SECTION("read back on access") {
        CHECK(peek(a).created == "today");
        CHECK(db.sql() == strings{test_backend::sql(R"(SELECT "id", "text", "created" FROM "notes" WHERE "id" = ?)")});
        session.commit();
    }
    SECTION("a failed flush makes it pending again, readable, the default still to come") {
        auto c = session.add(Note{.text = "b"});
        CHECK_THROWS_AS(session.flush(), alchemy::IntegrityError);
        CHECK(a.state() == object_state::pending);
        CHECK(peek(a).created == std::nullopt);  // no row to reload from
        CHECK(peek(a).id == 0);
        db.clear();
        c->text = "c";
        session.commit();
        CHECK(db.trace() == strings{BEGIN, stmt(test_backend::sql(R"(INSERT INTO "notes" ("text") VALUES (?))"), "('a')"),
                                    stmt(test_backend::sql(R"(INSERT INTO "notes" ("text", "created") VALUES (?, ?))"), "('b', 'yesterday')"),
                                    stmt(test_backend::sql(R"(INSERT INTO "notes" ("text") VALUES (?))"), "('c')"), COMMIT});
        // (PostgreSQL's failed flush took the keys 1 to 3.)
        CHECK(db.stored("SELECT id, text, created FROM notes ORDER BY id") ==
              rows{{key_text(1, 4), "a", "today"}, {key_text(2, 5), "b", "yesterday"}, {key_text(3, 6), "c", "today"}});
        CHECK(peek(c).created == "today");
    }
    SECTION("a rollback makes it transient, readable") {
        session.rollback();
        CHECK(a.state() == object_state::transient);
        CHECK(peek(a).created == std::nullopt);
        CHECK(peek(a).id == 1);
    }
}

TEST_CASE("session flush: a server default loaded by the get() that autoflushed the row is not written back",
          "[backend][session][flush]") {
    database db;
    alchemy::metadata<Note>().create_all(db.engine);
    db.clear();
    auto session = db.session();
    auto n = session.add(Note{.id = 5, .text = "x"});
    n->text = "five";  // touched while pending
    CHECK(session.get<Note>(5) == n);
    CHECK(db.trace() == strings{BEGIN, stmt(test_backend::sql(R"(INSERT INTO "notes" ("id", "text") VALUES (?, ?))"), "(5, 'five')"),
                                stmt(test_backend::sql(R"(SELECT "id", "text", "created" FROM "notes" WHERE "id" = ?)"), "(5)")});
    CHECK(peek(n).created == "today");  // filled in from that SELECT
    CHECK_FALSE(session.is_modified(n));
    db.clear();
    session.commit();
    CHECK(db.sql() == strings{"COMMIT"});
    CHECK(db.stored("SELECT id, text, created FROM notes") == rows{{"5", "five", "today"}});
}

// ---- FlushError: caught before any SQL -----------------------------------------------------

TEST_CASE("session FlushError: two pending objects with the same key", "[backend][session][flush][errors]") {
    database db;
    auto session = db.session();
    auto a = session.add(User{.id = 5, .name = "a"});
    auto b = session.add(User{.id = 5, .name = "b"});
    CHECK_THROWS_AS(session.commit(), alchemy::FlushError);
    CHECK_THROWS_WITH(session.flush(), Catch::Matches("alchemy: New instances <User at 0x[0-9a-f]+> and <User at "
                                                      "0x[0-9a-f]+> have the same identity key \\(5\\)"));
    CHECK(db.sql().empty());
    CHECK(a.state() == object_state::pending);
    CHECK(b.state() == object_state::pending);

    session.expunge(b);
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user_with_id, "(5, 'a', NULL)"), COMMIT});
    CHECK(db.users() == rows{{"5", "a", "NULL"}});
}

TEST_CASE("session FlushError: a pending object with the key of a persistent one", "[backend][session][flush][errors]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    auto other = session.add(User{.id = 1, .name = "Impostor"});
    auto fine = session.add(User{.name = "Fine"});
    db.clear();
    CHECK_THROWS_AS(session.flush(), alchemy::FlushError);
    CHECK_THROWS_WITH(session.commit(),
                      Catch::Matches("alchemy: New instance <User at 0x[0-9a-f]+> with identity key \\(1\\) conflicts "
                                     "with persistent instance <User at 0x[0-9a-f]+>"));
    // No INSERT; the transaction get() began is rolled back, as after any failed flush.
    CHECK(db.sql() == strings{"ROLLBACK"});
    CHECK_FALSE(session.in_transaction());
    CHECK(other.state() == object_state::pending);
    CHECK(fine.state() == object_state::pending);
    CHECK(alice.state() == object_state::persistent);
    db.clear();

    session.expunge(other);
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user, "('Fine', NULL)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}, {"2", "Fine", "NULL"}});
}

TEST_CASE("session FlushError: a key conflict after an earlier flush rolls that flush back too, and a retry writes each row once",
          "[backend][session][flush][errors][failure]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    alice->email = "a@x";
    auto bob = session.add(User{.name = "Bob"});
    session.flush();  // UPDATE alice, INSERT bob: written in the open transaction
    CHECK(peek(bob).id == 2);
    auto impostor = session.add(User{.id = 1, .name = "Impostor"});
    db.clear();

    CHECK_THROWS_AS(session.commit(), alchemy::FlushError);
    CHECK(db.sql() == strings{"ROLLBACK"});  // the earlier flush's rows go with the transaction
    CHECK_FALSE(session.in_transaction());
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});
    // The session is back at the transaction's start, every value kept.
    CHECK(bob.state() == object_state::pending);
    CHECK(peek(bob).id == 0);  // its generated key unset
    CHECK(impostor.state() == object_state::pending);
    CHECK(alice.state() == object_state::persistent);
    CHECK(peek(alice).email == std::optional<std::string>("a@x"));
    CHECK(session.is_modified(alice));

    impostor->id = 10;  // corrected
    db.clear();
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(update_user_email, "('a@x', 1)"), stmt(insert_user, "('Bob', NULL)"),
                                stmt(insert_user_with_id, "(10, 'Impostor', NULL)"), COMMIT});
    CHECK(peek(bob).id == generated_key(2, 3));  // (PostgreSQL's sequence does not go back)
    CHECK(db.users() == rows{{"1", "Alice", "a@x"}, {key_text(2, 3), "Bob", "NULL"}, {"10", "Impostor", "NULL"}});
}

// SQLAlchemy turns "remove the persistent object with key K, add a new one
// with key K" in one flush into an UPDATE of that row (a "row switch").
// alchemy runs the DELETE of that key before the INSERT.
TEST_CASE("session flush: replacing a removed object by a new one with its key in one flush",
          "[backend][session][flush]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto old = session.get<User>(1);
    session.remove(old);
    auto replacement = session.add(User{.id = 1, .name = "New"});
    CHECK_NOTHROW(session.commit());
    CHECK(db.users() == rows{{"1", "New", "NULL"}});
    CHECK(replacement.state() == object_state::persistent);
    CHECK(old.state() == object_state::detached);
    CHECK(db.count("INSERT") + db.count("UPDATE") == 1);
}

// ---- autoflush ----------------------------------------------------------------------------

TEST_CASE("session autoflush: a get() miss flushes pending changes first", "[backend][session][autoflush]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    db.clear();

    alice->name = "Alicia";
    auto bob = session.add(User{.name = "Bob"});
    CHECK(session.get<User>(1) == alice);  // a hit: no flush, no SQL
    CHECK(db.sql().empty());

    CHECK_FALSE(session.get<User>(99));
    CHECK(db.trace() ==
          strings{stmt(update_user_name, "('Alicia', 1)"), stmt(insert_user, "('Bob', NULL)"), stmt(select_user, "(99)")});
    CHECK(bob.state() == object_state::persistent);
    db.clear();

    // The flushed row is found by key: the pending object itself.
    auto carol = session.add(User{.id = 7, .name = "Carol"});
    CHECK(session.get<User>(7) == carol);
    CHECK(db.trace() == strings{stmt(insert_user_with_id, "(7, 'Carol', NULL)"), stmt(select_user, "(7)")});
    session.commit();
    CHECK(db.users() == rows{{"1", "Alicia", "NULL"}, {"2", "Bob", "NULL"}, {"7", "Carol", "NULL"}});
}

TEST_CASE("session autoflush: a failing autoflush propagates from get(), the session restored for a retry",
          "[backend][session][autoflush][failure]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto dup = session.add(User{.name = "Alice"});
    CHECK_THROWS_AS(session.get<User>(1), alchemy::IntegrityError);
    CHECK(db.sql() == strings{"BEGIN", insert_user, "ROLLBACK"});  // no SELECT
    CHECK(dup.state() == object_state::pending);
    CHECK(session.size() == 0);
    db.clear();

    dup->name = "Other";
    auto alice = session.get<User>(1);
    REQUIRE(alice);
    CHECK(peek(alice).name == "Alice");
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user, "('Other', NULL)"), stmt(select_user, "(1)")});
    session.commit();
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}, {key_text(2, 3), "Other", "NULL"}});  // PostgreSQL's failed flush took 2
}

TEST_CASE("session autoflush: set_autoflush(false) stops it, commit still flushes", "[backend][session][autoflush]") {
    database db;
    auto session = db.session();
    session.set_autoflush(false);
    auto a = session.add(User{.id = 1, .name = "Alice"});
    CHECK_FALSE(session.get<User>(1));  // the pending row is not seen
    CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(1)")});
    CHECK(a.state() == object_state::pending);
    db.clear();
    session.commit();
    CHECK(db.trace() == strings{stmt(insert_user_with_id, "(1, 'Alice', NULL)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});
    db.store.sync_generated_keys();  // after the explicit key, as SQLite's rowid does by itself

    // session_options{.autoflush = false} does the same.
    auto other = db.session({.autoflush = false});
    other.add(User{.name = "Bob"});
    db.clear();
    CHECK_FALSE(other.get<User>(2));
    CHECK(db.sql() == strings{"BEGIN", select_user});
    other.commit();
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}, {"2", "Bob", "NULL"}});

    // And on again.
    session.set_autoflush(true);
    session.add(User{.name = "Carol"});
    db.clear();
    CHECK(session.get<User>(3));
    CHECK(db.sql() == strings{"BEGIN", insert_user, select_user});
    session.commit();
}

// ---- change detection that scales ------------------------------------------------------------

// [shared]: a second session's read transaction stays open while the first
// commits; a :memory: database refuses that COMMIT (readers block a writer).
TEST_CASE("session scale: with 20,000 objects held a flush compares only the touched ones",
          "[backend][shared][session][flush][scale]") {
    database db;
    constexpr int n = 20'000;
    db.run({fmt::format("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {}) "
                        "INSERT INTO users (id, name) SELECT x, 'user ' || x FROM c",
                        n)});
    auto session = db.session();
    std::vector<alchemy::ptr<User>> users;
    users.reserve(n);
    db.engine.set_log_sink({});  // 20,000 SELECTs need not be kept
    for (int id = 1; id <= n; ++id) users.push_back(session.get<User>(id));
    db.engine.set_log_sink(db.log.sink());
    REQUIRE(session.size() == n);
    std::size_t total = 0;
    for (const auto& u : users) total += peek(u).name.size();  // const reads touch nothing
    CHECK(total > 0);
    CHECK(alchemy::detail::session_access::core(session).touched_count() == 0);

    // Nothing touched: neither a flush nor an autoflushing get() miss writes anything.
    session.flush();
    CHECK_FALSE(session.get<User>(n + 1));
    CHECK(db.sql() == strings{select_user});
    db.clear();

    // Touch one (and read a hundred through non-const ptrs: touched, unchanged).
    users[12'344]->name = "changed";
    for (int i = 0; i < 100; ++i) CHECK(users[i]->id == i + 1);
    CHECK(alchemy::detail::session_access::core(session).touched_count() == 101);
    session.commit();
    CHECK(db.trace() == strings{stmt(update_user_name, "('changed', 12345)"), COMMIT});
    CHECK(db.stored("SELECT name FROM users WHERE id = 12345") == rows{{"changed"}});
    CHECK(db.stored("SELECT count(*) FROM users WHERE name LIKE 'user %'") == rows{{std::to_string(n - 1)}});
    CHECK(alchemy::detail::session_access::core(session).touched_count() == 0);
    db.clear();

    // The cost of an autoflushing get() miss does not grow with the map: it
    // follows the objects touched since the last commit (printed, not asserted).
    const auto time_misses = [](alchemy::session& s) {
        const auto start = std::chrono::steady_clock::now();
        for (int id = 100'000; id < 101'000; ++id)
            if (s.get<User>(id)) throw std::logic_error("unexpected row");
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    db.engine.set_log_sink({});
    auto empty_session = db.session();
    const double none = time_misses(empty_session);
    const double held = time_misses(session);
    users[0]->name = "touched";  // one touched object for each autoflush to compare
    session.flush();
    const double one_touched = time_misses(session);
    db.engine.set_log_sink(db.log.sink());
    fmt::print("session scale: 1000 autoflushing get() misses: {:.1f} ms in an empty session, {:.1f} ms with {} "
               "objects held, {:.1f} ms with {} held and 1 touched\n",
               none, held, session.size(), one_touched, session.size());
    session.commit();
    CHECK(db.stored("SELECT name FROM users WHERE id = 1") == rows{{"touched"}});
}
