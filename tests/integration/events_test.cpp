// ORM events (events.hpp): the per-class hooks found by argument-dependent
// lookup and the session-level hooks, in SQLAlchemy's order; a hook's changes
// are written; a hook that throws aborts the flush, which rolls back and
// leaves the session recoverable.
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace audited {

// What the hooks saw, in order ("before_insert a", ...).
inline std::vector<std::string> calls;
inline bool fail_update = false;

struct Article {
    std::int64_t id = 0;
    std::string title{};
    std::string created{};
    std::optional<std::string> updated{};
};
BOOST_DESCRIBE_STRUCT(Article, (), (id, title, created, updated))
constexpr auto alchemy_table(Article*) { return alchemy::table("articles"); }

// A row the before_flush hook adds for each new article.
struct AuditEntry {
    std::int64_t id = 0;
    std::string what{};
};
BOOST_DESCRIBE_STRUCT(AuditEntry, (), (id, what))
constexpr auto alchemy_table(AuditEntry*) { return alchemy::table("audit_entries"); }

void alchemy_before_insert(Article& a) {
    calls.push_back("before_insert " + a.title);
    a.created = "created:" + a.title;  // written by the INSERT
}
void alchemy_after_insert(Article& a) { calls.push_back("after_insert " + a.title + " id " + std::to_string(a.id)); }
void alchemy_before_update(Article& a) {
    calls.push_back("before_update " + a.title);
    if (fail_update) throw std::runtime_error("audit refused " + a.title);
    a.updated = "updated:" + a.title;  // written by the same UPDATE
}
void alchemy_after_update(Article& a) { calls.push_back("after_update " + a.title); }
void alchemy_before_delete(Article& a) { calls.push_back("before_delete " + a.title); }
void alchemy_after_delete(Article& a) { calls.push_back("after_delete " + a.title); }

}  // namespace audited

using namespace audited;
using session_support::BEGIN;
using session_support::COMMIT;
using session_support::ROLLBACK;
using session_support::rows;
using session_support::stmt;
using session_support::strings;
using alchemy::object_state;

namespace {

struct events_db : session_support::basic_database<Article, AuditEntry> {
    explicit events_db(const std::string& name = "events.db") : basic_database(name) {
        calls.clear();
        fail_update = false;
    }
    rows articles() const { return stored("SELECT id, title, created, updated FROM articles ORDER BY id"); }

    // A session whose session-level hooks record into `calls`.
    alchemy::session recording_session() {
        alchemy::session_options options{.expire_on_commit = false};
        const auto record = [](std::string what) {
            return [what](alchemy::session&) { calls.push_back(what); };
        };
        options.events.before_flush.push_back(record("before_flush"));
        options.events.after_flush.push_back(record("after_flush"));
        options.events.after_commit.push_back(record("after_commit"));
        options.events.after_rollback.push_back(record("after_rollback"));
        return session(options);
    }
};

const std::string insert_article =
    test_backend::sql(R"(INSERT INTO "articles" ("title", "created", "updated") VALUES (?, ?, ?))");
const std::string update_article =
    test_backend::sql(R"(UPDATE "articles" SET "title" = ?, "updated" = ? WHERE "id" = ?)");

}  // namespace

