// Queries against a seeded database: the rows they return, through the
// identity map, and the SQL that ran.
#include "models/seed_models.hpp"
#include "support/backend.hpp"
#include "support/printing.hpp"
#include "support/seeded_queries.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

using alchemy::col;
namespace func = alchemy::func;
using plain::Post;
using plain::User;

namespace {

struct seeded : test_support::seeded_queries {
    seeded() : seeded_queries("query.db") {}
};

std::vector<std::string> names(const std::vector<alchemy::ptr<User>>& users) {
    std::vector<std::string> out;
    for (const auto& u : users) out.push_back(u->name);
    return out;
}

}  // namespace

TEST_CASE("the seed's read: filter + first returns the identity-mapped object", "[backend][query]") {
    seeded db;
    auto alice = db.session.query<User>().filter(col(&User::name) == "Alice").first();
    REQUIRE(alice);
    CHECK(alice->id == 1);
    CHECK(alice.state() == alchemy::object_state::persistent);
    CHECK(db.log.sql() == std::vector<std::string>{
                              "BEGIN", test_backend::sql(R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" WHERE "users"."name" = ? LIMIT ? OFFSET ?)")});
    // The same row through get() or another query is the same object, without SQL for get().
    db.log.clear();
    CHECK(db.session.get<User>(1) == alice);
    CHECK(db.log.sql().empty());
    CHECK(db.session.query<User>().filter(col(&User::id) == 1).one() == alice);
    CHECK_FALSE(db.session.query<User>().filter(col(&User::name) == "Nobody").first());
}

TEST_CASE("a query never overwrites unflushed changes of an object it returns", "[backend][query]") {
    seeded db;
    db.session.set_autoflush(false);
    auto alice = db.session.get<User>(1);
    alice->email = "changed@x";
    auto again = db.session.query<User>().filter(col(&User::id) == 1).one();
    CHECK(again == alice);
    CHECK(std::as_const(again)->email == "changed@x");
}

TEST_CASE("queries autoflush pending changes first", "[backend][query]") {
    seeded db;
    db.session.add(User{.name = "Dave"});
    CHECK(db.session.query<User>().filter(col(&User::name) == "Dave").count() == 1);
    const auto sql = db.log.sql();
    REQUIRE(sql.size() == 3);
    CHECK(sql[1] == test_backend::sql(R"(INSERT INTO "users" ("name", "email") VALUES (?, ?))"));
    CHECK(sql[2].starts_with("SELECT count(*) AS count_1 FROM (SELECT"));
}

TEST_CASE("all, order_by, limit, offset, one, one_or_none, count, exists", "[backend][query]") {
    seeded db;
    auto& s = db.session;
    CHECK(names(s.query<User>().order_by(col(&User::name).desc()).all()) == std::vector<std::string>{"Carol", "Bob", "Alice"});
    CHECK(names(s.query<User>().order_by(col(&User::id)).limit(2).offset(1).all()) == std::vector<std::string>{"Bob", "Carol"});
    CHECK(names(s.query<User>().order_by(col(&User::email).asc().nulls_last(), col(&User::id)).all()) ==
          std::vector<std::string>{"Alice", "Carol", "Bob"});
    REQUIRE_THROWS_AS(s.query<User>().one(), alchemy::MultipleResultsFound);
    REQUIRE_THROWS_WITH(s.query<User>().one_or_none(), "Multiple rows were found when one or none was required");
    REQUIRE_THROWS_WITH(s.query<User>().filter(col(&User::id) > 9).one(), "No row was found when one was required");
    CHECK_FALSE(s.query<User>().filter(col(&User::id) > 9).one_or_none());
    CHECK(s.query<User>().filter(col(&User::email) != nullptr).count() == 2);
    CHECK(s.query<User>().filter(col(&User::email) == nullptr).exists());
    CHECK_FALSE(s.query<User>().filter(col(&User::id) == 42).exists());
}

