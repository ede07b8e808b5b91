// tests/support/session_fixture.hpp — what the session tests share: a fresh
// database of the current test backend (support/backend.hpp) with the seed's
// schema, an engine whose log is captured, and ways to read back what reached
// the database (the log) and what is stored (the backend's own client).
#pragma once

#include "models/seed_models.hpp"
#include "support/backend.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace session_support {

using plain::Course;
using plain::Enrollment;
using plain::Post;
using plain::Student;
using plain::User;

using rows = std::vector<std::vector<std::string>>;
using strings = std::vector<std::string>;

// The statements the session renders for the seed's tables, written as SQLite
// renders them and adapted to the backend's dialect by test_backend::sql().
inline const std::string select_user = test_backend::sql(R"(SELECT "id", "name", "email" FROM "users" WHERE "id" = ?)");
inline const std::string select_post = test_backend::sql(R"(SELECT "id", "title", "user_id" FROM "posts" WHERE "id" = ?)");
inline const std::string select_enrollment = test_backend::sql(
    R"(SELECT "student_id", "course_id" FROM "enrollments" WHERE "student_id" = ? AND "course_id" = ?)");
inline const std::string insert_user = test_backend::sql(R"(INSERT INTO "users" ("name", "email") VALUES (?, ?))");
inline const std::string insert_user_with_id = test_backend::sql(R"(INSERT INTO "users" ("id", "name", "email") VALUES (?, ?, ?))");
inline const std::string insert_post = test_backend::sql(R"(INSERT INTO "posts" ("title", "user_id") VALUES (?, ?))");
inline const std::string insert_enrollment = test_backend::sql(R"(INSERT INTO "enrollments" ("student_id", "course_id") VALUES (?, ?))");
inline const std::string update_user_name = test_backend::sql(R"(UPDATE "users" SET "name" = ? WHERE "id" = ?)");
inline const std::string update_user_email = test_backend::sql(R"(UPDATE "users" SET "email" = ? WHERE "id" = ?)");
inline const std::string delete_user = test_backend::sql(R"(DELETE FROM "users" WHERE "id" = ?)");
inline const std::string delete_post = test_backend::sql(R"(DELETE FROM "posts" WHERE "id" = ?)");
inline const std::string delete_enrollment =
    test_backend::sql(R"(DELETE FROM "enrollments" WHERE "student_id" = ? AND "course_id" = ?)");

/// A fresh database of the current backend with the tables of `Models`, and
/// an engine logging into `log`, which starts empty after the set-up.
template <class... Models>
struct basic_database {
    test_backend::database store;
    test_support::log_capture log;
    alchemy::engine engine;

    explicit basic_database(const std::string& name)
        : store(name), engine(store.engine({.sink = log.sink()})) {
        alchemy::metadata<Models...>().create_all(engine);
        log.clear();
    }

    alchemy::session session(alchemy::session_options options = {}) { return alchemy::session(engine, options); }

    /// Runs statements with a connection of its own and commits: changes made
    /// "behind the session's back" (seed rows with explicit keys; the next
    /// generated key follows them on every backend). The log is cleared
    /// afterwards.
    void run(std::initializer_list<std::string> statements) {
        auto conn = engine.connect();
        for (const auto& s : statements) conn.execute(s);
        conn.commit();
        conn.close();
        store.sync_generated_keys();
        log.clear();
    }

    /// The database as the backend's own client sees it (committed rows).
    rows stored(const std::string& sql) const { return store.query(sql); }
    // NULL reads back as "NULL" (test_backend::rows), so no coalesce(), which
    // would need a text default for an integer column on a stricter dialect.
    rows posts() const { return stored("SELECT id, title, user_id FROM posts ORDER BY id"); }

    /// The SQL of every event since the last clear.
    strings sql() const { return log.sql(); }
    /// The kind of every event, as text ("begin", "statement", "batch" ...).
    strings kinds() const {
        strings out;
        for (auto k : log.kinds()) out.emplace_back(alchemy::to_string(k));
        return out;
    }
    /// See test_support::log_capture::trace() and count().
    strings trace() const { return log.trace(); }
    std::size_t count(std::string_view prefix) const { return log.count(prefix); }
    void clear() const { log.clear(); }
};

/// The seed's tables.
struct database : basic_database<User, Post, Student, Course, Enrollment> {
    explicit database(const std::string& name = "session.db") : basic_database(name) {}
    rows users() const { return stored("SELECT id, name, email FROM users ORDER BY id"); }
};

/// The key the database generates for a row after a transaction that took
/// some keys was rolled back: SQLite hands the rolled-back rowids out again,
/// while PostgreSQL's identity sequence never goes back (nextval is outside
/// any transaction, as under SQLAlchemy), so its key lies further on.
inline std::int64_t generated_key(std::int64_t sqlite_key, std::int64_t postgresql_key) {
    return test_backend::dialect() == "postgresql" ? postgresql_key : sqlite_key;
}
inline std::string key_text(std::int64_t sqlite_key, std::int64_t postgresql_key) {
    return std::to_string(generated_key(sqlite_key, postgresql_key));
}

/// "begin BEGIN", "statement <sql> <- (params)" ... as trace() prints them.
inline std::string stmt(const std::string& sql, const std::string& params = "") {
    return "statement " + sql + (params.empty() ? "" : " <- " + params);
}
inline const std::string BEGIN = "begin BEGIN";
inline const std::string COMMIT = "commit COMMIT";
inline const std::string ROLLBACK = "rollback ROLLBACK";

}  // namespace session_support
