// One-to-one relationships: relationship_one<T> on the side that does not hold the
// key (SQLAlchemy's relationship(uselist=False)) beside backref<T> on the side that
// does. Two-way sync, the key written at flush, lazy / select-IN / joined loading,
// cascades, has(), merge, and MultipleResultsFound when the data has two rows.
// Each test checks the SQL that reached the database, the rows stored and the objects.
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace one {

struct Profile;
struct Account {
    std::int64_t id = 0;
    std::string name{};
    alchemy::relationship_one<Profile> profile{};  // the profile whose account_id is this id, or none
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, name, profile))

struct Profile {
    std::int64_t id = 0;
    std::string bio{};
    std::optional<std::int64_t> account_id{};
    alchemy::backref<Account> account{};
};
BOOST_DESCRIBE_STRUCT(Profile, (), (id, bio, account_id, account))

constexpr auto alchemy_table(Account*) { return alchemy::table("accounts"); }
constexpr auto alchemy_table(Profile*) {
    return alchemy::table("profiles", alchemy::foreign_key(&Profile::account_id, &Account::id),
                          alchemy::unique(&Profile::account_id));  // one profile per account, in the schema too
}

// The same shape with "all, delete-orphan": a passport lives and dies with its person.
struct Passport;
struct Person {
    std::int64_t id = 0;
    std::string name{};
    alchemy::relationship_one<Passport> passport{};
};
BOOST_DESCRIBE_STRUCT(Person, (), (id, name, passport))

struct Passport {
    std::int64_t id = 0;
    std::string number{};
    std::optional<std::int64_t> person_id{};
    alchemy::backref<Person> person{};
};
BOOST_DESCRIBE_STRUCT(Passport, (), (id, number, person_id, person))

constexpr auto alchemy_table(Person*) {
    return alchemy::table("people", alchemy::relation(&Person::passport, {.cascade = "all, delete-orphan"}));
}
constexpr auto alchemy_table(Passport*) {
    return alchemy::table("passports", alchemy::foreign_key(&Passport::person_id, &Person::id));
}

}  // namespace one

using namespace one;
using alchemy::col;
using alchemy::object_state;
using session_support::BEGIN;
using session_support::COMMIT;
using session_support::rows;
using session_support::stmt;
using session_support::strings;

namespace {

struct one_db : session_support::basic_database<Account, Profile, Person, Passport> {
    one_db() : basic_database("one_to_one.db") {}
    rows profiles() const { return stored("SELECT id, bio, account_id FROM profiles ORDER BY id"); }
    rows passports() const { return stored("SELECT id, number, person_id FROM passports ORDER BY id"); }
    // Accounts 1 (Ann, profile 1) and 2 (Bob, no profile); people 1 (Cy, passport 1).
    void seed() {
        run({"INSERT INTO accounts (id, name) VALUES (1, 'Ann'), (2, 'Bob')",
             "INSERT INTO profiles (id, bio, account_id) VALUES (1, 'ann bio', 1)",
             "INSERT INTO people (id, name) VALUES (1, 'Cy')",
             "INSERT INTO passports (id, number, person_id) VALUES (1, 'P-1', 1)"});
    }
};

const std::string profile_of_account = test_backend::sql(
    R"(SELECT "profiles"."id", "profiles"."bio", "profiles"."account_id" FROM "profiles" WHERE "profiles"."account_id" = ?)");
const std::string insert_account = test_backend::sql(R"(INSERT INTO "accounts" ("name") VALUES (?))");
const std::string insert_profile = test_backend::sql(R"(INSERT INTO "profiles" ("bio", "account_id") VALUES (?, ?))");
const std::string update_profile_account = test_backend::sql(R"(UPDATE "profiles" SET "account_id" = ? WHERE "id" = ?)");

}  // namespace

TEST_CASE("one-to-one: a new profile assigned to a new account links both sides, and one flush writes the key",
          "[backend][relationship][one_to_one]") {
    one_db db;
    auto session = db.session();
    auto ann = session.add(Account{.name = "Ann"});
    auto bio = alchemy::make(Profile{.bio = "hello"});
    ann->profile = bio;

    CHECK(ann->profile == bio);
    CHECK(bio->account == ann);                        // the other side, in memory
    CHECK(bio.state() == object_state::pending);       // save-update cascade
    CHECK(db.trace().empty());

    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_account, "('Ann')"), stmt(insert_profile, "('hello', 1)"), COMMIT});
    CHECK(db.profiles() == rows{{"1", "hello", "1"}});
    CHECK(bio->account_id == 1);

    // A designated initializer links the same way.
    auto bob = session.add(Account{.name = "Bob", .profile = alchemy::make(Profile{.bio = "bob"})});
    CHECK(bob->profile->account == bob);
    session.commit();
    CHECK(db.profiles() == rows{{"1", "hello", "1"}, {"2", "bob", "2"}});
}