TEST_CASE("operators select the right rows: IN, LIKE, escaping, BETWEEN, arithmetic", "[backend][query]") {
    seeded db;
    auto& s = db.session;
    CHECK(s.query<Post>().filter(col(&Post::id).in_({1, 3})).count() == 2);
    CHECK(s.query<Post>().filter(col(&Post::id).not_in({1, 3})).count() == 2);
    CHECK(s.query<Post>().filter(col(&Post::title).like("H%")).count() == 2);
    CHECK(s.query<Post>().filter(col(&Post::title).ilike("hello")).count() == 2);
    // '%' and '_' are literal in startswith / contains: '50%' matches only '50% off'.
    CHECK(s.query<Post>().filter(col(&Post::title).startswith("50%")).count() == 1);
    CHECK(s.query<Post>().filter(col(&Post::title).contains("_")).count() == 1);
    CHECK(s.query<Post>().filter(col(&Post::title).contains("%")).count() == 1);
    CHECK(s.query<Post>().filter(col(&Post::id).between(2, 3)).count() == 2);
    CHECK(s.query<Post>().filter(col(&Post::id) * 10 + 1 == 31).one()->id == 3);
    CHECK(s.query<Post>().filter(!(col(&Post::user_id) == 1) || col(&Post::user_id) == nullptr).count() == 2);
}

// SQLite's LIKE reads the value and the pattern as C strings (up to the first
// NUL byte); `==` compares every byte. README, Types; expression.hpp, like().
// SQLite-only: this is SQLite's own handling of NUL in text (PostgreSQL's
// text holds no NUL at all).
TEST_CASE("an embedded NUL byte: == matches all the bytes, LIKE and contains() stop at the NUL", "[sqlite][query][nul]") {
    seeded db;
    auto& s = db.session;
    const std::string with_nul("ab\0cd", 5);
    s.add(Post{.id = 10, .title = with_nul});
    s.add(Post{.id = 11, .title = "ab"});
    s.commit();

    // Stored and read back whole.
    CHECK(s.execute(alchemy::text("SELECT hex(title) FROM posts WHERE id = 10")).scalar<std::string>() == "6162006364");
    s.expunge_all();
    CHECK(s.get<Post>(10)->title == with_nul);

    const auto ids = [&](const alchemy::predicate& p) {
        std::vector<std::int64_t> out;
        for (const auto& post : s.query<Post>().filter(p).order_by(col(&Post::id)).all()) out.push_back(post->id);
        return out;
    };
    using ids_t = std::vector<std::int64_t>;
    // == compares all five bytes.
    CHECK(ids(col(&Post::title) == with_nul) == ids_t{10});
    CHECK(ids(col(&Post::title) == "ab") == ids_t{11});
    CHECK(ids(col(&Post::title) != with_nul).size() == 5);

    // To LIKE the value is "ab": nothing after the NUL can be found ...
    CHECK(ids(col(&Post::title).contains("cd")).empty());
    CHECK(ids(col(&Post::title).endswith("cd")).empty());
    CHECK(ids(col(&Post::title).like("ab_cd")).empty());
    CHECK(ids(col(&Post::title).endswith("ab")) == ids_t{10, 11});
    CHECK(ids(col(&Post::title).startswith("ab")) == ids_t{10, 11});
    // ... and a pattern is cut at its NUL too: "%b\0c%" is "%b", "ab\0zz" is "ab",
    // so both match "ab\0cd" and also the plain "ab", which has no NUL at all.
    CHECK(ids(col(&Post::title).contains(std::string("b\0c", 3))) == ids_t{10, 11});
    CHECK(ids(col(&Post::title).like(std::string("ab\0zz", 5))) == ids_t{10, 11});
    CHECK(ids(col(&Post::title).like(with_nul)) == ids_t{10, 11});
    CHECK(ids(col(&Post::title).ilike(std::string("AB\0", 3))) == ids_t{10, 11});
}

TEST_CASE("the seed's join: query<User, Post>().join<Post>() with a filter", "[backend][query][joins]") {
    seeded db;
    auto rows = db.session.query<User, Post>().join<Post>().filter(col(&Post::title) == "Hello").order_by(col(&Post::id)).all();
    REQUIRE(rows.size() == 2);
    CHECK(std::get<0>(rows[0])->name == "Alice");
    CHECK(std::get<1>(rows[0])->id == 1);
    CHECK(std::get<0>(rows[1])->name == "Bob");
    CHECK(std::get<0>(rows[0]) == db.session.get<User>(1));  // identity-mapped
}

