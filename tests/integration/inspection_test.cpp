// Looking at the session and its objects without changing anything
// (alchemy/inspection.hpp): session.new_objects() / dirty_objects() /
// deleted_objects(), alchemy::inspect(), identity keys, is_modified() and the
// no_autoflush() guard. Every test checks that looking emitted no SQL and
// changed no state.
#include "models/relationship_models.hpp"
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace session_support;
using alchemy::object_state;

namespace {

using names = std::vector<std::string_view>;

template <class T>
const T& peek(const alchemy::ptr<T>& p) {
    return *p;
}

struct graph_db : basic_database<rel::User, rel::Post> {
    graph_db() : basic_database("inspection_graph.db") {}
};

}  // namespace

TEST_CASE("inspection: new_objects, dirty_objects and deleted_objects list what the next flush writes, and looking changes nothing",
          "[backend][session][inspection]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x'), (2, 'Bob', 'b@x'), (3, 'Carol', NULL)",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'p1', 1)"});
    auto session = db.session();
    auto alice = session.get<User>(1);
    auto bob = session.get<User>(2);
    auto carol = session.get<User>(3);
    auto post = session.get<Post>(1);
    REQUIRE((alice && bob && carol && post));
    db.clear();

    auto dave = session.add(User{.name = "Dave"});
    auto draft = session.add(Post{.title = "draft"});
    alice->name = "Alicia";         // a real change
    bob->name = std::string("Bob");  // written through a non-const ptr, value unchanged
    session.remove(carol);

    const auto added = session.new_objects();
    REQUIRE(added.size() == 2);
    CHECK(*added.begin() == alchemy::any_ptr(dave));  // in the order they were added
    CHECK(added.contains(dave));
    CHECK(added.contains(draft));
    CHECK_FALSE(added.contains(alice));
    CHECK(added.begin()->is<User>());
    CHECK_FALSE(added.begin()->is<Post>());
    CHECK(added.begin()->as<User>() == dave);
    CHECK_FALSE(added.begin()->as<Post>());
    CHECK(added.begin()->table().name == "users");
    CHECK(added.begin()->state() == object_state::pending);
    CHECK(session.new_objects<User>() == std::vector<alchemy::ptr<User>>{dave});
    CHECK(session.new_objects<Post>() == std::vector<alchemy::ptr<Post>>{draft});

    // dirty is SQLAlchemy's optimistic list: bob was written to, so he is in it,
    // but is_modified() is the exact test.
    CHECK(session.dirty_objects<User>() == std::vector<alchemy::ptr<User>>{alice, bob});
    CHECK(session.dirty_objects().size() == 2);  // carol, marked for deletion, is not dirty
    CHECK(session.is_modified(alice));
    CHECK_FALSE(session.is_modified(bob));
    CHECK_FALSE(session.is_modified(post));
    CHECK_FALSE(session.is_modified(dave));  // a new object has no net change

    CHECK(session.deleted_objects<User>() == std::vector<alchemy::ptr<User>>{carol});
    CHECK(session.deleted_objects<Post>().empty());

    // None of that ran SQL, flushed or changed a state.
    CHECK(db.sql().empty());
    CHECK(dave.state() == object_state::pending);
    CHECK(carol.state() == object_state::persistent);

    // A view is a copy: the flush empties the session's lists, not it.
    session.flush();
    CHECK(added.size() == 2);
    CHECK(session.new_objects().empty());
    CHECK(session.dirty_objects().empty());
    CHECK(session.deleted_objects().empty());
    CHECK(carol.state() == object_state::deleted);
    CHECK(db.count("INSERT") == 2);
    CHECK(db.count("UPDATE") == 1);  // only alice's
    CHECK(db.count("DELETE") == 1);
    session.commit();
    CHECK(db.users() == rows{{"1", "Alicia", "a@x"}, {"2", "Bob", "b@x"}, {"4", "Dave", "NULL"}});
}

