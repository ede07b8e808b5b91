// Golden SQL for subqueries (FROM / JOIN, IN, correlated EXISTS, scalar),
// aliases for self-joins, and raw SQL.
#include "models/seed_models.hpp"
#include "support/printing.hpp"

#include <catch2/catch.hpp>

#if ALCHEMY_HAS_POSTGRESQL
#include <alchemy/postgresql/dialect.hpp>
#endif

using alchemy::col;
namespace func = alchemy::func;
using plain::Post;
using plain::User;

namespace {
struct Node {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::int64_t> parent_id{};
};
constexpr auto alchemy_table(Node*) { return alchemy::table("nodes", alchemy::foreign_key(&Node::parent_id, &Node::id)); }

// No engine: each query is built by alchemy::select and compiled through the dialect.
const alchemy::sqlite_dialect sqlite;
}  // namespace

TEST_CASE("a subquery in a join, its columns by name or label", "[sql][subquery]") {
    auto counts = alchemy::select(col(&Post::user_id), func::count(col(&Post::id)).label("cnt"))
                      .group_by(col(&Post::user_id))
                      .subquery("counts");
    const auto q = alchemy::compile(alchemy::select<User>()
                                        .join(counts, counts.c<std::int64_t>("user_id") == col(&User::id))
                                        .filter(counts.c<std::int64_t>("cnt") > 1),
                                    sqlite);
    CHECK(q.sql == R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" JOIN (SELECT "posts"."user_id", )"
                   R"(count("posts"."id") AS "cnt" FROM "posts" GROUP BY "posts"."user_id") AS "counts" ON )"
                   R"("counts"."user_id" = "users"."id" WHERE "counts"."cnt" > ?)");
    CHECK(q.params == std::vector<alchemy::value>{std::int64_t{1}});
    REQUIRE_THROWS_WITH(counts.c<int>("nope"), Catch::Contains("subquery 'counts' has no column named 'nope'"));
    CHECK(alchemy::compile(alchemy::select(counts.c<std::int64_t>("cnt")).select_from(counts), sqlite).sql ==
          R"(SELECT "counts"."cnt" FROM (SELECT "posts"."user_id", count("posts"."id") AS "cnt" FROM "posts" GROUP BY )"
          R"("posts"."user_id") AS "counts")");
}

TEST_CASE("IN (SELECT ...), correlated EXISTS and scalar subqueries", "[sql][subquery]") {
    const auto posts_titled_x = alchemy::select(col(&Post::user_id)).filter(col(&Post::title) == "x");
    const auto in = alchemy::compile(alchemy::select<User>().filter(col(&User::id).in_(posts_titled_x)), sqlite);
    CHECK(in.sql == R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" WHERE "users"."id" IN )"
                    R"((SELECT "posts"."user_id" FROM "posts" WHERE "posts"."title" = ?))");
    CHECK(in.params == std::vector<alchemy::value>{std::string("x")});
    // The inner query names users but leaves it out of its FROM: it correlates.
    const auto posts_of_user = alchemy::select(col(&Post::id)).filter(col(&Post::user_id) == col(&User::id));
    CHECK(alchemy::compile(alchemy::select<User>().filter(alchemy::exists(posts_of_user)), sqlite).sql ==
          R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" WHERE EXISTS (SELECT "posts"."id" FROM "posts" )"
          R"(WHERE "posts"."user_id" = "users"."id"))");
    CHECK(alchemy::compile(alchemy::select<User>().filter(!alchemy::exists(posts_of_user)), sqlite).sql.ends_with(
        R"(WHERE NOT (EXISTS (SELECT "posts"."id" FROM "posts" WHERE "posts"."user_id" = "users"."id")))"));
    const auto n = alchemy::select(func::count(col(&Post::id))).filter(col(&Post::user_id) == col(&User::id)).scalar_subquery();
    CHECK(alchemy::compile(alchemy::select(col(&User::name), n.label("n")), sqlite).sql ==
          R"(SELECT "users"."name", (SELECT count("posts"."id") FROM "posts" WHERE "posts"."user_id" = "users"."id") AS "n" FROM "users")");
    CHECK(alchemy::compile(alchemy::select<User>().filter(n > 1), sqlite).sql.ends_with(
        R"(WHERE (SELECT count("posts"."id") FROM "posts" WHERE "posts"."user_id" = "users"."id") > ?)"));
}

