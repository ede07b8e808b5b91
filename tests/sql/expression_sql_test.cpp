// Golden SQL for operators, functions, grouping and joins.
#include "models/seed_models.hpp"
#include "support/printing.hpp"

#include <catch2/catch.hpp>

using alchemy::col;
namespace func = alchemy::func;
using plain::Post;
using plain::User;
using Params = std::vector<alchemy::value>;

namespace {

// No engine: each query is built by alchemy::select and compiled through the dialect.
const alchemy::sqlite_dialect sqlite;

// The WHERE clause of a query on posts filtered by `p`, and its parameters.
std::pair<std::string, Params> where(const alchemy::predicate& p) {
    auto compiled = alchemy::compile(alchemy::select<Post>().filter(p), sqlite);
    return {compiled.sql.substr(compiled.sql.find(" WHERE ") + 7), compiled.params};
}

struct Editor {  // two foreign keys to users: joins must be told which
    std::int64_t id = 0;
    std::int64_t author_id = 0;
    std::int64_t reviewer_id = 0;
};
constexpr auto alchemy_table(Editor*) {
    return alchemy::table("edits", alchemy::foreign_key(&Editor::author_id, &User::id),
                          alchemy::foreign_key(&Editor::reviewer_id, &User::id));
}
struct Lonely {
    std::int64_t id = 0;
};

}  // namespace

TEST_CASE("IN and NOT IN bind each value and empty lists match nothing / everything", "[sql][expressions]") {
    CHECK(where(col(&Post::id).in_({1, 2, 3})) == std::pair<std::string, Params>{
                                                      R"("posts"."id" IN (?, ?, ?))", {std::int64_t{1}, std::int64_t{2}, std::int64_t{3}}});
    CHECK(where(col(&Post::title).not_in(std::vector<std::string>{"a"})).first == R"(("posts"."title" NOT IN (?)))");
    CHECK(where(col(&Post::id).in_(std::vector<int>{})).first == "1 != 1");
    CHECK(where(col(&Post::id).not_in(std::vector<int>{})).first == "1 = 1");
}

TEST_CASE("LIKE, ILIKE and the escaping startswith / endswith / contains", "[sql][expressions]") {
    CHECK(where(col(&Post::title).like("He%o")) == std::pair<std::string, Params>{R"("posts"."title" LIKE ?)", {std::string("He%o")}});
    CHECK(where(col(&Post::title).ilike("he%")) ==
          std::pair<std::string, Params>{R"(lower("posts"."title") LIKE lower(?))", {std::string("he%")}});
    CHECK(where(col(&Post::title).startswith("50%_off")) ==
          std::pair<std::string, Params>{R"("posts"."title" LIKE ? ESCAPE '/')", {std::string("50/%/_off%")}});
    CHECK(where(col(&Post::title).endswith("a/b")).second == Params{std::string("%a//b")});
    CHECK(where(col(&Post::title).contains("x")).second == Params{std::string("%x%")});
}

TEST_CASE("BETWEEN, arithmetic with precedence, CAST", "[sql][expressions]") {
    CHECK(where(col(&Post::id).between(2, 5)) ==
          std::pair<std::string, Params>{R"("posts"."id" BETWEEN ? AND ?)", {std::int64_t{2}, std::int64_t{5}}});
    CHECK(where((col(&Post::id) + 1) * 2 > 10).first == R"(("posts"."id" + ?) * ? > ?)");
    CHECK(where(col(&Post::id) - (col(&Post::id) - 1) == 1).first == R"("posts"."id" - ("posts"."id" - ?) = ?)");
    CHECK(where(col(&Post::id) + 1 + 2 == 4).first == R"("posts"."id" + ? + ? = ?)");
    CHECK(where(alchemy::cast<std::string>(col(&Post::id)) == "7").first == R"(CAST("posts"."id" AS TEXT) = ?)");
}

TEST_CASE("aggregates, labels, GROUP BY and HAVING", "[sql][expressions]") {
    const auto n = func::count(col(&Post::id)).label("n");
    const auto q = alchemy::select(col(&User::name), n)
                       .outerjoin<Post>()
                       .group_by(col(&User::name))
                       .having(func::count(col(&Post::id)) > 1)
                       .order_by(n.desc(), col(&User::name));
    CHECK(alchemy::compile(q, sqlite).sql ==
          R"(SELECT "users"."name", count("posts"."id") AS "n" FROM "users" LEFT OUTER JOIN "posts" ON )"
          R"("users"."id" = "posts"."user_id" GROUP BY "users"."name" HAVING count("posts"."id") > ? )"
          R"(ORDER BY "n" DESC, "users"."name")");
    const auto aggregates = alchemy::select(func::sum(col(&Post::id)), func::avg(col(&Post::id)),
                                            func::min(col(&Post::title)), func::max(col(&Post::id)),
                                            func::coalesce(col(&Post::user_id), 0),
                                            func::call<std::string>("upper", col(&Post::title)));
    CHECK(alchemy::compile(aggregates, sqlite).sql ==
          R"(SELECT sum("posts"."id"), avg("posts"."id"), min("posts"."title"), max("posts"."id"), )"
          R"(coalesce("posts"."user_id", ?), upper("posts"."title") FROM "posts")");
}

