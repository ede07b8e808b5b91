// Conditions along relationships (relationship_criteria.hpp): any(), has(),
// contains(), with_parent() and a many-to-one compared with an object. Each
// checks the rows a query returns, the SQL that ran and its parameters, on
// every backend; the golden SQL of both dialects is at the end.
#include "models/relationship_models.hpp"
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#if ALCHEMY_HAS_POSTGRESQL
#include <alchemy/postgresql/dialect.hpp>
#endif

#include <cstdint>
#include <string>
#include <vector>

using namespace rel;
using alchemy::col;
using session_support::strings;

namespace {

// ann wrote posts 1 'hello' and 2 'x', bob post 3 'x', cy nothing; post 4 has
// no user. sam takes math and art, tia art; nobody takes music.
struct criteria_db : session_support::basic_database<User, Post, Student, Course, Enrollment, Node> {
    criteria_db() : basic_database("criteria.db") {
        run({"INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')",
             "INSERT INTO posts (id, title, user_id) VALUES (1, 'hello', 1), (2, 'x', 1), (3, 'x', 2), (4, 'orphan', NULL)",
             "INSERT INTO students (id, name) VALUES (1, 'sam'), (2, 'tia')",
             "INSERT INTO courses (id, name) VALUES (1, 'math'), (2, 'art'), (3, 'music')",
             "INSERT INTO enrollments (student_id, course_id) VALUES (1, 1), (1, 2), (2, 2)"});
    }
};

template <class T>
strings names(const std::vector<alchemy::ptr<T>>& objects) {
    strings out;
    for (const auto& o : objects) out.push_back(std::as_const(o)->name);
    return out;
}
strings titles(const std::vector<alchemy::ptr<Post>>& posts) {
    strings out;
    for (const auto& p : posts) out.push_back(std::as_const(p)->title);
    return out;
}

// The trace line of a statement, written in SQLite's spelling.
std::string stmt(const std::string& sqlite_sql, const std::string& params = "") {
    return session_support::stmt(test_backend::sql(sqlite_sql), params);
}

const std::string users_select = R"(SELECT "users"."id", "users"."name" FROM "users")";
const std::string posts_select = R"(SELECT "posts"."id", "posts"."title", "posts"."user_id" FROM "posts")";

}  // namespace

TEST_CASE("any(): users with a post matching a condition, or with any post, as a correlated EXISTS", "[backend][query][criteria]") {
    criteria_db db;
    auto s = db.session();
    const auto users = [&](const alchemy::predicate& p) { return names(s.query<User>().filter(p).order_by(col(&User::id)).all()); };
    CHECK(users(alchemy::any(&User::posts, col(&Post::title) == "x")) == strings{"ann", "bob"});
    CHECK(db.trace().back() ==
          stmt(users_select + R"( WHERE EXISTS (SELECT 1 FROM "posts" WHERE "users"."id" = "posts"."user_id" AND "posts"."title" = ?) ORDER BY "users"."id")",
               "('x')"));
    CHECK(users(alchemy::any(&User::posts, col(&Post::title) == "hello")) == strings{"ann"});
    CHECK(users(alchemy::any(&User::posts)) == strings{"ann", "bob"});
    CHECK(db.trace().back() ==
          stmt(users_select + R"( WHERE EXISTS (SELECT 1 FROM "posts" WHERE "users"."id" = "posts"."user_id") ORDER BY "users"."id")"));
    // Composed with && || !.
    CHECK(users(!alchemy::any(&User::posts)) == strings{"cy"});
    CHECK(users(alchemy::any(&User::posts, col(&Post::title) == "x") && col(&User::name) != "bob") == strings{"ann"});
    CHECK(users(alchemy::any(&User::posts, col(&Post::title) == "hello") || col(&User::name) == "cy") == strings{"ann", "cy"});
    // In a count() and beside a join, the EXISTS still correlates to users.
    CHECK(s.query<User>().filter(alchemy::any(&User::posts)).count() == 2);
}

