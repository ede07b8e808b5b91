// Golden SQL for the statements the ORM sends besides its queries (INSERT,
// UPDATE, DELETE, select by key, association rows, relationship loads, the
// count/exists wrappers, DDL): each statement description compiled through
// the SQLite dialect, with no engine. The integration tests check the same
// text in the SQL the session logs; these pin it per statement.
#include "models/relationship_models.hpp"
#include "models/seed_models.hpp"
#include "support/printing.hpp"

#include <catch2/catch.hpp>

namespace stmt = alchemy::detail;
using alchemy::table_of;
using plain::Enrollment;
using plain::Post;
using plain::User;

namespace {

const alchemy::sqlite_dialect sqlite;

std::string sql_of(const auto& statement) {
    const auto compiled = alchemy::compile(statement, sqlite);
    CHECK(compiled.params.empty());  // values are bound per row by the caller
    return compiled.sql;
}

struct Account {
    std::int64_t id = 0;
    std::string owner{};
    std::optional<std::string> email{};
    std::optional<std::string> created{};
    double balance = 0;
    std::vector<std::byte> avatar{};
};
constexpr auto alchemy_table(Account*) {
    return alchemy::table("accounts", alchemy::autoincrement, alchemy::column_name(&Account::email, "email_address"),
                          alchemy::unique(&Account::owner, &Account::email), alchemy::index(&Account::balance),
                          alchemy::index(&Account::created).unique().named("ux_created"),
                          alchemy::check("balance >= 0").named("ck_balance"), alchemy::check("owner != ''"),
                          alchemy::server_default(&Account::created, "'never'"));
}

struct Tree {
    std::int64_t id = 0;
    std::optional<std::int64_t> parent_id{};
};
constexpr auto alchemy_table(Tree*) {
    return alchemy::table("trees", alchemy::foreign_key(&Tree::parent_id, &Tree::id)
                                       .on_delete(alchemy::fk_action::set_null)
                                       .on_update(alchemy::fk_action::cascade));
}

}  // namespace

TEST_CASE("INSERT: the given columns, DEFAULT VALUES for none, RETURNING when asked", "[sql][statements]") {
    const auto& users = table_of<User>();
    CHECK(sql_of(stmt::insert_stmt{&users, {1, 2}}) == R"(INSERT INTO "users" ("name", "email") VALUES (?, ?))");
    CHECK(sql_of(stmt::insert_stmt{&users, {0, 1, 2}}) ==
          R"(INSERT INTO "users" ("id", "name", "email") VALUES (?, ?, ?))");
    CHECK(sql_of(stmt::insert_stmt{&users, {}}) == R"(INSERT INTO "users" DEFAULT VALUES)");
    CHECK(sql_of(stmt::insert_stmt{&users, {1}, {0}}) == R"(INSERT INTO "users" ("name") VALUES (?) RETURNING "id")");
    // SQLite reads a generated key back with last_insert_rowid: no RETURNING.
    REQUIRE(sqlite.generated_key_strategy() == alchemy::key_fetch::last_insert_rowid);
    CHECK(sql_of(stmt::insert_of(users, {1, 2}, true, sqlite)) == R"(INSERT INTO "users" ("name", "email") VALUES (?, ?))");
    CHECK(stmt::insert_of(users, {1, 2}, true, sqlite).returning.empty());
}

TEST_CASE("UPDATE: SET values first, then the key", "[sql][statements]") {
    const auto& users = table_of<User>();
    CHECK(sql_of(stmt::update_stmt{&users, {1}, users.primary_key}) == R"(UPDATE "users" SET "name" = ? WHERE "id" = ?)");
    CHECK(sql_of(stmt::update_stmt{&users, {2, 1}, users.primary_key}) ==
          R"(UPDATE "users" SET "email" = ?, "name" = ? WHERE "id" = ?)");
    const auto& enrollments = table_of<Enrollment>();
    CHECK(sql_of(stmt::update_stmt{&enrollments, {1}, enrollments.primary_key}) ==
          R"(UPDATE "enrollments" SET "course_id" = ? WHERE "student_id" = ? AND "course_id" = ?)");
}

