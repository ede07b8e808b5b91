// tests/bench/bench_raw.cpp — the workloads through the sqlite3 C API: the
// physical limit the ORM is measured against. Every statement is prepared once
// when the database is opened (sqlite3_prepare_v2) and then only bound,
// stepped and reset; rows go into plain structs (W6: a user struct with a
// std::vector of its posts; W1..W5's User has none, as a hand-writer's would not).
#include "bench.hpp"
#include "raw_rows.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace bench {
namespace {

using raw::Post;
using raw::User;
using raw::UserPosts;
using raw::graph_check;
using raw::row_check;

[[noreturn]] void fail(sqlite3* db, const char* what) {
    throw std::runtime_error(std::string("raw sqlite3: ") + what + ": " + (db ? sqlite3_errmsg(db) : "?"));
}

void exec(sqlite3* db, const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, sql);
}

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) fail(db, sql);
    return stmt;
}

// Steps a statement that returns no rows and resets it.
void run(sqlite3* db, sqlite3_stmt* stmt) {
    if (sqlite3_step(stmt) != SQLITE_DONE) fail(db, sqlite3_sql(stmt));
    sqlite3_reset(stmt);
}

void read_user(sqlite3_stmt* s, User& u) {
    u.id = sqlite3_column_int64(s, 0);
    u.name.assign(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)),
                  static_cast<std::size_t>(sqlite3_column_bytes(s, 1)));
    if (sqlite3_column_type(s, 2) == SQLITE_NULL) {
        u.email.reset();
    } else {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, 2));
        const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, 2));
        if (u.email) u.email->assign(p, n);
        else u.email.emplace(p, n);
    }
    u.age = sqlite3_column_int64(s, 3);
    u.score = sqlite3_column_double(s, 4);
}

// A post from columns first, first+1, first+2: id, user_id, title.
void read_post(sqlite3_stmt* s, int first, Post& p) {
    p.id = sqlite3_column_int64(s, first);
    p.user_id = sqlite3_column_int64(s, first + 1);
    p.title.assign(reinterpret_cast<const char*>(sqlite3_column_text(s, first + 2)),
                   static_cast<std::size_t>(sqlite3_column_bytes(s, first + 2)));
}

// W6d: one IN list of in_chunk parameters (bench.hpp).
std::string posts_in_sql() {
    std::string sql = "SELECT id, user_id, title FROM posts WHERE user_id IN (";
    for (std::int64_t i = 0; i < in_chunk; ++i) sql += i ? ", ?" : "?";
    return sql + ")";
}

