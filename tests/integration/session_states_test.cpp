// The Session: object states and their transitions (SQLAlchemy's five states), expiry and
// refresh (§10), detached objects (§11), rollback and close (§1.3, §9.1).
// Every test checks the SQL that reached the database (the engine's log), the rows
// stored (the test backend's own read-back) and the objects' state.
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

using namespace session_support;
using alchemy::object_state;

namespace {

// Read access that touches nothing (a const ptr).
template <class T>
const T& peek(const alchemy::ptr<T>& p) {
    return *p;
}

}  // namespace

// ---- states and transitions ------------------------------------------------------------

TEST_CASE("session states: transient, pending, persistent, deleted after flush, detached after commit",
          "[backend][session][states]") {
    database db;
    auto session = db.session();

    auto u = alchemy::make(User{.name = "Alice"});
    CHECK(u.state() == object_state::transient);
    CHECK(alchemy::state_of(u) == object_state::transient);
    CHECK_FALSE(session.contains(u));

    session.add(u);
    CHECK(u.state() == object_state::pending);
    CHECK(session.contains(u));
    CHECK(session.pending_count() == 1);
    CHECK(session.size() == 0);  // pending objects are not in the identity map
    CHECK(db.sql().empty());

    session.flush();
    CHECK(u.state() == object_state::persistent);
    CHECK(session.contains(u));
    CHECK(session.pending_count() == 0);
    CHECK(session.size() == 1);
    CHECK(peek(u).id == 1);

    session.remove(u);
    CHECK(u.state() == object_state::persistent);  // marked: still persistent until the flush
    CHECK(session.contains(u));                    // `u in session` is still true
    CHECK(session.deleted_count() == 1);
    CHECK(session.size() == 1);

    session.flush();
    CHECK(u.state() == object_state::deleted);
    CHECK_FALSE(session.contains(u));
    CHECK(session.deleted_count() == 0);
    CHECK(session.size() == 0);

    session.commit();
    CHECK(u.state() == object_state::detached);
    CHECK_FALSE(session.contains(u));
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user, "('Alice', NULL)"), stmt(delete_user, "(1)"), COMMIT});
    CHECK(db.users().empty());
    CHECK(peek(u).name == "Alice");  // a deleted object keeps its values
}

TEST_CASE("session states: rollback of a flushed delete makes the object persistent again", "[backend][session][states]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto u = session.get<User>(1);
    REQUIRE(u);
    session.remove(u);
    session.flush();
    CHECK(u.state() == object_state::deleted);
    session.rollback();
    CHECK(u.state() == object_state::persistent);
    CHECK(session.contains(u));
    CHECK(session.size() == 1);
    CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(1)"), stmt(delete_user, "(1)"), ROLLBACK});
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});
    db.clear();

    CHECK(session.get<User>(1) == u);  // in the identity map again (expired: reloaded)
    CHECK(peek(u).name == "Alice");
    CHECK(db.sql() == strings{"BEGIN", select_user});
    session.commit();
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});
}

TEST_CASE("session states: expunge makes a persistent object detached and a pending one transient",
          "[backend][session][states]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    REQUIRE(a);
    auto p = session.add(User{.name = "Pending"});
    db.clear();

    session.expunge(a);
    CHECK(a.state() == object_state::detached);
    CHECK_FALSE(session.contains(a));
    CHECK(session.size() == 0);
    session.expunge(p);
    CHECK(p.state() == object_state::transient);
    CHECK_FALSE(session.contains(p));
    CHECK(session.pending_count() == 0);
    CHECK_THROWS_AS(session.expunge(p), alchemy::InvalidRequestError);  // no longer in it
    CHECK(db.sql().empty());

    // Changes to expunged objects are not this session's business.
    a->name = "Not flushed";
    session.commit();
    CHECK(db.sql() == strings{"COMMIT"});  // the get() had begun the transaction
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});
    db.clear();

    // get() no longer finds the expunged object: a new one is loaded.
    auto loaded = session.get<User>(1);
    REQUIRE(loaded);
    CHECK(loaded != a);
    CHECK(peek(loaded).name == "Alice");
    CHECK(db.sql() == strings{"BEGIN", select_user});
}