TEST_CASE("DELETE and select by key, single and composite keys", "[sql][statements]") {
    const auto& users = table_of<User>();
    const auto& enrollments = table_of<Enrollment>();
    CHECK(sql_of(stmt::delete_stmt{&users, users.primary_key}) == R"(DELETE FROM "users" WHERE "id" = ?)");
    CHECK(sql_of(stmt::delete_stmt{&enrollments, enrollments.primary_key}) ==
          R"(DELETE FROM "enrollments" WHERE "student_id" = ? AND "course_id" = ?)");
    CHECK(sql_of(stmt::select_by_key_stmt{&users}) == R"(SELECT "id", "name", "email" FROM "users" WHERE "id" = ?)");
    CHECK(sql_of(stmt::select_by_key_stmt{&enrollments}) ==
          R"(SELECT "student_id", "course_id" FROM "enrollments" WHERE "student_id" = ? AND "course_id" = ?)");
}

TEST_CASE("association rows: INSERT of both keys, DELETE by both or by one", "[sql][statements]") {
    const auto& enrollments = table_of<rel::Enrollment>();
    CHECK(sql_of(stmt::insert_stmt{&enrollments, {0, 1}}) ==
          R"(INSERT INTO "enrollments" ("student_id", "course_id") VALUES (?, ?))");
    CHECK(sql_of(stmt::delete_stmt{&enrollments, {0, 1}}) ==
          R"(DELETE FROM "enrollments" WHERE "student_id" = ? AND "course_id" = ?)");
    CHECK(sql_of(stmt::delete_stmt{&enrollments, {1}}) == R"(DELETE FROM "enrollments" WHERE "course_id" = ?)");
}

TEST_CASE("relationship loads: lazy by one key, select-IN by several", "[sql][statements][relationships]") {
    const auto& users = table_of<rel::User>();
    const auto& posts = table_of<rel::Post>();
    const auto& students = table_of<rel::Student>();
    const auto& user_posts = users.relationships.front();
    const auto& post_user = posts.relationships.front();
    const auto& student_courses = students.relationships.front();

    CHECK(sql_of(stmt::relationship_load(user_posts, users, 0)) ==
          R"(SELECT "posts"."id", "posts"."title", "posts"."user_id" FROM "posts" WHERE "posts"."user_id" = ?)");
    CHECK(sql_of(stmt::relationship_load(post_user, posts, 0)) ==
          R"(SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."id" = ?)");
    CHECK(sql_of(stmt::relationship_load(student_courses, students, 0)) ==
          R"(SELECT "courses"."id", "courses"."name" FROM "courses" JOIN "enrollments" ON )"
          R"("courses"."id" = "enrollments"."course_id" WHERE "enrollments"."student_id" = ?)");

    CHECK(sql_of(stmt::relationship_load(user_posts, users, 2)) ==
          R"(SELECT "posts"."id", "posts"."title", "posts"."user_id" FROM "posts" WHERE "posts"."user_id" IN (?, ?))");
    CHECK(sql_of(stmt::relationship_load(post_user, posts, 1)) ==
          R"(SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."id" IN (?))");
    // A many-to-many selects the owner's key first: it tells the owners' rows apart.
    CHECK(sql_of(stmt::relationship_load(student_courses, students, 3)) ==
          R"(SELECT "enrollments"."student_id", "courses"."id", "courses"."name" FROM "courses" JOIN "enrollments" ON )"
          R"("courses"."id" = "enrollments"."course_id" WHERE "enrollments"."student_id" IN (?, ?, ?))");
}

TEST_CASE("count and exists wrap the query as SQLAlchemy does", "[sql][statements]") {
    const auto inner = alchemy::compile(alchemy::select<User>().filter(alchemy::col(&User::id) > 1), sqlite);
    CHECK(sql_of(stmt::count_stmt{inner.sql}) ==
          R"(SELECT count(*) AS count_1 FROM (SELECT "users"."id", "users"."name", "users"."email" FROM "users" )"
          R"(WHERE "users"."id" > ?) AS anon_1)");
    CHECK(sql_of(stmt::exists_stmt{"SELECT 1"}) == "SELECT EXISTS (SELECT 1) AS anon_1");
}

