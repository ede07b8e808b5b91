// Rows that depend on each other (issue 19, item 6): relation(..., {.post_update
// = true}), SQLAlchemy's post_update, writes a foreign key by a second UPDATE
// once both rows exist and sets it to NULL before a DELETE; without it, two new
// rows that need each other's keys raise CircularDependencyError before any
// SQL, naming the objects. The tables reference each other, so creating them
// on PostgreSQL needs the foreign key added after both tables (ALTER TABLE).
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <regex>
#include <string>

// A user has posts (posts.user_id) and one favourite post (users.favorite_post_id);
// the macro's arguments are more options of the users table.
#define ALCHEMY_CYCLIC_MODELS(...)                                                                             \
    struct Post;                                                                                                 \
    struct User {                                                                                                \
        std::int64_t id = 0;                                                                                     \
        std::string name{};                                                                                      \
        std::optional<std::int64_t> favorite_post_id{};                                                          \
        alchemy::relationship<Post> posts{};                                                                     \
        alchemy::backref<Post> favorite_post{};                                                                  \
    };                                                                                                           \
    BOOST_DESCRIBE_STRUCT(User, (), (id, name, favorite_post_id, posts, favorite_post))                          \
    struct Post {                                                                                                \
        std::int64_t id = 0;                                                                                     \
        std::string title{};                                                                                     \
        std::optional<std::int64_t> user_id{};                                                                   \
        alchemy::backref<User> user{};                                                                           \
    };                                                                                                           \
    BOOST_DESCRIBE_STRUCT(Post, (), (id, title, user_id, user))                                                  \
    constexpr auto alchemy_table(User*) {                                                                        \
        return alchemy::table("users", alchemy::foreign_key(&User::favorite_post_id, &Post::id) __VA_ARGS__); \
    }                                                                                                            \
    constexpr auto alchemy_table(Post*) {                                                                        \
        return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id));                         \
    }

namespace post_updated {
ALCHEMY_CYCLIC_MODELS(, alchemy::relation(&User::favorite_post, {.post_update = true}))
}  // namespace post_updated

namespace cyclic {
ALCHEMY_CYCLIC_MODELS()
}  // namespace cyclic

namespace collection_post_updated {  // the flag on the one-to-many side
ALCHEMY_CYCLIC_MODELS(, alchemy::relation(&User::posts, {.post_update = true}))
}  // namespace collection_post_updated

#undef ALCHEMY_CYCLIC_MODELS

using alchemy::object_state;
using session_support::BEGIN;
using session_support::COMMIT;
using session_support::rows;
using session_support::stmt;
using session_support::strings;

namespace {

template <class User, class Post>
struct cyclic_db : session_support::basic_database<User, Post> {
    explicit cyclic_db(const std::string& name = "cyclic.db") : session_support::basic_database<User, Post>(name) {}
    rows users() const { return this->stored("SELECT id, name, favorite_post_id FROM users ORDER BY id"); }
    rows posts() const { return this->stored("SELECT id, title, user_id FROM posts ORDER BY id"); }
};

const std::string insert_user =
    test_backend::sql(R"(INSERT INTO "users" ("name", "favorite_post_id") VALUES (?, ?))");
const std::string insert_post = test_backend::sql(R"(INSERT INTO "posts" ("title", "user_id") VALUES (?, ?))");
const std::string post_update_user = test_backend::sql(R"(UPDATE "users" SET "favorite_post_id" = ? WHERE "id" = ?)");
const std::string update_user_name = test_backend::sql(R"(UPDATE "users" SET "name" = ? WHERE "id" = ?)");
const std::string posts_of_user = test_backend::sql(
    R"(SELECT "posts"."id", "posts"."title", "posts"."user_id" FROM "posts" WHERE "posts"."user_id" = ?)");
const std::string delete_user = test_backend::sql(R"(DELETE FROM "users" WHERE "id" = ?)");
const std::string delete_post = test_backend::sql(R"(DELETE FROM "posts" WHERE "id" = ?)");

// An object's description names its address, which differs from run to run.
std::string without_addresses(const std::string& message) {
    return std::regex_replace(message, std::regex("at 0x[0-9a-f]+"), "at 0x");
}

}  // namespace

