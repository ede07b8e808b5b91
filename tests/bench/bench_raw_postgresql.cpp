// tests/bench/bench_raw_postgresql.cpp — the workloads through libpq as a
// careful user writes them: the PostgreSQL counterpart of bench_raw.cpp.
// Every statement is prepared on the server once per connection (PQprepare)
// and then executed one row of parameters at a time (PQexecPrepared), with
// text parameters and text results, as alchemy's driver does; generated keys
// come back through INSERT ... RETURNING id. BEGIN and COMMIT go as simple
// queries (PQexec): one round trip either way. Rows go into the same plain
// structs as bench_raw.cpp's.
//
// Also the harness's PostgreSQL helpers (bench.hpp): a schema per side and
// round, and the digest both sides are verified with.
#include "bench.hpp"
#include "raw_rows.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bench {
namespace {

using raw::Post;
using raw::User;
using raw::UserPosts;
using raw::graph_check;
using raw::row_check;

[[noreturn]] void fail(PGconn* conn, std::string_view what) {
    throw std::runtime_error("raw libpq: " + std::string(what) + ": " + (conn ? PQerrorMessage(conn) : "?"));
}

// Owns a PGresult and checks its status.
class result {
public:
    result(PGconn* conn, PGresult* r, ExecStatusType expected, std::string_view what) : r_(r) {
        if (PQresultStatus(r_) != expected) {
            PQclear(r_);
            fail(conn, what);
        }
    }
    result(const result&) = delete;
    result& operator=(const result&) = delete;
    ~result() { PQclear(r_); }

    int rows() const { return PQntuples(r_); }
    bool is_null(int row, int column) const { return PQgetisnull(r_, row, column) != 0; }
    std::string_view text(int row, int column) const {
        return {PQgetvalue(r_, row, column), static_cast<std::size_t>(PQgetlength(r_, row, column))};
    }
    std::int64_t integer(int row, int column) const {
        const auto t = text(row, column);
        std::int64_t v = 0;
        std::from_chars(t.data(), t.data() + t.size(), v);
        return v;
    }
    double real(int row, int column) const {  // float8's text output is the shortest exact form
        const auto t = text(row, column);
        double v = 0;
        std::from_chars(t.data(), t.data() + t.size(), v);
        return v;
    }
    // INSERT/UPDATE/DELETE: the rows it changed.
    std::int64_t changed() const {
        const std::string_view t = PQcmdTuples(r_);
        std::int64_t v = 0;
        std::from_chars(t.data(), t.data() + t.size(), v);
        return v;
    }

private:
    PGresult* r_;
};

// A number as a text parameter (libpq reads text parameters up to their NUL).
class number_text {
public:
    explicit number_text(std::int64_t v) { *std::to_chars(buf_, buf_ + sizeof buf_ - 1, v).ptr = '\0'; }
    explicit number_text(double v) { *std::to_chars(buf_, buf_ + sizeof buf_ - 1, v).ptr = '\0'; }  // shortest exact
    const char* c_str() const { return buf_; }

private:
    char buf_[32];
};

void exec(PGconn* conn, const char* sql) { const result done(conn, PQexec(conn, sql), PGRES_COMMAND_OK, sql); }

// Executes a statement prepared by prepare() with text parameters.
result run(PGconn* conn, const char* name, std::span<const char* const> values,
           ExecStatusType expected = PGRES_COMMAND_OK) {
    return result(conn,
                  PQexecPrepared(conn, name, static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0),
                  expected, name);
}

void prepare(PGconn* conn, const char* name, const std::string& sql, int parameters) {
    const result done(conn, PQprepare(conn, name, sql.c_str(), parameters, nullptr), PGRES_COMMAND_OK, sql);
}

PGconn* connect(const std::string& url) {
    PGconn* conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string message = conn ? PQerrorMessage(conn) : "out of memory";
        PQfinish(conn);
        throw std::runtime_error("raw libpq: cannot connect: " + message);  // not the URL: it may hold a password
    }
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // DROP ... IF EXISTS notices
    return conn;
}

// A user from columns 0..4: id, name, email, age, score.
void read_user(const result& r, int row, User& u) {
    u.id = r.integer(row, 0);
    u.name.assign(r.text(row, 1));
    if (r.is_null(row, 2)) u.email.reset();
    else if (u.email) u.email->assign(r.text(row, 2));
    else u.email.emplace(r.text(row, 2));
    u.age = r.integer(row, 3);
    u.score = r.real(row, 4);
}

// A post from columns first, first+1, first+2: id, user_id, title.
void read_post(const result& r, int row, int first, Post& p) {
    p.id = r.integer(row, first);
    p.user_id = r.integer(row, first + 1);
    p.title.assign(r.text(row, first + 2));
}

