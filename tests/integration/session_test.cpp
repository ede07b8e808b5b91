// The Session: the seed's CRUD, the identity map, merge() and composite keys.
// Every test checks what reached the database (the engine's log), what is stored
// (the test backend's own read-back after commit, support/backend.hpp) and the objects' state.
// States and expiry: session_states_test.cpp. The unit of work, failed
// flushes, autoflush and scaling: session_flush_test.cpp.
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
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

}  // namespace

// ---- the seed's CRUD ------------------------------------------------------------------

TEMPLATE_TEST_CASE("session CRUD: add + commit INSERTs and writes the generated id back, "
                   "a change UPDATEs only that column, remove DELETEs",
                   "[backend][session][crud]", plain::User, described::User) {
    using U = TestType;
    test_backend::database db("crud.db");
    test_support::log_capture log;
    auto engine = db.engine({.sink = log.sink()});
    alchemy::metadata<U>().create_all(engine);
    log.clear();
    auto Session = alchemy::sessionmaker(engine);
    auto session = Session();

    // Create.
    auto alice = session.add(U{.name = "Alice"});
    CHECK(alice.state() == object_state::pending);
    CHECK(session.contains(alice));
    CHECK(log.sql().empty());  // add() emits nothing
    session.flush();
    CHECK(peek(alice).id == 1);  // written back by the flush, no SELECT needed
    CHECK(alice.state() == object_state::persistent);
    session.commit();
    CHECK(log.sql() == strings{"BEGIN", insert_user, "COMMIT"});
    CHECK(log.take().at(1).parameters == std::vector<std::vector<alchemy::value>>{{std::string("Alice"), nullptr}});
    CHECK(db.query("SELECT id, name, email FROM users") == rows{{"1", "Alice", "NULL"}});

    // Read: the identity map has it (expired by the commit): one SELECT by key.
    auto found = session.get<U>(1);
    REQUIRE(found);
    CHECK(found == alice);
    CHECK(peek(found).name == "Alice");
    CHECK(log.sql() == strings{"BEGIN", select_user});
    log.clear();

    // Update: only the changed column.
    found->name = "Alicia";
    CHECK(session.is_modified(found));
    session.commit();
    CHECK(log.sql() == strings{update_user_name, "COMMIT"});
    CHECK(log.take().at(0).parameters ==
          std::vector<std::vector<alchemy::value>>{{std::string("Alicia"), std::int64_t{1}}});
    CHECK(db.query("SELECT id, name, email FROM users") == rows{{"1", "Alicia", "NULL"}});

    // Delete.
    session.remove(found);
    CHECK(log.sql().empty());  // remove() emits nothing
    CHECK(session.deleted_count() == 1);
    session.commit();
    CHECK(log.sql() == strings{"BEGIN", delete_user, "COMMIT"});
    CHECK(db.query("SELECT count(*) FROM users") == rows{{"0"}});
    CHECK(found.state() == object_state::detached);
    CHECK_FALSE(session.contains(found));
    CHECK(session.size() == 0);
    log.clear();
    CHECK_FALSE(session.get<U>(1));  // gone
    CHECK(log.sql() == strings{"BEGIN", select_user});
}

// ---- the identity map -------------------------------------------------------------------

TEST_CASE("session get: a miss SELECTs by key, a hit returns the same object with no SQL", "[backend][session][identity]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x'), (2, 'Bob', NULL)"});
    auto session = db.session();

    auto a = session.get<User>(1);
    REQUIRE(a);
    CHECK(a.state() == object_state::persistent);
    CHECK(session.contains(a));
    CHECK(peek(a).name == "Alice");
    CHECK(peek(a).email == "a@x");
    CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(1)")});
    db.clear();

    auto again = session.get<User>(1);
    CHECK(again == a);               // the same object ...
    CHECK(again.get() == a.get());   // ... not a copy
    CHECK(db.sql().empty());         // ... and no SQL
    CHECK(session.size() == 1);

    auto b = session.get<User>(std::int64_t{2});  // any integer type
    REQUIRE(b);
    CHECK(b != a);
    CHECK(peek(b).email == std::nullopt);
    CHECK(db.trace() == strings{stmt(select_user, "(2)")});  // the transaction is already open
    CHECK(session.size() == 2);
}

