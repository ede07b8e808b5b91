// The rows of value queries: the row type a query's joins give (outer-joined
// columns as std::optional), objects beside values (entity<T>), rows read
// into a plain struct (into<S>), and scalar() / scalar_one() with
// SQLAlchemy 2.0's meaning. Each checks the rows, the identity map and the
// SQL that ran.
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
using alchemy::entity;
namespace func = alchemy::func;
using plain::Post;
using plain::User;

namespace {

struct seeded : test_support::seeded_queries {
    seeded() : seeded_queries("query_rows.db") {}
};

template <class Q>
using rows_of = std::vector<typename Q::row_type>;

struct per_user {
    std::string name;
    std::int64_t posts;
};

struct title_of_user {
    std::string name;
    std::optional<std::string> title;
};

struct author_count {
    alchemy::ptr<User> author;
    int posts;  // read from a 64-bit count: range-checked
};

}  // namespace

// ---- item 1: outer joins give optional columns ---------------------------------------------

TEST_CASE("an outer join reads the joined table's columns as optional: no ConversionError for a user without posts", "[backend][query][joins][rows]") {
    seeded db;
    auto q = db.session.query(col(&User::name), col(&Post::title)).outerjoin<Post>().order_by(col(&User::id), col(&Post::id));
    static_assert(std::is_same_v<decltype(q)::row_type, std::tuple<std::string, std::optional<std::string>>>);
    CHECK(q.all() == rows_of<decltype(q)>{{"Alice", "Hello"}, {"Alice", "50% off"}, {"Bob", "Hello"}, {"Carol", std::nullopt}});
    CHECK(db.selects() == std::vector<std::string>{test_backend::sql(
                              R"(SELECT "users"."name", "posts"."title" FROM "users" LEFT OUTER JOIN "posts" ON "users"."id" = "posts"."user_id" ORDER BY "users"."id", "posts"."id")")});

    // An inner join keeps the types; a column that is optional already stays as it is.
    auto inner = db.session.query(col(&User::name), col(&Post::title), col(&Post::user_id)).join<Post>();
    static_assert(std::is_same_v<decltype(inner)::row_type, std::tuple<std::string, std::string, std::optional<std::int64_t>>>);
    auto outer = db.session.query(col(&User::name), col(&Post::user_id), col(&Post::title).label("t"))
                     .outerjoin<Post>().filter(col(&User::id) == 3);
    static_assert(std::is_same_v<decltype(outer)::row_type,
                                 std::tuple<std::string, std::optional<std::int64_t>, std::optional<std::string>>>);
    CHECK(outer.one() == decltype(outer)::row_type{"Carol", std::nullopt, std::nullopt});

    // Computed values keep their type: count() is never NULL.
    auto counts = db.session.query(col(&User::name), func::count(col(&Post::id)).label("n"))
                      .outerjoin<Post>().group_by(col(&User::name)).order_by(col(&User::name));
    static_assert(std::is_same_v<decltype(counts)::row_type, std::tuple<std::string, std::int64_t>>);
    CHECK(counts.all() == rows_of<decltype(counts)>{{"Alice", 2}, {"Bob", 1}, {"Carol", 0}});
}

TEST_CASE("an outer join along a relationship member, and of an alias, makes only that table's columns optional", "[backend][query][joins][rows]") {
    seeded db;
    // Post's user: the many-to-one side. Post 4 has no user.
    auto by_post = db.session.query(col(&Post::title), col(&User::name)).outerjoin<User>().order_by(col(&Post::id));
    static_assert(std::is_same_v<decltype(by_post)::row_type, std::tuple<std::string, std::optional<std::string>>>);
    CHECK(by_post.all().back() == std::tuple<std::string, std::optional<std::string>>{"orphan_post", std::nullopt});

    // An alias of User outer-joined: its columns are optional, those of the users in FROM are not.
    const alchemy::aliased<User> other("other");
    auto pairs = db.session.query(col(&User::name), other.c(&User::name))
                     .outerjoin(other, other.c(&User::id) == col(&User::id) + 1)
                     .order_by(col(&User::id));
    static_assert(std::is_same_v<decltype(pairs)::row_type, std::tuple<std::string, std::optional<std::string>>>);
    CHECK(pairs.all() == rows_of<decltype(pairs)>{{"Alice", "Bob"}, {"Bob", "Carol"}, {"Carol", std::nullopt}});
    CHECK(db.selects().back() == test_backend::sql(
              R"(SELECT "users"."name", "other"."name" FROM "users" LEFT OUTER JOIN "users" AS "other" ON "other"."id" = "users"."id" + ? ORDER BY "users"."id")"));
}