TEST_CASE("an aliased table joins a table to itself", "[sql][alias]") {
    alchemy::aliased<Node> parent("parent");
    const auto q = alchemy::select<Node>()
                       .join(parent, col(&Node::parent_id) == parent.c(&Node::id))
                       .filter(parent.c(&Node::name) == "root");
    CHECK(alchemy::compile(q, sqlite).sql ==
          R"(SELECT "nodes"."id", "nodes"."name", "nodes"."parent_id" FROM "nodes" JOIN "nodes" AS "parent" ON )"
          R"("nodes"."parent_id" = "parent"."id" WHERE "parent"."name" = ?)");
}

TEST_CASE("a subquery's columns typed by member or by labelled expression", "[sql][subquery]") {
    const auto n = func::count(col(&Post::id)).label("n");
    auto counts = alchemy::select(col(&Post::user_id), n).group_by(col(&Post::user_id)).subquery("counts");
    auto user_id = counts.c(&Post::user_id);
    auto how_many = counts.c(n);
    static_assert(std::is_same_v<decltype(user_id), alchemy::expression<std::optional<std::int64_t>>>);
    static_assert(std::is_same_v<decltype(how_many), alchemy::expression<std::int64_t>>);
    const auto q = alchemy::select(col(&User::name), how_many).join(counts, user_id == col(&User::id)).filter(how_many > 1);
    CHECK(alchemy::compile(q, sqlite).sql ==
          R"(SELECT "users"."name", "counts"."n" FROM "users" JOIN (SELECT "posts"."user_id", count("posts"."id") AS "n" )"
          R"(FROM "posts" GROUP BY "posts"."user_id") AS "counts" ON "counts"."user_id" = "users"."id" WHERE "counts"."n" > ?)");
    // A labelled column is read under its label.
    auto renamed = alchemy::select(col(&Post::user_id).label("author")).subquery("r");
    CHECK(alchemy::compile(alchemy::select(renamed.c(&Post::user_id)).select_from(renamed), sqlite).sql ==
          R"(SELECT "r"."author" FROM (SELECT "posts"."user_id" AS "author" FROM "posts") AS "r")");
    REQUIRE_THROWS_WITH(counts.c(&Post::title),
                        "alchemy: subquery 'counts' does not select Post::title (column 'title')");
    REQUIRE_THROWS_WITH(counts.c(func::count(col(&Post::id))),
                        Catch::StartsWith("alchemy: subquery 'counts': c(expression) takes an expression labelled"));
    REQUIRE_THROWS_WITH(counts.c(func::count(col(&Post::id)).label("m")),
                        "alchemy: subquery 'counts' has no column named 'm'");
}

TEST_CASE("aliased<T> of a subquery selects objects from it", "[sql][subquery][alias]") {
    alchemy::aliased<User> named_a(alchemy::select<User>().filter(col(&User::name).startswith("A")).subquery("named_a"));
    const auto q = alchemy::select(named_a).filter(named_a.c(&User::id) > 1).order_by(named_a.c(&User::name));
    CHECK(alchemy::compile(q, sqlite).sql ==
          R"(SELECT "named_a"."id", "named_a"."name", "named_a"."email" FROM (SELECT "users"."id", "users"."name", )"
          R"("users"."email" FROM "users" WHERE "users"."name" LIKE ? ESCAPE '/') AS "named_a" WHERE "named_a"."id" > ? )"
          R"(ORDER BY "named_a"."name")");
    CHECK(alchemy::compile(q, sqlite).params == std::vector<alchemy::value>{std::string("A%"), std::int64_t{1}});
    // Joined to the posts of those users, and as the joined side.
    const auto posts = alchemy::select<Post>().join(named_a, named_a.c(&User::id) == col(&Post::user_id));
    CHECK(alchemy::compile(posts, sqlite).sql.ends_with(
        R"(FROM "posts" JOIN (SELECT "users"."id", "users"."name", "users"."email" FROM "users" WHERE "users"."name" LIKE ? )"
        R"(ESCAPE '/') AS "named_a" ON "named_a"."id" = "posts"."user_id")"));
    // An alias of the table itself, selected.
    alchemy::aliased<Node> parent("parent");
    CHECK(alchemy::compile(alchemy::select(parent).filter(parent.c(&Node::parent_id) == nullptr), sqlite).sql ==
          R"(SELECT "parent"."id", "parent"."name", "parent"."parent_id" FROM "nodes" AS "parent" WHERE "parent"."parent_id" IS NULL)");
    // The subquery must hold each of the entity's columns, by name.
    REQUIRE_THROWS_WITH(alchemy::aliased<User>(alchemy::select(col(&User::id), col(&User::name)).subquery("partial")),
                        "alchemy: aliased<User>(subquery 'partial'): the subquery has no column named 'email' "
                        "(User::email); an aliased entity reads each of its columns from the subquery column of "
                        "the same name");
}

