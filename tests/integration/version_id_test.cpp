// Optimistic locking (alchemy::version_id, SQLAlchemy's version_id_col): the
// version column written by INSERT, checked and bumped by UPDATE, checked by
// DELETE, and StaleDataError for a row another session changed or deleted
// since it was loaded, with the session recoverable afterwards.
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace versioned {

struct Note;
struct Doc {
    std::int64_t id = 0;
    std::string title{};
    std::int64_t version = 0;
    alchemy::relationship<Note> notes{};
};
BOOST_DESCRIBE_STRUCT(Doc, (), (id, title, version, notes))
constexpr auto alchemy_table(Doc*) { return alchemy::table("docs", alchemy::version_id(&Doc::version)); }

// A 32-bit version under another name, in a table that holds a foreign key.
struct Note {
    std::int64_t id = 0;
    std::string text{};
    std::optional<std::int64_t> doc_id{};
    std::int32_t revision = 0;
    alchemy::backref<Doc> doc{};
};
BOOST_DESCRIBE_STRUCT(Note, (), (id, text, doc_id, revision, doc))
constexpr auto alchemy_table(Note*) {
    return alchemy::table("notes", alchemy::foreign_key(&Note::doc_id, &Doc::id), alchemy::version_id(&Note::revision));
}

}  // namespace versioned

using namespace versioned;
using session_support::BEGIN;
using session_support::COMMIT;
using session_support::ROLLBACK;
using session_support::rows;
using session_support::stmt;
using session_support::strings;
using alchemy::object_state;

namespace {

struct version_db : session_support::basic_database<Doc, Note> {
    explicit version_db(const std::string& name = "version.db") : basic_database(name) {}
    rows docs() const { return stored("SELECT id, title, version FROM docs ORDER BY id"); }
};

const std::string insert_doc = test_backend::sql(R"(INSERT INTO "docs" ("title", "version") VALUES (?, ?))");
const std::string update_doc =
    test_backend::sql(R"(UPDATE "docs" SET "title" = ?, "version" = ? WHERE "id" = ? AND "version" = ?)");
const std::string notes_of_doc = test_backend::sql(
    R"(SELECT "notes"."id", "notes"."text", "notes"."doc_id", "notes"."revision" FROM "notes" WHERE "notes"."doc_id" = ?)");
const std::string delete_doc = test_backend::sql(R"(DELETE FROM "docs" WHERE "id" = ? AND "version" = ?)");

const std::string stale_update =
    "alchemy: UPDATE statement on table 'docs' expected to update 1 row(s); 0 were matched: the Doc row with key "
    "(1) and version 1 was changed or deleted since it was loaded";
const std::string stale_delete =
    "alchemy: DELETE statement on table 'docs' expected to delete 1 row(s); 0 were matched: the Doc row with key "
    "(1) and version 1 was changed or deleted since it was loaded";

}  // namespace

TEST_CASE("version_id: INSERT writes version 1, each UPDATE checks the loaded version and bumps it, DELETE checks it",
          "[backend][version]") {
    version_db db;
    auto session = db.session({.expire_on_commit = false});
    auto draft = session.add(Doc{.title = "draft", .version = 7});  // the version is the session's to write
    auto other = session.add(Doc{.title = "other"});
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(insert_doc, "('draft', 1)"), stmt(insert_doc, "('other', 1)"), COMMIT});
    CHECK(db.docs() == rows{{"1", "draft", "1"}, {"2", "other", "1"}});
    CHECK((draft->version == 1 && other->version == 1));

    db.clear();
    draft->title = "final";
    other->title = "other 2";
    session.commit();
    // One statement per row, each with the version it loaded (not one batch):
    // a row that is not matched is named.
    CHECK(db.trace() == strings{BEGIN, stmt(update_doc, "('final', 2, 1, 1)"), stmt(update_doc, "('other 2', 2, 2, 1)"),
                                COMMIT});
    CHECK(db.docs() == rows{{"1", "final", "2"}, {"2", "other 2", "2"}});
    CHECK((draft->version == 2 && other->version == 2));

    db.clear();
    draft->title = "final";  // no net change: no UPDATE, no new version
    session.commit();
    CHECK(db.count("UPDATE") == 0);
    CHECK(draft->version == 2);

    db.clear();
    session.remove(draft);
    session.commit();
    CHECK(db.trace() == strings{BEGIN, stmt(delete_doc, "(1, 2)"), COMMIT});
    CHECK(db.docs() == rows{{"2", "other 2", "2"}});
}

