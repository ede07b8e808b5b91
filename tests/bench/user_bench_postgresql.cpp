// tests/bench/user_bench_postgresql.cpp — alchemy_user_bench's raw libpq side
// (--mode postgresql): the workloads W1..W6d through libpq, written the way a
// careful C++ programmer who knows libpq writes them. Built only with
// ALCHEMY_WITH_POSTGRESQL (tests/bench/CMakeLists.txt).
//
// - One connection per database; every statement is prepared on it once
//   (PQprepare) when it opens, and then executed one row of parameters at a
//   time (PQexecPrepared): one round trip per row, the loop the project's
//   PostgreSQL targets are defined against.
// - Text parameters (the input vectors' strings are passed as they are, no
//   copy; numbers are formatted with std::to_chars) and text results (parsed
//   with std::from_chars).
// - Generated keys come back through INSERT ... RETURNING id.
// - BEGIN and COMMIT are simple queries (PQexec).
// - Rows a workload loads go into plain structs, as on the raw sqlite3 side.
//
// The check values are user_bench.hpp's, the same the other sides compute.
// Also here: summarize() (both sides' databases are compared with it, through
// PQexec on any connection) and the schema helpers of the harness.
#include "user_bench.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

namespace user_raw_pg {

using user_bench::deleted_value;
using user_bench::inputs;
using user_bench::inserted_value;
using user_bench::post_value;
using user_bench::posts_per_user;

namespace {

struct User {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> email;
    std::int64_t age = 0;
    double score = 0;
};

struct Post {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string title;
};

struct UserWithPosts {
    User user;
    std::vector<Post> posts;
};

// W6b, W6d: users per "user_id = ANY($1)" statement, as many as alchemy's
// select-IN loads put into one, so that both sides send as many statements.
constexpr std::size_t in_batch = 1000;

// libpq's message without its trailing newline.
std::string message_of(const char* text) {
    std::string message = text ? text : "";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return message;
}

// A PGresult that is cleared when it goes out of scope. The constructor
// throws unless the result has the expected status.
class pg_result {
public:
    pg_result(PGconn* conn, PGresult* result, ExecStatusType expected, std::string_view what) : result_(result) {
        if (PQresultStatus(result_) != expected) {
            const std::string message = message_of(result_ ? PQresultErrorMessage(result_) : PQerrorMessage(conn));
            PQclear(result_);
            throw std::runtime_error("libpq: " + std::string(what) + ": " + message);
        }
    }
    pg_result(const pg_result&) = delete;
    pg_result& operator=(const pg_result&) = delete;
    ~pg_result() { PQclear(result_); }

    int rows() const { return PQntuples(result_); }
    int columns() const { return PQnfields(result_); }
    bool is_null(int row, int column) const { return PQgetisnull(result_, row, column) == 1; }
    std::string_view text(int row, int column) const {
        return {PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column))};
    }
    std::int64_t int64(int row, int column) const { return parse<std::int64_t>(text(row, column)); }
    double float8(int row, int column) const { return parse<double>(text(row, column)); }  // shortest exact output
    // The rows an INSERT, UPDATE or DELETE changed.
    std::int64_t changed() const { return parse<std::int64_t>(PQcmdTuples(result_)); }

    template <class T>
    static T parse(std::string_view text) {
        T value{};
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size())
            throw std::runtime_error("libpq: unexpected value '" + std::string(text) + "'");
        return value;
    }

private:
    PGresult* result_;
};

// A number as a text parameter: libpq reads text parameters up to their NUL.
class number {
public:
    explicit number(std::int64_t value) { *std::to_chars(text_, text_ + sizeof text_ - 1, value).ptr = '\0'; }
    explicit number(double value) { *std::to_chars(text_, text_ + sizeof text_ - 1, value).ptr = '\0'; }
    const char* c_str() const { return text_; }

private:
    char text_[32];
};

