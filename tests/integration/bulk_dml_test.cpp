// Bulk UPDATE and DELETE from a query (query::update(), query::delete_()) on
// every backend: the one statement that runs, the rows it leaves (read back
// with the backend's own client), and what the session's objects learn under
// each synchronize_session strategy.
#include "support/backend.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using alchemy::col;
using alchemy::synchronize_session;
using test_support::log_capture;

namespace bulk {

struct Account {
    std::int64_t id = 0;
    std::string owner{};
    std::optional<std::int64_t> balance{};
};
constexpr auto alchemy_table(Account*) { return alchemy::table("accounts"); }

struct Transfer {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
};
constexpr auto alchemy_table(Transfer*) {
    return alchemy::table("transfers", alchemy::foreign_key(&Transfer::account_id, &Account::id));
}

}  // namespace bulk

using bulk::Account;
using bulk::Transfer;

namespace {

// ann 100, bob 50, cy NULL, each loaded into the session; the log starts empty.
struct accounts {
    test_backend::database store;
    log_capture log;
    alchemy::engine engine;
    alchemy::session session;
    alchemy::ptr<Account> ann, bob, cy;

    accounts() : store("bulk_dml.db"), engine(store.engine({.sink = log.sink()})), session(engine) {
        alchemy::metadata<Account, Transfer>().create_all(engine);
        auto tx = engine.begin();
        tx.execute("INSERT INTO accounts (id, owner, balance) VALUES (1, 'ann', 100), (2, 'bob', 50), (3, 'cy', NULL)");
        tx.execute("INSERT INTO transfers (id, account_id) VALUES (1, 2)");
        tx.commit();
        store.sync_generated_keys();
        ann = session.get<Account>(1);
        bob = session.get<Account>(2);
        cy = session.get<Account>(3);
        log.clear();
    }

    test_backend::rows balances() const { return store.query("SELECT id, balance FROM accounts ORDER BY id"); }

    // The statements that ran since the log was cleared, BEGIN and COMMIT left out.
    std::vector<std::string> statements() const {
        std::vector<std::string> out;
        for (const auto& s : log.sql())
            if (s != "BEGIN" && s != "COMMIT" && s != "ROLLBACK") out.push_back(s);
        return out;
    }
};

}  // namespace

TEST_CASE("update() with evaluate runs one UPDATE and sets the matched objects' values without SQL",
          "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    const auto n = s.query<Account>()
                       .filter(col(&Account::balance) < 80)
                       .update(alchemy::set(&Account::balance, col(&Account::balance) + 10), synchronize_session::evaluate);
    CHECK(n == 1);
    CHECK(db.statements() == std::vector<std::string>{test_backend::sql(
                                 R"(UPDATE "accounts" SET "balance" = "accounts"."balance" + ? WHERE "accounts"."balance" < ?)")});
    CHECK(db.log.take().back().parameters == std::vector<std::vector<alchemy::value>>{{std::int64_t{10}, std::int64_t{80}}});
    // bob matched (50 < 80); cy's NULL balance is unknown, not matched; ann is not below 80.
    CHECK(db.bob->balance == 60);
    CHECK(db.ann->balance == 100);
    CHECK(db.cy->balance == std::nullopt);
    CHECK_FALSE(s.is_modified(db.bob));  // the value is the row's, nothing to flush
    CHECK(db.log.sql().empty());         // read without a SELECT
    s.commit();
    CHECK(db.statements().empty());  // and the commit writes nothing more
    CHECK(db.balances() == test_backend::rows{{"1", "100"}, {"2", "60"}, {"3", "NULL"}});
}

TEST_CASE("update() with fetch reads the changed keys and values back with RETURNING", "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    const auto n = s.query<Account>()
                       .filter(col(&Account::owner) != "cy")
                       .update({alchemy::set(&Account::balance, col(&Account::balance) * 2), alchemy::set(&Account::owner, "x")},
                               synchronize_session::fetch);
    CHECK(n == 2);
    CHECK(db.statements() ==
          std::vector<std::string>{test_backend::sql(
              R"(UPDATE "accounts" SET "balance" = "accounts"."balance" * ?, "owner" = ? WHERE "accounts"."owner" != ? RETURNING "id", "balance", "owner")")});
    db.log.clear();
    CHECK(db.ann->balance == 200);
    CHECK(db.bob->balance == 100);
    CHECK(db.bob->owner == "x");
    CHECK(db.cy->owner == "cy");
    CHECK(db.log.sql().empty());
    s.commit();
    CHECK(db.store.query("SELECT owner, balance FROM accounts ORDER BY id") ==
          test_backend::rows{{"x", "200"}, {"x", "100"}, {"cy", "NULL"}});
}

