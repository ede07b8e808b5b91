// session.begin_nested() (issue 19, item 10): a SAVEPOINT whose rollback
// restores the objects as well as the rows (SQLAlchemy's rules: added inside
// -> transient, deleted inside -> persistent, changed inside -> expired),
// whose release keeps them in the enclosing transaction, that nests, that an
// exception leaving its scope rolls back, and inside which a failed flush
// rolls back to the savepoint only, keeping every value.
#include "models/relationship_models.hpp"
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using alchemy::object_state;
using session_support::BEGIN;
using session_support::COMMIT;
using session_support::rows;
using session_support::stmt;
using session_support::strings;
using session_support::User;

namespace {

// The trace with each savepoint's name replaced by "sp" (the names count
// the connection's transactions and savepoints).
strings trace_of(const session_support::database& db) {
    strings out;
    for (const auto& line : db.trace()) out.push_back(std::regex_replace(line, std::regex("alchemy_savepoint_[0-9]+"), "sp"));
    return out;
}
const std::string SAVEPOINT = "savepoint SAVEPOINT sp";
const std::string ROLLBACK_TO = "rollback_to ROLLBACK TO SAVEPOINT sp";
const std::string RELEASE = "release RELEASE SAVEPOINT sp";

}  // namespace

TEST_CASE("begin_nested: rolled back, the rows and the objects go back to the savepoint", "[backend][savepoint]") {
    session_support::database db("savepoint.db");
    auto session = db.session({.expire_on_commit = false});
    auto alice = session.add(User{.name = "alice"});
    auto bob = session.add(User{.name = "bob"});
    session.commit();
    db.clear();

    alice->email = "a@example.org";  // changed before the savepoint: begin_nested() flushes it
    auto nested = session.begin_nested();
    CHECK(nested.is_active());
    auto carol = session.add(User{.name = "carol"});
    bob->name = "Bob";
    session.remove(alice);
    session.flush();
    CHECK(carol.state() == object_state::persistent);
    CHECK(alice.state() == object_state::deleted);
    nested.rollback();
    CHECK_FALSE(nested.is_active());
    CHECK(trace_of(db) == strings{BEGIN, stmt(session_support::update_user_email, "('a@example.org', 1)"), SAVEPOINT,
                                  stmt(session_support::update_user_name, "('Bob', 2)"),
                                  stmt(session_support::insert_user, "('carol', NULL)"),
                                  stmt(session_support::delete_user, "(1)"), ROLLBACK_TO, RELEASE});

    // Added inside: transient, its generated key taken back.
    CHECK(carol.state() == object_state::transient);
    CHECK(carol->id == 0);
    CHECK_FALSE(session.contains(carol));
    // Deleted inside: persistent again, with what was flushed before the savepoint.
    CHECK(alice.state() == object_state::persistent);
    CHECK(session.contains(alice));
    CHECK(alice->email == "a@example.org");
    // Changed inside: expired, so the next access loads the row as it was when the savepoint began.
    db.clear();
    CHECK(bob->name == "bob");
    CHECK(db.trace() == strings{stmt(session_support::select_user, "(2)")});
    CHECK_FALSE(session.is_modified(bob));

    db.clear();
    session.commit();
    CHECK(db.trace() == strings{COMMIT});
    CHECK(db.users() == rows{{"1", "alice", "a@example.org"}, {"2", "bob", "NULL"}});
}