void exec(PGconn* conn, const char* sql) { const pg_result done(conn, PQexec(conn, sql), PGRES_COMMAND_OK, sql); }

// Executes the prepared statement `name` with these text parameters.
template <std::size_t N>
PGresult* execute(PGconn* conn, const char* name, const char* const (&values)[N]) {
    return PQexecPrepared(conn, name, static_cast<int>(N), values, nullptr, nullptr, 0);
}
PGresult* execute(PGconn* conn, const char* name) { return PQexecPrepared(conn, name, 0, nullptr, nullptr, nullptr, 0); }

PGconn* connect(const std::string& url) {
    PGconn* conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string message = conn ? message_of(PQerrorMessage(conn)) : "out of memory";
        PQfinish(conn);
        throw std::runtime_error("libpq: cannot connect: " + message);  // not the URL: it may hold a password
    }
    // No NOTICEs on stderr ("relation ... already exists, skipping" and the like).
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    return conn;
}

// The same tables alchemy's create_all makes on PostgreSQL (BIGINT keys
// generated as identities, DOUBLE PRECISION for the score), if missing.
constexpr const char* create_tables_sql =
    "CREATE TABLE IF NOT EXISTS users (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
    "name TEXT NOT NULL, email TEXT, age BIGINT NOT NULL, score DOUBLE PRECISION NOT NULL);"
    "CREATE TABLE IF NOT EXISTS posts (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
    "user_id BIGINT NOT NULL REFERENCES users (id), title TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS ix_posts_user_id ON posts (user_id)";

struct statement {
    const char* name;
    const char* sql;
};
constexpr statement statements[] = {
    {"insert_user", "INSERT INTO users (name, email, age, score) VALUES ($1, $2, $3, $4) RETURNING id"},
    {"select_users", "SELECT id, name, email, age, score FROM users"},
    {"select_user", "SELECT id, name, email, age, score FROM users WHERE id = $1"},
    {"select_user_range", "SELECT id, name, email, age, score FROM users WHERE id >= $1 AND id < $2"},
    {"update_age", "UPDATE users SET age = $1 WHERE id = $2"},
    {"delete_user", "DELETE FROM users WHERE id = $1"},
    {"insert_post", "INSERT INTO posts (user_id, title) VALUES ($1, $2) RETURNING id"},
    {"select_posts_of_user", "SELECT id, user_id, title FROM posts WHERE user_id = $1"},
    // W6c: the statement alchemy's joined load sends has no ORDER BY, and
    // PostgreSQL may hash-join: a user's rows need not come together, so each
    // row finds its user by id (w6c_joinedload).
    {"select_users_with_posts",
     "SELECT users.id, users.name, users.email, users.age, users.score, posts.id, posts.user_id, posts.title "
     "FROM users LEFT OUTER JOIN posts ON posts.user_id = users.id"},
    // W6d: up to in_batch keys as one array parameter ('{1,2,...}'), as alchemy's select-IN load sends them.
    {"select_posts_in", "SELECT id, user_id, title FROM posts WHERE user_id = ANY($1::bigint[])"},
};

// Columns first..first+4 of a row: id, name, email, age, score.
void read_user(const pg_result& r, int row, User& u, int first = 0) {
    u.id = r.int64(row, first);
    u.name = r.text(row, first + 1);
    if (r.is_null(row, first + 2)) u.email.reset();
    else u.email = r.text(row, first + 2);
    u.age = r.int64(row, first + 3);
    u.score = r.float8(row, first + 4);
}

// Columns first..first+2: id, user_id, title.
void read_post(const pg_result& r, int row, Post& p, int first = 0) {
    p.id = r.int64(row, first);
    p.user_id = r.int64(row, first + 1);
    p.title = r.text(row, first + 2);
}

