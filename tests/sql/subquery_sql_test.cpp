// Golden SQL for subqueries (FROM / JOIN, IN, correlated EXISTS, scalar),
// aliases for self-joins, and raw SQL.
#include "models/seed_models.hpp"
#include "support/printing.hpp"

#include <catch2/catch.hpp>

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