TEST_CASE("DDL: CREATE TABLE with every constraint, CREATE INDEX, DROP TABLE", "[sql][statements][ddl]") {
    CHECK(alchemy::metadata<Account>().create_statements(sqlite) ==
          std::vector<std::string>{
              R"(CREATE TABLE IF NOT EXISTS "accounts" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, )"
              R"("owner" TEXT NOT NULL, "email_address" TEXT, "created" TEXT DEFAULT ('never'), "balance" REAL NOT NULL, )"
              R"("avatar" BLOB NOT NULL, UNIQUE ("owner", "email_address"), CONSTRAINT "ck_balance" CHECK (balance >= 0), )"
              R"(CHECK (owner != '')))",
              R"(CREATE INDEX IF NOT EXISTS "ix_accounts_balance" ON "accounts" ("balance"))",
              R"(CREATE UNIQUE INDEX IF NOT EXISTS "ux_created" ON "accounts" ("created"))"});
    CHECK(sql_of(stmt::create_table_stmt{&table_of<Tree>()}) ==
          R"(CREATE TABLE IF NOT EXISTS "trees" ("id" INTEGER NOT NULL PRIMARY KEY, "parent_id" INTEGER, )"
          R"(FOREIGN KEY ("parent_id") REFERENCES "trees" ("id") ON DELETE SET NULL ON UPDATE CASCADE))");
    // A composite key is a table constraint.
    CHECK(sql_of(stmt::create_table_stmt{&table_of<Enrollment>()}) ==
          R"(CREATE TABLE IF NOT EXISTS "enrollments" ("student_id" INTEGER NOT NULL, "course_id" INTEGER NOT NULL, )"
          R"(PRIMARY KEY ("student_id", "course_id"), FOREIGN KEY ("student_id") REFERENCES "students" ("id"), )"
          R"(FOREIGN KEY ("course_id") REFERENCES "courses" ("id")))");
    CHECK(sql_of(stmt::drop_table_stmt{&table_of<Post>()}) == R"(DROP TABLE IF EXISTS "posts")");
    CHECK(alchemy::metadata<User, Post>().drop_statements(sqlite) ==
          std::vector<std::string>{R"(DROP TABLE IF EXISTS "posts")", R"(DROP TABLE IF EXISTS "users")"});
}

TEST_CASE("drop_all defers foreign-key checks the dialect's way", "[sql][statements][ddl][dialect]") {
    CHECK(sqlite.defer_foreign_keys_sql() == "PRAGMA defer_foreign_keys = ON");
}

TEST_CASE("ilike is spelled by the dialect", "[sql][statements][dialect]") {
    CHECK(sqlite.ilike(R"("users"."name")", "?") == R"(lower("users"."name") LIKE lower(?))");
    CHECK(alchemy::compile(alchemy::select<User>().filter(alchemy::col(&User::name).ilike("a%")), sqlite).sql.ends_with(
        R"(WHERE lower("users"."name") LIKE lower(?))"));
}

TEST_CASE("a query of a session compiles the same through compile(q, dialect)", "[sql][statements]") {
    alchemy::session session(alchemy::create_engine("sqlite://"));
    const auto q = session.query<User>().filter(alchemy::col(&User::name) == "a").limit(2);
    const auto through_session = q.compile();
    const auto through_dialect = alchemy::compile(q, sqlite);
    CHECK(through_dialect.sql == through_session.sql);
    CHECK(through_dialect.params == through_session.params);
}

TEST_CASE("a query built by select compiles but does not run", "[sql][statements]") {
    const auto q = alchemy::select<User>();
    REQUIRE_THROWS_AS(q.all(), alchemy::InvalidRequestError);
    REQUIRE_THROWS_WITH(q.count(), Catch::Contains("belongs to no session"));
    REQUIRE_THROWS_WITH(q.compile(), Catch::Contains("belongs to no session"));
    REQUIRE_THROWS_WITH(alchemy::select(alchemy::col(&User::name)).first(), Catch::Contains("belongs to no session"));
}