// INSERT ... RETURNING id of row i of the inputs.
std::int64_t insert_user(PGconn* conn, const inputs& in, std::size_t i) {
    const number age(in.ages[i]), score(in.scores[i]);
    const char* const values[] = {in.names[i].c_str(), in.emails[i] ? in.emails[i]->c_str() : nullptr, age.c_str(),
                                  score.c_str()};
    return pg_result(conn, execute(conn, "insert_user", values), PGRES_TUPLES_OK, "insert user").int64(0, 0);
}

std::uint64_t user_value(const User& u) { return user_bench::user_value(u.id, u.name, u.email, u.age, u.score); }

std::uint64_t graph_value(const std::vector<UserWithPosts>& users) {
    std::uint64_t check = 0;
    for (const auto& [u, posts] : users) {
        check += 1 + user_value(u);
        for (const auto& p : posts) check += post_value(u.id, p.id, p.user_id, p.title);
    }
    return check;
}

// Every user into `users`, with no posts yet (no explicit transaction).
void load_graph_users(PGconn* conn, std::vector<UserWithPosts>& users) {
    const pg_result r(conn, execute(conn, "select_users"), PGRES_TUPLES_OK, "select users");
    for (int row = 0; row < r.rows(); ++row) read_user(r, row, users.emplace_back().user);
}

}  // namespace

database::database(const std::string& url) : conn(connect(url)) {
    try {
        exec(conn, create_tables_sql);
        for (const auto& s : statements) {  // parameter types inferred by the server
            const pg_result done(conn, PQprepare(conn, s.name, s.sql, 0, nullptr), PGRES_COMMAND_OK, s.sql);
        }
    } catch (...) {
        PQfinish(conn);
        throw;
    }
}

database::~database() { PQfinish(conn); }  // the prepared statements go with the connection

// The workload functions stay out of line so that callgrind can toggle on them by name.

[[gnu::noinline]] std::uint64_t w1_insert(database& db, const inputs& in) {
    std::vector<std::int64_t> ids(in.users);
    exec(db.conn, "BEGIN");
    for (std::size_t i = 0; i < in.users; ++i) ids[i] = insert_user(db.conn, in, i);
    exec(db.conn, "COMMIT");
    std::uint64_t check = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) check += inserted_value(i, ids[i]);
    return check;
}

[[gnu::noinline]] std::uint64_t w2_load_all(database& db, const inputs& in) {
    std::vector<User> users;
    users.reserve(in.users);  // the program inserted them: it knows how many there are
    {
        const pg_result r(db.conn, execute(db.conn, "select_users"), PGRES_TUPLES_OK, "select users");
        for (int row = 0; row < r.rows(); ++row) read_user(r, row, users.emplace_back());
    }  // the result is cleared: only the structs are held
    std::uint64_t check = users.size();
    for (const auto& u : users) check += user_value(u);
    return check;
}

// One SELECT per id, each in autocommit (no explicit transaction).
[[gnu::noinline]] std::uint64_t w3_get(database& db, const inputs& in) {
    std::uint64_t check = 0;
    User u;
    for (const auto id : in.lookup_ids) {
        const number key(id);
        const char* const values[] = {key.c_str()};
        const pg_result r(db.conn, execute(db.conn, "select_user", values), PGRES_TUPLES_OK, "select user by id");
        if (r.rows() == 1) {
            read_user(r, 0, u);
            check += user_value(u);
        }
    }
    return check;
}

[[gnu::noinline]] std::uint64_t w4_update_range(database& db, const inputs& in) {
    exec(db.conn, "BEGIN");
    std::vector<User> users;
    users.reserve(in.k);
    {
        const number lo(in.range_lo), hi(in.range_hi);
        const char* const values[] = {lo.c_str(), hi.c_str()};
        const pg_result r(db.conn, execute(db.conn, "select_user_range", values), PGRES_TUPLES_OK,
                          "select users by range");
        for (int row = 0; row < r.rows(); ++row) read_user(r, row, users.emplace_back());
    }
    std::uint64_t check = users.size();
    for (auto& u : users) {
        u.age += 1;
        const number age(u.age), id(u.id);
        const char* const values[] = {age.c_str(), id.c_str()};
        const pg_result done(db.conn, execute(db.conn, "update_age", values), PGRES_COMMAND_OK, "update age");
        check += user_value(u);
    }
    exec(db.conn, "COMMIT");
    return check;
}