TEST_CASE("session states: add() twice is harmless, expunge_all() empties the session", "[backend][session][states]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    auto p = session.add(User{.name = "Pending"});
    session.add(p);
    session.add(a);
    session.add_all(std::vector{a, p});
    CHECK(session.pending_count() == 1);
    CHECK(session.size() == 1);
    CHECK(a.state() == object_state::persistent);
    db.clear();

    session.expunge_all();
    CHECK(a.state() == object_state::detached);
    CHECK(p.state() == object_state::transient);
    CHECK(session.size() == 0);
    CHECK(session.pending_count() == 0);
    session.commit();
    CHECK(db.sql() == strings{"COMMIT"});
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});
}

TEST_CASE("session states: add() of a detached object makes it persistent, its detached changes UPDATE",
          "[backend][session][states][detached]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x')"});
    alchemy::ptr<User> a;
    {
        auto first = db.session();
        a = first.get<User>(1);
        REQUIRE(a);
    }  // leaving the scope closes the session: detached, values kept
    CHECK(a.state() == object_state::detached);
    CHECK(peek(a).name == "Alice");
    CHECK(peek(a).email == "a@x");
    db.clear();

    a->name = "Changed while detached";
    CHECK(db.sql().empty());

    auto second = db.session();
    second.add(a);
    CHECK(a.state() == object_state::persistent);
    CHECK(second.contains(a));
    CHECK(second.is_modified(a));
    CHECK(second.get<User>(1) == a);
    CHECK(db.sql().empty());
    second.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(update_user_name, "('Changed while detached', 1)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Changed while detached", "a@x"}});
}

TEST_CASE("session states: make_transient sends a deleted object back to transient, add() INSERTs it again",
          "[backend][session][states]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (3, 'Carol')"});
    auto session = db.session({.expire_on_commit = false});
    auto c = session.get<User>(3);
    REQUIRE(c);
    CHECK_THROWS_AS(alchemy::make_transient(c), alchemy::InvalidRequestError);  // still in the session
    session.remove(c);
    session.commit();
    CHECK(c.state() == object_state::detached);
    CHECK(db.users().empty());

    alchemy::make_transient(c);
    CHECK(c.state() == object_state::transient);
    CHECK(peek(c).id == 3);  // the key is kept
    db.clear();
    session.add(c);
    CHECK(c.state() == object_state::pending);
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user_with_id, "(3, 'Carol', NULL)"), COMMIT});
    CHECK(db.users() == rows{{"3", "Carol", "NULL"}});
    CHECK(c.state() == object_state::persistent);
}

TEST_CASE("session states: remove() of a transient or pending object is an InvalidRequestError",
          "[backend][session][states][errors]") {
    database db;
    auto session = db.session();
    auto t = alchemy::make(User{.name = "Transient"});
    CHECK_THROWS_AS(session.remove(t), alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(session.remove(t), Catch::Matches("alchemy: Instance '<User at 0x[0-9a-f]+>' is not persisted"));
    auto p = session.add(User{.name = "Pending"});
    CHECK_THROWS_AS(session.remove(p), alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(session.remove(p), Catch::Contains("is not persisted"));
    CHECK(p.state() == object_state::pending);
    CHECK_THROWS_AS(session.remove(alchemy::ptr<User>()), alchemy::InvalidRequestError);  // an empty ptr
    CHECK(db.sql().empty());

    // An object of another session.
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto other = db.session();
    auto a = other.get<User>(1);
    CHECK_THROWS_WITH(session.remove(a), Catch::Contains("is not persisted in this session"));
    CHECK(session.deleted_count() == 0);
}

TEST_CASE("session states: add() of an object whose DELETE was flushed is an InvalidRequestError",
          "[backend][session][states][errors]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    REQUIRE(a);
    session.remove(a);
    session.flush();
    CHECK_THROWS_AS(session.add(a), alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(session.add(a), Catch::Contains("has been deleted. Use the make_transient() function to send "
                                                      "this object back to the transient state."));
    CHECK(a.state() == object_state::deleted);
    session.commit();
    CHECK(a.state() == object_state::detached);
    // Detached after the commit, but still a deleted row: refused by any session.
    auto other = db.session();
    CHECK_THROWS_WITH(other.add(a), Catch::Contains("has been deleted"));
    CHECK(db.users().empty());
}

TEST_CASE("session states: add() of an object marked for deletion cancels the deletion", "[backend][session][states]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    REQUIRE(a);
    session.remove(a);
    CHECK(session.deleted_count() == 1);
    session.add(a);
    CHECK(session.deleted_count() == 0);
    CHECK(a.state() == object_state::persistent);
    CHECK(session.contains(a));
    db.clear();
    session.commit();
    CHECK(db.sql() == strings{"COMMIT"});  // no DELETE
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}});
}