TEST_CASE("begin_nested: released, the work stays in the transaction, and savepoints nest", "[backend][savepoint]") {
    session_support::database db("savepoint.db");
    auto session = db.session({.expire_on_commit = false});
    std::optional<alchemy::ptr<User>> a, b, c;
    {
        auto outer = session.begin_nested();  // BEGIN first: no transaction was open
        a = session.add(User{.name = "a"});
        {
            auto inner = session.begin_nested();  // flushes a
            b = session.add(User{.name = "b"});
            inner.rollback();  // b never reached the database
        }
        {
            auto inner = session.begin_nested();
            c = session.add(User{.name = "c"});
        }  // left normally: flush, RELEASE
        CHECK(outer.is_active());
        CHECK(c->state() == object_state::persistent);
    }  // RELEASE
    CHECK(session.in_transaction());
    CHECK(b->state() == object_state::transient);
    CHECK(db.kinds() == strings{"begin", "savepoint", "statement", "savepoint", "rollback_to", "release", "savepoint",
                                "statement", "release", "release"});
    session.commit();
    CHECK(db.users() == rows{{"1", "a", "NULL"}, {"2", "c", "NULL"}});
    CHECK((*a)->id == 1);
    CHECK((*c)->id == 2);

    SECTION("rolling back the outer savepoint rolls back what the inner one released") {
        auto outer = session.begin_nested();
        auto d = session.add(User{.name = "d"});
        {
            auto inner = session.begin_nested();  // flushes d
            (*a)->name = "A";
        }  // flush, RELEASE
        outer.rollback();
        CHECK(d.state() == object_state::transient);
        CHECK((*a)->name == "a");  // expired: loaded again
        session.commit();
        CHECK(db.users() == rows{{"1", "a", "NULL"}, {"2", "c", "NULL"}});
    }
    SECTION("rolling back the outer savepoint while the inner one is open drops both") {
        auto outer = session.begin_nested();
        auto d = session.add(User{.name = "d"});
        auto inner = session.begin_nested();
        auto e = session.add(User{.name = "e"});
        session.flush();
        db.clear();
        outer.rollback();
        CHECK_FALSE(inner.is_active());
        CHECK_FALSE(outer.is_active());
        CHECK(trace_of(db) == strings{ROLLBACK_TO, RELEASE});  // the inner savepoint goes with the outer one
        CHECK(d.state() == object_state::transient);
        CHECK(e.state() == object_state::transient);
        session.commit();
        CHECK(db.users().size() == 2);
    }
}

TEST_CASE("begin_nested: an exception leaving its scope rolls it back, as in SQLAlchemy's skip-duplicates loop",
          "[backend][savepoint]") {
    session_support::database db("savepoint.db");
    auto session = db.session({.expire_on_commit = false});
    session.add(User{.name = "taken"});
    session.commit();

    // The scope's commit fails on the UNIQUE name: rolled back to the
    // savepoint, the duplicate is transient, the others are kept. On
    // PostgreSQL the failed INSERT aborted the transaction: ROLLBACK TO
    // SAVEPOINT is what lets it go on.
    std::vector<alchemy::ptr<User>> made;
    int skipped = 0;
    for (const std::string name : {"a", "taken", "b"}) {
        try {
            auto nested = session.begin_nested();
            made.push_back(session.add(User{.name = name}));
        } catch (const alchemy::IntegrityError&) {
            ++skipped;
        }
    }
    CHECK(skipped == 1);
    CHECK(made[0].state() == object_state::persistent);
    CHECK(made[1].state() == object_state::transient);
    CHECK(made[2].state() == object_state::persistent);

    // Any exception: what was added inside is transient again.
    std::optional<alchemy::ptr<User>> x;
    try {
        auto nested = session.begin_nested();
        x = session.add(User{.name = "x"});
        session.flush();
        throw std::runtime_error("changed my mind");
    } catch (const std::runtime_error&) {
    }
    CHECK(x->state() == object_state::transient);

    session.commit();
    // A failed INSERT takes a key from PostgreSQL's sequence, not from SQLite.
    CHECK(db.users() == rows{{"1", "taken", "NULL"},
                             {"2", "a", "NULL"},
                             {session_support::key_text(3, 4), "b", "NULL"}});
}