TEST_CASE("session get: misses are not remembered and return an empty ptr", "[backend][session][identity]") {
    database db;
    auto session = db.session();
    CHECK_FALSE(session.get<User>(7));
    CHECK_FALSE(session.get<User>(7));
    CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(7)"), stmt(select_user, "(7)")});
    CHECK(session.size() == 0);

    // The row appears (committed by someone else): the next get() finds it.
    session.commit();
    db.run({"INSERT INTO users (id, name) VALUES (7, 'Gina')"});
    auto g = session.get<User>(7);
    REQUIRE(g);
    CHECK(peek(g).name == "Gina");
    CHECK(db.sql() == strings{"BEGIN", select_user});
}

TEST_CASE("session get: the wrong number of key values is an InvalidRequestError, before any SQL",
          "[backend][session][identity]") {
    database db;
    auto session = db.session();
    CHECK_THROWS_AS(session.get<User>(1, 2), alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(session.get<User>(1, 2),
                      Catch::Contains("Incorrect number of values in identifier to formulate primary key for "
                                      "session.get()") &&
                          Catch::Contains("table 'users' has a primary key of 1 column(s), 2 value(s) were given"));
    CHECK_THROWS_AS(session.get<Enrollment>(1), alchemy::InvalidRequestError);
    CHECK_THROWS_AS(session.get<User>(), alchemy::InvalidRequestError);
    CHECK(db.sql().empty());
    CHECK_FALSE(session.in_transaction());
}

TEST_CASE("session identity: two sessions hold different objects for the same row", "[backend][session][identity]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto s1 = db.session();
    auto s2 = db.session();
    auto a1 = s1.get<User>(1);
    auto a2 = s2.get<User>(1);
    REQUIRE(a1);
    REQUIRE(a2);
    CHECK(a1 != a2);
    CHECK(s1.contains(a1));
    CHECK_FALSE(s1.contains(a2));
    CHECK(s2.contains(a2));

    a1->name = "Changed in s1";
    CHECK(peek(a2).name == "Alice");  // an object of s2 is not touched by s1
    CHECK(s1.is_modified(a1));
    CHECK_FALSE(s2.is_modified(a2));
    s1.rollback();
    s2.rollback();
}

TEST_CASE("session identity: one object cannot be in two sessions at once", "[backend][session][identity]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto s1 = db.session();
    auto s2 = db.session();
    auto a = s1.get<User>(1);
    REQUIRE(a);
    CHECK_THROWS_AS(s2.add(a), alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(s2.add(a), Catch::Contains("is already attached to another session"));
    CHECK_FALSE(s2.contains(a));
    CHECK(s1.contains(a));

    // A pending object too.
    auto p = s1.add(User{.name = "Pending"});
    CHECK_THROWS_AS(s2.add(p), alchemy::InvalidRequestError);
    CHECK(p.state() == object_state::pending);

    // Once expunged from the first, the second may take it.
    s1.expunge(a);
    s2.add(a);
    CHECK(s2.contains(a));
    CHECK(a.state() == object_state::persistent);
    db.clear();
    CHECK(s2.get<User>(1) == a);
    CHECK(db.sql().empty());
}

TEST_CASE("session identity: add() of a detached object whose key another object holds is refused",
          "[backend][session][identity]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto s1 = db.session();
    auto old = s1.get<User>(1);
    REQUIRE(old);
    s1.close();
    CHECK(old.state() == object_state::detached);

    auto s2 = db.session();
    auto current = s2.get<User>(1);
    REQUIRE(current);
    CHECK(current != old);
    CHECK_THROWS_AS(s2.add(old), alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(s2.add(old), Catch::Contains("Can't attach instance") &&
                                       Catch::Contains("another instance with key (1) is already present in this "
                                                       "session"));
    CHECK(old.state() == object_state::detached);
    CHECK(s2.get<User>(1) == current);
}

TEST_CASE("session identity: a loaded object is not overwritten by the database, unflushed changes survive",
          "[backend][session][identity]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    REQUIRE(a);
    a->email = "unflushed@x";
    db.clear();

    SECTION("get() of a loaded object is a map hit: no SQL, the in-memory values win") {
        auto again = session.get<User>(1);
        CHECK(again == a);
        CHECK(peek(again).email == "unflushed@x");
        CHECK(db.sql().empty());
        session.commit();
        CHECK(db.trace() == strings{stmt(update_user_email, "('unflushed@x', 1)"), COMMIT});
        CHECK(db.users() == rows{{"1", "Alice", "unflushed@x"}});
    }
    SECTION("expiring one column reloads only that one: the unflushed change of another column is kept") {
        session.commit();  // the UPDATE of email; everything expires
        db.run({"UPDATE users SET name = 'Renamed behind the back' WHERE id = 1"});
        session.set_autoflush(false);
        CHECK(peek(a).name == "Renamed behind the back");  // the commit expired it: reloaded
        db.clear();
        a->email = "second@x";  // unflushed again
        session.expire(a, {"name"});
        CHECK(db.sql().empty());  // expiring emits nothing
        CHECK(peek(a).name == "Renamed behind the back");
        CHECK(peek(a).email == "second@x");  // not overwritten by the reload
        CHECK(db.sql() == strings{select_user});
        session.commit();
        CHECK(db.trace() == strings{stmt(select_user, "(1)"), stmt(update_user_email, "('second@x', 1)"), COMMIT});
        CHECK(db.users() == rows{{"1", "Renamed behind the back", "second@x"}});
    }
}

TEST_CASE("session identity: keys at both ends of the 64-bit range each map to their own object",
          "[backend][session][identity]") {
    // An identity key keeps an integer within +/-2^62 in its one word and
    // encodes any other: a query and get() must meet on the same object
    // either way, and the flush must name the full 64-bit value.
    constexpr std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t highest = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t edge = std::int64_t{1} << 62;
    const std::vector<std::int64_t> ids{lowest, -edge - 1, -edge, -1, 0, edge - 1, edge, highest};
    database db;
    for (std::size_t n = 0; n < ids.size(); ++n)
        db.run({fmt::format("INSERT INTO users (id, name) VALUES ({}, 'u{}')", ids[n], n)});
    auto session = db.session();
    auto all = session.query<User>().order_by(alchemy::col(&User::id)).all();
    REQUIRE(all.size() == ids.size());
    db.clear();
    for (std::size_t n = 0; n < ids.size(); ++n) {
        CAPTURE(ids[n]);
        CHECK(peek(all[n]).id == ids[n]);
        CHECK(session.get<User>(ids[n]) == all[n]);  // the loaded object, from the map
    }
    CHECK(db.sql().empty());
    CHECK_FALSE(session.get<User>(edge + 1));  // a neighbour is not confused with a key held
    CHECK(db.trace() == strings{stmt(select_user, fmt::format("({})", edge + 1))});
    db.clear();

    all.back()->name = "top";
    session.remove(all.front());
    auto added = alchemy::make(User{.id = highest - 1, .name = "new"});
    session.add(added);
    session.commit();
    CHECK(db.trace() == strings{stmt(update_user_name, fmt::format("('top', {})", highest)),
                                stmt(insert_user_with_id, fmt::format("({}, 'new', NULL)", highest - 1)),
                                stmt(delete_user, fmt::format("({})", lowest)), COMMIT});
    rows expected;
    for (std::size_t n = 1; n < ids.size(); ++n)
        expected.push_back({std::to_string(ids[n]), n + 1 == ids.size() ? "top" : fmt::format("u{}", n), "NULL"});
    expected.insert(expected.end() - 1, {std::to_string(highest - 1), "new", "NULL"});
    CHECK(db.users() == expected);
    CHECK(session.get<User>(highest - 1) == added);
}

TEST_CASE("session identity: a flushed-deleted object is no longer found by get()", "[backend][session][identity]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    REQUIRE(a);
    session.remove(a);
    CHECK(session.get<User>(1) == a);  // marked only: still in the map
    session.flush();
    db.clear();
    CHECK_FALSE(session.get<User>(1));
    CHECK(db.sql() == strings{select_user});
    session.rollback();
}

// ---- merge() --------------------------------------------------------------------------------

TEST_CASE("session merge: onto the object in the identity map, UPDATE at flush", "[backend][session][merge]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    REQUIRE(a);
    db.clear();

    auto outside = alchemy::make(User{.id = 1, .name = "Alicia", .email = "a@x"});
    auto merged = session.merge(outside);
    CHECK(merged == a);        // the persistent instance ...
    CHECK(merged != outside);  // ... not the argument
    CHECK(outside.state() == object_state::transient);
    CHECK_FALSE(session.contains(outside));
    CHECK(peek(a).name == "Alicia");
    CHECK(db.sql().empty());  // found in the map: no SQL
    CHECK(session.is_modified(a));

    session.commit();
    CHECK(db.trace() == strings{stmt(update_user_name, "('Alicia', 1)"), COMMIT});  // only the changed column
    CHECK(db.users() == rows{{"1", "Alicia", "a@x"}});
}

TEST_CASE("session merge: a key not in the map is loaded (after autoflush) and updated", "[backend][session][merge]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x')"});
    auto session = db.session();
    auto pending = session.add(User{.name = "Pending"});

    auto merged = session.merge(User{.id = 1, .name = "Alice", .email = "new@x"});
    REQUIRE(merged);
    CHECK(merged.state() == object_state::persistent);
    CHECK(peek(merged).email == "new@x");
    CHECK(session.get<User>(1) == merged);
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user, "('Pending', NULL)"), stmt(select_user, "(1)")});
    db.clear();

    // Merging the same values again changes nothing.
    CHECK(session.merge(User{.id = 1, .name = "Alice", .email = "new@x"}) == merged);
    session.commit();
    CHECK(db.trace() == strings{stmt(update_user_email, "('new@x', 1)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Alice", "new@x"}, {"2", "Pending", "NULL"}});
}