TEST_CASE("an outer join gives an empty ptr where no row matched and entity queries de-duplicate", "[backend][query][joins]") {
    seeded db;
    auto rows = db.session.query<User, Post>().outerjoin<Post>().order_by(col(&User::id), col(&Post::id)).all();
    REQUIRE(rows.size() == 4);  // Alice x2, Bob, Carol with no post
    CHECK(std::get<0>(rows[3])->name == "Carol");
    CHECK_FALSE(std::get<1>(rows[3]));
    // One entity through a join: each user once (SQLAlchemy's de-duplication), count() counts rows.
    CHECK(names(db.session.query<User>().join<Post>().order_by(col(&User::id)).all()) == std::vector<std::string>{"Alice", "Bob"});
    CHECK(db.session.query<User>().join<Post>().count() == 3);
}

TEST_CASE("the seed's aggregate and value queries: tuples of values, scalar, group_by", "[backend][query][aggregates]") {
    seeded db;
    auto& s = db.session;
    CHECK(s.query(func::count(col(&Post::id))).filter(col(&Post::user_id) == 1).scalar() == 2);
    CHECK(s.query(func::sum(col(&Post::id))).filter(col(&Post::user_id) == 9).scalar() == std::nullopt);
    CHECK(s.query(func::max(col(&User::name))).scalar() == std::optional<std::string>("Carol"));
    const auto n = func::count(col(&Post::id)).label("n");
    auto per_user = s.query(col(&User::name), n).outerjoin<Post>().group_by(col(&User::name)).order_by(n.desc(), col(&User::name)).all();
    CHECK(per_user == std::vector<std::tuple<std::string, std::int64_t>>{{"Alice", 2}, {"Bob", 1}, {"Carol", 0}});
    auto busy = s.query(col(&User::name)).join<Post>().group_by(col(&User::name)).having(func::count(col(&Post::id)) > 1).all();
    CHECK(busy == std::vector<std::string>{"Alice"});
    CHECK(s.query(col(&User::name), col(&User::email)).filter(col(&User::id) == 2).one() ==
          std::tuple<std::string, std::optional<std::string>>{"Bob", std::nullopt});
    REQUIRE_THROWS_AS(s.query(col(&User::id)).scalar_one(), alchemy::MultipleResultsFound);
    CHECK(s.query(func::coalesce(col(&User::email), "none")).filter(col(&User::id) == 2).scalar() == "none");
}

TEST_CASE("subqueries select the right rows", "[backend][query][subquery]") {
    seeded db;
    auto& s = db.session;
    auto counts = s.query(col(&Post::user_id), func::count(col(&Post::id)).label("cnt")).group_by(col(&Post::user_id)).subquery("counts");
    CHECK(names(s.query<User>().join(counts, counts.c<std::int64_t>("user_id") == col(&User::id))
                    .filter(counts.c<std::int64_t>("cnt") > 1).all()) == std::vector<std::string>{"Alice"});
    CHECK(names(s.query<User>().filter(col(&User::id).in_(s.query(col(&Post::user_id)).filter(col(&Post::title) == "Hello")))
                    .order_by(col(&User::id)).all()) == std::vector<std::string>{"Alice", "Bob"});
    CHECK(names(s.query<User>().filter(!alchemy::exists(s.query(col(&Post::id)).filter(col(&Post::user_id) == col(&User::id)))).all()) ==
          std::vector<std::string>{"Carol"});
    const auto n = s.query(func::count(col(&Post::id))).filter(col(&Post::user_id) == col(&User::id)).scalar_subquery();
    CHECK(s.query(col(&User::name), n).order_by(col(&User::id)).all() ==
          std::vector<std::tuple<std::string, std::int64_t>>{{"Alice", 2}, {"Bob", 1}, {"Carol", 0}});
}