TEST_CASE("begin_nested: a failed flush inside rolls back to the savepoint only, keeping every value",
          "[backend][savepoint]") {
    session_support::database db("savepoint.db");
    auto session = db.session({.expire_on_commit = false});
    session.add(User{.name = "taken"});
    auto keeper = session.add(User{.name = "keeper"});
    session.commit();

    keeper->email = "before";
    auto first = session.add(User{.name = "first"});
    auto nested = session.begin_nested();  // UPDATE keeper, INSERT first, SAVEPOINT
    keeper->email = "inside";
    session.remove(first);
    session.flush();  // written inside the savepoint: rolled back with it below
    auto duplicate = session.add(User{.name = "taken"});
    auto other = session.add(User{.name = "other"});
    db.clear();
    CHECK_THROWS_AS(nested.commit(), alchemy::IntegrityError);
    CHECK(trace_of(db) == strings{stmt(session_support::insert_user, "('taken', NULL)"), ROLLBACK_TO, RELEASE, SAVEPOINT});

    // The savepoint is still open and everything done inside it is to be
    // written again: the new objects pending, the update and the delete
    // flushed inside it pending too. What was written before it stays.
    CHECK(nested.is_active());
    CHECK(session.in_transaction());
    CHECK(duplicate.state() == object_state::pending);
    CHECK(other.state() == object_state::pending);
    CHECK(duplicate->id == 0);
    CHECK(keeper->email == "inside");
    CHECK(session.is_modified(keeper));  // compared with its row as the savepoint began
    CHECK(first.state() == object_state::persistent);
    CHECK(session.deleted_objects<User>() == std::vector<alchemy::ptr<User>>{first});

    duplicate->name = "fixed";
    db.clear();
    nested.commit();
    const auto fixed_key = session_support::key_text(4, 5), other_key = session_support::key_text(5, 6);
    CHECK(trace_of(db) == strings{stmt(session_support::update_user_email, "('inside', 2)"),
                                  stmt(session_support::insert_user, "('fixed', NULL)"),
                                  stmt(session_support::insert_user, "('other', NULL)"),
                                  stmt(session_support::delete_user, "(3)"), RELEASE});
    CHECK_FALSE(nested.is_active());
    session.commit();
    CHECK(db.users() == rows{{"1", "taken", "NULL"},
                             {"2", "keeper", "inside"},
                             {fixed_key, "fixed", "NULL"},
                             {other_key, "other", "NULL"}});
    CHECK(duplicate.state() == object_state::persistent);
    CHECK(first.state() == object_state::detached);
}

TEST_CASE("begin_nested: the session's commit, rollback and end make a savepoint inactive", "[backend][savepoint]") {
    session_support::database db("savepoint.db");
    auto session = db.session();
    const std::string inactive =
        "alchemy: this savepoint is no longer active: it was committed or rolled back, or the session's transaction "
        "ended";

    auto committed = session.begin_nested();
    session.add(User{.name = "a"});
    session.commit();  // flush, COMMIT: the savepoint is released with the transaction
    CHECK_FALSE(committed.is_active());
    CHECK_THROWS_WITH(committed.commit(), inactive);
    committed.rollback();  // no-op
    CHECK(db.users() == rows{{"1", "a", "NULL"}});

    auto rolled_back = session.begin_nested();
    auto b = session.add(User{.name = "b"});
    session.flush();
    session.rollback();
    CHECK_FALSE(rolled_back.is_active());
    CHECK(b.state() == object_state::transient);

    std::optional<alchemy::nested_transaction> orphan;
    {
        auto other = db.session();
        orphan.emplace(other.begin_nested());
        other.add(User{.name = "c"});
    }  // the session is gone: rolled back
    CHECK_FALSE(orphan->is_active());
    CHECK_THROWS_AS(orphan->commit(), alchemy::InvalidRequestError);
    orphan.reset();  // does nothing
    CHECK(db.users() == rows{{"1", "a", "NULL"}});
}

TEST_CASE("begin_nested: a collection that took an object added inside loads again after the rollback",
          "[backend][savepoint]") {
    session_support::basic_database<rel::User, rel::Post> db("savepoint_rel.db");
    auto session = db.session({.expire_on_commit = false});
    auto ann = session.add(rel::User{.name = "ann"});
    session.commit();
    CHECK(ann->posts.empty());  // known: a new object's collection needs no SELECT

    auto nested = session.begin_nested();
    auto draft = session.add(rel::Post{.title = "draft", .user = ann});
    session.flush();
    CHECK(ann->posts.size() == 1);
    nested.rollback();
    CHECK(draft.state() == object_state::transient);
    // Ann's collection changed inside: she expires, the collection with her.
    CHECK(alchemy::inspect(ann).expired());
    CHECK(alchemy::inspect(ann).unloaded() == std::vector<std::string_view>{"id", "name", "posts"});
    db.clear();
    CHECK(ann->posts.empty());
    CHECK(db.trace() ==
          strings{stmt(test_backend::sql(R"(SELECT "id", "name" FROM "users" WHERE "id" = ?)"), "(1)"),
                  stmt(test_backend::sql(R"(SELECT "posts"."id", "posts"."title", "posts"."user_id" FROM "posts" )"
                                         R"(WHERE "posts"."user_id" = ?)"),
                       "(1)")});
    session.commit();
    CHECK(db.posts().empty());
}