TEST_CASE("session merge: no such row, or no key, gives a new pending copy", "[backend][session][merge]") {
    database db;
    auto session = db.session();
    const User with_key{.id = 5, .name = "Five"};
    auto five = session.merge(with_key);
    CHECK(five.state() == object_state::pending);
    CHECK(session.contains(five));
    CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(5)")});  // looked for it first
    db.clear();

    auto fresh = session.merge(User{.name = "No key"});
    CHECK(fresh.state() == object_state::pending);
    // Nothing to look up, but merge() autoflushes first, as SQLAlchemy's does.
    CHECK(db.trace() == strings{stmt(insert_user_with_id, "(5, 'Five', NULL)")});
    CHECK(five.state() == object_state::persistent);
    db.clear();

    session.commit();
    CHECK(db.trace() == strings{stmt(insert_user, "('No key', NULL)"), COMMIT});
    // The generated key follows SQLite's largest rowid; PostgreSQL's identity
    // sequence was not moved by the explicit key 5.
    if (test_backend::dialect() == "postgresql")
        CHECK(db.users() == rows{{"1", "No key", "NULL"}, {"5", "Five", "NULL"}});
    else
        CHECK(db.users() == rows{{"5", "Five", "NULL"}, {"6", "No key", "NULL"}});
    CHECK(five.state() == object_state::persistent);
}