// One DELETE per id, in id order (as alchemy's flush orders its DELETEs).
[[gnu::noinline]] std::uint64_t w5_delete(database& db, const inputs& in) {
    std::vector<std::int64_t> ids = in.delete_ids;
    std::sort(ids.begin(), ids.end());
    std::uint64_t check = 0;
    exec(db.conn, "BEGIN");
    for (const auto id : ids) {
        const number key(id);
        const char* const values[] = {key.c_str()};
        const pg_result r(db.conn, execute(db.conn, "delete_user", values), PGRES_COMMAND_OK, "delete user");
        if (r.changed() == 1) check += deleted_value(id);
    }
    exec(db.conn, "COMMIT");
    return check;
}

[[gnu::noinline]] std::uint64_t w6a_insert_graph(database& db, const inputs& in) {
    std::vector<std::int64_t> user_ids(in.graph_users);
    std::vector<std::int64_t> post_ids(in.graph_users * posts_per_user);
    exec(db.conn, "BEGIN");
    for (std::size_t i = 0; i < in.graph_users; ++i) {
        user_ids[i] = insert_user(db.conn, in, i);
        const number user_id(user_ids[i]);
        for (std::size_t j = 0; j < posts_per_user; ++j) {
            const std::size_t k = i * posts_per_user + j;
            const char* const values[] = {user_id.c_str(), in.titles[k].c_str()};
            post_ids[k] =
                pg_result(db.conn, execute(db.conn, "insert_post", values), PGRES_TUPLES_OK, "insert post").int64(0, 0);
        }
    }
    exec(db.conn, "COMMIT");
    std::uint64_t check = 0;
    for (std::size_t i = 0; i < in.graph_users; ++i) {
        check += inserted_value(i, user_ids[i]);
        for (std::size_t j = 0; j < posts_per_user; ++j) {
            const std::size_t k = i * posts_per_user + j;
            check += post_value(user_ids[i], post_ids[k], user_ids[i], in.titles[k]);
        }
    }
    return check;
}

// The users, then one SELECT of posts per user, each in autocommit: the N+1 loop by hand.
[[gnu::noinline]] std::uint64_t w6b_lazy_posts(database& db, const inputs& in) {
    std::vector<UserWithPosts> users;
    users.reserve(in.graph_users);
    load_graph_users(db.conn, users);
    for (auto& [u, posts] : users) {
        const number id(u.id);
        const char* const values[] = {id.c_str()};
        const pg_result r(db.conn, execute(db.conn, "select_posts_of_user", values), PGRES_TUPLES_OK,
                          "select posts of user");
        posts.resize(static_cast<std::size_t>(r.rows()));
        for (int row = 0; row < r.rows(); ++row) read_post(r, row, posts[static_cast<std::size_t>(row)]);
    }
    return graph_value(users);
}

// One LEFT JOIN without ORDER BY (see select_users_with_posts): each row finds
// its user through a map from id to position, a new user on its first row.
[[gnu::noinline]] std::uint64_t w6c_joinedload(database& db, const inputs& in) {
    std::vector<UserWithPosts> users;
    users.reserve(in.graph_users);
    std::unordered_map<std::int64_t, std::size_t> position;
    position.reserve(in.graph_users);
    const pg_result r(db.conn, execute(db.conn, "select_users_with_posts"), PGRES_TUPLES_OK, "select users join posts");
    for (int row = 0; row < r.rows(); ++row) {
        const auto [at, added] = position.try_emplace(r.int64(row, 0), users.size());
        if (added) read_user(r, row, users.emplace_back().user);
        if (!r.is_null(row, 5)) read_post(r, row, users[at->second].posts.emplace_back(), 5);
    }
    return graph_value(users);
}

