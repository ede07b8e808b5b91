// Set operations of queries (union_, union_all, intersect, except_): the
// rows, their order and limit over the combined rows, entity queries through
// the identity map, and the SQL that ran, on every backend.
#include "models/seed_models.hpp"
#include "support/backend.hpp"
#include "support/printing.hpp"
#include "support/seeded_queries.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

using alchemy::col;
using plain::Post;
using plain::User;
using strings = std::vector<std::string>;

namespace {

struct seeded : test_support::seeded_queries {
    seeded() : seeded_queries("set_operations.db") {}
};

}  // namespace

TEST_CASE("union_, union_all, intersect and except_ of value queries", "[backend][query][set]") {
    seeded db;
    auto& s = db.session;
    const auto titles_of = [&](std::int64_t user) { return s.query(col(&Post::title)).filter(col(&Post::user_id) == user); };
    auto both = titles_of(1).union_(titles_of(2)).order_by(col(&Post::title));
    CHECK(both.all() == strings{"50% off", "Hello"});  // 'Hello' once
    CHECK(db.log.sql().back() ==
          test_backend::sql(R"(SELECT "posts"."title" FROM "posts" WHERE "posts"."user_id" = ? UNION SELECT "posts"."title" FROM "posts" WHERE "posts"."user_id" = ? ORDER BY "title")"));
    CHECK(titles_of(1).union_all(titles_of(2)).order_by(col(&Post::title)).all() == strings{"50% off", "Hello", "Hello"});
    CHECK(titles_of(1).intersect(titles_of(2)).all() == strings{"Hello"});
    CHECK(titles_of(1).except_(titles_of(2)).all() == strings{"50% off"});
    // Three at once, then sorted and cut as one result.
    auto three = titles_of(1).union_(titles_of(2)).union_(s.query(col(&User::name)).filter(col(&User::id) == 3));
    CHECK(three.order_by(col(&Post::title).desc()).limit(2).all() == strings{"Hello", "Carol"});
    CHECK(three.count() == 3);
}

TEST_CASE("a set operation's column is optional where either query's is", "[backend][query][set]") {
    seeded db;
    auto& s = db.session;
    auto q = s.query(col(&User::name), col(&User::id)).filter(col(&User::id) == 1)
                 .union_(s.query(col(&User::email), col(&User::id)).filter(col(&User::id) == 2));
    static_assert(std::is_same_v<decltype(q)::row_type, std::tuple<std::optional<std::string>, std::int64_t>>);
    using row = decltype(q)::row_type;
    CHECK(q.order_by(col(&User::id)).all() == std::vector<row>{{"Alice", 1}, {std::nullopt, 2}});
}

TEST_CASE("a set operation of entity queries returns identity-mapped objects", "[backend][query][set]") {
    seeded db;
    auto& s = db.session;
    auto alice = s.get<User>(1);
    db.log.clear();
    const auto users = s.query<User>().filter(col(&User::id) == 1).union_(s.query<User>().filter(col(&User::name) == "Carol"))
                           .order_by(col(&User::id)).all();
    REQUIRE(users.size() == 2);
    CHECK(users[0] == alice);
    CHECK(users[1]->name == "Carol");
    CHECK(db.log.sql().back() ==
          test_backend::sql(R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" WHERE "users"."id" = ? UNION SELECT "users"."id", "users"."name", "users"."email" FROM "users" WHERE "users"."name" = ? ORDER BY "id")"));
}

TEST_CASE("order_by or limit before a set operation is an ArgumentError", "[backend][query][set][errors]") {
    seeded db;
    auto& s = db.session;
    CHECK_THROWS_WITH(s.query(col(&User::name)).order_by(col(&User::name)).union_(s.query(col(&User::name))),
                      Catch::Contains("alchemy: UNION of queries with order_by(), limit() or offset()"));
    CHECK_THROWS_AS(s.query(col(&User::name)).except_(s.query(col(&User::name)).limit(1)), alchemy::ArgumentError);
}

TEST_CASE("refining a compound, nesting one on the right or mixing INTERSECT with UNION is an ArgumentError", "[backend][query][set][errors]") {
    seeded db;
    auto& s = db.session;
    const auto names = s.query(col(&User::name)).filter(col(&User::id) == 1).union_(s.query(col(&User::name)).filter(col(&User::id) == 2));
    // A filter, join or grouping would change only the first SELECT: refused, not silently half-applied.
    CHECK_THROWS_WITH(names.filter(col(&User::name) != "Bob"),
                      Catch::Contains("alchemy: filter() after union_/union_all/intersect/except_ would apply to the first query only"));
    CHECK_THROWS_WITH(names.join<Post>(), Catch::Contains("alchemy: a join after union_"));
    CHECK_THROWS_AS(names.group_by(col(&User::name)), alchemy::ArgumentError);
    CHECK_THROWS_AS(names.distinct(), alchemy::ArgumentError);
    // a EXCEPT (b UNION c) cannot be written as one flat compound.
    CHECK_THROWS_WITH(s.query(col(&User::name)).except_(names),
                      Catch::Contains("alchemy: EXCEPT with a query that is itself a set operation"));
    CHECK_THROWS_WITH(names.intersect(s.query(col(&User::name))),
                      Catch::Contains("alchemy: INTERSECT after UNION in one compound"));
    // After it, sorting and cutting the combined rows is what it is for.
    CHECK(names.order_by(col(&User::name).desc()).limit(1).all() == strings{"Bob"});
    CHECK(db.selects().size() == 1);  // only that query ran: the refused ones ran nothing
}