TEST_CASE("one-to-one: the scalar loads on first access with one SELECT, and an account without one is empty",
          "[backend][relationship][one_to_one]") {
    one_db db;
    db.seed();
    auto session = db.session();
    auto ann = session.get<Account>(1);
    auto bob = session.get<Account>(2);
    db.clear();

    REQUIRE(ann->profile);
    CHECK(ann->profile->bio == "ann bio");
    CHECK(ann->profile->account == ann);               // loaded with it: no SQL for the back side
    CHECK(db.trace() == strings{stmt(profile_of_account, "(1)")});

    CHECK_FALSE(bob->profile);
    CHECK(bob->profile == nullptr);
    CHECK(bob->profile.get() == alchemy::ptr<Profile>());
    CHECK_THROWS_AS(bob->profile->bio, alchemy::InvalidRequestError);
    CHECK_THROWS_WITH(bob->profile->bio, Catch::Contains("Account.profile is empty"));
    CHECK(db.count("SELECT") == 2);                    // Bob's, once
    (void)bool(bob->profile);
    CHECK(db.count("SELECT") == 2);
}

TEST_CASE("one-to-one: replacing the profile unlinks the old one, whose key becomes NULL at flush",
          "[backend][relationship][one_to_one]") {
    one_db db;
    db.seed();
    auto session = db.session();
    auto ann = session.get<Account>(1);
    auto old = ann->profile.get();
    REQUIRE(old);
    db.clear();

    auto fresh = alchemy::make(Profile{.bio = "new"});
    ann->profile = fresh;
    CHECK(old->account == nullptr);
    CHECK(fresh->account == ann);
    CHECK(db.trace().empty());

    session.commit();
    CHECK(db.trace() == strings{stmt(update_profile_account, "(NULL, 1)"), stmt(insert_profile, "('new', 1)"), COMMIT});
    CHECK(db.profiles() == rows{{"1", "ann bio", "NULL"}, {"2", "new", "1"}});

    // Assigning nullptr unlinks it too.
    ann->profile = nullptr;
    CHECK(fresh->account == nullptr);
    session.commit();
    CHECK(db.profiles() == rows{{"1", "ann bio", "NULL"}, {"2", "new", "NULL"}});
}

TEST_CASE("one-to-one: assigning the backref displaces the profile the account had, loading it first if needed",
          "[backend][relationship][one_to_one]") {
    one_db db;
    db.seed();
    db.run({"INSERT INTO profiles (id, bio, account_id) VALUES (2, 'spare', NULL)"});
    auto session = db.session();
    auto spare = session.get<Profile>(2);
    auto ann = session.get<Account>(1);
    db.clear();

    spare->account = ann;                              // Ann's profile is not loaded: it is, now
    CHECK(db.trace() == strings{stmt(profile_of_account, "(1)")});
    CHECK(ann->profile == spare);
    auto first = session.get<Profile>(1);              // in the identity map: no SQL
    CHECK(first->account == nullptr);
    CHECK(db.trace().size() == 1);

    db.clear();
    session.commit();
    // One batch, the displaced profile's NULL first: a UNIQUE key holds throughout.
    CHECK(db.trace() == strings{"batch " + update_profile_account + " <- (NULL, 1) <- (1, 2)", COMMIT});
    CHECK(db.profiles() == rows{{"1", "ann bio", "NULL"}, {"2", "spare", "1"}});

    // Moving a profile from one account to another empties the first.
    auto bob = session.get<Account>(2);
    REQUIRE_FALSE(bob->profile);
    bob->profile = spare;
    CHECK_FALSE(ann->profile);
    CHECK(spare->account == bob);
    session.commit();
    CHECK(db.profiles() == rows{{"1", "ann bio", "NULL"}, {"2", "spare", "2"}});
}

TEST_CASE("one-to-one: two rows for one person are a MultipleResultsFound on every loading strategy",
          "[backend][relationship][one_to_one]") {
    one_db db;
    db.seed();
    // passports.person_id is not UNIQUE, so the data can hold a second one.
    db.run({"INSERT INTO passports (id, number, person_id) VALUES (2, 'P-twin', 1)"});
    const auto message = Catch::Contains("Person.passport is a one-to-one (relationship_one) but several Passport rows refer to the Person with key (1)");

    SECTION("lazy") {
        auto session = db.session();
        auto cy = session.get<Person>(1);
        CHECK_THROWS_AS(cy->passport.get(), alchemy::MultipleResultsFound);
        CHECK_THROWS_WITH(cy->passport.get(), message);  // again on the next access: nothing half-loaded
    }
    SECTION("selectinload") {
        auto session = db.session();
        CHECK_THROWS_WITH(session.query<Person>().options(alchemy::selectinload(&Person::passport)).all(), message);
    }
    SECTION("joinedload") {
        auto session = db.session();
        CHECK_THROWS_WITH(session.query<Person>().options(alchemy::joinedload(&Person::passport)).all(), message);
    }
}