void bind_text(sqlite3_stmt* s, int i, const std::string& text) {
    sqlite3_bind_text(s, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

constexpr const char* schema_sql =
    "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, email TEXT NULL, "
    "age INTEGER NOT NULL, score REAL NOT NULL);"
    "CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id), "
    "title TEXT NOT NULL);"
    "CREATE INDEX ix_posts_user_id ON posts (user_id);";

class raw_side final : public side {
public:
    ~raw_side() override { close(); }
    const char* name() const override { return "raw"; }

    void open(const std::string& path, bool fresh) override {
        close();
        if (!path.empty() && fresh)
            for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        if (sqlite3_open_v2(path.empty() ? ":memory:" : path.c_str(), &db_, flags, nullptr) != SQLITE_OK)
            fail(db_, "open");
        if (!path.empty()) exec(db_, "PRAGMA journal_mode = WAL");
        exec(db_, "PRAGMA synchronous = NORMAL");
        exec(db_, "PRAGMA foreign_keys = ON");
        if (path.empty() || fresh) exec(db_, schema_sql);
        begin_ = prepare(db_, "BEGIN");
        commit_ = prepare(db_, "COMMIT");
        insert_ = prepare(db_, "INSERT INTO users (name, email, age, score) VALUES (?, ?, ?, ?)");
        select_all_ = prepare(db_, "SELECT id, name, email, age, score FROM users");
        select_one_ = prepare(db_, "SELECT id, name, email, age, score FROM users WHERE id = ?");
        select_range_ = prepare(db_, "SELECT id, name, email, age, score FROM users WHERE id >= ? AND id < ?");
        update_age_ = prepare(db_, "UPDATE users SET age = ? WHERE id = ?");
        delete_ = prepare(db_, "DELETE FROM users WHERE id = ?");
        insert_post_ = prepare(db_, "INSERT INTO posts (user_id, title) VALUES (?, ?)");
        select_posts_of_ = prepare(db_, "SELECT id, user_id, title FROM posts WHERE user_id = ?");
        select_joined_ = prepare(db_,
                                 "SELECT users.id, users.name, users.email, users.age, users.score, posts.id, posts.user_id, "
                                 "posts.title FROM users LEFT OUTER JOIN posts ON posts.user_id = users.id ORDER BY users.id");
        select_posts_in_ = prepare(db_, posts_in_sql().c_str());
    }

    void close() override {
        for (auto* s : {begin_, commit_, insert_, select_all_, select_one_, select_range_, update_age_, delete_, insert_post_,
                        select_posts_of_, select_joined_, select_posts_in_})
            sqlite3_finalize(s);
        begin_ = commit_ = insert_ = select_all_ = select_one_ = select_range_ = update_age_ = delete_ = nullptr;
        insert_post_ = select_posts_of_ = select_joined_ = select_posts_in_ = nullptr;
        if (db_) sqlite3_close(db_);
        db_ = nullptr;
    }

    void populate(std::int64_t n) override { raw_populate(db_, n); }
    std::uint64_t digest() override { return raw_digest(db_); }

    std::uint64_t w1_insert(std::int64_t n) override {
        std::vector<User> users;
        users.reserve(static_cast<std::size_t>(n));
        for (std::int64_t i = 1; i <= n; ++i) users.push_back({0, name_of(i), email_of(i), age_of(i), score_of(i)});
        run(db_, begin_);
        for (auto& u : users) {
            bind_text(insert_, 1, u.name);
            if (u.email) bind_text(insert_, 2, *u.email);
            else sqlite3_bind_null(insert_, 2);
            sqlite3_bind_int64(insert_, 3, u.age);
            sqlite3_bind_double(insert_, 4, u.score);
            run(db_, insert_);
            u.id = sqlite3_last_insert_rowid(db_);
        }
        run(db_, commit_);
        std::uint64_t check = 0;
        for (std::size_t i = 0; i < users.size(); ++i) check += id_check(static_cast<std::int64_t>(i) + 1, users[i].id);
        return check;
    }

    std::uint64_t w2_load_all(std::int64_t expected_rows, void (*while_held)()) override {
        std::vector<User> users;
        users.reserve(static_cast<std::size_t>(expected_rows));  // the raw side knows its data: no regrowth
        int rc;
        while ((rc = sqlite3_step(select_all_)) == SQLITE_ROW) read_user(select_all_, users.emplace_back());
        if (rc != SQLITE_DONE) fail(db_, "select all");
        sqlite3_reset(select_all_);
        std::uint64_t check = users.size();
        for (const auto& u : users) check += row_check(u);
        if (while_held) while_held();
        return check;
    }

    std::uint64_t w3_get(std::span<const std::int64_t> ids) override {
        std::uint64_t check = 0;
        User u;
        for (auto id : ids) {
            sqlite3_bind_int64(select_one_, 1, id);
            const int rc = sqlite3_step(select_one_);
            if (rc == SQLITE_ROW) {
                read_user(select_one_, u);
                check += row_check(u);
            } else if (rc != SQLITE_DONE) {
                fail(db_, "select by id");
            }
            sqlite3_reset(select_one_);
        }
        return check;
    }

    std::uint64_t w4_update_range(std::int64_t lo, std::int64_t hi) override {
        run(db_, begin_);
        std::vector<User> users;
        sqlite3_bind_int64(select_range_, 1, lo);
        sqlite3_bind_int64(select_range_, 2, hi);
        int rc;
        while ((rc = sqlite3_step(select_range_)) == SQLITE_ROW) read_user(select_range_, users.emplace_back());
        if (rc != SQLITE_DONE) fail(db_, "select range");
        sqlite3_reset(select_range_);
        std::uint64_t check = users.size();
        for (auto& u : users) {
            u.age += 1;
            sqlite3_bind_int64(update_age_, 1, u.age);
            sqlite3_bind_int64(update_age_, 2, u.id);
            run(db_, update_age_);
            if (sqlite3_changes(db_) != 1) fail(db_, "update: row not found");
            check += row_check(u);
        }
        run(db_, commit_);
        return check;
    }

    std::uint64_t w5_delete(std::span<const std::int64_t> ids) override {
        // In key order, as alchemy's flush does: neighbouring rows share pages,
        // so far fewer pages go through the cache (and the WAL) than in random order.
        std::vector<std::int64_t> sorted(ids.begin(), ids.end());
        std::sort(sorted.begin(), sorted.end());
        std::uint64_t check = 0;
        run(db_, begin_);
        for (auto id : sorted) {
            sqlite3_bind_int64(delete_, 1, id);
            run(db_, delete_);
            if (sqlite3_changes(db_) == 1) check += mix(static_cast<std::uint64_t>(id), 5);
        }
        run(db_, commit_);
        return check;
    }

    std::uint64_t w6a_insert_graph(std::int64_t n, std::int64_t per_user) override {
        std::vector<UserPosts> users;
        users.reserve(static_cast<std::size_t>(n));
        for (std::int64_t i = 1; i <= n; ++i) {
            auto& u = users.emplace_back(UserPosts{{0, name_of(i), email_of(i), age_of(i), score_of(i)}, {}});
            u.posts.reserve(static_cast<std::size_t>(per_user));
            for (std::int64_t j = 0; j < per_user; ++j) u.posts.push_back({0, 0, title_of(i, j)});
        }
        run(db_, begin_);
        for (auto& [u, posts] : users) {
            bind_text(insert_, 1, u.name);
            if (u.email) bind_text(insert_, 2, *u.email);
            else sqlite3_bind_null(insert_, 2);
            sqlite3_bind_int64(insert_, 3, u.age);
            sqlite3_bind_double(insert_, 4, u.score);
            run(db_, insert_);
            u.id = sqlite3_last_insert_rowid(db_);
            for (auto& p : posts) {
                p.user_id = u.id;
                sqlite3_bind_int64(insert_post_, 1, p.user_id);
                bind_text(insert_post_, 2, p.title);
                run(db_, insert_post_);
                p.id = sqlite3_last_insert_rowid(db_);
            }
        }
        run(db_, commit_);
        std::uint64_t check = 0;
        for (std::size_t i = 0; i < users.size(); ++i) {
            const auto& u = users[i].user;
            check += id_check(static_cast<std::int64_t>(i) + 1, u.id);
            for (const auto& p : users[i].posts) check += post_check(u.id, p.id, p.user_id, p.title);
        }
        return check;
    }

    // SELECT every user into `users` (no explicit transaction).
    void load_users(std::vector<UserPosts>& users) {
        int rc;
        while ((rc = sqlite3_step(select_all_)) == SQLITE_ROW) read_user(select_all_, users.emplace_back().user);
        if (rc != SQLITE_DONE) fail(db_, "select all");
        sqlite3_reset(select_all_);
    }

    std::uint64_t w6b_lazy_loop(std::int64_t expected_users) override {
        // The N+1 loop by hand: the users, then one SELECT per user, each in
        // autocommit (as W3), the statement rebound and reused.
        std::vector<UserPosts> users;
        users.reserve(static_cast<std::size_t>(expected_users));
        load_users(users);
        for (auto& u : users) {
            sqlite3_bind_int64(select_posts_of_, 1, u.user.id);
            int rc;
            while ((rc = sqlite3_step(select_posts_of_)) == SQLITE_ROW) read_post(select_posts_of_, 0, u.posts.emplace_back());
            if (rc != SQLITE_DONE) fail(db_, "select posts of a user");
            sqlite3_reset(select_posts_of_);
        }
        return graph_check(users);
    }

    std::uint64_t w6c_joined(std::int64_t expected_users) override {
        // One statement; rows come in users.id order, a user's rows together.
        std::vector<UserPosts> users;
        users.reserve(static_cast<std::size_t>(expected_users));
        int rc;
        while ((rc = sqlite3_step(select_joined_)) == SQLITE_ROW) {
            if (users.empty() || users.back().user.id != sqlite3_column_int64(select_joined_, 0))
                read_user(select_joined_, users.emplace_back().user);
            if (sqlite3_column_type(select_joined_, 5) != SQLITE_NULL)
                read_post(select_joined_, 5, users.back().posts.emplace_back());
        }
        if (rc != SQLITE_DONE) fail(db_, "select joined");
        sqlite3_reset(select_joined_);
        return graph_check(users);
    }

    std::uint64_t w6d_selectin(std::int64_t expected_users) override {
        // The users, then their posts with one prepared IN statement of in_chunk
        // parameters per in_chunk users (unused parameters of the last chunk
        // bound to NULL, which matches nothing), each post put under its user by id.
        std::vector<UserPosts> users;
        users.reserve(static_cast<std::size_t>(expected_users));
        load_users(users);
        std::unordered_map<std::int64_t, std::size_t> index;
        index.reserve(users.size());
        for (std::size_t i = 0; i < users.size(); ++i) index.emplace(users[i].user.id, i);
        constexpr auto chunk = static_cast<std::size_t>(in_chunk);
        for (std::size_t start = 0; start < users.size(); start += chunk) {
            const auto n = std::min(users.size() - start, chunk);
            for (std::size_t k = 0; k < chunk; ++k) {
                const int parameter = static_cast<int>(k) + 1;
                if (k < n) sqlite3_bind_int64(select_posts_in_, parameter, users[start + k].user.id);
                else sqlite3_bind_null(select_posts_in_, parameter);
            }
            int rc;
            Post p;
            while ((rc = sqlite3_step(select_posts_in_)) == SQLITE_ROW) {
                read_post(select_posts_in_, 0, p);
                users[index.at(p.user_id)].posts.push_back(std::move(p));
            }
            if (rc != SQLITE_DONE) fail(db_, "select posts in");
            sqlite3_reset(select_posts_in_);
        }
        return graph_check(users);
    }

    std::uint64_t w7_bulk_insert(std::int64_t n) override {
        std::vector<User> users;
        users.reserve(static_cast<std::size_t>(n));
        for (std::int64_t i = 1; i <= n; ++i) users.push_back({0, name_of(i), email_of(i), age_of(i), score_of(i)});
        run(db_, begin_);
        std::uint64_t inserted = 0;
        for (const auto& u : users) {
            bind_text(insert_, 1, u.name);
            if (u.email) bind_text(insert_, 2, *u.email);
            else sqlite3_bind_null(insert_, 2);
            sqlite3_bind_int64(insert_, 3, u.age);
            sqlite3_bind_double(insert_, 4, u.score);
            run(db_, insert_);
            inserted += static_cast<std::uint64_t>(sqlite3_changes(db_));
        }
        run(db_, commit_);
        return inserted;
    }

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* begin_ = nullptr;
    sqlite3_stmt* commit_ = nullptr;
    sqlite3_stmt* insert_ = nullptr;
    sqlite3_stmt* select_all_ = nullptr;
    sqlite3_stmt* select_one_ = nullptr;
    sqlite3_stmt* select_range_ = nullptr;
    sqlite3_stmt* update_age_ = nullptr;
    sqlite3_stmt* delete_ = nullptr;
    sqlite3_stmt* insert_post_ = nullptr;
    sqlite3_stmt* select_posts_of_ = nullptr;
    sqlite3_stmt* select_joined_ = nullptr;
    sqlite3_stmt* select_posts_in_ = nullptr;
};

}  // namespace

void raw_populate(sqlite3* db, std::int64_t n) {
    exec(db, "BEGIN");
    sqlite3_stmt* insert = prepare(db, "INSERT INTO users (name, email, age, score) VALUES (?, ?, ?, ?)");
    for (std::int64_t i = 1; i <= n; ++i) {
        const auto name = name_of(i);
        const auto email = email_of(i);
        bind_text(insert, 1, name);
        if (email) bind_text(insert, 2, *email);
        else sqlite3_bind_null(insert, 2);
        sqlite3_bind_int64(insert, 3, age_of(i));
        sqlite3_bind_double(insert, 4, score_of(i));
        run(db, insert);
    }
    sqlite3_finalize(insert);
    exec(db, "COMMIT");
}

std::uint64_t raw_digest(sqlite3* db) {
    sqlite3_stmt* s = prepare(db, "SELECT id, name, email, age, score FROM users");
    std::uint64_t digest = 0;
    User u;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_user(s, u);
        digest += row_check(u) + 1;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) fail(db, "digest");
    s = prepare(db, "SELECT id, user_id, title FROM posts");
    Post p;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_post(s, 0, p);
        digest += post_check(p.user_id, p.id, p.user_id, p.title) + 1;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) fail(db, "digest of posts");
    return digest;
}

const char* sqlite_version() { return sqlite3_libversion(); }

std::unique_ptr<side> make_raw_side() { return std::make_unique<raw_side>(); }

}  // namespace bench