TEST_CASE("inspection: inspect() tells state, identity, expired columns and history without loading or touching",
          "[backend][session][inspection]") {
    database db;
    db.run({"INSERT INTO users (id, name, email) VALUES (5, 'Eve', 'e@x')"});
    auto session = db.session();

    // Transient, then pending: no identity; every value is "added".
    auto fresh = alchemy::make(User{.name = "New"});
    CHECK(alchemy::inspect(fresh).transient());
    CHECK_FALSE(alchemy::inspect(fresh).has_identity());
    CHECK_FALSE(alchemy::inspect(fresh).identity_key());
    session.add(fresh);
    auto insp = alchemy::inspect(fresh);
    CHECK(insp.pending());
    CHECK(insp.history(&User::name).added == std::vector<std::string>{"New"});
    CHECK(insp.history(&User::name).unchanged.empty());
    CHECK_FALSE(insp.modified());

    // Persistent.
    auto eve = session.get<User>(5);
    REQUIRE(eve);
    db.clear();
    auto e = alchemy::inspect(eve);
    CHECK(e.persistent());
    CHECK(e.has_identity());
    CHECK(e.identity_key() == alchemy::identity_key<User>(5));
    CHECK(e.identity_key() == session.identity_key<User>(std::int64_t{5}));
    CHECK(e.identity_key() != alchemy::identity_key<User>(6));
    CHECK(alchemy::to_string(*e.identity_key()) == "User(5)");
    CHECK(alchemy::to_string(alchemy::identity_key<Enrollment>(1, 2)) == "Enrollment(1, 2)");
    CHECK(e.expired_attributes().empty());
    CHECK(e.unloaded().empty());
    auto h = e.history(&User::name);
    CHECK(h.unchanged == std::vector<std::string>{"Eve"});
    CHECK_FALSE(h.has_changes());

    eve->name = "Evelyn";
    eve->email = std::nullopt;
    h = e.history(&User::name);
    CHECK(h.added == std::vector<std::string>{"Evelyn"});
    CHECK(h.deleted == std::vector<std::string>{"Eve"});
    CHECK(h.unchanged.empty());
    CHECK(h.has_changes());
    CHECK(e.history(&User::email).added == std::vector<std::optional<std::string>>{std::nullopt});
    CHECK(e.history(&User::email).deleted == std::vector<std::optional<std::string>>{"e@x"});
    CHECK(e.history(&User::id).unchanged == std::vector<std::int64_t>{5});
    CHECK(e.modified());
    CHECK(db.sql().empty());

    // The flush makes the written values the loaded ones.
    session.flush();
    CHECK(e.history(&User::name).unchanged == std::vector<std::string>{"Evelyn"});
    CHECK_FALSE(e.modified());

    // Partly expired: those columns have no history and are unloaded; nothing loads.
    session.expire(eve, {"email"});
    CHECK(e.expired_attributes() == names{"email"});
    CHECK(e.unloaded() == names{"email"});
    CHECK(e.history(&User::email).empty());
    CHECK_FALSE(e.expired());

    // Wholly expired by the commit: still nothing loads.
    session.commit();
    db.clear();
    CHECK(e.expired());
    CHECK(e.expired_attributes() == names{"id", "name", "email"});
    CHECK(e.history(&User::name).empty());
    CHECK(e.identity_key() == alchemy::identity_key<User>(5));
    CHECK_FALSE(e.modified());
    CHECK(session.dirty_objects().empty());
    CHECK(db.sql().empty());
    CHECK(e.expired());  // inspecting did not load it
    CHECK(peek(eve).name == "Evelyn");  // the next access does
    CHECK(db.trace() == strings{BEGIN, stmt(select_user, "(5)")});
    CHECK_FALSE(e.expired());

    // Deleted, then detached.
    session.remove(eve);
    session.flush();
    CHECK(e.deleted());
    session.commit();
    CHECK(e.detached());
    CHECK(e.has_identity());
    CHECK(e.identity_key() == alchemy::identity_key<User>(5));
}

TEST_CASE("inspection: the identity shows the key as loaded while a changed key is not flushed", "[backend][session][inspection]") {
    database db;
    db.run({"INSERT INTO users (id, name) VALUES (7, 'Gus')"});
    auto session = db.session();
    auto gus = session.get<User>(7);
    REQUIRE(gus);
    gus->id = 8;
    auto g = alchemy::inspect(gus);
    CHECK(g.identity_key() == alchemy::identity_key<User>(7));
    CHECK(g.history(&User::id).added == std::vector<std::int64_t>{8});
    CHECK(g.history(&User::id).deleted == std::vector<std::int64_t>{7});
    session.commit();
    CHECK(g.identity_key() == alchemy::identity_key<User>(8));
    CHECK(db.users() == rows{{"8", "Gus", "NULL"}});
}