// The users, then their posts by "user_id = ANY($1)" for in_batch users at a
// time (the keys as one array literal), each post put under its user through
// a map from id to position.
[[gnu::noinline]] std::uint64_t w6d_selectinload(database& db, const inputs& in) {
    std::vector<UserWithPosts> users;
    users.reserve(in.graph_users);
    load_graph_users(db.conn, users);
    std::unordered_map<std::int64_t, std::size_t> position;
    position.reserve(users.size());
    for (std::size_t i = 0; i < users.size(); ++i) position.emplace(users[i].user.id, i);
    std::string keys;
    for (std::size_t start = 0; start < users.size(); start += in_batch) {
        const std::size_t end = std::min(users.size(), start + in_batch);
        keys.clear();  // (not keys = "{": GCC 12 -O3 then warns about a memcpy it imagines, -Wrestrict)
        keys += '{';
        for (std::size_t i = start; i < end; ++i) {
            if (i != start) keys += ',';
            keys += number(users[i].user.id).c_str();
        }
        keys += '}';
        const char* const values[] = {keys.c_str()};
        const pg_result r(db.conn, execute(db.conn, "select_posts_in", values), PGRES_TUPLES_OK, "select posts in");
        Post p;
        for (int row = 0; row < r.rows(); ++row) {
            read_post(r, row, p);
            users[position.at(p.user_id)].posts.push_back(std::move(p));
        }
    }
    return graph_value(users);
}

void insert_users(database& db, const inputs& in) {
    exec(db.conn, "BEGIN");
    for (std::size_t i = 0; i < in.users; ++i) insert_user(db.conn, in, i);
    exec(db.conn, "COMMIT");
}

user_bench::stored_summary summarize(pg_conn* conn) {
    // coalesce: the sums of an empty table are NULL. Every value is read as
    // text and parsed as a double; the sums here are whole numbers or
    // multiples of 0.25 far below 2^53, so they compare exactly.
    static constexpr const char* queries[2] = {
        "SELECT count(*), coalesce(sum(id), 0), coalesce(sum(age), 0), coalesce(sum(score), 0), "
        "coalesce(sum(length(name)), 0), count(email), coalesce(sum(length(email)), 0) FROM users",
        "SELECT count(*), coalesce(sum(id), 0), coalesce(sum(user_id), 0), coalesce(sum(length(title)), 0) FROM posts"};
    user_bench::stored_summary summary{};
    std::size_t out = 0;
    for (const char* sql : queries) {
        const pg_result r(conn, PQexec(conn, sql), PGRES_TUPLES_OK, "summarize");
        if (r.rows() != 1) throw std::runtime_error("libpq: summarize: no row");
        for (int c = 0; c < r.columns(); ++c) summary.at(out++) = r.float8(0, c);
    }
    if (out != summary.size()) throw std::runtime_error("libpq: summarize: wrong number of columns");
    return summary;
}

std::string schema_url(const std::string& server_url, const std::string& schema) {
    // libpq's `options` parameter, percent-encoded: "-c search_path=<schema>".
    return server_url + (server_url.find('?') == std::string::npos ? '?' : '&') + "options=-c%20search_path%3D" +
           schema;
}

void create_schema(const std::string& server_url, const std::string& schema) {
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

void drop_schema(const std::string& server_url, const std::string& schema) noexcept {
    try {
        PGconn* conn = connect(server_url);
        PQclear(PQexec(conn, ("DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str()));
        PQfinish(conn);
    } catch (...) {
    }
}

std::string versions(const std::string& server_url) {
    PGconn* conn = connect(server_url);
    const int server = PQserverVersion(conn);
    PQfinish(conn);
    const int client = PQlibVersion();
    return "PostgreSQL " + std::to_string(server / 10000) + "." + std::to_string(server % 10000) + " server, libpq " +
           std::to_string(client / 10000) + "." + std::to_string(client % 10000);
}

}  // namespace user_raw_pg
