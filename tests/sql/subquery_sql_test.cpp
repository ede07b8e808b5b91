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
}  // namespace

TEST_CASE("a subquery in a join, its columns by name or label", "[sql][subquery]") {
    alchemy::session s(alchemy::create_engine("sqlite://"));
    auto counts = s.query(col(&Post::user_id), func::count(col(&Post::id)).label("cnt"))
                      .group_by(col(&Post::user_id))
                      .subquery("counts");
    const auto q = s.query<User>()
                       .join(counts, counts.c<std::int64_t>("user_id") == col(&User::id))
                       .filter(counts.c<std::int64_t>("cnt") > 1)
                       .compile();
    CHECK(q.sql == R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" JOIN (SELECT "posts"."user_id", )"
                   R"(count("posts"."id") AS "cnt" FROM "posts" GROUP BY "posts"."user_id") AS "counts" ON )"
                   R"("counts"."user_id" = "users"."id" WHERE "counts"."cnt" > ?)");
    CHECK(q.params == std::vector<alchemy::value>{std::int64_t{1}});
    REQUIRE_THROWS_WITH(counts.c<int>("nope"), Catch::Contains("subquery 'counts' has no column named 'nope'"));
    CHECK(s.query(counts.c<std::int64_t>("cnt")).select_from(counts).sql() ==
          R"(SELECT "counts"."cnt" FROM (SELECT "posts"."user_id", count("posts"."id") AS "cnt" FROM "posts" GROUP BY )"
          R"("posts"."user_id") AS "counts")");
}

TEST_CASE("IN (SELECT ...), correlated EXISTS and scalar subqueries", "[sql][subquery]") {
    alchemy::session s(alchemy::create_engine("sqlite://"));
    const auto in = s.query<User>().filter(col(&User::id).in_(s.query(col(&Post::user_id)).filter(col(&Post::title) == "x"))).compile();
    CHECK(in.sql == R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" WHERE "users"."id" IN )"
                    R"((SELECT "posts"."user_id" FROM "posts" WHERE "posts"."title" = ?))");
    CHECK(in.params == std::vector<alchemy::value>{std::string("x")});
    // The inner query names users but leaves it out of its FROM: it correlates.
    CHECK(s.query<User>().filter(alchemy::exists(s.query(col(&Post::id)).filter(col(&Post::user_id) == col(&User::id)))).sql() ==
          R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" WHERE EXISTS (SELECT "posts"."id" FROM "posts" )"
          R"(WHERE "posts"."user_id" = "users"."id"))");
    CHECK(s.query<User>().filter(!alchemy::exists(s.query(col(&Post::id)).filter(col(&Post::user_id) == col(&User::id)))).sql().ends_with(
        R"(WHERE NOT (EXISTS (SELECT "posts"."id" FROM "posts" WHERE "posts"."user_id" = "users"."id")))"));
    const auto n = s.query(func::count(col(&Post::id))).filter(col(&Post::user_id) == col(&User::id)).scalar_subquery();
    CHECK(s.query(col(&User::name), n.label("n")).sql() ==
          R"(SELECT "users"."name", (SELECT count("posts"."id") FROM "posts" WHERE "posts"."user_id" = "users"."id") AS "n" FROM "users")");
    CHECK(s.query<User>().filter(n > 1).sql().ends_with(
        R"(WHERE (SELECT count("posts"."id") FROM "posts" WHERE "posts"."user_id" = "users"."id") > ?)"));
}

TEST_CASE("an aliased table joins a table to itself", "[sql][alias]") {
    alchemy::session s(alchemy::create_engine("sqlite://"));
    alchemy::aliased<Node> parent("parent");
    CHECK(s.query<Node>().join(parent, col(&Node::parent_id) == parent.c(&Node::id)).filter(parent.c(&Node::name) == "root").sql() ==
          R"(SELECT "nodes"."id", "nodes"."name", "nodes"."parent_id" FROM "nodes" JOIN "nodes" AS "parent" ON )"
          R"("nodes"."parent_id" = "parent"."id" WHERE "parent"."name" = ?)");
}