// W6d: the keys of up to in_chunk users (bench.hpp) as one array parameter, as
// alchemy's select-IN load sends them on PostgreSQL.
constexpr const char* posts_in_sql = "SELECT id, user_id, title FROM posts WHERE user_id = ANY($1)";

// The types alchemy's create_all gives these columns on PostgreSQL.
constexpr const char* schema_sql =
    "CREATE TABLE users (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL, "
    "email TEXT NULL, age BIGINT NOT NULL, score DOUBLE PRECISION NOT NULL);"
    "CREATE TABLE posts (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
    "user_id BIGINT NOT NULL REFERENCES users(id), title TEXT NOT NULL);"
    "CREATE INDEX ix_posts_user_id ON posts (user_id);";

constexpr const char* insert_user_sql = "INSERT INTO users (name, email, age, score) VALUES ($1, $2, $3, $4) RETURNING id";

class raw_postgresql_side final : public side {
public:
    ~raw_postgresql_side() override { close(); }
    const char* name() const override { return "raw"; }

    void open(const std::string& url, bool fresh) override {
        close();
        conn_ = connect(url);
        if (fresh) exec(conn_, schema_sql);
        prepare(conn_, "insert_user", insert_user_sql, 4);
        prepare(conn_, "insert_user_plain", "INSERT INTO users (name, email, age, score) VALUES ($1, $2, $3, $4)", 4);
        prepare(conn_, "select_all", "SELECT id, name, email, age, score FROM users", 0);
        prepare(conn_, "select_one", "SELECT id, name, email, age, score FROM users WHERE id = $1", 1);
        prepare(conn_, "select_range", "SELECT id, name, email, age, score FROM users WHERE id >= $1 AND id < $2", 2);
        prepare(conn_, "update_age", "UPDATE users SET age = $1 WHERE id = $2", 2);
        prepare(conn_, "delete_user", "DELETE FROM users WHERE id = $1", 1);
        prepare(conn_, "insert_post", "INSERT INTO posts (user_id, title) VALUES ($1, $2) RETURNING id", 2);
        prepare(conn_, "select_posts_of", "SELECT id, user_id, title FROM posts WHERE user_id = $1", 1);
        prepare(conn_, "select_joined",
                "SELECT users.id, users.name, users.email, users.age, users.score, posts.id, posts.user_id, "
                "posts.title FROM users LEFT OUTER JOIN posts ON posts.user_id = users.id",
                0);
        prepare(conn_, "select_posts_in", posts_in_sql, 1);
    }

    void close() override {
        PQfinish(conn_);  // takes its prepared statements with it
        conn_ = nullptr;
    }

    void populate(std::int64_t n) override { raw_pg_populate(conn_, n); }
    std::uint64_t digest() override { return raw_pg_digest(conn_); }

    // INSERT ... RETURNING id of one user.
    std::int64_t insert_user(const User& u) {
        const number_text age(u.age), score(u.score);
        const char* values[] = {u.name.c_str(), u.email ? u.email->c_str() : nullptr, age.c_str(), score.c_str()};
        return run(conn_, "insert_user", values, PGRES_TUPLES_OK).integer(0, 0);
    }

    std::uint64_t w1_insert(std::int64_t n) override {
        std::vector<User> users;
        users.reserve(static_cast<std::size_t>(n));
        for (std::int64_t i = 1; i <= n; ++i) users.push_back({0, name_of(i), email_of(i), age_of(i), score_of(i)});
        exec(conn_, "BEGIN");
        for (auto& u : users) u.id = insert_user(u);
        exec(conn_, "COMMIT");
        std::uint64_t check = 0;
        for (std::size_t i = 0; i < users.size(); ++i) check += id_check(static_cast<std::int64_t>(i) + 1, users[i].id);
        return check;
    }

    std::uint64_t w2_load_all(std::int64_t expected_rows, void (*while_held)()) override {
        std::vector<User> users;
        users.reserve(static_cast<std::size_t>(expected_rows));  // the raw side knows its data: no regrowth
        {
            const auto r = run(conn_, "select_all", {}, PGRES_TUPLES_OK);
            for (int row = 0; row < r.rows(); ++row) read_user(r, row, users.emplace_back());
        }  // the result is freed: only the objects are held
        std::uint64_t check = users.size();
        for (const auto& u : users) check += row_check(u);
        if (while_held) while_held();
        return check;
    }

