// Golden SQL for the query builder and the expression language: the text a
// query compiles to and its parameters, without running it.
#include "models/seed_models.hpp"
#include "support/printing.hpp"

#include <catch2/catch.hpp>

using alchemy::col;
using plain::Post;
using plain::User;
using Params = std::vector<alchemy::value>;

namespace {
alchemy::session make_session() { return alchemy::session(alchemy::create_engine("sqlite://")); }
constexpr const char* users_columns = R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users")";
}  // namespace

TEST_CASE("a query for an entity selects its columns, qualified", "[sql][query]") {
    auto session = make_session();
    const auto q = session.query<User>().compile();
    CHECK(q.sql == users_columns);
    CHECK(q.params.empty());
}

TEST_CASE("filters become bound comparisons, several filters are ANDed", "[sql][query]") {
    auto session = make_session();
    const auto q = session.query<User>().filter(col(&User::name) == "Alice").filter(col(&User::id) >= 3).compile();
    CHECK(q.sql == std::string(users_columns) + R"( WHERE "users"."name" = ? AND "users"."id" >= ?)");
    CHECK(q.params == Params{std::string("Alice"), std::int64_t{3}});
}

TEST_CASE("every comparison operator and column-to-column comparison", "[sql][query]") {
    auto session = make_session();
    const auto where = [&](const alchemy::predicate& p) {
        auto sql = session.query<Post>().filter(p).sql();
        return sql.substr(sql.find(" WHERE ") + 7);
    };
    CHECK(where(col(&Post::id) == 1) == R"("posts"."id" = ?)");
    CHECK(where(col(&Post::id) != 1) == R"("posts"."id" != ?)");
    CHECK(where(col(&Post::id) < 1) == R"("posts"."id" < ?)");
    CHECK(where(col(&Post::id) <= 1) == R"("posts"."id" <= ?)");
    CHECK(where(col(&Post::id) > 1) == R"("posts"."id" > ?)");
    CHECK(where(col(&Post::id) >= 1.5) == R"("posts"."id" >= ?)");
    CHECK(where(1 < col(&Post::id)) == R"(? < "posts"."id")");
    CHECK(where(col(&Post::user_id) == col(&User::id)) == R"("posts"."user_id" = "users"."id")");
    CHECK(where(col(&Post::user_id) == nullptr) == R"("posts"."user_id" IS NULL)");
    CHECK(where(col(&Post::user_id) != std::nullopt) == R"("posts"."user_id" IS NOT NULL)");
    CHECK(where(alchemy::is_null(col(&Post::user_id))) == R"("posts"."user_id" IS NULL)");
    CHECK(where(col(&Post::user_id) == std::optional<std::int64_t>(4)) == R"("posts"."user_id" = ?)");
}

TEST_CASE("AND, OR and NOT keep their grouping", "[sql][query]") {
    auto session = make_session();
    const auto q = session.query<User>()
                       .filter((col(&User::name) == "a" || col(&User::name) == "b") && !(col(&User::id) == 1))
                       .filter(col(&User::email) == nullptr || col(&User::id) > 10)
                       .compile();
    CHECK(q.sql == std::string(users_columns) +
                       R"( WHERE ("users"."name" = ? OR "users"."name" = ?) AND NOT ("users"."id" = ?))"
                       R"( AND ("users"."email" IS NULL OR "users"."id" > ?))");
    CHECK(q.params == Params{std::string("a"), std::string("b"), std::int64_t{1}, std::int64_t{10}});
}

TEST_CASE("order_by, limit, offset and distinct", "[sql][query]") {
    auto session = make_session();
    CHECK(session.query<User>().order_by(col(&User::name), col(&User::id).desc()).sql() ==
          std::string(users_columns) + R"( ORDER BY "users"."name", "users"."id" DESC)");
    CHECK(session.query<User>().order_by(col(&User::email).asc().nulls_last()).sql() ==
          std::string(users_columns) + R"( ORDER BY "users"."email" NULLS LAST)");
    const auto limited = session.query<User>().limit(5).offset(10).compile();
    CHECK(limited.sql == std::string(users_columns) + " LIMIT ? OFFSET ?");
    CHECK(limited.params == Params{std::int64_t{5}, std::int64_t{10}});
    // Only an offset: SQLite's "no limit" is -1.
    CHECK(session.query<User>().offset(3).compile().params == Params{std::int64_t{-1}, std::int64_t{3}});
    CHECK(session.query<User>().distinct().sql().starts_with("SELECT DISTINCT \"users\".\"id\""));
}

TEST_CASE("a query is a value: refining it leaves the original unchanged", "[sql][query]") {
    auto session = make_session();
    const auto base = session.query<User>().filter(col(&User::id) > 1);
    const auto refined = base.filter(col(&User::id) < 9).order_by(col(&User::id));
    CHECK(base.sql() == std::string(users_columns) + R"( WHERE "users"."id" > ?)");
    CHECK(refined.sql() == std::string(users_columns) + R"( WHERE "users"."id" > ? AND "users"."id" < ? ORDER BY "users"."id")");
}

TEST_CASE("values are bound, never pasted into the SQL", "[sql][query]") {
    auto session = make_session();
    const auto q = session.query<User>().filter(col(&User::name) == "x' OR '1'='1").compile();
    CHECK(q.sql.find("OR '1'") == std::string::npos);
    CHECK(q.params == Params{std::string("x' OR '1'='1")});
}
