// Aliases over subqueries and common table expressions: objects selected
// from a subquery through the identity map, typed subquery columns, a CTE
// joined like a table, and a recursive CTE that walks a tree to any depth in
// one statement, on every backend. Each test checks the rows (and objects),
// and the SQL that ran.
#include "models/relationship_models.hpp"
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <alchemy/alchemy.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

using alchemy::col;
namespace func = alchemy::func;
using namespace rel;
using session_support::strings;

namespace {

struct tree_db : session_support::basic_database<User, Post, Node> {
    tree_db() : basic_database("cte.db") {
        // root(1) -> a(2) -> a1(4) -> a1x(6) -> a1xy(7)
        //         -> b(3) -> b1(5)
        // other(8), a second root
        run({"INSERT INTO nodes (id, name, parent_id) VALUES (1, 'root', NULL), (2, 'a', 1), (3, 'b', 1), "
             "(4, 'a1', 2), (5, 'b1', 3), (6, 'a1x', 4), (7, 'a1xy', 6), (8, 'other', NULL)",
             "INSERT INTO users (id, name) VALUES (1, 'Alice'), (2, 'Bob'), (3, 'Carol')",
             "INSERT INTO posts (id, title, user_id) VALUES (1, 'p1', 1), (2, 'p2', 1), (3, 'p3', 2)"});
    }
};

std::vector<std::string> names_of(const std::vector<alchemy::ptr<Node>>& nodes) {
    std::vector<std::string> out;
    for (const auto& n : nodes) out.push_back(n->name);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("a recursive CTE walks a tree to any depth in one statement", "[backend][query][cte]") {
    tree_db db;
    auto s = db.session();
    const auto subtree_of = [&](const std::string& top) {
        auto tree = s.query<Node>().filter(col(&Node::name) == top).cte("tree");
        tree = tree.union_all(s.query<Node>().join(tree, col(&Node::parent_id) == tree.c(&Node::id)));
        return alchemy::aliased<Node>(tree);
    };
    auto under_a = subtree_of("a");
    db.log.clear();
    const auto found = s.query(under_a).all();
    CHECK(names_of(found) == strings{"a", "a1", "a1x", "a1xy"});
    CHECK(db.sql() ==
          strings{"BEGIN",
                  test_backend::sql(R"(WITH RECURSIVE "tree" AS (SELECT "nodes"."id", "nodes"."name", "nodes"."parent_id" FROM "nodes" )"
                            R"(WHERE "nodes"."name" = ? UNION ALL SELECT "nodes"."id", "nodes"."name", "nodes"."parent_id" )"
                            R"(FROM "nodes" JOIN "tree" ON "nodes"."parent_id" = "tree"."id") SELECT "tree"."id", "tree"."name", )"
                            R"("tree"."parent_id" FROM "tree")")});
    // The objects are the session's: the same ptr as a get(), relationships load lazily.
    const auto a1 = std::find_if(found.begin(), found.end(), [](const auto& n) { return n->name == "a1"; });
    REQUIRE(a1 != found.end());
    CHECK(s.get<Node>(4) == *a1);
    CHECK((*a1)->parent->name == "a");
    // Filtered and ordered by the alias's columns, counted; the whole tree from the root.
    CHECK(names_of(s.query(under_a).filter(under_a.c(&Node::name).startswith("a1")).all()) == strings{"a1", "a1x", "a1xy"});
    auto everything = subtree_of("root");
    CHECK(s.query(everything).count() == 7);
    const auto ordered = s.query(everything).order_by(under_a.c(&Node::id).desc()).limit(2).all();
    REQUIRE(ordered.size() == 2);
    CHECK(ordered[0]->id == 7);
    CHECK(ordered[1]->id == 6);
    CHECK(s.query(subtree_of("b1")).count() == 1);
    CHECK(s.query(subtree_of("nothing")).all().empty());
}

TEST_CASE("a recursive CTE of values: each node's depth", "[backend][query][cte]") {
    tree_db db;
    auto s = db.session();
    auto anchor = s.query(col(&Node::id), alchemy::cast<std::int64_t>(col(&Node::id) * 0).label("depth"))
                      .filter(col(&Node::parent_id) == nullptr);
    auto depths = anchor.cte("depths");
    depths = depths.union_all(s.query(col(&Node::id), (depths.c<std::int64_t>("depth") + 1).label("depth"))
                                  .join(depths, col(&Node::parent_id) == depths.c(&Node::id)));
    using row = std::tuple<std::string, std::int64_t>;
    const auto rows = s.query(col(&Node::name), depths.c<std::int64_t>("depth"))
                          .join(depths, depths.c(&Node::id) == col(&Node::id))
                          .order_by(col(&Node::id))
                          .all();
    CHECK(rows == std::vector<row>{{"root", 0}, {"a", 1}, {"b", 1}, {"a1", 2}, {"b1", 2}, {"a1x", 3}, {"a1xy", 4}, {"other", 0}});
    CHECK(db.sql().back().starts_with(R"(WITH RECURSIVE "depths" AS (SELECT "nodes"."id", CAST("nodes"."id" * )"));
    CHECK(db.sql().back().ends_with(R"( FROM "nodes" JOIN "depths" ON "depths"."id" = "nodes"."id" ORDER BY "nodes"."id")"));
}

TEST_CASE("aliased<T> of a subquery: objects through the identity map", "[backend][query][cte]") {
    tree_db db;
    auto s = db.session();
    auto alice = s.get<User>(1);
    alice->name = "Alicia";  // unflushed: autoflush writes it before the query
    auto with_posts = s.query<User>().filter(col(&User::id).in_(s.query(col(&Post::user_id)))).subquery("writers");
    alchemy::aliased<User> writers(with_posts);
    db.log.clear();
    const auto found = s.query(writers).order_by(writers.c(&User::name)).all();
    REQUIRE(found.size() == 2);
    CHECK(found[0] == alice);  // the session's object
    CHECK(found[0]->name == "Alicia");
    CHECK(found[1]->name == "Bob");
    CHECK(db.sql().back() ==
          test_backend::sql(R"(SELECT "writers"."id", "writers"."name" FROM (SELECT "users"."id", "users"."name" FROM "users" )"
                            R"(WHERE "users"."id" IN (SELECT "posts"."user_id" FROM "posts")) AS "writers" ORDER BY "writers"."name")"));
    // Lazy loads of its objects' relationships work as for any query's.
    CHECK(found[1]->posts.size() == 1);
    // A CTE reads the same way; and an aliased entity is refused by bulk DML.
    alchemy::aliased<User> named(s.query<User>().filter(col(&User::name) >= "B").cte("named"));
    CHECK(s.query(named).count() == 2);
    CHECK_THROWS_WITH(s.query(named).delete_(),
                      "alchemy: delete_() of User: the query has an aliased entity, which a bulk UPDATE or DELETE cannot "
                      "have; filter() is all it takes");
}

TEST_CASE("typed subquery columns, and a CTE joined like a table", "[backend][query][cte]") {
    tree_db db;
    auto s = db.session();
    const auto n = func::count(col(&Post::id)).label("n");
    auto counts = s.query(col(&Post::user_id), n).group_by(col(&Post::user_id)).cte("counts");
    using row = std::tuple<std::string, std::int64_t>;
    const auto rows = s.query(col(&User::name), counts.c(n))
                          .join(counts, counts.c(&Post::user_id) == col(&User::id))
                          .order_by(col(&User::id))
                          .all();
    CHECK(rows == std::vector<row>{{"Alice", 2}, {"Bob", 1}});
    CHECK(db.sql().back().starts_with(
        test_backend::sql(R"(WITH "counts" AS (SELECT "posts"."user_id", count("posts"."id") AS "n" FROM "posts" GROUP BY )"
                          R"("posts"."user_id") SELECT "users"."name", "counts"."n" FROM "users" JOIN "counts" ON)")));
    // The same as a subquery, and the CTE read by an entity query.
    auto sub = s.query(col(&Post::user_id), n).group_by(col(&Post::user_id)).subquery("sub");
    CHECK(s.query(col(&User::name), sub.c(n)).join(sub, sub.c(&Post::user_id) == col(&User::id)).order_by(col(&User::id)).all() ==
          rows);
    const auto prolific = s.query<User>().join(counts, counts.c(&Post::user_id) == col(&User::id)).filter(counts.c(n) > 1).all();
    REQUIRE(prolific.size() == 1);
    CHECK(prolific.front()->name == "Alice");
    // A CTE in both parts of a set operation goes once in the statement's WITH clause.
    auto ids = s.query(counts.c(&Post::user_id)).select_from(counts).filter(counts.c(n) > 1)
                   .union_(s.query(counts.c(&Post::user_id)).select_from(counts).filter(counts.c(n) == 1));
    CHECK(ids.order_by(counts.c(&Post::user_id)).all() == std::vector<std::optional<std::int64_t>>{1, 2});
    CHECK(db.sql().back().starts_with(R"(WITH "counts" AS ()"));
    CHECK(db.sql().back().find("WITH", 1) == std::string::npos);
}