TEST_CASE("automatic evaluates what it can and fetches the rest, and evaluate refuses what it cannot evaluate",
          "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    SECTION("evaluable criteria: no RETURNING") {
        CHECK(s.query<Account>().filter(col(&Account::id) == 2).update(alchemy::set(&Account::balance, 7)) == 1);
        CHECK(db.statements() == std::vector<std::string>{test_backend::sql(
                                     R"(UPDATE "accounts" SET "balance" = ? WHERE "accounts"."id" = ?)")});
        CHECK(db.bob->balance == 7);
    }
    SECTION("LIKE: fetched") {
        CHECK(s.query<Account>().filter(col(&Account::owner).startswith("b")).update(alchemy::set(&Account::balance, 7)) == 1);
        CHECK(db.statements() ==
              std::vector<std::string>{test_backend::sql(
                  R"(UPDATE "accounts" SET "balance" = ? WHERE "accounts"."owner" LIKE ? ESCAPE '/' RETURNING "id", "balance")")});
        CHECK(db.bob->balance == 7);
    }
    SECTION("text ordered by a collation: fetched") {
        CHECK(s.query<Account>().filter(col(&Account::owner) > "b").update(alchemy::set(&Account::balance, 7)) == 2);
        CHECK(db.statements().front().ends_with(R"(RETURNING "id", "balance")"));
        CHECK(db.bob->balance == 7);
        CHECK(db.cy->balance == 7);
        CHECK(db.ann->balance == 100);
    }
    SECTION("an expired object: fetched, since evaluate cannot know whether it matches") {
        s.expire(db.ann);
        db.log.clear();
        CHECK(s.query<Account>().filter(col(&Account::balance) > 60).update(alchemy::set(&Account::balance, 1)) == 1);
        CHECK(db.statements().front().ends_with(R"(RETURNING "id", "balance")"));
        CHECK(db.ann->balance == 1);
    }
    SECTION("evaluate names what it cannot evaluate, and runs nothing") {
        CHECK_THROWS_MATCHES(
            s.query<Account>().filter(col(&Account::owner).startswith("b")).update(alchemy::set(&Account::balance, 7),
                                                                                    synchronize_session::evaluate),
            alchemy::InvalidRequestError,
            Catch::Matchers::Message("alchemy: update() of Account with synchronize_session::evaluate: LIKE in the "
                                     "criteria cannot be evaluated in C++; use synchronize_session::fetch (or automatic)"));
        CHECK_THROWS_WITH(s.query<Account>()
                              .filter(col(&Account::id).in_(s.query(col(&Transfer::account_id))))
                              .delete_(synchronize_session::evaluate),
                          Catch::Contains("IN of a subquery in the criteria cannot be evaluated"));
        CHECK(db.statements().empty());
        CHECK(db.balances() == test_backend::rows{{"1", "100"}, {"2", "50"}, {"3", "NULL"}});
    }
}

TEST_CASE("evaluate follows SQL's NULL logic, IN, BETWEEN and arithmetic", "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    using alchemy::set;
    // NOT (NULL > 70) is NULL: cy does not match, in the database or in C++.
    CHECK(s.query<Account>().filter(!(col(&Account::balance) > 70)).update(set(&Account::owner, "low"),
                                                                             synchronize_session::evaluate) == 1);
    CHECK(db.bob->owner == "low");
    CHECK(db.cy->owner == "cy");
    // NULL OR true is true.
    CHECK(s.query<Account>()
              .filter(col(&Account::balance) > 1000 || col(&Account::id).in_({1, 3}))
              .update(set(&Account::balance, col(&Account::id) - 100), synchronize_session::evaluate) == 2);
    CHECK(db.ann->balance == -99);
    CHECK(db.cy->balance == -97);
    CHECK(s.query<Account>()
              .filter(col(&Account::balance).between(-98, 60) && col(&Account::balance).is_not_null())
              .update(set(&Account::balance, nullptr), synchronize_session::evaluate) == 2);
    CHECK(db.bob->balance == std::nullopt);
    CHECK(db.cy->balance == std::nullopt);
    CHECK(db.ann->balance == -99);
    const auto seen = test_backend::rows{{"1", "-99"}, {"2", "NULL"}, {"3", "NULL"}};
    s.commit();
    CHECK(db.balances() == seen);
}

