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
// No engine: each query is built by alchemy::select and compiled through the dialect.
const alchemy::sqlite_dialect sqlite;
constexpr const char* users_columns = R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users")";
}  // namespace

TEST_CASE("a query for an entity selects its columns, qualified", "[sql][query]") {
    const auto q = alchemy::compile(alchemy::select<User>(), sqlite);
    CHECK(q.sql == users_columns);
    CHECK(q.params.empty());
}

TEST_CASE("filters become bound comparisons, several filters are ANDed", "[sql][query]") {
    const auto q = alchemy::compile(alchemy::select<User>().filter(col(&User::name) == "Alice").filter(col(&User::id) >= 3), sqlite);
    CHECK(q.sql == std::string(users_columns) + R"( WHERE "users"."name" = ? AND "users"."id" >= ?)");
    CHECK(q.params == Params{std::string("Alice"), std::int64_t{3}});
}

TEST_CASE("every comparison operator and column-to-column comparison", "[sql][query]") {
    const auto where = [&](const alchemy::predicate& p) {
        auto sql = alchemy::compile(alchemy::select<Post>().filter(p), sqlite).sql;
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
    const auto q = alchemy::compile(alchemy::select<User>()
                                        .filter((col(&User::name) == "a" || col(&User::name) == "b") &&
                                                !(col(&User::id) == 1))
                                        .filter(col(&User::email) == nullptr || col(&User::id) > 10),
                                    sqlite);
    CHECK(q.sql == std::string(users_columns) +
                       R"( WHERE ("users"."name" = ? OR "users"."name" = ?) AND NOT ("users"."id" = ?))"
                       R"( AND ("users"."email" IS NULL OR "users"."id" > ?))");
    CHECK(q.params == Params{std::string("a"), std::string("b"), std::int64_t{1}, std::int64_t{10}});
}

TEST_CASE("order_by, limit, offset and distinct", "[sql][query]") {
    CHECK(alchemy::compile(alchemy::select<User>().order_by(col(&User::name), col(&User::id).desc()), sqlite).sql ==
          std::string(users_columns) + R"( ORDER BY "users"."name", "users"."id" DESC)");
    CHECK(alchemy::compile(alchemy::select<User>().order_by(col(&User::email).asc().nulls_last()), sqlite).sql ==
          std::string(users_columns) + R"( ORDER BY "users"."email" NULLS LAST)");
    const auto limited = alchemy::compile(alchemy::select<User>().limit(5).offset(10), sqlite);
    CHECK(limited.sql == std::string(users_columns) + " LIMIT ? OFFSET ?");
    CHECK(limited.params == Params{std::int64_t{5}, std::int64_t{10}});
    // Only an offset: SQLite's "no limit" is -1.
    CHECK(alchemy::compile(alchemy::select<User>().offset(3), sqlite).params == Params{std::int64_t{-1}, std::int64_t{3}});
    CHECK(alchemy::compile(alchemy::select<User>().distinct(), sqlite).sql.starts_with("SELECT DISTINCT \"users\".\"id\""));
}

TEST_CASE("a query is a value: refining it leaves the original unchanged", "[sql][query]") {
    const auto base = alchemy::select<User>().filter(col(&User::id) > 1);
    const auto refined = base.filter(col(&User::id) < 9).order_by(col(&User::id));
    CHECK(alchemy::compile(base, sqlite).sql == std::string(users_columns) + R"( WHERE "users"."id" > ?)");
    CHECK(alchemy::compile(refined, sqlite).sql == std::string(users_columns) + R"( WHERE "users"."id" > ? AND "users"."id" < ? ORDER BY "users"."id")");
}

TEST_CASE("values are bound, never pasted into the SQL", "[sql][query]") {
    const auto q = alchemy::compile(alchemy::select<User>().filter(col(&User::name) == "x' OR '1'='1"), sqlite);
    CHECK(q.sql.find("OR '1'") == std::string::npos);
    CHECK(q.params == Params{std::string("x' OR '1'='1")});
}

// ---- rows of objects and values, DISTINCT in aggregates (issue 20, items 1-3) -----------------

TEST_CASE("entity<T> beside values selects the object's columns, then the values", "[sql][query][entity]") {
    const auto q = alchemy::select(alchemy::entity<User>, alchemy::func::count(col(&Post::id)).label("n"))
                       .outerjoin<Post>().group_by(col(&User::id));
    CHECK(alchemy::compile(q, sqlite).sql ==
          R"(SELECT "users"."id", "users"."name", "users"."email", count("posts"."id") AS "n" FROM "users" LEFT OUTER JOIN "posts" ON "users"."id" = "posts"."user_id" GROUP BY "users"."id")");
    // The outer join changes the row type, not the SQL.
    static_assert(std::is_same_v<decltype(q)::row_type, std::tuple<alchemy::ptr<User>, std::int64_t>>);
    const auto titles = alchemy::select(col(&User::name), col(&Post::title)).outerjoin<Post>();
    static_assert(std::is_same_v<decltype(titles)::row_type, std::tuple<std::string, std::optional<std::string>>>);
    CHECK(alchemy::compile(titles, sqlite).sql ==
          R"(SELECT "users"."name", "posts"."title" FROM "users" LEFT OUTER JOIN "posts" ON "users"."id" = "posts"."user_id")");
}

TEST_CASE("count(distinct(x)) renders DISTINCT inside the aggregate", "[sql][query][aggregates]") {
    const auto q = alchemy::select(alchemy::func::count(alchemy::distinct(col(&Post::user_id)))).filter(col(&Post::id) > 1);
    CHECK(alchemy::compile(q, sqlite).sql == R"(SELECT count(DISTINCT "posts"."user_id") FROM "posts" WHERE "posts"."id" > ?)");
}

#if ALCHEMY_HAS_POSTGRESQL
#include <alchemy/postgresql/dialect.hpp>

TEST_CASE("entity<T> beside values and count(DISTINCT x), in PostgreSQL's dialect", "[sql][query][entity]") {
    const alchemy::postgresql_dialect postgresql;
    const auto q = alchemy::select(alchemy::entity<User>, alchemy::func::count(alchemy::distinct(col(&Post::title))))
                       .outerjoin<Post>().filter(col(&Post::id) > 1).group_by(col(&User::id));
    const auto compiled = alchemy::compile(q, postgresql);
    CHECK(compiled.sql ==
          R"(SELECT "users"."id", "users"."name", "users"."email", count(DISTINCT "posts"."title") FROM "users" LEFT OUTER JOIN "posts" ON "users"."id" = "posts"."user_id" WHERE "posts"."id" > $1 GROUP BY "users"."id")");
    CHECK(compiled.params == Params{std::int64_t{1}});
}
#endif

TEST_CASE("window functions and CASE, in both dialects", "[sql][query][window][case]") {
    using alchemy::case_;
    using alchemy::when;
    const auto q = alchemy::select(alchemy::func::row_number().over(alchemy::partition_by(col(&Post::user_id)),
                                                                   alchemy::order_by(col(&Post::id).desc().nulls_last())),
                                   case_(when(col(&Post::id) > 1, 5)).else_(col(&Post::id)));
    const auto compiled = alchemy::compile(q, sqlite);
    CHECK(compiled.sql ==
          R"(SELECT row_number() OVER (PARTITION BY "posts"."user_id" ORDER BY "posts"."id" DESC NULLS LAST), CASE WHEN "posts"."id" > ? THEN CAST(? AS INTEGER) ELSE "posts"."id" END FROM "posts")");
    CHECK(compiled.params == Params{std::int64_t{1}, std::int64_t{5}});
#if ALCHEMY_HAS_POSTGRESQL
    CHECK(alchemy::compile(q, alchemy::postgresql_dialect()).sql ==
          R"(SELECT row_number() OVER (PARTITION BY "posts"."user_id" ORDER BY "posts"."id" DESC NULLS LAST), CASE WHEN "posts"."id" > $1 THEN CAST($2 AS BIGINT) ELSE "posts"."id" END FROM "posts")");
#endif
}

TEST_CASE("set operations: the SELECTs joined by the operator, ORDER BY and LIMIT over the whole", "[sql][query][set]") {
    const auto q = alchemy::select(col(&User::name)).filter(col(&User::id) < 3)
                       .except_(alchemy::select(col(&Post::title)))
                       .order_by(col(&User::name))
                       .limit(5);
    const auto compiled = alchemy::compile(q, sqlite);
    CHECK(compiled.sql ==
          R"(SELECT "users"."name" FROM "users" WHERE "users"."id" < ? EXCEPT SELECT "posts"."title" FROM "posts" ORDER BY "name" LIMIT ? OFFSET ?)");
    CHECK(compiled.params == Params{std::int64_t{3}, std::int64_t{5}, std::int64_t{0}});
#if ALCHEMY_HAS_POSTGRESQL
    CHECK(alchemy::compile(q, alchemy::postgresql_dialect()).sql ==
          R"(SELECT "users"."name" FROM "users" WHERE "users"."id" < $1 EXCEPT SELECT "posts"."title" FROM "posts" ORDER BY "name" LIMIT $2 OFFSET $3)");
#endif
}
