// JSON columns (alchemy/json.hpp): boost::json::value members and a struct stored as
// JSON, written and read back on every backend, change-tracked, and paths into them
// in conditions (json_extract on SQLite, #>> on PostgreSQL), with the SQL, the rows
// stored and the objects checked.
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <alchemy/alchemy.hpp>
#include <alchemy/json.hpp>

// Boost.JSON's compiled part, once in the test program (the header-only way to use it).
#include <boost/json/src.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace js {

// A struct of the program's own, stored as one JSON document.
struct Settings {
    std::string theme{};
    std::int64_t font_size = 0;
    std::vector<std::string> plugins{};
    bool operator==(const Settings&) const = default;
};
BOOST_DESCRIBE_STRUCT(Settings, (), (theme, font_size, plugins))

struct Doc {
    std::int64_t id = 0;
    std::string title{};
    boost::json::value data{};
    std::optional<boost::json::value> extra{};
    Settings settings{};
};
BOOST_DESCRIBE_STRUCT(Doc, (), (id, title, data, extra, settings))
constexpr auto alchemy_table(Doc*) { return alchemy::table("docs"); }

}  // namespace js

template <>
inline constexpr bool alchemy::store_as_json<js::Settings> = true;

using namespace js;
using alchemy::col;
using session_support::COMMIT;
using session_support::rows;
using session_support::stmt;
using session_support::strings;

namespace {

struct json_db : session_support::basic_database<Doc> {
    json_db() : basic_database("json.db") {}
};

boost::json::value json(std::string_view text) { return boost::json::parse(text); }

// Two documents: Ann's (tags cpp, sql; 3 stars; published) and Bob's (tags go; 5 stars).
void seed(json_db& db) {
    auto session = db.session();
    session.add(Doc{.title = "ann",
                    .data = json(R"({"author": {"name": "Ann"}, "tags": ["cpp", "sql"], "stars": 3, "published": true})"),
                    .settings = {.theme = "dark", .font_size = 12, .plugins = {"vim"}}});
    session.add(Doc{.title = "bob",
                    .data = json(R"({"author": {"name": "Bob"}, "tags": ["go"], "stars": 5, "published": false, "ratio": 0.5})"),
                    .extra = json(R"([1, 2, 3])")});
    session.commit();
    db.clear();
}

}  // namespace

TEST_CASE("json: documents and a struct stored as JSON are written as text and read back equal",
          "[backend][json]") {
    json_db db;
    const bool postgresql = test_backend::dialect() == "postgresql";
    // The DDL: TEXT on SQLite (its affinity keeps the text as written), JSONB on PostgreSQL.
    {
        const auto ddl = alchemy::schema::create_table_sql(alchemy::table_of<Doc>(), db.engine.dialect());
        CHECK(ddl.find(postgresql ? R"("data" JSONB NOT NULL)" : R"("data" TEXT NOT NULL)") != std::string::npos);
        CHECK(ddl.find(postgresql ? R"("extra" JSONB)" : R"("extra" TEXT)") != std::string::npos);
    }
    seed(db);
    // What the database holds, parsed (PostgreSQL gives jsonb back in its own spacing).
    const auto stored = db.stored("SELECT data, extra, settings FROM docs ORDER BY id");
    REQUIRE(stored.size() == 2);
    CHECK(json(stored[0][0]) == json(R"({"author": {"name": "Ann"}, "tags": ["cpp", "sql"], "stars": 3, "published": true})"));
    CHECK(stored[0][1] == "NULL");
    CHECK(json(stored[0][2]) == json(R"({"theme": "dark", "font_size": 12, "plugins": ["vim"]})"));
    CHECK(json(stored[1][1]) == json("[1, 2, 3]"));

    auto session = db.session();
    auto ann = session.get<Doc>(1);
    REQUIRE(ann);
    CHECK(ann->data.at("author").at("name") == "Ann");
    CHECK(ann->data.at("tags").as_array().size() == 2);
    CHECK_FALSE(ann->extra);
    CHECK(ann->settings == Settings{.theme = "dark", .font_size = 12, .plugins = {"vim"}});
    auto bob = session.get<Doc>(2);
    REQUIRE(bob->extra);
    CHECK(*bob->extra == json("[1, 2, 3]"));
    CHECK(bob->settings == Settings{});
}