TEST_CASE("post_update: two new rows that reference each other are inserted, then the key is set by an UPDATE",
          "[backend][post_update]") {
    using namespace post_updated;
    cyclic_db<User, Post> db;
    auto session = db.session({.expire_on_commit = false});
    auto ann = session.add(User{.name = "ann"});
    auto hello = session.add(Post{.title = "hello", .user = ann});
    ann->favorite_post = hello;
    session.commit();
    // SQLAlchemy's order: both INSERTs (the post after its user, whose key it
    // takes), then the post-update of the user's foreign key.
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user, "('ann', NULL)"), stmt(insert_post, "('hello', 1)"),
                                stmt(post_update_user, "(1, 1)"), COMMIT});
    CHECK(db.users() == rows{{"1", "ann", "1"}});
    CHECK(db.posts() == rows{{"1", "hello", "1"}});
    CHECK(ann->favorite_post_id == 1);
    CHECK(hello->user_id == 1);
    CHECK(ann.state() == object_state::persistent);
    CHECK_FALSE(session.is_modified(ann));
    CHECK(ann->favorite_post == hello);
}

TEST_CASE("post_update on the collection: each post's key is written by an UPDATE after both INSERTs",
          "[backend][post_update]") {
    using namespace collection_post_updated;
    cyclic_db<User, Post> db;
    auto session = db.session({.expire_on_commit = false});
    auto ann = session.add(User{.name = "ann"});
    auto hello = session.add(Post{.title = "hello"});
    ann->favorite_post = hello;
    ann->posts.append(hello);
    session.commit();
    // posts.user_id orders nothing now: the post first, its key taken by the
    // user's INSERT, then the post's key to its user.
    CHECK(db.trace() == strings{BEGIN, stmt(insert_post, "('hello', NULL)"), stmt(insert_user, "('ann', 1)"),
                                stmt(test_backend::sql(R"(UPDATE "posts" SET "user_id" = ? WHERE "id" = ?)"), "(1, 1)"),
                                COMMIT});
    CHECK(db.users() == rows{{"1", "ann", "1"}});
    CHECK(db.posts() == rows{{"1", "hello", "1"}});
    CHECK(hello->user_id == 1);
    CHECK(hello->user == ann);
}

TEST_CASE("post_update: a changed favourite of a persistent row is its own UPDATE, after the row's other changes",
          "[backend][post_update]") {
    using namespace post_updated;
    cyclic_db<User, Post> db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'ann')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'one', 1)",
            "INSERT INTO posts (id, title, user_id) VALUES (2, 'two', 1)",
            "UPDATE users SET favorite_post_id = 1 WHERE id = 1"});
    auto session = db.session({.expire_on_commit = false});
    auto ann = session.get<User>(1);
    auto two = session.get<Post>(2);
    db.clear();
    ann->name = "Ann";
    ann->favorite_post = two;
    session.commit();
    CHECK(db.trace() == strings{stmt(update_user_name, "('Ann', 1)"), stmt(post_update_user, "(2, 1)"), COMMIT});
    CHECK(db.users() == rows{{"1", "Ann", "2"}});
    CHECK(ann->favorite_post_id == 2);

    SECTION("set to nothing: the post-update writes NULL") {
        db.clear();
        ann->favorite_post = nullptr;
        session.commit();
        CHECK(db.trace() == strings{BEGIN, stmt(post_update_user, "(NULL, 1)"), COMMIT});
        CHECK(db.users() == rows{{"1", "Ann", "NULL"}});
        CHECK_FALSE(ann->favorite_post_id.has_value());
    }
    SECTION("set to the post it already is: nothing is written") {
        db.clear();
        ann->favorite_post = two;
        session.commit();
        CHECK(db.count("statement") == 0);
        CHECK(db.users() == rows{{"1", "Ann", "2"}});
    }
}

TEST_CASE("post_update: deleting rows that reference each other sets the key to NULL first",
          "[backend][post_update]") {
    using namespace post_updated;
    cyclic_db<User, Post> db;
    db.run({"INSERT INTO users (id, name) VALUES (1, 'ann')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'one', 1)",
            "UPDATE users SET favorite_post_id = 1 WHERE id = 1"});
    auto session = db.session({.expire_on_commit = false});
    auto ann = session.get<User>(1);
    auto one = session.get<Post>(1);
    db.clear();
    session.remove(one);
    session.remove(ann);
    session.commit();
    // The user's reference to the post goes first: the post's DELETE would
    // otherwise break users.favorite_post_id's foreign key.
    CHECK(db.trace() == strings{stmt(posts_of_user, "(1)"), stmt(post_update_user, "(NULL, 1)"),
                                stmt(delete_post, "(1)"), stmt(delete_user, "(1)"), COMMIT});
    CHECK(db.users().empty());
    CHECK(db.posts().empty());
    CHECK(ann.state() == object_state::detached);
    CHECK(one.state() == object_state::detached);
}