TEST_CASE("session states: a modified object that is then removed gets only a DELETE", "[backend][session][states]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    REQUIRE(a);
    a->name = "Changed";
    session.remove(a);
    db.clear();
    session.commit();
    CHECK(db.trace() == strings{stmt(delete_user, "(1)"), COMMIT});
    CHECK(db.users().empty());
}

// ---- expiry and refresh ---------------------------------------------------------------

TEST_CASE("session expiry: after commit the next access reloads with one SELECT by key", "[backend][session][expiry]") {
    database db;
    auto session = db.session();
    auto a = session.add(User{.name = "Alice"});
    auto b = session.add(User{.name = "Bob"});
    session.commit();
    db.run({"UPDATE users SET email = 'set@elsewhere' WHERE id = 1"});
    CHECK_FALSE(session.in_transaction());

    CHECK(peek(a).email == "set@elsewhere");  // reloaded: sees the committed row
    CHECK(peek(a).name == "Alice");           // one SELECT for all columns
    a->name = "Alice";                        // write access to a loaded object: no SELECT
    CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(1)")});
    db.clear();
    CHECK(peek(b).id == 2);
    CHECK(db.trace() == strings{stmt(select_user, "(2)")});
    db.clear();
    session.commit();
    CHECK(db.sql() == strings{"COMMIT"});  // nothing changed
}

TEST_CASE("session expiry: expire_on_commit = false keeps the values, no SELECT", "[backend][session][expiry]") {
    database db;
    auto Session = alchemy::sessionmaker(db.engine, {.expire_on_commit = false});
    auto session = Session();
    auto a = session.add(User{.name = "Alice"});
    session.commit();
    db.run({"UPDATE users SET name = 'Stale' WHERE id = 1"});
    CHECK(peek(a).name == "Alice");  // possibly stale, as documented
    CHECK(peek(a).id == 1);
    a->email = "e@x";
    CHECK(db.sql().empty());
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(update_user_email, "('e@x', 1)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Stale", "e@x"}});
}