TEST_CASE("has(): posts whose user matches a condition, or that have a user", "[backend][query][criteria]") {
    criteria_db db;
    auto s = db.session();
    const auto posts = [&](const alchemy::predicate& p) { return titles(s.query<Post>().filter(p).order_by(col(&Post::id)).all()); };
    CHECK(posts(alchemy::has(&Post::user, col(&User::name) == "ann")) == strings{"hello", "x"});
    CHECK(db.trace().back() ==
          stmt(posts_select + R"( WHERE EXISTS (SELECT 1 FROM "users" WHERE "users"."id" = "posts"."user_id" AND "users"."name" = ?) ORDER BY "posts"."id")",
               "('ann')"));
    CHECK(posts(alchemy::has(&Post::user)) == strings{"hello", "x", "x"});
    CHECK(posts(!alchemy::has(&Post::user)) == strings{"orphan"});
}

TEST_CASE("any() through a many-to-many joins the association table inside the EXISTS", "[backend][query][criteria]") {
    criteria_db db;
    auto s = db.session();
    CHECK(names(s.query<Student>().filter(alchemy::any(&Student::courses, col(&Course::name) == "math")).order_by(col(&Student::id)).all()) ==
          strings{"sam"});
    CHECK(db.trace().back() ==
          stmt(R"(SELECT "students"."id", "students"."name" FROM "students" WHERE EXISTS (SELECT 1 FROM "enrollments", "courses" WHERE "students"."id" = "enrollments"."student_id" AND "courses"."id" = "enrollments"."course_id" AND "courses"."name" = ?) ORDER BY "students"."id")",
               "('math')"));
    CHECK(names(s.query<Course>().filter(alchemy::any(&Course::students)).order_by(col(&Course::id)).all()) == strings{"math", "art"});
    CHECK(names(s.query<Course>().filter(!alchemy::any(&Course::students)).all()) == strings{"music"});
}

TEST_CASE("col(&Post::user) compared with an object, or with nullptr, compares the foreign key", "[backend][query][criteria]") {
    criteria_db db;
    auto s = db.session();
    const auto ann = s.get<User>(1);
    const auto posts = [&](const alchemy::predicate& p) { return titles(s.query<Post>().filter(p).order_by(col(&Post::id)).all()); };
    CHECK(posts(col(&Post::user) == ann) == strings{"hello", "x"});
    CHECK(db.trace().back() == stmt(posts_select + R"( WHERE "posts"."user_id" = ? ORDER BY "posts"."id")", "(1)"));
    // != includes the posts with no user, as SQLAlchemy's.
    CHECK(posts(col(&Post::user) != ann) == strings{"x", "orphan"});
    CHECK(db.trace().back() ==
          stmt(posts_select + R"( WHERE "posts"."user_id" != ? OR "posts"."user_id" IS NULL ORDER BY "posts"."id")", "(1)"));
    CHECK(posts(col(&Post::user) == nullptr) == strings{"orphan"});
    CHECK(posts(col(&Post::user) != nullptr) == strings{"hello", "x", "x"});
    CHECK(posts(col(&Post::user) == ann && col(&Post::title) == "x") == strings{"x"});
}

TEST_CASE("contains(): the users whose posts hold a post, the students whose courses hold a course", "[backend][query][criteria]") {
    criteria_db db;
    auto s = db.session();
    CHECK(names(s.query<User>().filter(alchemy::contains(&User::posts, s.get<Post>(3))).all()) == strings{"bob"});
    CHECK(db.trace().back() == stmt(users_select + R"( WHERE "users"."id" = ?)", "(2)"));  // post 3's user_id
    const auto art = s.get<Course>(2);
    CHECK(names(s.query<Student>().filter(alchemy::contains(&Student::courses, art)).order_by(col(&Student::id)).all()) ==
          strings{"sam", "tia"});
    CHECK(db.trace().back() ==
          stmt(R"(SELECT "students"."id", "students"."name" FROM "students" WHERE EXISTS (SELECT 1 FROM "enrollments" WHERE "students"."id" = "enrollments"."student_id" AND "enrollments"."course_id" = ?) ORDER BY "students"."id")",
               "(2)"));
    CHECK(names(s.query<Course>().filter(alchemy::contains(&Course::students, s.get<Student>(2))).all()) == strings{"art"});
    CHECK(s.query<User>().filter(alchemy::contains(&User::posts, s.get<Post>(4))).all().empty());  // no user: = NULL matches nothing
}