// ---- item 2: objects beside values, into<S> -------------------------------------------------

TEST_CASE("entity<User> beside an aggregate gives rows of ptr and value, the objects identity-mapped", "[backend][query][rows][entity]") {
    seeded db;
    auto alice = db.session.get<User>(1);
    alice->name = "Alice (unflushed)";  // the query autoflushes: the row says so too
    db.log.clear();
    auto q = db.session.query(entity<User>, func::count(col(&Post::id)).label("n"))
                 .outerjoin<Post>().group_by(col(&User::id)).order_by(col(&User::id));
    static_assert(std::is_same_v<decltype(q)::row_type, std::tuple<alchemy::ptr<User>, std::int64_t>>);
    const auto rows = q.all();
    REQUIRE(rows.size() == 3);
    CHECK(std::get<0>(rows[0]) == alice);  // the same object, not a copy
    CHECK(std::get<0>(rows[0])->name == "Alice (unflushed)");
    CHECK(std::get<1>(rows[0]) == 2);
    CHECK(std::get<0>(rows[2])->name == "Carol");
    CHECK(std::get<0>(rows[2]).state() == alchemy::object_state::persistent);
    CHECK(std::get<1>(rows[2]) == 0);
    CHECK(std::get<0>(rows[1]) == db.session.get<User>(2));
    const auto sql = db.log.sql();
    REQUIRE(sql.size() == 2);  // the autoflush's UPDATE, then the query
    CHECK(sql[0].starts_with("UPDATE"));
    CHECK(sql[1] == test_backend::sql(
                        R"(SELECT "users"."id", "users"."name", "users"."email", count("posts"."id") AS "n" FROM "users" LEFT OUTER JOIN "posts" ON "users"."id" = "posts"."user_id" GROUP BY "users"."id" ORDER BY "users"."id")"));
}

TEST_CASE("an outer-joined entity beside a column is an empty ptr where no row matched", "[backend][query][rows][entity]") {
    seeded db;
    auto q = db.session.query(col(&User::name), entity<Post>).outerjoin<Post>().order_by(col(&User::id), col(&Post::id));
    static_assert(std::is_same_v<decltype(q)::row_type, std::tuple<std::string, alchemy::ptr<Post>>>);
    const auto rows = q.all();
    REQUIRE(rows.size() == 4);
    CHECK(std::get<1>(rows[0])->title == "Hello");
    CHECK(std::get<1>(rows[0]) == db.session.get<Post>(1));
    CHECK_FALSE(std::get<1>(rows[3]));
    CHECK(std::get<0>(rows[3]) == "Carol");
    // first() / one() / one_or_none() read the same rows.
    CHECK(std::get<1>(*q.first()) == db.session.get<Post>(1));
    CHECK(std::get<0>(q.filter(col(&User::id) == 3).one()) == "Carol");
    CHECK_FALSE(q.filter(col(&User::id) == 9).one_or_none());
    REQUIRE_THROWS_AS(q.filter(col(&User::id) == 1).one(), alchemy::MultipleResultsFound);
}

TEST_CASE("into<S> reads each row into a plain struct by position", "[backend][query][rows][into]") {
    seeded db;
    const auto q = db.session.query(col(&User::name), func::count(col(&Post::id)))
                       .outerjoin<Post>().group_by(col(&User::name)).order_by(col(&User::name));
    const auto rows = q.into<per_user>().all();
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].name == "Alice");
    CHECK(rows[0].posts == 2);
    CHECK(rows[2].name == "Carol");
    CHECK(rows[2].posts == 0);
    // into<S> is a query like any other: refine it, take one row.
    const auto bob = q.into<per_user>().filter(col(&User::name) == "Bob").one();
    CHECK(bob.posts == 1);
    CHECK_FALSE(q.into<per_user>().filter(col(&User::name) == "Nobody").first());

    // Outer-joined columns into an optional member.
    const auto titles = db.session.query(col(&User::name), col(&Post::title)).outerjoin<Post>()
                            .filter(col(&User::id) == 3).into<title_of_user>().one();
    CHECK(titles.name == "Carol");
    CHECK(titles.title == std::nullopt);

    // An object and a count into a ptr member and a narrower integer.
    const auto authors = db.session.query(entity<User>, func::count(col(&Post::id))).join<Post>()
                             .group_by(col(&User::id)).order_by(col(&User::id)).into<author_count>().all();
    REQUIRE(authors.size() == 2);
    CHECK(authors[0].author == db.session.get<User>(1));
    CHECK(authors[0].posts == 2);
    CHECK(authors[1].author->name == "Bob");
}

