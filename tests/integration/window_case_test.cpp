// Window functions (func::row_number().over(partition_by(...), order_by(...))
// and the others) and CASE (case_(when(...), ...).else_(...)) on real rows,
// on every backend: the values they compute and the SQL that ran.
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
using alchemy::order_by;
using alchemy::partition_by;
namespace func = alchemy::func;
using plain::Post;
using plain::User;

namespace {

struct seeded : test_support::seeded_queries {
    seeded() : seeded_queries("window_case.db") {}
};

template <class Q>
using rows_of = std::vector<typename Q::row_type>;

}  // namespace

TEST_CASE("row_number, rank, dense_rank and ntile number the rows of each window", "[backend][query][window]") {
    seeded db;
    auto& s = db.session;
    auto numbered = s.query(col(&Post::id), func::row_number().over(partition_by(col(&Post::user_id)), order_by(col(&Post::id))))
                        .order_by(col(&Post::id));
    static_assert(std::is_same_v<decltype(numbered)::row_type, std::tuple<std::int64_t, std::int64_t>>);
    CHECK(numbered.all() == rows_of<decltype(numbered)>{{1, 1}, {2, 2}, {3, 1}, {4, 1}});
    CHECK(db.log.sql().back() ==
          test_backend::sql(R"(SELECT "posts"."id", row_number() OVER (PARTITION BY "posts"."user_id" ORDER BY "posts"."id") FROM "posts" ORDER BY "posts"."id")"));

    // Ranks by title: '50% off' < 'Hello' = 'Hello' < 'orphan_post'.
    auto ranked = s.query(col(&Post::id), func::rank().over(order_by(col(&Post::title))),
                          func::dense_rank().over(order_by(col(&Post::title))), func::ntile(2).over(order_by(col(&Post::id))))
                      .order_by(col(&Post::id));
    CHECK(ranked.all() == rows_of<decltype(ranked)>{{1, 2, 2, 1}, {2, 1, 1, 1}, {3, 2, 2, 2}, {4, 4, 3, 2}});
    // Descending, and over all rows: OVER ().
    auto last_first = s.query(col(&Post::id), func::row_number().over(order_by(col(&Post::id).desc())), func::count().over())
                          .order_by(col(&Post::id));
    CHECK(last_first.all() == rows_of<decltype(last_first)>{{1, 4, 4}, {2, 3, 4}, {3, 2, 4}, {4, 1, 4}});
}

TEST_CASE("running aggregates, lag, lead, first_value and percent_rank over a window", "[backend][query][window]") {
    seeded db;
    auto& s = db.session;
    auto running = s.query(col(&Post::id), func::sum(col(&Post::id)).over(order_by(col(&Post::id))),
                           func::lag(col(&Post::title)).over(order_by(col(&Post::id))),
                           func::lead(col(&Post::id), 2).over(order_by(col(&Post::id))),
                           func::first_value(col(&Post::title)).over(partition_by(col(&Post::user_id)), order_by(col(&Post::id))))
                       .order_by(col(&Post::id));
    static_assert(std::is_same_v<decltype(running)::row_type,
                                 std::tuple<std::int64_t, std::optional<std::int64_t>, std::optional<std::string>,
                                            std::optional<std::int64_t>, std::string>>);
    CHECK(running.all() == rows_of<decltype(running)>{{1, 1, std::nullopt, 3, "Hello"},
                                                      {2, 3, "Hello", 4, "Hello"},
                                                      {3, 6, "50% off", std::nullopt, "Hello"},
                                                      {4, 10, "Hello", std::nullopt, "orphan_post"}});
    auto relative = s.query(func::percent_rank().over(order_by(col(&Post::id)))).order_by(col(&Post::id));
    const auto ranks = relative.all();
    REQUIRE(ranks.size() == 4);
    CHECK(ranks.front() == 0.0);
    CHECK(ranks.back() == 1.0);
}

TEST_CASE("case_ picks a value per row, NULL (nullopt) without else_, and works in filters", "[backend][query][case]") {
    seeded db;
    auto& s = db.session;
    using alchemy::case_;
    using alchemy::when;
    const auto label = case_(when(col(&Post::user_id) == nullptr, "orphan"), when(col(&Post::id) < 3, "early")).else_("late");
    auto labelled = s.query(col(&Post::id), label).order_by(col(&Post::id));
    static_assert(std::is_same_v<decltype(labelled)::row_type, std::tuple<std::int64_t, std::string>>);
    CHECK(labelled.all() == rows_of<decltype(labelled)>{{1, "early"}, {2, "early"}, {3, "late"}, {4, "orphan"}});
    CHECK(db.log.sql().back() ==
          test_backend::sql(R"(SELECT "posts"."id", CASE WHEN "posts"."user_id" IS NULL THEN ? WHEN "posts"."id" < ? THEN ? ELSE ? END FROM "posts" ORDER BY "posts"."id")"));

    // No else_: NULL where no branch holds; a number is cast to its type (PostgreSQL reads a bare parameter there as text).
    auto scores = s.query(case_(when(col(&Post::id) < 2, 10), when(col(&Post::id) < 3, 20))).order_by(col(&Post::id));
    static_assert(std::is_same_v<decltype(scores)::row_type, std::optional<int>>);
    CHECK(scores.all() == std::vector<std::optional<int>>{10, 20, std::nullopt, std::nullopt});

    // In a filter, against a column.
    auto early = s.query(col(&Post::id)).filter(case_(when(col(&Post::id) < 3, col(&Post::id))).else_(0) > 1).all();
    CHECK(early == std::vector<std::int64_t>{2});
}