TEST_CASE("inspection: unloaded relationships and relationship changes, with no SQL", "[backend][session][inspection][relationship]") {
    graph_db db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Bob')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'a1', 1)"});
    auto session = db.session();
    auto alice = session.get<rel::User>(1);
    auto bob = session.get<rel::User>(2);
    auto post = session.get<rel::Post>(1);
    REQUIRE((alice && bob && post));
    db.clear();

    CHECK(alchemy::inspect(alice).unloaded() == names{"posts"});
    CHECK(alchemy::inspect(post).unloaded() == names{"user"});
    CHECK_FALSE(session.is_modified(alice));
    CHECK(db.sql().empty());

    SECTION("a many-to-one assigned is a net change") {
        post->user = bob;
        CHECK(session.is_modified(post));
        CHECK(alchemy::inspect(post).modified());
        CHECK(alchemy::inspect(post).unloaded().empty());
        CHECK(session.dirty_objects<rel::Post>() == std::vector<alchemy::ptr<rel::Post>>{post});
    }
    SECTION("a collection appended to is a net change of its owner") {
        auto fresh = alchemy::make(rel::Post{.title = "new"});
        bob->posts.append(fresh);  // loads bob's (empty) collection
        CHECK(alchemy::inspect(bob).unloaded().empty());
        CHECK(session.is_modified(bob));
        CHECK(session.new_objects<rel::Post>() == std::vector<alchemy::ptr<rel::Post>>{fresh});
        session.flush();
        CHECK_FALSE(session.is_modified(bob));
        session.commit();
        CHECK(db.posts() == rows{{"1", "a1", "1"}, {"2", "new", "2"}});
    }
}

TEST_CASE("inspection: no_autoflush() keeps queries from flushing until the guard leaves its scope",
          "[backend][session][inspection][autoflush]") {
    database db;
    auto session = db.session();
    auto ann = session.add(User{.name = "Ann"});
    {
        auto guard = session.no_autoflush();
        CHECK(session.query<User>().all().empty());  // Ann is not flushed for the query
        {
            auto inner = session.no_autoflush();  // nesting keeps it off
        }
        CHECK(session.query<User>().count() == 0);
        CHECK(db.count("INSERT") == 0);
        CHECK(ann.state() == object_state::pending);
    }
    const auto found = session.query<User>().all();  // autoflush is back: INSERT, then SELECT
    CHECK(found == std::vector<alchemy::ptr<User>>{ann});
    CHECK(db.count("INSERT") == 1);

    // A guard restores what it found: off stays off.
    session.set_autoflush(false);
    auto bea = session.add(User{.name = "Bea"});
    {
        auto guard = session.no_autoflush();
    }
    CHECK(session.query<User>().count() == 1);
    CHECK(bea.state() == object_state::pending);
}