TEST_CASE("post_update: a flush that fails after its post-update rolls back, keys and all, and can run again",
          "[backend][post_update]") {
    using namespace post_updated;
    cyclic_db<User, Post> db;
    // Bob's favourite is the post this flush deletes, behind the session's back.
    db.run({"INSERT INTO users (id, name) VALUES (10, 'bob')",
            "INSERT INTO posts (id, title, user_id) VALUES (10, 'old', 10)",
            "UPDATE users SET favorite_post_id = 10 WHERE id = 10"});
    auto session = db.session({.expire_on_commit = false});
    auto old = session.get<Post>(10);
    session.remove(old);
    auto ann = session.add(User{.name = "ann"});
    auto hello = session.add(Post{.title = "hello", .user = ann});
    ann->favorite_post = hello;
    db.clear();
    CHECK_THROWS_AS(session.commit(), alchemy::IntegrityError);  // the DELETE, after the post-update
    const std::string first = "11";
    CHECK(db.trace() == strings{stmt(insert_user, "('ann', NULL)"), stmt(insert_post, "('hello', " + first + ")"),
                                stmt(post_update_user, "(" + first + ", " + first + ")"), stmt(delete_post, "(10)"),
                                session_support::ROLLBACK});
    CHECK(ann.state() == object_state::pending);
    CHECK(hello.state() == object_state::pending);
    CHECK_FALSE(ann->favorite_post_id.has_value());  // what the flush wrote is taken back
    CHECK_FALSE(hello->user_id.has_value());
    CHECK(db.users() == rows{{"10", "bob", "10"}});

    db.run({"UPDATE users SET favorite_post_id = NULL WHERE id = 10"});
    session.commit();
    const std::string key = "11";  // (db.run() set PostgreSQL's sequence past the rows again)
    CHECK(db.users() == rows{{"10", "bob", "NULL"}, {key, "ann", key}});
    CHECK(db.posts() == rows{{key, "hello", key}});
    CHECK(ann->favorite_post_id == hello->id);
    CHECK(old.state() == object_state::detached);
}

TEST_CASE("CircularDependencyError: two new rows that need each other's keys, raised before any SQL",
          "[backend][post_update]") {
    using namespace cyclic;
    cyclic_db<User, Post> db;
    auto session = db.session({.expire_on_commit = false});
    auto ann = session.add(User{.name = "ann"});
    auto hello = session.add(Post{.title = "hello", .user = ann});
    ann->favorite_post = hello;
    try {
        session.commit();
        FAIL("no CircularDependencyError");
    } catch (const alchemy::CircularDependencyError& e) {
        CHECK(without_addresses(e.what()) ==
              "alchemy: Circular dependency detected: <User at 0x> needs the key of <Post at 0x> "
              "(User::favorite_post_id), which needs the key of <User at 0x> (Post::user_id); all are "
              "new in this flush: mark one of these relationships post_update (relation(&Struct::member, "
              "{.post_update = true})) so that its key is written by an UPDATE after the INSERTs");
    }
    CHECK(db.count("statement") == 0);
    CHECK(db.users().empty());
    CHECK(ann.state() == object_state::pending);
    CHECK(hello.state() == object_state::pending);

    // Recoverable: without the cycle, the same session commits.
    ann->favorite_post = nullptr;
    db.clear();
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_user, "('ann', NULL)"), stmt(insert_post, "('hello', 1)"), COMMIT});
    CHECK(db.posts() == rows{{"1", "hello", "1"}});

    // A cycle through a persistent row is no cycle: its key is known.
    auto second = session.add(Post{.title = "second", .user = ann});
    ann->favorite_post = second;
    db.clear();
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_post, "('second', 1)"),
                                stmt(test_backend::sql(R"(UPDATE "users" SET "favorite_post_id" = ? WHERE "id" = ?)"),
                                     "(2, 1)"),
                                COMMIT});
    CHECK(db.users() == rows{{"1", "ann", "2"}});
}