TEST_CASE("one-to-one: selectinload and joinedload fill the scalar in one statement each",
          "[backend][relationship][one_to_one]") {
    one_db db;
    db.seed();
    for (const bool joined : {false, true}) {
        auto session = db.session();
        db.clear();
        auto accounts = joined ? session.query<Account>().options(alchemy::joinedload(&Account::profile)).order_by(col(&Account::id)).all()
                               : session.query<Account>().options(alchemy::selectinload(&Account::profile)).order_by(col(&Account::id)).all();
        const auto statements = db.count("SELECT");
        CHECK(statements == (joined ? 1u : 2u));
        REQUIRE(accounts.size() == 2);
        REQUIRE(accounts[0]->profile);
        CHECK(accounts[0]->profile->bio == "ann bio");
        CHECK(accounts[0]->profile->account == accounts[0]);
        CHECK_FALSE(accounts[1]->profile);
        CHECK(db.count("SELECT") == statements);      // nothing lazy after
    }
}

TEST_CASE("one-to-one: has() asks about the related row, and join() follows the key",
          "[backend][relationship][one_to_one]") {
    one_db db;
    db.seed();
    auto session = db.session();
    auto with = session.query<Account>().filter(alchemy::has(&Account::profile)).all();
    REQUIRE(with.size() == 1);
    CHECK(with[0]->name == "Ann");
    CHECK(db.sql().back() == test_backend::sql(R"(SELECT "accounts"."id", "accounts"."name" FROM "accounts" WHERE EXISTS )"
                                               R"((SELECT 1 FROM "profiles" WHERE "accounts"."id" = "profiles"."account_id"))"));
    auto none = session.query<Account>().filter(alchemy::has(&Account::profile, col(&Profile::bio) == "nope")).all();
    CHECK(none.empty());
    auto joined = session.query<Account>().join(&Account::profile).filter(col(&Profile::bio) == "ann bio").all();
    REQUIRE(joined.size() == 1);
    CHECK(joined[0]->id == 1);
}

TEST_CASE("one-to-one: with all, delete-orphan the replaced passport is deleted and deleting the person deletes it",
          "[backend][relationship][one_to_one]") {
    one_db db;
    db.seed();
    auto session = db.session();
    auto cy = session.get<Person>(1);
    auto p1 = cy->passport.get();
    cy->passport = alchemy::make(Passport{.number = "P-2"});
    CHECK(p1->person == nullptr);
    session.commit();
    CHECK(db.passports() == rows{{"2", "P-2", "1"}});
    CHECK(p1.state() == object_state::detached);       // deleted, then committed

    session.remove(cy);
    session.commit();
    CHECK(db.passports().empty());
    CHECK(db.stored("SELECT id FROM people").empty());
}

TEST_CASE("one-to-one: merge() carries the scalar, and expiry loads it again",
          "[backend][relationship][one_to_one]") {
    one_db db;
    db.seed();
    auto session = db.session();
    Account copy{.id = 2, .name = "Bob", .profile = alchemy::make(Profile{.bio = "merged"})};
    auto bob = session.merge(copy);
    REQUIRE(bob->profile);
    CHECK(bob->profile->bio == "merged");
    CHECK(bob->profile->account == bob);
    session.commit();
    CHECK(db.profiles() == rows{{"1", "ann bio", "1"}, {"2", "merged", "2"}});

    db.clear();
    CHECK(bob->profile->bio == "merged");              // expired on commit: loaded again
    CHECK(db.trace() == strings{session_support::BEGIN,
                                stmt(test_backend::sql(R"(SELECT "id", "name" FROM "accounts" WHERE "id" = ?)"), "(2)"),
                                stmt(profile_of_account, "(2)")});
}

TEST_CASE("one-to-one: deleting the account sets its profile's key to NULL, as for a one-to-many without delete",
          "[backend][relationship][one_to_one]") {
    one_db db;
    db.seed();
    auto session = db.session();
    auto ann = session.get<Account>(1);
    db.clear();
    session.remove(ann);
    session.commit();
    CHECK(db.trace() == strings{stmt(profile_of_account, "(1)"), stmt(update_profile_account, "(NULL, 1)"),
                                stmt(test_backend::sql(R"(DELETE FROM "accounts" WHERE "id" = ?)"), "(1)"), COMMIT});
    CHECK(db.profiles() == rows{{"1", "ann bio", "NULL"}});
}