TEST_CASE("session expiry: expire() reloads on next access and discards unflushed changes", "[backend][session][expiry]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x'), (2, 'Bob', 'b@x')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    auto b = session.get<User>(2);
    REQUIRE(a);
    REQUIRE(b);
    db.clear();

    SECTION("the whole object") {
        a->name = "Discarded";
        session.expire(a);
        CHECK_FALSE(session.is_modified(a));
        CHECK(db.sql().empty());
        CHECK(peek(a).name == "Alice");
        CHECK(db.trace() == strings{stmt(select_user, "(1)")});
        db.clear();
        session.commit();
        CHECK(db.sql() == strings{"COMMIT"});
    }
    SECTION("one column: only its change is discarded") {
        a->name = "Discarded";
        a->email = "kept@x";
        session.expire(a, {"name"});
        CHECK(peek(a).name == "Alice");
        CHECK(peek(a).email == "kept@x");
        session.commit();
        // The access autoflushed the change that was kept, then reloaded.
        CHECK(db.trace() == strings{stmt(update_user_email, "('kept@x', 1)"), stmt(select_user, "(1)"), COMMIT});
        CHECK(db.users() == rows{{"1", "Alice", "kept@x"}, {"2", "Bob", "b@x"}});
    }
    SECTION("a column of an object that is already expired") {
        session.expire(a);
        session.expire(a, {"email"});
        CHECK(peek(a).email == "a@x");
        CHECK(db.trace() == strings{stmt(select_user, "(1)")});
    }
    SECTION("an unknown column is an ArgumentError and expires nothing") {
        CHECK_THROWS_AS(session.expire(a, {"name", "nosuch"}), alchemy::ArgumentError);
        CHECK(peek(a).name == "Alice");
        CHECK(db.sql().empty());
    }
    SECTION("expire_all() expires every object, discarding unflushed changes") {
        session.commit();
        db.run({"UPDATE users SET email = NULL"});
        CHECK(peek(a).name == "Alice");  // reloads (expired by the commit)
        CHECK(peek(b).name == "Bob");
        CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(1)"), stmt(select_user, "(2)")});
        b->name = "Bobby";
        a->name = "Ann";
        db.clear();
        session.expire_all();
        CHECK_FALSE(session.is_modified(a));
        CHECK(peek(b).name == "Bob");
        CHECK(peek(b).email == std::nullopt);
        CHECK(peek(a).name == "Alice");
        CHECK(db.trace() == strings{stmt(select_user, "(2)"), stmt(select_user, "(1)")});
        db.clear();
        session.commit();
        CHECK(db.sql() == strings{"COMMIT"});
        CHECK(db.users() == rows{{"1", "Alice", "NULL"}, {"2", "Bob", "NULL"}});
    }
}

TEST_CASE("session expiry: refresh() reloads now, after autoflush, discarding the object's own changes",
          "[backend][session][expiry]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    REQUIRE(a);
    a->name = "Discarded";
    a->email = "discarded@x";
    auto q = session.add(User{.name = "Flushed first"});
    db.clear();

    session.refresh(a);
    CHECK(db.trace() == strings{stmt(insert_user, "('Flushed first', NULL)"), stmt(select_user, "(1)")});
    CHECK(peek(a).name == "Alice");
    CHECK(peek(a).email == "a@x");
    CHECK_FALSE(session.is_modified(a));
    CHECK(q.state() == object_state::persistent);
    db.clear();
    session.commit();
    CHECK(db.sql() == strings{"COMMIT"});  // a's changes are gone
    CHECK(db.users() == rows{{"1", "Alice", "a@x"}, {"2", "Flushed first", "NULL"}});

    // It sees what was committed behind the session's back.
    db.run({"UPDATE users SET email = 'new@x' WHERE id = 1"});
    session.refresh(a);
    CHECK(peek(a).email == "new@x");
    CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(1)")});
    session.commit();

    // Refreshing a row that is gone.
    db.run({"DELETE FROM users WHERE id = 1"});
    CHECK_THROWS_AS(session.refresh(a), alchemy::ObjectDeletedError);
    // Only persistent objects of this session can be refreshed.
    auto t = alchemy::make(User{.name = "t"});
    CHECK_THROWS_AS(session.refresh(t), alchemy::InvalidRequestError);
}

TEST_CASE("session expiry: an expired object whose row was deleted behind the session's back",
          "[backend][session][expiry][errors]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Bob')"});
    auto session = db.session();
    auto a = session.get<User>(1);
    auto b = session.get<User>(2);
    session.commit();
    db.run({"DELETE FROM users WHERE id IN (1, 2)"});

    CHECK_THROWS_AS(peek(a), alchemy::ObjectDeletedError);
    CHECK_THROWS_WITH(a->name = "x", Catch::Matches("alchemy: Instance '<User at 0x[0-9a-f]+>' has been deleted, or "
                                                    "its row is otherwise not present."));
    CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(1)"), stmt(select_user, "(1)")});
    // get() of such an object finds no row.
    CHECK_FALSE(session.get<User>(2));
    session.commit();
}