TEST_CASE("events: the flush calls the class's hooks and the session's in SQLAlchemy's order, and writes what before_insert and before_update set",
          "[backend][events]") {
    events_db db;
    auto session = db.recording_session();
    auto a = session.add(Article{.title = "a"});
    auto b = session.add(Article{.title = "b"});
    session.commit();
    CHECK(calls == strings{"before_flush", "before_insert a", "before_insert b", "after_insert a id 1",
                           "after_insert b id 2", "after_flush", "after_commit"});
    CHECK(db.trace() == strings{BEGIN, stmt(insert_article, "('a', 'created:a', NULL)"),
                                stmt(insert_article, "('b', 'created:b', NULL)"), COMMIT});
    CHECK(db.articles() == rows{{"1", "a", "created:a", "NULL"}, {"2", "b", "created:b", "NULL"}});

    calls.clear();
    db.clear();
    a->title = "a2";
    b->title = "b";  // written to, no net change: SQLAlchemy's dirty, so its hooks run too
    session.commit();
    CHECK(calls == strings{"before_flush", "before_update a2", "before_update b", "after_update a2", "after_update b",
                           "after_flush", "after_commit"});
    // b's hook set `updated`: a change, written like any other.
    CHECK(db.trace() == strings{BEGIN, stmt(update_article, "('a2', 'updated:a2', 1)"),
                                stmt(test_backend::sql(R"(UPDATE "articles" SET "updated" = ? WHERE "id" = ?)"),
                                     "('updated:b', 2)"),
                                COMMIT});
    CHECK(db.articles() == rows{{"1", "a2", "created:a", "updated:a2"}, {"2", "b", "created:b", "updated:b"}});

    calls.clear();
    session.remove(a);
    session.commit();
    CHECK(calls == strings{"before_flush", "before_delete a2", "after_delete a2", "after_flush", "after_commit"});
    CHECK(db.articles() == rows{{"2", "b", "created:b", "updated:b"}});

    calls.clear();
    session.commit();  // nothing to flush: no flush hooks, the commit's still
    CHECK(calls == strings{"after_commit"});
}

TEST_CASE("events: a hook that throws aborts the flush, which rolls back, and the session is recoverable",
          "[backend][events][errors]") {
    events_db db;
    db.run({"INSERT INTO articles (id, title, created) VALUES (1, 'a', 'c')"});
    auto session = db.recording_session();
    auto a = session.get<Article>(1);
    REQUIRE(a);
    session.add(Article{.title = "new"});  // (a table's UPDATEs run before its INSERTs)
    a->title = "a2";
    fail_update = true;
    calls.clear();
    db.clear();
    CHECK_THROWS_MATCHES(session.commit(), std::runtime_error, Catch::Message("audit refused a2"));
    CHECK(calls == strings{"before_flush", "before_update a2", "after_rollback"});
    CHECK(db.kinds().back() == "rollback");
    CHECK(db.articles() == rows{{"1", "a", "c", "NULL"}});
    CHECK(session.new_objects().size() == 1);  // pending again
    CHECK(a.state() == object_state::persistent);

    fail_update = false;
    calls.clear();
    session.commit();
    CHECK(calls == strings{"before_flush", "before_update a2", "after_update a2", "before_insert new",
                           "after_insert new id 2", "after_flush", "after_commit"});
    CHECK(db.articles() == rows{{"1", "a2", "c", "updated:a2"}, {"2", "new", "created:new", "NULL"}});
}

TEST_CASE("events: before_flush may add objects, which the same flush writes, and rollback() calls after_rollback",
          "[backend][events]") {
    events_db db;
    alchemy::session_options options;
    options.events.before_flush.push_back([](alchemy::session& s) {
        for (const auto& a : s.new_objects<Article>()) s.add(AuditEntry{.what = "added " + std::as_const(a)->title});
    });
    options.events.after_rollback.push_back([](alchemy::session&) { calls.push_back("after_rollback"); });
    auto Session = alchemy::sessionmaker(db.engine, options);
    auto session = Session();
    session.add(Article{.title = "x"});
    session.commit();
    CHECK(db.stored("SELECT id, what FROM audit_entries") == rows{{"1", "added x"}});
    CHECK(db.count("INSERT") == 2);
    CHECK(calls == strings{"before_insert x", "after_insert x id 1"});  // (Article's own hooks)

    calls.clear();
    session.add(Article{.title = "y"});
    session.flush();
    session.rollback();
    CHECK(calls == strings{"before_insert y", "after_insert y id 2", "after_rollback"});
    CHECK(db.stored("SELECT id, what FROM audit_entries") == rows{{"1", "added x"}});

    SECTION("a moved session hands itself to the hooks") {
        alchemy::session moved = Session();
        alchemy::session target = std::move(moved);
        target.add(Article{.title = "z"});
        target.commit();
        CHECK(db.stored("SELECT what FROM audit_entries ORDER BY id") == rows{{"added x"}, {"added z"}});
    }
}