TEST_CASE("into<S> with a member too narrow for a value throws ConversionError naming the column", "[backend][query][rows][into]") {
    seeded db;
    struct tiny {
        std::int8_t id;
    };
    {
        auto tx = db.engine.begin();
        tx.execute("INSERT INTO users (id, name) VALUES (1000, 'Big')");
        tx.commit();
    }
    try {
        (void)db.session.query(col(&User::id)).filter(col(&User::id) == 1000).into<tiny>().one();
        FAIL("no ConversionError");
    } catch (const alchemy::ConversionError& e) {
        CHECK_THAT(e.what(), Catch::Contains("cannot read column 0") && Catch::Contains("id"));
    }
}

// ---- item 3: scalar(), scalar_one(), count(distinct(...)) ------------------------------------

TEST_CASE("scalar() is the first column of the first row or empty, scalar_one() exactly one row", "[backend][query][scalar]") {
    seeded db;
    auto& s = db.session;
    const auto posts_of_alice = s.query(func::count(col(&Post::id))).filter(col(&Post::user_id) == 1);
    static_assert(std::is_same_v<decltype(posts_of_alice.scalar()), std::optional<std::int64_t>>);
    static_assert(std::is_same_v<decltype(posts_of_alice.scalar_one()), std::int64_t>);
    CHECK(posts_of_alice.scalar() == 2);
    CHECK(posts_of_alice.scalar_one() == 2);

    // No row: empty, or NoResultFound.
    const auto nobody = s.query(col(&User::id)).filter(col(&User::name) == "Nobody");
    CHECK(nobody.scalar() == std::nullopt);
    CHECK(nobody.scalar_one_or_none() == std::nullopt);
    REQUIRE_THROWS_AS(nobody.scalar_one(), alchemy::NoResultFound);

    // Several rows: scalar() takes the first (and adds no LIMIT); scalar_one() refuses.
    db.log.clear();
    CHECK(s.query(col(&User::name)).order_by(col(&User::id)).scalar() == "Alice");
    CHECK(db.selects() == std::vector<std::string>{test_backend::sql(R"(SELECT "users"."name" FROM "users" ORDER BY "users"."id")")});
    REQUIRE_THROWS_AS(s.query(col(&User::id)).scalar_one(), alchemy::MultipleResultsFound);
    REQUIRE_THROWS_AS(s.query(col(&User::id)).scalar_one_or_none(), alchemy::MultipleResultsFound);

    // A NULL-able value is not wrapped twice: an empty optional is a NULL or no row.
    static_assert(std::is_same_v<decltype(s.query(func::sum(col(&Post::id))).scalar()), std::optional<std::int64_t>>);
    CHECK(s.query(func::sum(col(&Post::id))).filter(col(&Post::user_id) == 9).scalar() == std::nullopt);
    CHECK(s.query(col(&User::email)).filter(col(&User::id) == 2).scalar_one() == std::nullopt);
    CHECK(s.query(func::coalesce(col(&User::email), "none")).filter(col(&User::id) == 2).scalar() == "none");
}

TEST_CASE("scalar() on entity queries gives the first object or an empty ptr", "[backend][query][scalar]") {
    seeded db;
    auto& s = db.session;
    const auto alice = s.query<User>().filter(col(&User::id) == 1).scalar();
    static_assert(std::is_same_v<decltype(alice), const alchemy::ptr<User>>);
    REQUIRE(alice);
    CHECK(alice == s.get<User>(1));
    CHECK_FALSE(s.query<User>().filter(col(&User::id) == 9).scalar());
    CHECK_FALSE(s.query<User>().filter(col(&User::id) == 9).scalar_one_or_none());
    REQUIRE_THROWS_AS(s.query<User>().filter(col(&User::id) == 9).scalar_one(), alchemy::NoResultFound);
    REQUIRE_THROWS_AS(s.query<User>().scalar_one(), alchemy::MultipleResultsFound);
    CHECK(s.query<User>().order_by(col(&User::id).desc()).scalar()->name == "Carol");
    // Several entities: the first of the row.
    CHECK(s.query<Post, User>().join<User>().filter(col(&Post::id) == 3).scalar_one() == s.get<Post>(3));
    // entity<T> first in a values query.
    const auto bob = s.query(entity<User>, col(&User::email)).filter(col(&User::id) == 2).scalar_one();
    CHECK(bob == s.get<User>(2));
    CHECK_FALSE(s.query(entity<User>, col(&User::email)).filter(col(&User::id) == 9).scalar());
}