    std::uint64_t w3_get(std::span<const std::int64_t> ids) override {
        std::uint64_t check = 0;
        User u;
        for (auto id : ids) {
            const number_text key(id);
            const char* values[] = {key.c_str()};
            const auto r = run(conn_, "select_one", values, PGRES_TUPLES_OK);
            if (r.rows() == 1) {
                read_user(r, 0, u);
                check += row_check(u);
            }
        }
        return check;
    }

    std::uint64_t w4_update_range(std::int64_t lo, std::int64_t hi) override {
        exec(conn_, "BEGIN");
        std::vector<User> users;
        {
            const number_text from(lo), to(hi);
            const char* values[] = {from.c_str(), to.c_str()};
            const auto r = run(conn_, "select_range", values, PGRES_TUPLES_OK);
            users.reserve(static_cast<std::size_t>(r.rows()));
            for (int row = 0; row < r.rows(); ++row) read_user(r, row, users.emplace_back());
        }
        std::uint64_t check = users.size();
        for (auto& u : users) {
            u.age += 1;
            const number_text age(u.age), id(u.id);
            const char* values[] = {age.c_str(), id.c_str()};
            if (run(conn_, "update_age", values).changed() != 1) fail(conn_, "update: row not found");
            check += row_check(u);
        }
        exec(conn_, "COMMIT");
        return check;
    }

    std::uint64_t w5_delete(std::span<const std::int64_t> ids) override {
        // In key order, as alchemy's flush does.
        std::vector<std::int64_t> sorted(ids.begin(), ids.end());
        std::sort(sorted.begin(), sorted.end());
        std::uint64_t check = 0;
        exec(conn_, "BEGIN");
        for (auto id : sorted) {
            const number_text key(id);
            const char* values[] = {key.c_str()};
            if (run(conn_, "delete_user", values).changed() == 1) check += mix(static_cast<std::uint64_t>(id), 5);
        }
        exec(conn_, "COMMIT");
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
        exec(conn_, "BEGIN");
        for (auto& [u, posts] : users) {
            u.id = insert_user(u);
            const number_text user_id(u.id);
            for (auto& p : posts) {
                p.user_id = u.id;
                const char* values[] = {user_id.c_str(), p.title.c_str()};
                p.id = run(conn_, "insert_post", values, PGRES_TUPLES_OK).integer(0, 0);
            }
        }
        exec(conn_, "COMMIT");
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
        const auto r = run(conn_, "select_all", {}, PGRES_TUPLES_OK);
        for (int row = 0; row < r.rows(); ++row) read_user(r, row, users.emplace_back().user);
    }

    // users[i].user.id -> i, to put each post of an unordered result under its user.
    static std::unordered_map<std::int64_t, std::size_t> index_of(const std::vector<UserPosts>& users) {
        std::unordered_map<std::int64_t, std::size_t> index;
        index.reserve(users.size());
        for (std::size_t i = 0; i < users.size(); ++i) index.emplace(users[i].user.id, i);
        return index;
    }

    std::uint64_t w6b_lazy_loop(std::int64_t expected_users) override {
        // The N+1 loop by hand: the users, then one SELECT per user, each in
        // autocommit (as W3), the prepared statement executed again.
        std::vector<UserPosts> users;
        users.reserve(static_cast<std::size_t>(expected_users));
        load_users(users);
        for (auto& u : users) {
            const number_text id(u.user.id);
            const char* values[] = {id.c_str()};
            const auto r = run(conn_, "select_posts_of", values, PGRES_TUPLES_OK);
            u.posts.resize(static_cast<std::size_t>(r.rows()));
            for (int row = 0; row < r.rows(); ++row) read_post(r, row, 0, u.posts[static_cast<std::size_t>(row)]);
        }
        return graph_check(users);
    }

    std::uint64_t w6c_joined(std::int64_t expected_users) override {
        // One statement, without ORDER BY, as alchemy's joined load sends it:
        // PostgreSQL may hash-join, so a user's rows need not be together and
        // each row finds its user by id.
        std::vector<UserPosts> users;
        users.reserve(static_cast<std::size_t>(expected_users));
        std::unordered_map<std::int64_t, std::size_t> index;
        index.reserve(static_cast<std::size_t>(expected_users));
        const auto r = run(conn_, "select_joined", {}, PGRES_TUPLES_OK);
        for (int row = 0; row < r.rows(); ++row) {
            const auto [at, added] = index.try_emplace(r.integer(row, 0), users.size());
            if (added) read_user(r, row, users.emplace_back().user);
            if (!r.is_null(row, 5)) read_post(r, row, 5, users[at->second].posts.emplace_back());
        }
        return graph_check(users);
    }