TEST_CASE("session expiry: an expired object of a closed session raises DetachedInstanceError",
          "[backend][session][expiry][detached]") {
    database db;
    auto session = db.session();
    auto a = session.add(User{.name = "Alice"});
    auto b = session.add(User{.name = "Bob"});
    session.commit();  // both expired
    CHECK(peek(b).name == "Bob");  // b reloaded before the close
    session.close();
    CHECK(a.state() == object_state::detached);
    db.clear();
    CHECK_THROWS_AS(peek(a), alchemy::DetachedInstanceError);
    CHECK_THROWS_WITH(a->name, Catch::Matches("alchemy: Instance <User at 0x[0-9a-f]+> is not bound to a Session; "
                                              "attribute refresh operation cannot proceed"));
    CHECK(peek(b).name == "Bob");  // loaded values stay readable
    CHECK(db.sql().empty());

    // Added to a session again, it loads.
    auto again = db.session();
    again.add(a);
    CHECK(peek(a).name == "Alice");
    CHECK(db.sql() == strings{"BEGIN", select_user});
}

// ---- rollback and close (the session lifecycle) ---------------------------------------------

TEST_CASE("session rollback: pending and inserted objects become transient, deleted persistent, the rest expire",
          "[backend][session][rollback]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x'), (2, 'Bob', 'b@x')"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    auto bob = session.get<User>(2);
    alice->email = "flushed@x";
    session.remove(bob);
    auto carol = session.add(User{.name = "Carol"});
    session.flush();  // UPDATE alice, INSERT carol, DELETE bob
    CHECK(peek(carol).id == 3);
    auto dave = session.add(User{.name = "Dave"});  // pending at rollback
    db.clear();

    session.rollback();
    CHECK(db.sql() == strings{"ROLLBACK"});
    CHECK(db.users() == rows{{"1", "Alice", "a@x"}, {"2", "Bob", "b@x"}});
    CHECK_FALSE(session.in_transaction());

    CHECK(dave.state() == object_state::transient);
    CHECK(carol.state() == object_state::transient);
    CHECK(peek(carol).id == 3);  // keeps its values, the generated id included
    CHECK(peek(carol).name == "Carol");
    CHECK(bob.state() == object_state::persistent);
    CHECK(alice.state() == object_state::persistent);
    CHECK(session.contains(bob));
    CHECK_FALSE(session.contains(carol));
    CHECK_FALSE(session.contains(dave));
    CHECK(session.size() == 2);
    CHECK(session.pending_count() == 0);
    CHECK(db.sql() == strings{"ROLLBACK"});

    CHECK(peek(alice).email == "a@x");  // expired: reloads the committed value
    CHECK(peek(bob).name == "Bob");
    CHECK(db.trace() == strings{ROLLBACK, BEGIN, stmt(select_user, "(1)"), stmt(select_user, "(2)")});
    db.clear();
    session.commit();
    CHECK(db.sql() == strings{"COMMIT"});

    // The transient objects can be added again: INSERTed (carol with her id).
    db.clear();
    session.add_all(carol, dave);
    session.commit();
    CHECK(db.trace() ==
          strings{BEGIN, stmt(insert_user_with_id, "(3, 'Carol', NULL)"), stmt(insert_user, "('Dave', NULL)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Alice", "a@x"}, {"2", "Bob", "b@x"}, {"3", "Carol", "NULL"}, {"4", "Dave", "NULL"}});
}

TEST_CASE("session rollback: an object inserted and deleted in the transaction becomes transient",
          "[backend][session][rollback]") {
    database db;
    auto session = db.session();
    auto t = session.add(User{.name = "Temporary"});
    session.flush();
    session.remove(t);
    session.flush();
    CHECK(t.state() == object_state::deleted);
    session.rollback();
    CHECK(t.state() == object_state::transient);
    CHECK(peek(t).id == 1);
    CHECK(db.sql() == strings{"BEGIN", insert_user, delete_user, "ROLLBACK"});
    CHECK(db.users().empty());
    db.clear();
    session.add(t);  // may be added again
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user_with_id, "(1, 'Temporary', NULL)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Temporary", "NULL"}});
}