TEST_CASE("evaluate: an overflow leaves the answer to the database, and an expired object reloads", "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    const auto huge = std::numeric_limits<std::int64_t>::max();
    SECTION("evaluate names the object it cannot evaluate, and runs nothing") {
        CHECK_THROWS_AS(
            s.query<Account>().filter(col(&Account::balance) + huge > 0).update(alchemy::set(&Account::owner, "x"),
                                                                               synchronize_session::evaluate),
            alchemy::InvalidRequestError);
        CHECK_THROWS_WITH(
            s.query<Account>().filter(col(&Account::balance) + huge > 0).update(alchemy::set(&Account::owner, "x"),
                                                                               synchronize_session::evaluate),
            Catch::Matchers::Contains("alchemy: update() of Account with synchronize_session::evaluate: the criteria "
                                      "cannot be evaluated in C++ for the Account with key ") &&
                Catch::Matchers::Contains("use synchronize_session::fetch"));
        CHECK(db.statements().empty());
    }
    SECTION("automatic fetches instead") {
        // ann's 100 + huge overflows in C++; SQLite's result goes to REAL, PostgreSQL refuses it.
        if (test_backend::dialect() == "postgresql") {
            CHECK_THROWS(s.query<Account>().filter(col(&Account::balance) + huge > 0).update(alchemy::set(&Account::owner, "x")));
        } else {
            CHECK(s.query<Account>().filter(col(&Account::balance) + huge > 0).update(alchemy::set(&Account::owner, "x")) == 2);
            CHECK(db.statements().front().ends_with(R"(RETURNING "id", "owner")"));
            CHECK(db.ann->owner == "x");
            CHECK(db.bob->owner == "x");
            CHECK(db.cy->owner == "cy");
        }
    }
    SECTION("evaluate: an expired object is not known to match: what the UPDATE set reloads") {
        s.expire(db.ann);
        db.log.clear();
        CHECK(s.query<Account>().filter(col(&Account::balance) > 60).update(alchemy::set(&Account::balance, 1),
                                                                              synchronize_session::evaluate) == 1);
        CHECK(db.statements() == std::vector<std::string>{test_backend::sql(
                                     R"(UPDATE "accounts" SET "balance" = ? WHERE "accounts"."balance" > ?)")});
        CHECK(db.ann->balance == 1);  // reloaded
        CHECK(db.bob->balance == 50);
    }
}

TEST_CASE("delete_() marks the matched objects deleted, and the commit detaches them", "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    for (const auto sync : {synchronize_session::evaluate, synchronize_session::fetch, synchronize_session::automatic}) {
        CAPTURE(static_cast<int>(sync));
        accounts fresh;
        auto& t = fresh.session;
        CHECK(t.query<Account>().filter(col(&Account::balance).is_null()).delete_(sync) == 1);
        CHECK(fresh.statements() ==
              std::vector<std::string>{test_backend::sql(
                  sync == synchronize_session::fetch
                      ? R"(DELETE FROM "accounts" WHERE "accounts"."balance" IS NULL RETURNING "id")"
                      : R"(DELETE FROM "accounts" WHERE "accounts"."balance" IS NULL)")});
        CHECK(alchemy::inspect(fresh.cy).deleted());
        CHECK(alchemy::inspect(fresh.bob).persistent());
        fresh.log.clear();
        CHECK_FALSE(t.get<Account>(3));  // the row is gone: get() asks the database
        t.commit();
        CHECK(alchemy::inspect(fresh.cy).detached());
        CHECK(fresh.store.query("SELECT id FROM accounts ORDER BY id") == test_backend::rows{{"1"}, {"2"}});
    }
    // A subquery in the criteria (automatic fetches).
    CHECK(s.query<Account>().filter(!col(&Account::id).in_(s.query(col(&Transfer::account_id)))).delete_() == 2);
    CHECK(alchemy::inspect(db.ann).deleted());
    CHECK(alchemy::inspect(db.cy).deleted());
    CHECK(alchemy::inspect(db.bob).persistent());
}