TEST_CASE("CircularDependencyError: new rows whose tables form a cycle, though the rows do not",
          "[backend][post_update]") {
    using namespace cyclic;
    cyclic_db<User, Post> db;
    auto session = db.session({.expire_on_commit = false});
    auto a = session.add(User{.name = "a"});
    auto p = session.add(Post{.title = "p", .user = a});
    auto b = session.add(User{.name = "b"});
    b->favorite_post = p;  // users, then posts, then users again
    try {
        session.commit();
        FAIL("no CircularDependencyError");
    } catch (const alchemy::CircularDependencyError& e) {
        CHECK(without_addresses(e.what()) ==
              "alchemy: Circular dependency detected: <User at 0x> needs the key of the new <Post at 0x> "
              "(User::favorite_post_id), but new rows of table 'posts' need keys of new rows of table 'users' too, "
              "and alchemy inserts table by table: flush in two steps, or mark one of these relationships "
              "post_update (relation(&Struct::member, {.post_update = true})) so that its key is written by an "
              "UPDATE after the INSERTs");
    }
    CHECK(db.count("statement") == 0);

    // In two steps: first a and p, then b.
    session.expunge(b);
    session.commit();
    session.add(b);
    session.commit();
    CHECK(db.users() == rows{{"1", "a", "NULL"}, {"2", "b", "1"}});
    CHECK(db.posts() == rows{{"1", "p", "1"}});
}

#if ALCHEMY_HAS_POSTGRESQL
#include <alchemy/postgresql/dialect.hpp>

TEST_CASE("DDL: tables that reference each other, inline on SQLite, by ALTER TABLE on PostgreSQL",
          "[sql][ddl][post_update]") {
    using namespace post_updated;
    const auto schema = alchemy::metadata<User, Post>();
    // SQLite resolves a reference when rows are written: every key inline.
    CHECK(schema.create_statements(alchemy::sqlite_dialect()) ==
          strings{R"(CREATE TABLE IF NOT EXISTS "users" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, )"
                  R"("favorite_post_id" INTEGER, FOREIGN KEY ("favorite_post_id") REFERENCES "posts" ("id")))",
                  R"(CREATE TABLE IF NOT EXISTS "posts" ("id" INTEGER NOT NULL PRIMARY KEY, "title" TEXT NOT NULL, )"
                  R"("user_id" INTEGER, FOREIGN KEY ("user_id") REFERENCES "users" ("id")))"});
    CHECK(schema.drop_statements(alchemy::sqlite_dialect()) ==
          strings{R"(DROP TABLE IF EXISTS "posts")", R"(DROP TABLE IF EXISTS "users")"});
    // PostgreSQL: the key to the table created later is added once it exists
    // (dropped first, so that create_all runs again), and dropped before the tables.
    CHECK(schema.create_statements(alchemy::postgresql_dialect()) ==
          strings{R"(CREATE TABLE IF NOT EXISTS "users" ("id" BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY )"
                  R"(PRIMARY KEY, "name" TEXT NOT NULL, "favorite_post_id" BIGINT))",
                  R"(CREATE TABLE IF NOT EXISTS "posts" ("id" BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY )"
                  R"(PRIMARY KEY, "title" TEXT NOT NULL, "user_id" BIGINT, FOREIGN KEY ("user_id") REFERENCES )"
                  R"("users" ("id")))",
                  R"(ALTER TABLE IF EXISTS "users" DROP CONSTRAINT IF EXISTS "users_favorite_post_id_fkey")",
                  R"(ALTER TABLE "users" ADD CONSTRAINT "users_favorite_post_id_fkey" FOREIGN KEY )"
                  R"(("favorite_post_id") REFERENCES "posts" ("id"))"});
    CHECK(schema.drop_statements(alchemy::postgresql_dialect()) ==
          strings{R"(ALTER TABLE IF EXISTS "users" DROP CONSTRAINT IF EXISTS "users_favorite_post_id_fkey")",
                  R"(DROP TABLE IF EXISTS "posts")", R"(DROP TABLE IF EXISTS "users")"});
}
#endif

TEST_CASE("create_all and drop_all of tables that reference each other, twice", "[backend][post_update]") {
    using namespace post_updated;
    cyclic_db<User, Post> db;  // created once
    const auto schema = alchemy::metadata<User, Post>();
    schema.create_all(db.engine);
    db.run({"INSERT INTO users (id, name) VALUES (1, 'ann')",
            "INSERT INTO posts (id, title, user_id) VALUES (1, 'one', 1)",
            "UPDATE users SET favorite_post_id = 1 WHERE id = 1"});
    CHECK(db.users() == rows{{"1", "ann", "1"}});
    // The key is enforced: no favourite that does not exist.
    auto conn = db.engine.connect();
    CHECK_THROWS_AS(conn.execute("UPDATE users SET favorite_post_id = 7 WHERE id = 1"), alchemy::IntegrityError);
    conn.rollback();
    conn.close();
    schema.drop_all(db.engine);
    schema.drop_all(db.engine);
    CHECK(db.stored(test_backend::dialect() == "postgresql"
                        ? "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                          "AND table_name IN ('users', 'posts')"
                        : "SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'posts')") == rows{{"0"}});
}