TEST_CASE("with_parent(): the objects a parent's relationship holds or refers to", "[backend][query][criteria]") {
    criteria_db db;
    auto s = db.session();
    const auto ann = s.get<User>(1);
    CHECK(titles(s.query<Post>().filter(alchemy::with_parent(ann, &User::posts)).order_by(col(&Post::id)).all()) == strings{"hello", "x"});
    CHECK(db.trace().back() == stmt(posts_select + R"( WHERE "posts"."user_id" = ? ORDER BY "posts"."id")", "(1)"));
    CHECK(names(s.query<User>().filter(alchemy::with_parent(s.get<Post>(3), &Post::user)).all()) == strings{"bob"});
    CHECK(names(s.query<Course>().filter(alchemy::with_parent(s.get<Student>(1), &Student::courses)).order_by(col(&Course::id)).all()) ==
          strings{"math", "art"});
    CHECK(db.trace().back() ==
          stmt(R"(SELECT "courses"."id", "courses"."name" FROM "courses" WHERE EXISTS (SELECT 1 FROM "enrollments" WHERE "courses"."id" = "enrollments"."course_id" AND "enrollments"."student_id" = ?) ORDER BY "courses"."id")",
               "(1)"));
    // Composes like any condition.
    CHECK(titles(s.query<Post>().filter(alchemy::with_parent(ann, &User::posts) && col(&Post::title) == "x").all()) == strings{"x"});
}

TEST_CASE("an object's key is read when the query runs, after its autoflush", "[backend][query][criteria]") {
    criteria_db db;
    auto s = db.session();
    auto dee = s.add(User{.name = "dee"});
    auto post = alchemy::make(Post{.title = "new"});
    dee->posts.append(post);
    // Both are pending: the condition is built before any key exists.
    const auto by_dee = alchemy::with_parent(dee, &User::posts);
    const auto of_dee = col(&Post::user) == dee;
    db.clear();
    CHECK(titles(s.query<Post>().filter(by_dee).all()) == strings{"new"});
    const auto trace = db.trace();
    REQUIRE(trace.size() == 4);  // BEGIN, the two INSERTs of the autoflush, the query with dee's new key
    CHECK(trace[1].starts_with("statement " + test_backend::sql(R"(INSERT INTO "users" ("name") VALUES (?))")));
    CHECK(trace[3] == stmt(posts_select + R"( WHERE "posts"."user_id" = ?)", "(" + std::to_string(dee->id) + ")"));
    CHECK(titles(s.query<Post>().filter(of_dee).all()) == strings{"new"});
    CHECK(names(s.query<User>().filter(alchemy::contains(&User::posts, post)).all()) == strings{"dee"});
}

TEST_CASE("criteria with objects that have no row raise clear errors", "[backend][query][criteria][errors]") {
    criteria_db db;
    auto s = db.session();
    const auto stranger = alchemy::make(User{.name = "stranger"});  // transient: never added
    CHECK_THROWS_WITH(s.query<Post>().filter(col(&Post::user) == stranger).all(),
                      Catch::Contains("alchemy: Post::user compares with") && Catch::Contains("which has no row yet (transient)"));
    CHECK_THROWS_WITH(s.query<Post>().filter(alchemy::with_parent(stranger, &User::posts)).all(),
                      Catch::Contains("with_parent(..., &User::posts)") && Catch::Contains("has no row yet"));
    CHECK_THROWS_AS(s.query<User>().filter(alchemy::contains(&User::posts, alchemy::ptr<Post>())), alchemy::ArgumentError);

    // Pending, with autoflush off: still no key when the query runs.
    auto manual = db.session({.autoflush = false});
    auto pending = manual.add(User{.name = "pending"});
    CHECK_THROWS_WITH(manual.query<Post>().filter(col(&Post::user) == pending).all(), Catch::Contains("has no row yet (pending)"));
}