TEST_CASE("synchronize_session::none leaves the objects as they were until they expire", "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    CHECK(s.query<Account>().update(alchemy::set(&Account::balance, 0), synchronize_session::none) == 3);
    CHECK(db.statements() == std::vector<std::string>{test_backend::sql(R"(UPDATE "accounts" SET "balance" = ?)")});
    CHECK(db.ann->balance == 100);  // stale, as asked
    CHECK(s.query<Account>().filter(col(&Account::id) == 3).delete_(synchronize_session::none) == 1);
    CHECK(alchemy::inspect(db.cy).persistent());
    s.commit();
    CHECK(db.ann->balance == 0);  // expired by the commit: reloaded
}

TEST_CASE("update() and delete_() autoflush first", "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    db.bob->balance = 90;  // a change not flushed yet: the UPDATE by key runs first, then the bulk one sees 90
    CHECK(s.query<Account>().filter(col(&Account::balance) > 80).update(alchemy::set(&Account::balance, 1)) == 2);
    const auto ran = db.statements();
    REQUIRE(ran.size() == 2);
    CHECK(ran[0] == test_backend::sql(R"(UPDATE "accounts" SET "balance" = ? WHERE "id" = ?)"));
    CHECK(ran[1] == test_backend::sql(R"(UPDATE "accounts" SET "balance" = ? WHERE "accounts"."balance" > ?)"));
    CHECK(db.bob->balance == 1);
    CHECK(db.ann->balance == 1);
}

TEST_CASE("a many-to-one whose foreign key a bulk UPDATE changed loads again", "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    auto transfer = s.get<Transfer>(1);
    CHECK(transfer->account_id == 2);
    CHECK(s.query<Transfer>().update(alchemy::set(&Transfer::account_id, 1), synchronize_session::evaluate) == 1);
    CHECK(transfer->account_id == 1);
    s.commit();
    CHECK(db.store.query("SELECT account_id FROM transfers") == test_backend::rows{{"1"}});
}

TEST_CASE("rolling back undoes what a bulk UPDATE or DELETE told the objects", "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    SECTION("rollback()") {
        s.query<Account>().filter(col(&Account::id) == 1).update(alchemy::set(&Account::balance, 5));
        s.query<Account>().filter(col(&Account::id) == 3).delete_();
        CHECK(alchemy::inspect(db.cy).deleted());
        s.rollback();
        CHECK(alchemy::inspect(db.cy).persistent());
        CHECK(db.ann->balance == 100);
        CHECK(s.get<Account>(3) == db.cy);
        CHECK(db.cy->owner == "cy");
    }
    SECTION("a savepoint rolled back") {
        s.query<Account>().filter(col(&Account::id) == 1).update(alchemy::set(&Account::balance, 5));
        {
            auto nested = s.begin_nested();
            s.query<Account>().filter(col(&Account::id) == 1).update(alchemy::set(&Account::balance, 6));
            s.query<Account>().filter(col(&Account::id) == 3).delete_();
            CHECK(db.ann->balance == 6);
            nested.rollback();
        }
        CHECK(alchemy::inspect(db.cy).persistent());
        CHECK(db.ann->balance == 5);  // the outer UPDATE stands; the inner one is taken back
        s.commit();
        CHECK(db.balances() == test_backend::rows{{"1", "5"}, {"2", "50"}, {"3", "NULL"}});
    }
    SECTION("a savepoint released keeps them, and the commit detaches the deleted") {
        {
            auto nested = s.begin_nested();
            s.query<Account>().filter(col(&Account::id) == 3).delete_();
            nested.commit();
        }
        CHECK(alchemy::inspect(db.cy).deleted());
        s.commit();
        CHECK(alchemy::inspect(db.cy).detached());
        CHECK(db.store.query("SELECT id FROM accounts ORDER BY id") == test_backend::rows{{"1"}, {"2"}});
    }
}