TEST_CASE("count(distinct(x)) counts each value once and NULL not at all", "[backend][query][aggregates]") {
    seeded db;
    auto& s = db.session;
    CHECK(s.query(func::count(alchemy::distinct(col(&Post::title)))).scalar_one() == 3);  // Hello twice
    CHECK(s.query(func::count(alchemy::distinct(col(&Post::user_id)))).scalar_one() == 2);  // 1, 2; NULL not counted
    CHECK(db.selects().back() == test_backend::sql(R"(SELECT count(DISTINCT "posts"."user_id") FROM "posts")"));
}

TEST_CASE("rows read by label: get<\"name\">(row) beside position", "[backend][query][rows][label]") {
    seeded db;
    auto alice = db.session.get<User>(1);
    auto q = db.session.query(entity<User>, col(&User::name).label<"author">(), col(&Post::title).label<"title">(),
                              func::count(col(&Post::id)).label<"posts">())
                 .outerjoin<Post>()
                 .group_by(col(&User::id), col(&Post::title))
                 .order_by(col(&User::id), col(&Post::title));
    using row = decltype(q)::row_type;
    // The outer join makes the posts' column optional, its label kept.
    static_assert(std::is_same_v<std::tuple_element_t<2, row>, std::optional<std::string>>);
    static_assert(std::is_base_of_v<std::tuple<alchemy::ptr<User>, std::string, std::optional<std::string>, std::int64_t>, row>);
    const auto rows = q.all();
    REQUIRE(rows.size() == 4);  // Alice: '50% off', 'Hello'; Bob: 'Hello'; Carol: none
    CHECK(alchemy::get<"author">(rows[0]) == "Alice");
    CHECK(alchemy::get<"title">(rows[0]) == "50% off");
    CHECK(alchemy::get<"posts">(rows[0]) == 1);
    CHECK(std::get<0>(rows[0]) == alice);  // by position too, the object identity-mapped
    CHECK(alchemy::get<"title">(rows[3]) == std::nullopt);
    CHECK(alchemy::get<"posts">(rows[3]) == 0);
    // Structured bindings, and the label in the SQL.
    const auto& [user, author, title, posts] = rows[2];
    CHECK(user->name == "Bob");
    CHECK(author == "Bob");
    CHECK(title == "Hello");
    CHECK(posts == 1);
    CHECK(db.log.sql().back() ==
          test_backend::sql(R"(SELECT "users"."id", "users"."name", "users"."email", "users"."name" AS "author", )"
                            R"("posts"."title" AS "title", count("posts"."id") AS "posts" FROM "users" LEFT OUTER JOIN "posts" )"
                            R"(ON "users"."id" = "posts"."user_id" GROUP BY "users"."id", "posts"."title" ORDER BY "users"."id", "posts"."title")"));
    // first() / one() rows are named as well, and writable through get.
    auto one = q.filter(col(&User::id) == 2).one();
    alchemy::get<"author">(one) = "changed";
    CHECK(std::get<1>(one) == "changed");

    // Values only, labels on some: a set operation's rows take the first query's labels.
    auto names = db.session.query(col(&User::id).label<"id">(), col(&User::name))
                     .filter(col(&User::id) == 1)
                     .union_all(db.session.query(col(&Post::id), col(&Post::title)).filter(col(&Post::id) == 4))
                     .order_by(col(&User::id));
    const auto named = names.all();
    REQUIRE(named.size() == 2);
    CHECK(alchemy::get<"id">(named[1]) == 4);
    CHECK(std::get<1>(named[1]) == "orphan_post");
    // A labelled expression in a subquery: the subquery's typed column.
    const auto n = func::count(col(&Post::id)).label<"n">();
    auto counts = db.session.query(col(&Post::user_id), n).group_by(col(&Post::user_id)).subquery("counts");
    CHECK(db.session.query(col(&User::name), counts.c(n))
              .join(counts, counts.c(&Post::user_id) == col(&User::id))
              .order_by(col(&User::id))
              .all() == std::vector<std::tuple<std::string, std::int64_t>>{{"Alice", 2}, {"Bob", 1}});
}