TEST_CASE("json: a change inside a document or a struct stored as JSON is an UPDATE of its column at flush",
          "[backend][json]") {
    json_db db;
    seed(db);
    auto session = db.session();
    auto ann = session.get<Doc>(1);
    db.clear();
    ann->data.as_object()["stars"] = 4;
    ann->settings.plugins.push_back("git");
    session.commit();
    const auto update = test_backend::sql(R"(UPDATE "docs" SET "data" = ?, "settings" = ? WHERE "id" = ?)");
    REQUIRE(db.sql().size() == 2);  // (the transaction began with get())
    CHECK(db.sql()[0].rfind(update, 0) == 0);
    CHECK(db.count("UPDATE") == 1);
    const auto stored = db.stored("SELECT data, settings FROM docs WHERE id = 1");
    CHECK(json(stored[0][0]).at("stars") == 4);
    CHECK(json(stored[0][1]) == json(R"({"theme": "dark", "font_size": 12, "plugins": ["vim", "git"]})"));

    // Nothing changed: no UPDATE.
    db.clear();
    (void)ann->data.at("stars");
    session.commit();
    CHECK(db.count("UPDATE") == 0);
}

TEST_CASE("json: paths into a document filter as text, integer, float and boolean, each a bound parameter",
          "[backend][json]") {
    json_db db;
    seed(db);
    const bool postgresql = test_backend::dialect() == "postgresql";
    auto session = db.session();
    const auto titles = [&](const alchemy::predicate& where) {
        std::vector<std::string> out;
        for (const auto& d : session.query<Doc>().filter(where).order_by(col(&Doc::id)).all()) out.push_back(d->title);
        return out;
    };
    using names = std::vector<std::string>;

    CHECK(titles(col(&Doc::data)["author"]["name"].as_string() == "Ann") == names{"ann"});
    CHECK(db.sql().back() ==
          test_backend::sql(postgresql ? R"(SELECT "docs"."id", "docs"."title", "docs"."data", "docs"."extra", "docs"."settings" FROM "docs" WHERE ("docs"."data" #>> ?) = ? ORDER BY "docs"."id")"
                                       : R"(SELECT "docs"."id", "docs"."title", "docs"."data", "docs"."extra", "docs"."settings" FROM "docs" WHERE json_extract("docs"."data", ?) = ? ORDER BY "docs"."id")"));
    CHECK(db.trace().back().find(postgresql ? R"(<- ('{"author","name"}', 'Ann'))" : R"(<- ('$."author"."name"', 'Ann'))") !=
          std::string::npos);

    CHECK(titles(col(&Doc::data)["tags"][0].as_string() == "go") == names{"bob"});
    CHECK(titles(col(&Doc::data)["tags"][1].as_string() == "sql") == names{"ann"});
    CHECK(titles(col(&Doc::data)["stars"].as_integer() >= 4) == names{"bob"});
    CHECK(db.sql().back().find(postgresql ? R"(CAST(("docs"."data" #>> $1) AS BIGINT) >= $2)" : R"(json_extract("docs"."data", ?) >= ?)") !=
          std::string::npos);
    CHECK(titles(col(&Doc::data)["ratio"].as_float() < 1.0) == names{"bob"});
    CHECK(titles(col(&Doc::data)["published"].as_boolean() == true) == names{"ann"});
    CHECK(titles(col(&Doc::data)["ratio"].as_float().is_null()) == names{"ann"});      // no such key: NULL
    CHECK(titles(col(&Doc::settings)["theme"].as_string() == "dark") == names{"ann"});  // a struct stored as JSON
    CHECK(titles(col(&Doc::extra)[2].as_integer() == 3) == names{"bob"});                // an optional document

    // Read in the select list too.
    auto stars = session.query(col(&Doc::data)["stars"].as_integer()).order_by(col(&Doc::id)).all();
    CHECK(stars == std::vector<std::optional<std::int64_t>>{3, 5});
}

TEST_CASE("json: bad documents and impossible paths fail clearly", "[backend][json]") {
    json_db db;
    seed(db);
    auto session = db.session();
    CHECK_THROWS_WITH(col(&Doc::data)[-1], Catch::Contains("alchemy: JSON array index -1 is negative"));
    if (test_backend::dialect() == "postgresql") {
        // jsonb refuses what is not JSON when it is written, with the database's own error.
        CHECK_THROWS_AS(db.run({R"(UPDATE docs SET data = '{not json' WHERE id = 1)"}), alchemy::DBAPIError);
        return;
    }
    // SQLite stores any text: reading it back names the column.
    CHECK_THROWS_WITH(session.query<Doc>().filter(col(&Doc::data)["a\"b"].as_string() == "x").all(),
                      Catch::Contains("the JSON key \"a\\\"b\" cannot be part of a SQLite JSON path"));
    db.run({R"(UPDATE docs SET data = '{not json' WHERE id = 1)",
            R"(UPDATE docs SET settings = '{"theme": 5}' WHERE id = 2)"});
    CHECK_THROWS_AS(session.get<Doc>(1), alchemy::ConversionError);
    CHECK_THROWS_WITH(session.get<Doc>(1), Catch::Contains("data") && Catch::Contains("a JSON document"));
    CHECK_THROWS_WITH(session.get<Doc>(2), Catch::Contains("settings") && Catch::Contains("a JSON document that converts to"));
}