    std::uint64_t w6d_selectin(std::int64_t expected_users) override {
        // The users, then their posts with one prepared statement per in_chunk
        // users, their keys one array literal ({1,2,...}), each post put under
        // its user by id.
        std::vector<UserPosts> users;
        users.reserve(static_cast<std::size_t>(expected_users));
        load_users(users);
        const auto index = index_of(users);
        constexpr auto chunk = static_cast<std::size_t>(in_chunk);
        std::string keys;
        for (std::size_t start = 0; start < users.size(); start += chunk) {
            const auto n = std::min(users.size() - start, chunk);
            keys = "{";
            for (std::size_t k = 0; k < n; ++k) {
                if (k) keys += ',';
                keys += number_text(users[start + k].user.id).c_str();
            }
            keys += '}';
            const std::vector<const char*> values{keys.c_str()};
            const auto r = run(conn_, "select_posts_in", values, PGRES_TUPLES_OK);
            Post p;
            for (int row = 0; row < r.rows(); ++row) {
                read_post(r, row, 0, p);
                users[index.at(p.user_id)].posts.push_back(std::move(p));
            }
        }
        return graph_check(users);
    }

    std::uint64_t w7_bulk_insert(std::int64_t n) override {
        std::vector<User> users;
        users.reserve(static_cast<std::size_t>(n));
        for (std::int64_t i = 1; i <= n; ++i) users.push_back({0, name_of(i), email_of(i), age_of(i), score_of(i)});
        exec(conn_, "BEGIN");
        std::uint64_t inserted = 0;
        for (const auto& u : users) {
            const number_text age(u.age), score(u.score);
            const char* values[] = {u.name.c_str(), u.email ? u.email->c_str() : nullptr, age.c_str(), score.c_str()};
            inserted += static_cast<std::uint64_t>(run(conn_, "insert_user_plain", values).changed());
        }
        exec(conn_, "COMMIT");
        return inserted;
    }

private:
    PGconn* conn_ = nullptr;
};

}  // namespace

void raw_pg_populate(PGconn* conn, std::int64_t n) {
    exec(conn, "BEGIN");
    for (std::int64_t i = 1; i <= n; ++i) {
        const auto name = name_of(i);
        const auto email = email_of(i);
        const number_text age(age_of(i)), score(score_of(i));
        const char* values[] = {name.c_str(), email ? email->c_str() : nullptr, age.c_str(), score.c_str()};
        // Unnamed statements: this may run on alchemy's connection, whose prepared names are its own.
        const result done(conn, PQexecParams(conn, insert_user_sql, 4, nullptr, values, nullptr, nullptr, 0),
                          PGRES_TUPLES_OK, "populate");
    }
    exec(conn, "COMMIT");
}

std::uint64_t raw_pg_digest(PGconn* conn) {
    std::uint64_t digest = 0;
    {
        const result r(conn, PQexec(conn, "SELECT id, name, email, age, score FROM users"), PGRES_TUPLES_OK, "digest");
        User u;
        for (int row = 0; row < r.rows(); ++row) {
            read_user(r, row, u);
            digest += row_check(u) + 1;
        }
    }
    const result r(conn, PQexec(conn, "SELECT id, user_id, title FROM posts"), PGRES_TUPLES_OK, "digest of posts");
    Post p;
    for (int row = 0; row < r.rows(); ++row) {
        read_post(r, row, 0, p);
        digest += post_check(p.user_id, p.id, p.user_id, p.title) + 1;
    }
    return digest;
}

std::string pg_schema_url(const std::string& server_url, const std::string& schema) {
    return server_url + (server_url.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" + schema;
}

void pg_create_schema(const std::string& server_url, const std::string& schema) {
    PGconn* conn = connect(server_url);
    try {
        exec(conn, ("DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str());
        exec(conn, ("CREATE SCHEMA " + schema).c_str());
    } catch (...) {
        PQfinish(conn);
        throw;
    }
    PQfinish(conn);
}

void pg_drop_schema(const std::string& server_url, const std::string& schema) noexcept {
    try {
        PGconn* conn = connect(server_url);
        PQclear(PQexec(conn, ("DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str()));
        PQfinish(conn);
    } catch (...) {
    }
}

std::string pg_versions(const std::string& server_url) {
    PGconn* conn = connect(server_url);
    const int server = PQserverVersion(conn);
    PQfinish(conn);
    return "PostgreSQL " + std::to_string(server / 10000) + "." + std::to_string(server % 10000) + ", libpq " +
           std::to_string(PQlibVersion() / 10000) + "." + std::to_string(PQlibVersion() % 10000);
}

std::unique_ptr<side> make_raw_postgresql_side() { return std::make_unique<raw_postgresql_side>(); }

}  // namespace bench