TEST_CASE("any() and has() along a relationship of a table to itself read the related rows under an alias", "[backend][query][criteria]") {
    criteria_db db;
    // root(1) -> a(2) -> a1(4); root -> b(3)
    db.run({"INSERT INTO nodes (id, name, parent_id) VALUES (1, 'root', NULL), (2, 'a', 1), (3, 'b', 1), (4, 'a1', 2)"});
    auto s = db.session();
    const auto nodes = [&](const alchemy::predicate& p) { return names(s.query<Node>().filter(p).order_by(col(&Node::id)).all()); };
    const std::string nodes_select = R"(SELECT "nodes"."id", "nodes"."name", "nodes"."parent_id" FROM "nodes")";
    // The condition names the child: the nodes with a child called a1.
    CHECK(nodes(alchemy::any(&Node::children, col(&Node::name) == "a1")) == strings{"a"});
    CHECK(db.trace().back() ==
          stmt(nodes_select + R"( WHERE EXISTS (SELECT 1 FROM "nodes" AS "nodes_1" WHERE "nodes"."id" = "nodes_1"."parent_id" AND "nodes_1"."name" = ?) ORDER BY "nodes"."id")",
               "('a1')"));
    CHECK(nodes(alchemy::any(&Node::children)) == strings{"root", "a"});
    CHECK(nodes(!alchemy::any(&Node::children)) == strings{"b", "a1"});  // the leaves
    // ... and has() the parent: the children of root, every node with a parent.
    CHECK(nodes(alchemy::has(&Node::parent, col(&Node::name) == "root")) == strings{"a", "b"});
    CHECK(db.trace().back() ==
          stmt(nodes_select + R"( WHERE EXISTS (SELECT 1 FROM "nodes" AS "nodes_1" WHERE "nodes_1"."id" = "nodes"."parent_id" AND "nodes_1"."name" = ?) ORDER BY "nodes"."id")",
               "('root')"));
    CHECK(nodes(alchemy::has(&Node::parent)) == strings{"a", "b", "a1"});
    // Beside a condition on the outer row.
    CHECK(nodes(alchemy::has(&Node::parent, col(&Node::parent_id) == nullptr) && col(&Node::name) != "a") == strings{"b"});
    // One inside another would read both under one alias: refused.
    CHECK_THROWS_WITH(alchemy::any(&Node::children, alchemy::any(&Node::children)),
                      "alchemy: any() along a relationship of table 'nodes' to itself, inside another one: both would read "
                      "the related rows as \"nodes_1\"; write the inner condition with an alchemy::aliased<Node> and a "
                      "subquery instead");
    CHECK_THROWS_AS(alchemy::has(&Node::parent, !alchemy::has(&Node::parent)), alchemy::ArgumentError);
}

// ---- golden SQL, both dialects ------------------------------------------------------------

TEST_CASE("relationship criteria render the same SQL as SQLAlchemy's, in each dialect", "[sql][criteria]") {
    const alchemy::sqlite_dialect sqlite;
    const auto q = alchemy::select<User>().filter(alchemy::any(&User::posts, col(&Post::title) == "x") ||
                                                  !alchemy::any(&User::posts));
    CHECK(alchemy::compile(q, sqlite).sql ==
          users_select + R"( WHERE EXISTS (SELECT 1 FROM "posts" WHERE "users"."id" = "posts"."user_id" AND "posts"."title" = ?) OR NOT (EXISTS (SELECT 1 FROM "posts" WHERE "users"."id" = "posts"."user_id")))");
#if ALCHEMY_HAS_POSTGRESQL
    const alchemy::postgresql_dialect postgresql;
    const auto compiled = alchemy::compile(alchemy::select<Post>().filter(alchemy::has(&Post::user, col(&User::name) == "a") &&
                                                                          col(&Post::title) == "t"),
                                           postgresql);
    CHECK(compiled.sql ==
          posts_select + R"( WHERE EXISTS (SELECT 1 FROM "users" WHERE "users"."id" = "posts"."user_id" AND "users"."name" = $1) AND "posts"."title" = $2)");
    CHECK(compiled.params == std::vector<alchemy::value>{std::string("a"), std::string("t")});
#endif
}