TEST_CASE("literal_sql is pasted as written, braces included", "[sql][expressions]") {
    // "{}" is the compiler's slot for a child node in its own patterns; in
    // literal_sql it is the user's text (it threw std::out_of_range).
    CHECK(alchemy::compile(alchemy::select(col(&Post::id), alchemy::literal_sql<std::string>("json_object('a', '{}')")), sqlite).sql ==
          R"(SELECT "posts"."id", json_object('a', '{}') FROM "posts")");
    CHECK(where(alchemy::literal_sql<bool>("'{}{}' = '{}{}'")).first == "'{}{}' = '{}{}'");
}

TEST_CASE("joins: inferred from the foreign key, explicit, outer, and the errors", "[sql][joins]") {
    CHECK(alchemy::compile(alchemy::select<User, Post>().join<Post>(), sqlite).sql ==
          R"(SELECT "users"."id", "users"."name", "users"."email", "posts"."id", "posts"."title", "posts"."user_id" )"
          R"(FROM "users" JOIN "posts" ON "users"."id" = "posts"."user_id")");
    // From the child side the same foreign key is found.
    CHECK(alchemy::compile(alchemy::select<Post>().join<User>(), sqlite).sql ==
          R"(SELECT "posts"."id", "posts"."title", "posts"."user_id" FROM "posts" JOIN "users" ON "users"."id" = "posts"."user_id")");
    CHECK(alchemy::compile(alchemy::select<User>().join<Editor>(col(&Editor::reviewer_id) == col(&User::id)), sqlite).sql ==
          R"(SELECT "users"."id", "users"."name", "users"."email" FROM "users" JOIN "edits" ON "edits"."reviewer_id" = "users"."id")");
    CHECK(alchemy::compile(alchemy::select<User>().outerjoin<Post>(), sqlite).sql.find(R"(LEFT OUTER JOIN "posts" ON)") != std::string::npos);

    REQUIRE_THROWS_AS(alchemy::select<User>().join<Lonely>(), alchemy::InvalidRequestError);
    REQUIRE_THROWS_WITH(alchemy::select<User>().join<Lonely>(), Catch::Contains("Don't know how to join to Lonely"));
    REQUIRE_THROWS_WITH(alchemy::select<User>().join<Editor>(), Catch::Contains("there are 2 foreign key paths"));
}

TEST_CASE("func::call pastes a plain identifier as the function name", "[sql][expressions][func]") {
    CHECK(alchemy::compile(alchemy::select(func::call<std::string>("_my_Fn2", col(&Post::title), 1)), sqlite).sql ==
          R"(SELECT _my_Fn2("posts"."title", ?) FROM "posts")");
    CHECK(where(func::call<std::int64_t>("length", col(&Post::title)) > 3) ==
          std::pair<std::string, Params>{R"(length("posts"."title") > ?)", {std::int64_t{3}}});
}

TEST_CASE("func::call refuses a name that is not a plain identifier, when it is called", "[sql][expressions][func]") {
    const auto message = [](const std::string& quoted) {
        return "alchemy: func::call: " + quoted +
               " is not a function name; a function name is a plain SQL identifier, a letter or '_' followed by "
               "letters, digits or '_' ([A-Za-z_][A-Za-z0-9_]*)";
    };
    // The name as written, and as the message prints it (escaped, in quotes).
    const auto [name, printed] = GENERATE(table<std::string, std::string>({
        {"", R"q("")q"},
        {"my func", R"q("my func")q"},
        {"x(1)); DROP TABLE users; --", R"q("x(1)); DROP TABLE users; --")q"},
        {"up\"per", R"q("up\"per")q"},
        {"it's", R"q("it's")q"},
        {std::string("up\0per", 6), R"q("up\x00per")q"},
        {"1up", R"q("1up")q"},
        {"(SELECT 1)", R"q("(SELECT 1)")q"},
        {"main.upper", R"q("main.upper")q"},  // SQLite's functions have no schema
        {"upper\n", R"q("upper\n")q"},
    }));
    INFO("name: " << printed);
    // No query, no session: the call itself throws.
    REQUIRE_THROWS_AS(func::call<std::string>(name, col(&Post::title)), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(func::call<std::string>(name, col(&Post::title)), message(printed));
    REQUIRE_THROWS_WITH(func::call<std::int64_t>(name), message(printed));
}