TEST_CASE("a failed flush after bulk statements takes back what they told the objects, and the retry does not "
          "run them again",
          "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    s.query<Account>().filter(col(&Account::id) == 1).update(alchemy::set(&Account::balance, 5));
    s.query<Account>().filter(col(&Account::id) == 3).delete_();
    auto bad = s.add(Transfer{.id = 2, .account_id = 99});  // no account 99: the INSERT fails
    CHECK_THROWS_AS(s.commit(), alchemy::IntegrityError);
    CHECK(alchemy::inspect(db.cy).persistent());
    CHECK(alchemy::inspect(bad).pending());
    bad->account_id = 2;
    db.log.clear();
    CHECK(db.ann->balance == 100);  // the UPDATE went with the transaction: the value is read again
    s.commit();
    const auto ran = db.statements();
    REQUIRE(ran.size() == 2);  // the INSERT (autoflushed before the load) and the load: no bulk statement again
    CHECK(ran[0] == test_backend::sql(R"(INSERT INTO "transfers" ("id", "account_id") VALUES (?, ?))"));
    CHECK(ran[1].starts_with("SELECT"));
    CHECK(db.balances() == test_backend::rows{{"1", "100"}, {"2", "50"}, {"3", "NULL"}});
}

TEST_CASE("update() and delete_() refuse queries that are not one table's rows", "[backend][bulk]") {
    accounts db;
    auto& s = db.session;
    const auto refused = [&](auto run, const std::string& text) {
        CHECK_THROWS_MATCHES(run(), alchemy::ArgumentError, Catch::Matchers::Message(text));
    };
    refused([&] { return s.query<Account>().order_by(col(&Account::id)).delete_(); },
            "alchemy: delete_() of Account: the query has ORDER BY, which a bulk UPDATE or DELETE cannot have; "
            "filter() is all it takes");
    refused([&] { return s.query<Account>().limit(1).update(alchemy::set(&Account::balance, 0)); },
            "alchemy: update() of Account: the query has LIMIT/OFFSET, which a bulk UPDATE or DELETE cannot have; "
            "filter() is all it takes");
    refused([&] { return s.query<Account>().join<Transfer>().delete_(); },
            "alchemy: delete_() of Account: the query has a join, which a bulk UPDATE or DELETE cannot have; "
            "filter() is all it takes");
    refused([&] { return s.query<Account>().filter(col(&Transfer::id) == 1).delete_(); },
            "alchemy: delete_() of Account: the criteria name table 'transfers'; a bulk UPDATE or DELETE filters "
            "on its own table's columns (a subquery can reach others: col(&T::id).in_(...))");
    alchemy::aliased<Account> other("other");
    refused([&] { return s.query<Account>().filter(other.c(&Account::balance) > 1).delete_(); },
            "alchemy: delete_() of Account: the criteria name alias 'other', which the statement does not read; a "
            "bulk UPDATE or DELETE filters on its own table's columns (a subquery can reach others: "
            "col(&T::id).in_(...))");
    refused([&] { return s.query<Account>().update(alchemy::set(&Account::balance, other.c(&Account::balance))); },
            "alchemy: update() of Account: a SET value names alias 'other', which the statement does not read; a "
            "bulk UPDATE or DELETE filters on its own table's columns (a subquery can reach others: "
            "col(&T::id).in_(...))");
    refused([&] { return s.query<Account>().update(alchemy::set(&Transfer::id, 5)); },
            "alchemy: update() of Account: set() of a column of Transfer (table 'transfers')");
    refused([&] { return s.query<Account>().update(alchemy::set(&Account::id, 5)); },
            "alchemy: update() of Account (table 'accounts') sets the primary key column 'id': the session's "
            "objects would keep their old keys. Change the key on the object and flush, or pass "
            "synchronize_session::none and expunge the objects yourself");
    CHECK(db.statements().empty());
}