TEST_CASE("session rollback: with no transaction emits nothing", "[backend][session][rollback]") {
    database db;
    auto session = db.session();
    auto p = session.add(User{.name = "Pending"});
    session.rollback();
    CHECK(db.sql().empty());
    CHECK(p.state() == object_state::transient);
    session.commit();
    CHECK(db.sql().empty());
    CHECK(db.users().empty());
}

TEST_CASE("session close: rolls back what was not committed and detaches every object, then is reusable",
          "[backend][session][close]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Bob')"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    auto bob = session.get<User>(2);
    alice->name = "Flushed, never committed";
    session.remove(bob);
    auto carol = session.add(User{.name = "Carol"});
    session.flush();
    auto dave = session.add(User{.name = "Dave"});
    db.clear();

    session.close();
    CHECK(db.sql() == strings{"ROLLBACK"});
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}, {"2", "Bob", "NULL"}});
    CHECK(alice.state() == object_state::detached);
    CHECK(bob.state() == object_state::detached);  // its DELETE was rolled back
    CHECK(carol.state() == object_state::transient);  // its INSERT was rolled back
    CHECK(dave.state() == object_state::transient);
    CHECK(session.size() == 0);
    CHECK(session.pending_count() == 0);
    CHECK(session.deleted_count() == 0);
    CHECK_FALSE(session.in_transaction());
    CHECK(db.engine.checked_out() == 0);
    session.close();  // idempotent
    CHECK(db.sql() == strings{"ROLLBACK"});

    // Reusable: bob's row exists, so he can be attached again; carol INSERTed again.
    db.clear();
    session.add(bob);
    CHECK(bob.state() == object_state::persistent);
    session.add(carol);
    auto loaded = session.get<User>(1);
    CHECK(loaded != alice);
    CHECK(peek(loaded).name == "Alice");
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user_with_id, "(3, 'Carol', NULL)"), stmt(select_user, "(1)"),
                                COMMIT});
    CHECK(db.users() == rows{{"1", "Alice", "NULL"}, {"2", "Bob", "NULL"}, {"3", "Carol", "NULL"}});
}

TEST_CASE("session close: leaving the scope rolls back and detaches", "[backend][session][close]") {
    database db;
    alchemy::ptr<User> a;
    alchemy::ptr<User> p;
    {
        auto session = db.session();
        a = session.add(User{.name = "Flushed"});
        session.flush();
        p = session.add(User{.name = "Pending"});
        CHECK(db.engine.checked_out() == 1);
    }
    CHECK(db.sql() == strings{"BEGIN", insert_user, "ROLLBACK"});
    CHECK(db.users().empty());
    CHECK(a.state() == object_state::transient);
    CHECK(p.state() == object_state::transient);
    CHECK(db.engine.checked_out() == 0);

    // A moved-from session is empty; the target owns the work.
    db.clear();
    auto s1 = db.session();
    auto x = s1.add(User{.name = "X"});
    auto s2 = std::move(s1);
    CHECK(s2.contains(x));
    s2.commit();
    CHECK(db.users() == rows{{key_text(1, 2), "X", "NULL"}});  // PostgreSQL's rolled-back INSERT took 1
    CHECK_THROWS_AS(s1.commit(), alchemy::InvalidRequestError);  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("session expire: a pending object has nothing to reload and is refused", "[backend][session][expire]") {
    test_backend::database db("expire.db");
    alchemy::session session(db.engine());
    auto pending = session.add(plain::User{.name = "P"});
    REQUIRE_THROWS_AS(session.expire(pending), alchemy::InvalidRequestError);
    REQUIRE_THROWS_WITH(session.expire(pending), Catch::Contains("is not persistent within this Session"));
    CHECK(pending.state() == alchemy::object_state::pending);
}