// ---- composite keys (Enrollment) ----------------------------------------------------------

TEST_CASE("session composite keys: get with two values, batched INSERTs, DELETE by both columns",
          "[backend][session][composite]") {
    database db;
    db.run({"INSERT INTO students (id, name) VALUES (1, 's1'), (2, 's2')",
            "INSERT INTO courses (id, name) VALUES (10, 'c10'), (20, 'c20')"});
    auto session = db.session();
    auto e1 = session.add(Enrollment{.student_id = 1, .course_id = 10});
    auto e2 = session.add(Enrollment{.student_id = 2, .course_id = 10});
    auto e3 = session.add(Enrollment{.student_id = 1, .course_id = 20});
    session.commit();
    CHECK(db.trace() == strings{BEGIN,
                                "batch " + insert_enrollment + " <- (1, 10) <- (2, 10) <- (1, 20)",
                                COMMIT});
    CHECK(db.stored("SELECT student_id, course_id FROM enrollments ORDER BY student_id, course_id") ==
          rows{{"1", "10"}, {"1", "20"}, {"2", "10"}});
    db.clear();

    // get: key values in key order; the map keeps the three objects.
    CHECK(session.get<Enrollment>(1, 20) == e3);
    CHECK(db.trace() == strings{BEGIN, stmt(select_enrollment, "(1, 20)")});  // expired by the commit
    db.clear();
    CHECK(session.get<Enrollment>(1, 20) == e3);
    CHECK_FALSE(session.get<Enrollment>(20, 1));
    CHECK(db.trace() == strings{stmt(select_enrollment, "(20, 1)")});
    CHECK(session.size() == 3);
    db.clear();

    // DELETE: rows sorted by key, one batch.
    session.remove(e3);
    session.remove(e1);
    session.commit();
    CHECK(db.trace() == strings{"batch " + delete_enrollment + " <- (1, 10) <- (1, 20)", COMMIT});
    CHECK(db.stored("SELECT student_id, course_id FROM enrollments") == rows{{"2", "10"}});
    CHECK(e1.state() == object_state::detached);
    CHECK(e2.state() == object_state::persistent);
    CHECK(session.size() == 1);
}