TEST_CASE("inspection: bad input is refused with a clear error", "[backend][session][inspection][errors]") {
    database db;
    auto session = db.session();
    CHECK_THROWS_AS(alchemy::inspect(alchemy::ptr<User>()), alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(alchemy::inspect(alchemy::ptr<User>()), Catch::Contains("inspect() of an empty alchemy::ptr"));
    CHECK_THROWS_AS(alchemy::identity_key<User>(1, 2), alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(alchemy::identity_key<User>(1, 2),
                      Catch::Contains("identity_key<User>(): table 'users' has a primary key of 1 column(s), 2 value(s) were given"));
    CHECK_THROWS_WITH(session.identity_key<Enrollment>(1),
                      Catch::Contains("table 'enrollments' has a primary key of 2 column(s), 1 value(s) were given"));
    CHECK_THROWS_AS(alchemy::any_ptr().table(), alchemy::InvalidRequestError);
    CHECK(alchemy::any_ptr().state() == object_state::transient);
    CHECK_FALSE(alchemy::any_ptr().is<User>());
    CHECK_FALSE(alchemy::object_set().contains(alchemy::any_ptr()));
    CHECK_THROWS_AS(session.is_modified(alchemy::ptr<User>()), alchemy::InvalidRequestError);

    auto moved = std::move(session);
    CHECK(session.new_objects().empty());  // NOLINT(bugprone-use-after-move): a moved-from session has none
    CHECK_THROWS_AS(session.no_autoflush(), alchemy::InvalidRequestError);
}

// ---- typed expire() and refresh() ------------------------------------------------------------

namespace {
const std::string select_rel_user = test_backend::sql(R"(SELECT "id", "name" FROM "users" WHERE "id" = ?)");
const std::string select_rel_post = test_backend::sql(R"(SELECT "id", "title", "user_id" FROM "posts" WHERE "id" = ?)");
const std::string posts_of_user =
    test_backend::sql(R"(SELECT "posts"."id", "posts"."title", "posts"."user_id" FROM "posts" WHERE "posts"."user_id" = ?)");
}  // namespace

TEST_CASE("typed expire: a relationship expired alone reloads alone, with no column SELECT",
          "[backend][session][expiry][relationship]") {
    graph_db db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'a1', 1)"});
    auto session = db.session({.expire_on_commit = false});
    auto alice = session.get<rel::User>(1);
    REQUIRE(alice);
    CHECK(peek(alice).posts.size() == 1);  // loaded
    session.commit();  // (so that the session's next transaction sees what comes next)
    db.run({"INSERT INTO posts (id, title, user_id) VALUES (2, 'a2', 1)"});  // behind the session's back

    session.expire(alice, {&rel::User::posts});
    CHECK(alchemy::inspect(alice).unloaded() == names{"posts"});
    CHECK(alchemy::inspect(alice).expired_attributes().empty());
    CHECK(db.sql().empty());
    CHECK(peek(alice).name == "Alice");  // the columns were not expired: no SQL
    CHECK(db.sql().empty());
    CHECK(peek(alice).posts.size() == 2);  // only the collection loads
    CHECK(db.trace() == strings{BEGIN, stmt(posts_of_user, "(1)")});
    CHECK(alchemy::inspect(alice).unloaded().empty());
}

TEST_CASE("typed expire: columns and relationships in one list, each reloading on its own",
          "[backend][session][expiry][relationship]") {
    graph_db db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Bob')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'a1', 1)"});
    auto session = db.session();
    auto post = session.get<rel::Post>(1);
    auto bob = session.get<rel::User>(2);
    REQUIRE((post && bob));
    CHECK(peek(post).user->name == "Alice");  // loads alice
    post->title = "unflushed";
    post->user = bob;  // an unflushed change of the relationship
    db.clear();

    session.expire(post, {&rel::Post::user, &rel::Post::title});
    CHECK(db.sql().empty());
    CHECK(alchemy::inspect(post).expired_attributes() == names{"title"});
    CHECK(alchemy::inspect(post).unloaded() == names{"title", "user"});
    CHECK_FALSE(session.is_modified(post));  // both changes discarded
    CHECK(peek(post).title == "a1");         // one SELECT by key for the column
    CHECK(db.trace() == strings{stmt(select_rel_post, "(1)")});
    db.clear();
    CHECK(peek(post).user->name == "Alice");  // the many-to-one: alice is in the identity map, no SQL
    CHECK(db.sql().empty());
    session.commit();
    CHECK(db.count("UPDATE") == 0);
    CHECK(db.posts() == rows{{"1", "a1", "1"}});
}

TEST_CASE("typed refresh: the named columns and relationships are read again at once", "[backend][session][expiry][relationship]") {
    graph_db db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'Alice')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'a1', 1)"});
    auto session = db.session({.expire_on_commit = false});
    auto alice = session.get<rel::User>(1);
    REQUIRE(alice);
    CHECK(peek(alice).posts.size() == 1);
    session.commit();  // (so that the session's next transaction sees what comes next)
    db.run({"UPDATE users SET name = 'Alicia' WHERE id = 1", "INSERT INTO posts (id, title, user_id) VALUES (2, 'a2', 1)"});

    SECTION("a column") {
        session.refresh(alice, {&rel::User::name});
        CHECK(db.trace() == strings{BEGIN, stmt(select_rel_user, "(1)")});
        db.clear();
        CHECK(peek(alice).name == "Alicia");
        CHECK(peek(alice).posts.size() == 1);  // the collection was left as loaded
        CHECK(db.sql().empty());
    }
    SECTION("a relationship") {
        session.refresh(alice, {&rel::User::posts});
        CHECK(db.trace() == strings{BEGIN, stmt(posts_of_user, "(1)")});
        db.clear();
        CHECK(peek(alice).posts.size() == 2);
        CHECK(peek(alice).name == "Alice");  // the column was left as loaded
        CHECK(db.sql().empty());
    }
    SECTION("both") {
        session.refresh(alice, {&rel::User::posts, &rel::User::name});
        CHECK(db.trace() == strings{BEGIN, stmt(select_rel_user, "(1)"), stmt(posts_of_user, "(1)")});
        db.clear();
        CHECK(peek(alice).name == "Alicia");
        CHECK(peek(alice).posts.size() == 2);
        CHECK(db.sql().empty());
    }
}

TEST_CASE("typed expire and refresh: a pending object or an empty handle is refused", "[backend][session][expiry][errors]") {
    graph_db db;
    auto session = db.session();
    auto fresh = session.add(rel::User{.name = "New"});
    CHECK_THROWS_AS(session.expire(fresh, {&rel::User::posts}), alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(session.expire(fresh, {&rel::User::name}), Catch::Contains("is not persistent within this Session"));
    CHECK_THROWS_AS(session.refresh(fresh, {&rel::User::name}), alchemy::InvalidRequestError);
    CHECK_THROWS_AS(session.refresh(alchemy::ptr<rel::User>(), {&rel::User::name}), alchemy::InvalidRequestError);
    CHECK(db.sql().empty());
    CHECK(fresh.state() == object_state::pending);
}