TEST_CASE("a CTE is read by name under WITH, and WITH RECURSIVE walks a tree", "[sql][cte]") {
    auto counts = alchemy::select(col(&Post::user_id), func::count(col(&Post::id)).label("n"))
                      .group_by(col(&Post::user_id))
                      .cte("counts");
    const auto q = alchemy::select<User>().join(counts, counts.c(&Post::user_id) == col(&User::id)).filter(counts.c<std::int64_t>("n") > 1);
    CHECK(alchemy::compile(q, sqlite).sql ==
          R"(WITH "counts" AS (SELECT "posts"."user_id", count("posts"."id") AS "n" FROM "posts" GROUP BY "posts"."user_id") )"
          R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" JOIN "counts" ON "counts"."user_id" = "users"."id" )"
          R"(WHERE "counts"."n" > ?)");

    // The anchor, then the children of the rows so far; parameters in text order.
    auto tree = alchemy::select<Node>().filter(col(&Node::name) == "root").cte("tree");
    tree = tree.union_all(alchemy::select<Node>().join(tree, col(&Node::parent_id) == tree.c(&Node::id))
                              .filter(col(&Node::name) != "skip"));
    alchemy::aliased<Node> walked(tree);
    const auto all = alchemy::select(walked).filter(walked.c(&Node::id) > 0);
    const auto lite = alchemy::compile(all, sqlite);
    CHECK(lite.sql ==
          R"(WITH RECURSIVE "tree" AS (SELECT "nodes"."id", "nodes"."name", "nodes"."parent_id" FROM "nodes" WHERE "nodes"."name" = ? )"
          R"(UNION ALL SELECT "nodes"."id", "nodes"."name", "nodes"."parent_id" FROM "nodes" JOIN "tree" ON "nodes"."parent_id" = "tree"."id" )"
          R"(WHERE "nodes"."name" != ?) SELECT "tree"."id", "tree"."name", "tree"."parent_id" FROM "tree" WHERE "tree"."id" > ?)");
    CHECK(lite.params == std::vector<alchemy::value>{std::string("root"), std::string("skip"), std::int64_t{0}});
#if ALCHEMY_HAS_POSTGRESQL
    // PostgreSQL numbers its parameters in the order the text shows them.
    const auto pg = alchemy::compile(all, alchemy::postgresql_dialect());
    CHECK(pg.sql.starts_with(R"(WITH RECURSIVE "tree" AS (SELECT "nodes"."id", "nodes"."name", "nodes"."parent_id" FROM "nodes" WHERE "nodes"."name" = $1 )"));
    CHECK(pg.sql.ends_with(R"(WHERE "nodes"."name" != $2) SELECT "tree"."id", "tree"."name", "tree"."parent_id" FROM "tree" WHERE "tree"."id" > $3)"));
    CHECK(pg.params == lite.params);
#endif

    // A CTE read by another CTE goes first in the one WITH clause.
    auto big = alchemy::select(counts.c(&Post::user_id)).select_from(counts).filter(counts.c<std::int64_t>("n") > 1).cte("big");
    CHECK(alchemy::compile(alchemy::select(big.c(&Post::user_id)).select_from(big), sqlite).sql ==
          R"(WITH "counts" AS (SELECT "posts"."user_id", count("posts"."id") AS "n" FROM "posts" GROUP BY "posts"."user_id"), )"
          R"("big" AS (SELECT "counts"."user_id" FROM "counts" WHERE "counts"."n" > ?) SELECT "big"."user_id" FROM "big")");
}

TEST_CASE("CTE mistakes are ArgumentErrors", "[sql][cte]") {
    auto a = alchemy::select(col(&Post::user_id)).cte("a");
    auto other_a = alchemy::select(col(&User::id)).cte("a");
    REQUIRE_THROWS_WITH(alchemy::select(a.c(&Post::user_id)).select_from(a).select_from(other_a),
                        "alchemy: two different common table expressions named 'a' in one statement; give them "
                        "distinct names");
    REQUIRE_THROWS_WITH(a.union_all(alchemy::select(col(&User::id), col(&User::name))),
                        "alchemy: cte 'a'.union_all(): the CTE selects 1 columns and the query 2");
    REQUIRE_THROWS_WITH(a.union_(alchemy::select(col(&User::id)).order_by(col(&User::id))),
                        Catch::StartsWith("alchemy: cte 'a'.union_(): the query has order_by()"));
    REQUIRE_THROWS_WITH(alchemy::select(col(&User::id)).cte(""), "alchemy: cte() needs a name");
}