TEST_CASE("session composite keys: a distinct key per pair of values, FlushError for the same pair twice",
          "[backend][session][composite]") {
    database db;
    db.run({"INSERT INTO students (id, name) VALUES (1, 's1')", "INSERT INTO courses (id, name) VALUES (1, 'c1')"});
    auto session = db.session();
    session.add(Enrollment{.student_id = 1, .course_id = 1});
    session.add(Enrollment{.student_id = 1, .course_id = 1});
    CHECK_THROWS_AS(session.flush(), alchemy::FlushError);
    CHECK(db.sql().empty());
}

TEST_CASE("session memory: an object kept past its session belongs to the next session it is added to",
          "[backend][session][identity]") {
    // An object points at its session's entry for its table while the session
    // owns it, and at its table alone otherwise (the sanitizer runs check that
    // none is left pointing into a session that is gone).
    database db;
    alchemy::ptr<User> ann;
    alchemy::ptr<Post> hello;
    {
        auto first = db.session();
        ann = first.add(User{.name = "ann"});
        hello = first.add(Post{.title = "hello"});
        auto bob = first.add(User{.name = "bob"});  // the tables alternate
        CHECK(first.contains(ann));
        CHECK(first.contains(hello));
        CHECK(first.contains(bob));
        CHECK(hello.state() == object_state::pending);
        first.commit();
        CHECK(ann.state() == object_state::persistent);
        CHECK(hello.state() == object_state::persistent);
    }
    CHECK(ann.state() == object_state::detached);
    CHECK(hello.state() == object_state::detached);
    {
        auto second = db.session();
        second.add(ann);
        second.add(hello);
        CHECK(ann.state() == object_state::persistent);
        CHECK(second.contains(ann));
        db.clear();
        CHECK(ann->name == "ann");  // expired at the first commit: loaded by the session that owns it now
        CHECK(db.count("SELECT") == 1);
        CHECK(second.get<User>(ann->id) == ann);
        second.commit();  // (an open read would block the third session's write on a shared-cache :memory:)
        second.expunge(hello);
        CHECK(hello.state() == object_state::detached);
        {
            auto third = db.session();
            third.add(hello);
            CHECK(third.contains(hello));
            CHECK_FALSE(second.contains(hello));
            CHECK_FALSE(third.contains(ann));
            hello->title = "hello again";
            third.commit();
        }
        CHECK(hello.state() == object_state::detached);
        CHECK(second.contains(ann));
        CHECK(ann.state() == object_state::persistent);
    }
    CHECK(ann.state() == object_state::detached);
    CHECK(db.posts() == rows{{"1", "hello again", "NULL"}});
    CHECK(db.users() == rows{{"1", "ann", "NULL"}, {"2", "bob", "NULL"}});
}

TEST_CASE("session memory: the objects one query loaded outlive the query, the session and one another in any order",
          "[backend][session][identity]") {
    // A query's objects share a few blocks of memory (instance_arena): each
    // block must live as long as any object in it, whatever the order in
    // which the handles go (the sanitizer runs check for use after free).
    database db;
    {
        auto session = db.session();
        for (int i = 1; i <= 300; ++i) session.add(User{.name = fmt::format("user {:03}", i)});
        session.commit();
    }
    std::vector<alchemy::ptr<User>> kept;
    {
        auto session = db.session();
        auto all = session.query<User>().order_by(alchemy::col(&User::id)).all();
        REQUIRE(all.size() == 300);
        CHECK(session.query<User>().all().size() == 300);  // every row found in the identity map
        for (std::size_t i = 0; i < all.size(); i += 37) kept.push_back(all[i]);
        kept.push_back(all.back());
        all.clear();  // most objects go while the session still holds them ...
        CHECK(session.size() == 300);
    }  // ... and the rest with it
    REQUIRE(kept.size() == 10);
    for (std::size_t k = 0; k + 1 < kept.size(); ++k) {
        CHECK(kept[k].state() == object_state::detached);
        CHECK(peek(kept[k]).name == fmt::format("user {:03}", k * 37 + 1));
    }
    CHECK(peek(kept.back()).name == "user 300");
    while (!kept.empty()) kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(kept.size() / 2));
}
