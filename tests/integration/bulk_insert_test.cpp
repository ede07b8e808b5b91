// Bulk INSERT of plain rows (session.execute(insert<T>(), rows)) and the
// upsert clause (on_conflict(...).do_nothing() / do_update(...)) on every
// backend: the statements and parameter rows that ran, the rows stored (read
// back with the backend's own client), and the session left without objects.
#include "support/backend.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using alchemy::col;
using alchemy::excluded;
using test_support::log_capture;

namespace upsert {

struct Member {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::string> role{};
    std::int64_t visits = 0;
};
constexpr auto alchemy_table(Member*) {
    return alchemy::table("members", alchemy::unique(&Member::name), alchemy::default_value(&Member::role, "member"));
}

}  // namespace upsert

using upsert::Member;

namespace {

struct members {
    test_backend::database store;
    log_capture log;
    alchemy::engine engine;
    alchemy::session session;

    members() : store("bulk_insert.db"), engine(store.engine({.sink = log.sink()})), session(engine) {
        alchemy::metadata<Member>().create_all(engine);
        log.clear();
    }

    test_backend::rows rows() const { return store.query("SELECT id, name, role, visits FROM members ORDER BY id"); }

    // The INSERT statements (and batches) that ran since the log was cleared.
    std::vector<alchemy::log_event> inserts() const {
        std::vector<alchemy::log_event> out;
        for (auto& e : log.take())
            if (e.sql.starts_with("INSERT")) out.push_back(e);
        return out;
    }
};

using params = std::vector<std::vector<alchemy::value>>;
alchemy::value text(const char* s) { return alchemy::value(std::string(s)); }

// An INSERT as the current backend gets it from a bulk insert: test_backend::sql()
// gives the ORM's INSERTs, which on PostgreSQL read the generated key back
// with RETURNING; a bulk insert reads none.
std::string bulk_sql(std::string_view sqlite_text) {
    auto sql = test_backend::sql(sqlite_text);
    if (const std::string_view returning = R"( RETURNING "id")"; sql.ends_with(returning))
        sql.erase(sql.size() - returning.size());
    return sql;
}
alchemy::value integer(std::int64_t n) { return alchemy::value(n); }

}  // namespace

TEST_CASE("execute(insert<T>(), rows) writes every row with one executemany and makes no object", "[backend][bulk]") {
    members db;
    auto& s = db.session;
    const std::vector<Member> rows{{.name = "ann", .role = "admin", .visits = 3}, {.name = "bob"}, {.name = "cy", .visits = 1}};
    CHECK(s.execute(alchemy::insert<Member>(), rows) == 3);
    const auto ran = db.inserts();
    REQUIRE(ran.size() == 1);
    CHECK(ran[0].kind == alchemy::log_kind::batch);
    CHECK(ran[0].sql == bulk_sql(R"(INSERT INTO "members" ("name", "role", "visits") VALUES (?, ?, ?))"));
    // bob's empty role takes the client-side default, as an added object's would.
    CHECK(ran[0].parameters == params{{text("ann"), text("admin"), integer(3)},
                                      {text("bob"), text("member"), integer(0)},
                                      {text("cy"), text("member"), integer(1)}});
    CHECK(s.size() == 0);
    CHECK(rows[1].role == std::nullopt);  // the caller's rows are not changed
    s.commit();
    CHECK(db.rows() == test_backend::rows{{"1", "ann", "admin", "3"}, {"2", "bob", "member", "0"}, {"3", "cy", "member", "1"}});
    CHECK(s.get<Member>(2)->name == "bob");  // loaded now, by a SELECT
}

TEST_CASE("rows that give their key and rows that leave it to the database run as separate batches",
          "[backend][bulk]") {
    members db;
    auto& s = db.session;
    const std::vector<Member> rows{{.id = 10, .name = "ten"}, {.name = "a"}, {.name = "b"}, {.id = 20, .name = "twenty"}};
    CHECK(s.execute(alchemy::insert<Member>(), rows) == 4);
    const auto ran = db.inserts();
    REQUIRE(ran.size() == 3);
    CHECK(ran[0].sql == bulk_sql(R"(INSERT INTO "members" ("id", "name", "role", "visits") VALUES (?, ?, ?, ?))"));
    CHECK(ran[1].sql == bulk_sql(R"(INSERT INTO "members" ("name", "role", "visits") VALUES (?, ?, ?))"));
    CHECK(ran[1].parameters.size() == 2);
    CHECK(ran[2].sql == ran[0].sql);
    CHECK(s.execute(alchemy::insert<Member>(), std::vector<Member>{}) == 0);
    CHECK(db.inserts().empty());
    s.commit();
    CHECK(db.store.query("SELECT name FROM members ORDER BY name") ==
          test_backend::rows{{"a"}, {"b"}, {"ten"}, {"twenty"}});
}