TEST_CASE("raw SQL through the session: rows, and objects resolved into the identity map", "[backend][query][text]") {
    seeded db;
    auto& s = db.session;
    auto alice = s.get<User>(1);
    auto users = s.query<User>().from_statement(alchemy::text("SELECT * FROM users WHERE id <= :max ORDER BY id"),
                                                alchemy::param("max", 2));
    REQUIRE(users.size() == 2);
    CHECK(users[0] == alice);
    CHECK(users[1]->name == "Bob");
    CHECK(s.execute(alchemy::text("SELECT count(*) FROM posts WHERE user_id = ?"), 1).scalar<int>() == 2);
    REQUIRE_THROWS_WITH(s.query<User>().from_statement(alchemy::text("SELECT id, name FROM users")),
                        Catch::Contains("no column 'email' for User"));
    // execute(text) does not autoflush (as Session.execute(text()) in SQLAlchemy).
    s.add(User{.name = "Eve"});
    db.log.clear();
    CHECK(s.execute(alchemy::text("SELECT count(*) FROM users")).scalar<int>() == 3);
    CHECK(db.log.sql() == std::vector<std::string>{"SELECT count(*) FROM users"});
}

TEST_CASE("literal_sql runs as written, braces included", "[backend][query][text]") {
    seeded db;
    CHECK(db.session.query(col(&User::name), alchemy::literal_sql<std::string>("'{' || '}' || '{}'"))
              .filter(col(&User::id) == 1)
              .one() == std::tuple<std::string, std::string>{"Alice", "{}{}"});
}

TEST_CASE("stream() reads rows one at a time from the statement", "[backend][query][stream]") {
    seeded db;
    auto& s = db.session;
    {
        auto tx = db.engine.begin();  // 2,000 more users, so a stream has something to walk
        tx.execute("WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < 2009) "
                   "INSERT INTO users (id, name) SELECT i, 'user_' || i FROM n");
    }
    std::int64_t seen = 0;
    std::int64_t last = 0;
    for (const auto user : s.query<User>().filter(col(&User::id) >= 10).order_by(col(&User::id)).stream()) {
        CHECK(user->id > last);
        last = user->id;
        if (++seen == 100) break;  // leaving early reads no more rows
    }
    CHECK(seen == 100);
    CHECK(s.size() == 100);  // only the rows read were turned into objects
    // Rows stream through the identity map: a known object comes back as itself.
    auto alice = s.get<User>(1);
    std::size_t count = 0;
    for (const auto& [user, post] : s.query<User, Post>().join<Post>().filter(col(&User::id) == 1).stream()) {
        CHECK(user == alice);
        CHECK(post->user_id == 1);
        ++count;
    }
    CHECK(count == 2);
}

TEST_CASE("the SQL text of a query shape is rendered once per session and reused with new values", "[backend][query][cache]") {
    seeded db;
    const std::string by_name = test_backend::sql(
        R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" WHERE "users"."name" = ? LIMIT ? OFFSET ?)");
    std::vector<std::string> found;
    for (const char* name : {"Alice", "Bob", "Nobody"}) {
        auto u = db.session.query<User>().filter(col(&User::name) == name).first();
        found.push_back(u ? u->name : "-");
    }
    CHECK(found == std::vector<std::string>{"Alice", "Bob", "-"});
    CHECK(db.session.compiled_query_count() == 1);
    std::vector<std::string> params;
    for (const auto& e : *db.log.events)
        if (e.sql == by_name) params.push_back(alchemy::format_values(e.parameters.front()));
    CHECK(params == std::vector<std::string>{"('Alice', 1, 0)", "('Bob', 1, 0)", "('Nobody', 1, 0)"});

    // Other values of LIMIT/OFFSET: the same shape. Another condition or order: a new one.
    CHECK(names(db.session.query<User>().filter(col(&User::name) == "Carol").limit(5).offset(0).all()) ==
          std::vector<std::string>{"Carol"});
    CHECK(db.session.compiled_query_count() == 1);
    CHECK(names(db.session.query<User>().filter(col(&User::name) != "Carol").order_by(col(&User::id)).all()) ==
          std::vector<std::string>{"Alice", "Bob"});
    CHECK(db.session.compiled_query_count() == 2);
    // A query that nests another is rendered each time (not cached).
    auto with_posts = db.session.query<User>()
                          .filter(col(&User::id).in_(db.session.query(col(&Post::user_id)).filter(col(&Post::title) == "Hello")))
                          .order_by(col(&User::id))
                          .all();
    CHECK(names(with_posts) == std::vector<std::string>{"Alice", "Bob"});
    CHECK(db.session.compiled_query_count() == 2);
}