TEST_CASE("version_id: a row another session changed since it was loaded raises StaleDataError naming the table and key, and the session recovers",
          "[backend][version]") {
    version_db db;
    db.run({"INSERT INTO docs (id, title, version) VALUES (1, 'draft', 1)"});
    auto mine = db.session({.expire_on_commit = false});
    auto doc = mine.get<Doc>(1);
    REQUIRE(doc);
    mine.commit();  // the read transaction ends, as a request's would

    {
        auto theirs = db.session();
        theirs.get<Doc>(1)->title = "theirs";
        theirs.commit();
    }
    REQUIRE(db.docs() == rows{{"1", "theirs", "2"}});

    db.clear();
    doc->title = "mine";
    CHECK_THROWS_MATCHES(mine.commit(), alchemy::StaleDataError, Catch::Message(stale_update));
    CHECK(db.trace() == strings{BEGIN, stmt(update_doc, "('mine', 2, 1, 1)"), ROLLBACK});
    CHECK(db.docs() == rows{{"1", "theirs", "2"}});
    CHECK(doc.state() == object_state::persistent);
    CHECK(doc->title == "mine");  // the change is kept, as after any failed flush

    SECTION("a retry fails the same way") {
        CHECK_THROWS_AS(mine.commit(), alchemy::StaleDataError);
        CHECK(db.docs() == rows{{"1", "theirs", "2"}});
    }
    SECTION("refresh() takes their version; a change on top of it is written") {
        mine.refresh(doc);
        CHECK((doc->title == "theirs" && doc->version == 2));
        doc->title = "mine, after theirs";
        mine.commit();
        CHECK(db.docs() == rows{{"1", "mine, after theirs", "3"}});
        CHECK(doc->version == 3);
    }
}

TEST_CASE("version_id: deleting or changing a row another session deleted or changed raises StaleDataError",
          "[backend][version]") {
    version_db db;
    db.run({"INSERT INTO docs (id, title, version) VALUES (1, 'draft', 1)"});
    auto mine = db.session({.expire_on_commit = false});
    auto doc = mine.get<Doc>(1);
    REQUIRE(doc);
    mine.commit();

    SECTION("they changed it, I delete it") {
        {
            auto theirs = db.session();
            theirs.get<Doc>(1)->title = "theirs";
            theirs.commit();
        }
        db.clear();
        mine.remove(doc);
        CHECK_THROWS_MATCHES(mine.commit(), alchemy::StaleDataError, Catch::Message(stale_delete));
        // (Its notes are loaded first, to set their key to NULL: there are none.)
        CHECK(db.trace() == strings{BEGIN, stmt(notes_of_doc, "(1)"), stmt(delete_doc, "(1, 1)"), ROLLBACK});
        CHECK(db.docs() == rows{{"1", "theirs", "2"}});
        CHECK(doc.state() == object_state::persistent);  // still marked for deletion: rollback() or refresh
        CHECK(mine.deleted_objects().size() == 1);
    }
    SECTION("they deleted it, I delete it") {
        {
            auto theirs = db.session();
            theirs.remove(theirs.get<Doc>(1));
            theirs.commit();
        }
        mine.remove(doc);
        CHECK_THROWS_MATCHES(mine.commit(), alchemy::StaleDataError, Catch::Message(stale_delete));
    }
    SECTION("they deleted it, I change it") {
        {
            auto theirs = db.session();
            theirs.remove(theirs.get<Doc>(1));
            theirs.commit();
        }
        doc->title = "mine";
        CHECK_THROWS_MATCHES(mine.commit(), alchemy::StaleDataError, Catch::Message(stale_update));
        CHECK(db.docs() == rows{});
    }
}

TEST_CASE("version_id: a foreign key written through a relationship bumps the child's version, a 32-bit member under another name",
          "[backend][version][relationship]") {
    version_db db;
    db.run({"INSERT INTO docs (id, title, version) VALUES (1, 'a', 1), (2, 'b', 1)",
            "INSERT INTO notes (id, text, doc_id, revision) VALUES (1, 'n', 1, 5)"});
    auto session = db.session({.expire_on_commit = false});
    auto note = session.get<Note>(1);
    auto b = session.get<Doc>(2);
    REQUIRE((note && b));
    db.clear();
    note->doc = b;
    session.commit();
    CHECK(db.count(test_backend::sql(
              R"(UPDATE "notes" SET "doc_id" = ?, "revision" = ? WHERE "id" = ? AND "revision" = ?)")) == 1);
    CHECK(db.stored("SELECT id, doc_id, revision FROM notes") == rows{{"1", "2", "6"}});
    CHECK(note->revision == 6);
    // The parent's row did not change: its version neither.
    CHECK(db.docs() == rows{{"1", "a", "1"}, {"2", "b", "1"}});
}