TEST_CASE("on_conflict().do_nothing() skips the rows that conflict", "[backend][bulk]") {
    members db;
    auto& s = db.session;
    s.execute(alchemy::insert<Member>(), Member{.name = "ann", .visits = 5});
    db.log.clear();
    const std::vector<Member> rows{{.name = "ann", .visits = 1}, {.name = "zed"}};
    CHECK(s.execute(alchemy::insert<Member>().on_conflict(&Member::name).do_nothing(), rows) == 1);
    CHECK(db.inserts().front().sql ==
          bulk_sql(R"(INSERT INTO "members" ("name", "role", "visits") VALUES (?, ?, ?) ON CONFLICT ("name") DO NOTHING)"));
    CHECK(s.execute(alchemy::insert<Member>().on_conflict().do_nothing(), Member{.id = 1, .name = "other"}) == 0);
    CHECK(db.inserts().front().sql.ends_with(" ON CONFLICT DO NOTHING"));
    s.commit();
    CHECK(db.store.query("SELECT name, visits FROM members ORDER BY name") == test_backend::rows{{"ann", "5"}, {"zed", "0"}});
}

TEST_CASE("on_conflict(...).do_update(...) updates the row in the table from the row proposed", "[backend][bulk]") {
    members db;
    auto& s = db.session;
    s.execute(alchemy::insert<Member>(), Member{.name = "ann", .role = "admin", .visits = 5});
    auto ann = s.get<Member>(1);
    db.log.clear();
    using alchemy::set;
    const auto upsert = alchemy::insert<Member>().on_conflict(&Member::name).do_update(
        {set(&Member::visits, col(&Member::visits) + excluded(&Member::visits) + 1), set(&Member::role, excluded(&Member::role))});
    const std::vector<Member> rows{{.name = "ann", .role = "owner", .visits = 2}, {.name = "bob", .visits = 7}};
    CHECK(s.execute(upsert, rows) == 2);
    const auto ran = db.inserts();
    REQUIRE(ran.size() == 1);
    CHECK(ran[0].sql == bulk_sql(
                            R"(INSERT INTO "members" ("name", "role", "visits") VALUES (?, ?, ?) ON CONFLICT ("name") DO UPDATE SET "visits" = "members"."visits" + "excluded"."visits" + ?, "role" = "excluded"."role")"));
    CHECK(ran[0].parameters == params{{text("ann"), text("owner"), integer(2), integer(1)},
                                      {text("bob"), text("member"), integer(7), integer(1)}});
    CHECK(ann->visits == 5);  // the object in the session is not told
    s.commit();
    CHECK(ann->visits == 8);  // expired by the commit: the row's value
    // (bob's key is not checked: PostgreSQL's sequence also advanced for ann's conflicting row.)
    CHECK(db.store.query("SELECT name, role, visits FROM members ORDER BY name") ==
          test_backend::rows{{"ann", "owner", "8"}, {"bob", "member", "7"}});
}

TEST_CASE("an upsert neither database would accept is an ArgumentError before any SQL", "[backend][bulk]") {
    members db;
    auto& s = db.session;
    using alchemy::set;
    const Member row{.name = "ann"};
    CHECK_THROWS_MATCHES(s.execute(alchemy::insert<Member>().on_conflict(&Member::visits).do_nothing(), row),
                         alchemy::ArgumentError,
                         Catch::Matchers::Message("alchemy: insert<Member>().on_conflict(visits): these columns of "
                                                  "table 'members' are not its primary key nor a unique constraint or "
                                                  "index, so no conflict can arise on them"));
    CHECK_THROWS_MATCHES(
        s.execute(alchemy::insert<Member>().on_conflict().do_update(set(&Member::visits, 0)), row), alchemy::ArgumentError,
        Catch::Matchers::Message("alchemy: insert<Member>().on_conflict().do_update(...): DO UPDATE needs the conflict "
                                 "target, the columns of a unique constraint: on_conflict(&Member::member, ...)"));
    CHECK_THROWS_WITH(s.execute(alchemy::insert<Member>().on_conflict(&Member::name).do_update(
                                    {set(&Member::visits, 0), set(&Member::visits, 1)}),
                                row),
                      "alchemy: insert<Member>() ... do_update(): column 'visits' is set twice");
    CHECK(db.inserts().empty());
    CHECK(db.rows().empty());
}
