// tests/bench/user_bench.cpp — alchemy against raw sqlite3, written the way a
// user of alchemy writes a benchmark (target alchemy_user_bench).
//
// This is the second benchmark of the performance targets, written
// independently of alchemy_bench (bench_main.cpp, bench_alchemy.cpp,
// bench_raw.cpp): its own model, its own input data, its own raw sqlite3 code
// and its own check values, in this file (the inputs and check values in
// user_bench.hpp, which user_bench_postgresql.cpp shares; that file holds the
// raw libpq side of --mode postgresql). What it measures is the same list of
// workloads (W1..W6d, see tests/bench/README.md), but every object is built
// from *separate input vectors* (names[i], emails[i], ages[i], scores[i]) the
// way a program that got its data from somewhere else would build them, and
// the raw side binds those same vectors straight into its prepared INSERT.
//
//   alchemy_user_bench [--n N] [--graph-users U] [--rounds R] [--mode file|memory|both|postgresql]
//                      [--url URL] [--dir DIR] [--no-rss] [--verbose] [--help]
//
// Each round runs every workload once per side, alternating which side goes
// first; the table shows the median of the rounds per workload and side and
// the ratio alchemy / raw. Both sides compute a check value per workload from
// what they hold in memory, and after every workload the two databases are
// compared (row counts and column sums); the program exits 1 if anything
// differs, 2 on bad options or an error.
//
// --mode postgresql --url postgresql://... (a build with ALCHEMY_WITH_POSTGRESQL,
// which defines ALCHEMY_USER_BENCH_POSTGRESQL; otherwise the mode exits 2) runs
// the same workloads on that PostgreSQL server: alchemy through
// create_engine(url) (<alchemy/postgresql.hpp>, default options) against raw
// libpq written the way a careful user writes it (user_bench_postgresql.cpp):
// every statement prepared once per connection (PQprepare) and executed one
// row of parameters at a time (PQexecPrepared), text parameters and results,
// generated keys through INSERT ... RETURNING id, BEGIN/COMMIT through PQexec:
// one round trip per row. Each side's database is then a schema of its own
// (alchemy_user_bench_<pid>_<side>[_graph]), made empty before each round and
// selected through search_path in the URL (libpq's `options`); all of them are
// dropped at the end. The databases are compared as in the SQLite modes (row
// counts and column sums, computed by PostgreSQL), and W2's peak RSS is
// measured the same way, in a forked child per side that opens its own
// connection to a schema the raw side filled beforehand.
//
//   alchemy_user_bench --mode postgresql --url "postgresql://alchemy@/alchemy_test?host=/tmp/alchemy-pg-..."
//
// Profiling one workload of one side with callgrind (the workload functions
// are kept out of line for this; their names are user_alchemy::w1_insert,
// user_raw::w1_insert, ... user_alchemy::w6d_selectinload; the raw libpq
// side's are user_raw_pg::w1_insert ...):
//
//   valgrind --tool=callgrind --toggle-collect='*user_alchemy::w2_load_all*' build/release/tests/bench/alchemy_user_bench --n 20000 --rounds 1 --mode memory --no-rss
//   callgrind_annotate --inclusive=yes callgrind.out.<pid>
//
// ('*user_alchemy::w*' collects every alchemy workload at once. GCC's identical
// code folding may merge the two sides' user_value() helpers: a raw profile can
// then show user_alchemy::user_value, which is the same code.)
#include "user_bench.hpp"

#include <alchemy/alchemy.hpp>
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
#include <alchemy/postgresql.hpp>  // registers alchemy's driver for postgresql:// URLs
#endif

#include <sqlite3.h>

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

// The input data and the check values, shared with the raw libpq side (user_bench.hpp).
using user_bench::deleted_value;
using user_bench::inputs;
using user_bench::inserted_value;
using user_bench::post_value;
using user_bench::posts_per_user;
using user_bench::stored_summary;
using user_bench::user_value;

// ---- the mapped model: what a user's program declares ----------------------------------

namespace model {

struct Post;

struct User {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::string> email{};
    std::int64_t age = 0;
    double score = 0;
    alchemy::relationship<Post> posts{};
};
constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::autoincrement); }

struct Post {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string title{};
    alchemy::backref<User> user{};
};
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::autoincrement, alchemy::foreign_key(&Post::user_id, &User::id),
                          alchemy::index(&Post::user_id));
}

}  // namespace model

namespace {

// The input data (struct inputs) and the check values are in user_bench.hpp.

// splitmix64: a deterministic generator whose output does not depend on the
// standard library (std::shuffle's does).
struct splitmix64 {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
};

inputs make_inputs(std::size_t n, std::size_t graph_users) {
    static constexpr std::array<const char*, 8> first_names = {"ada",    "grace", "alan",   "edsger",
                                                               "barbara", "ken",  "dennis", "margaret"};
    inputs in;
    in.users = n;
    in.graph_users = graph_users;
    const std::size_t rows = std::max(n, graph_users);
    in.names.reserve(rows);
    in.emails.reserve(rows);
    in.ages.reserve(rows);
    in.scores.reserve(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        const std::string first = first_names[i % first_names.size()];
        const std::string number = std::to_string(i + 1);
        in.names.push_back(first + "_" + number);
        if ((i + 1) % 7 == 0) in.emails.push_back(std::nullopt);
        else in.emails.push_back(first + "." + number + "@example.org");
        in.ages.push_back(18 + static_cast<std::int64_t>((i * 37) % 63));
        in.scores.push_back(static_cast<double>(i % 400) * 0.25);  // exact in binary: column sums compare exactly
    }
    in.titles.reserve(graph_users * posts_per_user);
    for (std::size_t u = 0; u < graph_users; ++u)
        for (std::size_t j = 0; j < posts_per_user; ++j)
            in.titles.push_back("post " + std::to_string(j) + " by " + in.names[u]);

    // W3 and W5: the first 2K ids of a pseudo-random permutation of 1..N (Fisher-Yates).
    in.k = std::min<std::size_t>(10000, n / 10);
    std::vector<std::int64_t> ids(n);
    for (std::size_t i = 0; i < n; ++i) ids[i] = static_cast<std::int64_t>(i) + 1;
    splitmix64 rng{20240607};
    for (std::size_t i = n - 1; i > 0; --i) std::swap(ids[i], ids[rng.next() % (i + 1)]);
    in.lookup_ids.assign(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(in.k));
    in.delete_ids.assign(ids.begin() + static_cast<std::ptrdiff_t>(in.k),
                         ids.begin() + static_cast<std::ptrdiff_t>(2 * in.k));
    // W4: K consecutive ids from the middle of the table.
    in.range_lo = static_cast<std::int64_t>(n / 2);
    in.range_hi = in.range_lo + static_cast<std::int64_t>(in.k);
    return in;
}

// What a SQLite database holds, for comparing the two sides after each
// workload (untimed): row counts and column sums, computed by SQLite.
stored_summary summarize(sqlite3* db) {
    static constexpr const char* queries[2] = {
        "SELECT count(*), total(id), total(age), total(score), total(length(name)), count(email), "
        "total(length(email)) FROM users",
        "SELECT count(*), total(id), total(user_id), total(length(title)) FROM posts"};
    stored_summary summary{};
    std::size_t out = 0;
    for (const char* sql : queries) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW) {
            sqlite3_finalize(stmt);
            throw std::runtime_error(std::string("summarize: ") + sqlite3_errmsg(db));
        }
        for (int c = 0; c < sqlite3_column_count(stmt); ++c) summary[out++] = sqlite3_column_double(stmt, c);
        sqlite3_finalize(stmt);
    }
    return summary;
}

}  // namespace

// ---- the alchemy side: the workloads as a user of alchemy writes them -----------------------
//
// Default session_options (autoflush, expire_on_commit), a fresh session per
// workload, no hand-written SQL. Objects are read through const access
// (`const auto&` over a result, std::as_const), as alchemy's README advises:
// a read through a non-const ptr would record the object as touched.

namespace user_alchemy {

using alchemy::col;
using model::Post;
using model::User;

struct database {
    alchemy::engine engine;
    alchemy::session_factory Session;
    bool postgresql = false;  // open_postgresql(): summarize() reads it through libpq
};

// A file database at `path` (its tables created if missing), or a fresh
// in-memory one when `path` is empty. WAL and foreign keys are alchemy's SQLite
// defaults; synchronous=NORMAL is set here as the raw side sets it.
database open(const std::string& path) {
    alchemy::engine_options options;
    options.backend = alchemy::sqlite::options{.synchronous = alchemy::sqlite::synchronous_mode::normal};
    auto engine = alchemy::create_engine(path.empty() ? std::string("sqlite://") : "sqlite:///" + path, options);
    alchemy::metadata<User, Post>().create_all(engine);
    auto Session = alchemy::sessionmaker(engine);
    return {std::move(engine), std::move(Session)};
}

#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
// --mode postgresql: the database at `url` (a postgresql:// URL whose
// search_path names this side's schema), its tables created if missing.
// Default engine options: what the driver does by itself.
database open_postgresql(const std::string& url) {
    auto engine = alchemy::create_engine(url);
    alchemy::metadata<User, Post>().create_all(engine);
    auto Session = alchemy::sessionmaker(engine);
    return {std::move(engine), std::move(Session), true};
}
#endif

std::uint64_t user_value(const User& u) { return ::user_value(u.id, u.name, u.email, u.age, u.score); }

// The workload functions stay out of line so that callgrind can toggle on them by name.

[[gnu::noinline]] std::uint64_t w1_insert(database& db, const inputs& in) {
    auto session = db.Session();
    std::vector<alchemy::ptr<User>> users;
    users.reserve(in.users);
    for (std::size_t i = 0; i < in.users; ++i)
        users.push_back(
            session.add(User{.name = in.names[i], .email = in.emails[i], .age = in.ages[i], .score = in.scores[i]}));
    // flush() runs the INSERTs and writes each generated id into its object.
    // The ids are read before commit(): after it (expire_on_commit) every
    // object would reload its row on the next access.
    session.flush();
    std::uint64_t check = 0;
    for (std::size_t i = 0; i < users.size(); ++i) check += inserted_value(i, std::as_const(users[i])->id);
    session.commit();
    return check;
}

[[gnu::noinline]] std::uint64_t w2_load_all(database& db, const inputs&) {
    auto session = db.Session();
    const auto users = session.query<User>().all();
    std::uint64_t check = users.size();
    for (const auto& u : users) check += user_value(*u);
    return check;
}

[[gnu::noinline]] std::uint64_t w3_get(database& db, const inputs& in) {
    auto session = db.Session();
    std::uint64_t check = 0;
    for (const auto id : in.lookup_ids)
        if (const auto u = session.get<User>(id)) check += user_value(*u);
    return check;
}

[[gnu::noinline]] std::uint64_t w4_update_range(database& db, const inputs& in) {
    auto session = db.Session();
    auto users = session.query<User>().filter(col(&User::id) >= in.range_lo && col(&User::id) < in.range_hi).all();
    std::uint64_t check = users.size();
    for (auto& u : users) {
        u->age += 1;
        check += user_value(*std::as_const(u));
    }
    session.commit();
    return check;
}

// A user who has the ids loads the objects with one IN query and removes each
// (session.remove needs the object; K get() calls would be K SELECTs).
[[gnu::noinline]] std::uint64_t w5_delete(database& db, const inputs& in) {
    auto session = db.Session();
    const auto users = session.query<User>().filter(col(&User::id).in_(in.delete_ids)).all();
    std::uint64_t check = 0;
    for (const auto& u : users) {
        check += deleted_value(u->id);
        session.remove(u);
    }
    session.commit();
    return check;
}

[[gnu::noinline]] std::uint64_t w6a_insert_graph(database& db, const inputs& in) {
    auto session = db.Session();
    std::vector<alchemy::ptr<User>> users;
    users.reserve(in.graph_users);
    for (std::size_t i = 0; i < in.graph_users; ++i) {
        auto u = session.add(User{.name = in.names[i], .email = in.emails[i], .age = in.ages[i], .score = in.scores[i]});
        for (std::size_t j = 0; j < posts_per_user; ++j)
            u->posts.append(alchemy::make(Post{.title = in.titles[i * posts_per_user + j]}));
        users.push_back(std::move(u));
    }
    // As in W1: flush, read the generated ids (and each post's user_id, which
    // the flush took from its user's new id), then commit.
    session.flush();
    std::uint64_t check = 0;
    for (std::size_t i = 0; i < users.size(); ++i) {
        const User& u = *std::as_const(users[i]);
        check += inserted_value(i, u.id);
        for (const auto& p : u.posts) check += post_value(u.id, p->id, p->user_id, p->title);
    }
    session.commit();
    return check;
}

// Every user with the posts its collection holds.
std::uint64_t graph_value(const alchemy::ptr<User>& u) {
    std::uint64_t check = 1 + user_value(*u);
    for (const auto& p : u->posts) check += post_value(u->id, p->id, p->user_id, p->title);
    return check;
}

// The N+1 loop as written; alchemy's default batch_lazy_loads turns the first
// access to a user's posts into one select-IN load for every user of the query.
[[gnu::noinline]] std::uint64_t w6b_lazy_posts(database& db, const inputs&) {
    auto session = db.Session();
    std::uint64_t check = 0;
    for (const auto& u : session.query<User>().all()) check += graph_value(u);
    return check;
}

[[gnu::noinline]] std::uint64_t w6c_joinedload(database& db, const inputs&) {
    auto session = db.Session();
    std::uint64_t check = 0;
    for (const auto& u : session.query<User>().options(alchemy::joinedload(&User::posts)).all()) check += graph_value(u);
    return check;
}

[[gnu::noinline]] std::uint64_t w6d_selectinload(database& db, const inputs&) {
    auto session = db.Session();
    std::uint64_t check = 0;
    for (const auto& u : session.query<User>().options(alchemy::selectinload(&User::posts)).all())
        check += graph_value(u);
    return check;
}

stored_summary summarize(database& db) {
    const auto connection = db.engine.connect();  // the same database through SQLite's or libpq's own API
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
    if (db.postgresql) return user_raw_pg::summarize(alchemy::postgresql::native_handle(connection));
#endif
    return ::summarize(alchemy::sqlite::native_handle(connection));
}

}  // namespace user_alchemy

// ---- the raw side: the sqlite3 C API as a careful C programmer writes it -----------------
//
// Every statement is prepared once per database and then bound, stepped and
// reset; text is bound SQLITE_STATIC straight from the input vectors (no
// copies); rows that a workload loads go into plain structs.

namespace user_raw {

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

// W6b, W6d: keys per IN statement, the same as alchemy's select-IN loads take,
// so that both sides send the same number of statements.
constexpr int in_batch = 1000;

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw std::runtime_error("sqlite3: " + what + ": " + sqlite3_errmsg(db));
}

class database {
public:
    // A file database at `path`, or a fresh in-memory one when `path` is empty;
    // the schema is created if missing (the same tables alchemy creates).
    explicit database(const std::string& path) {
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        if (sqlite3_open_v2(path.empty() ? ":memory:" : path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
            const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
            sqlite3_close(db);
            throw std::runtime_error("sqlite3: cannot open " + path + ": " + message);
        }
        try {
            if (!path.empty()) exec("PRAGMA journal_mode = WAL");
            exec("PRAGMA synchronous = NORMAL");
            exec("PRAGMA foreign_keys = ON");
            exec("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
                 "email TEXT, age INTEGER NOT NULL, score REAL NOT NULL)");
            exec("CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                 "user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL)");
            exec("CREATE INDEX IF NOT EXISTS ix_posts_user_id ON posts (user_id)");
            begin = prepare("BEGIN");
            commit = prepare("COMMIT");
            insert_user = prepare("INSERT INTO users (name, email, age, score) VALUES (?1, ?2, ?3, ?4)");
            select_users = prepare("SELECT id, name, email, age, score FROM users");
            select_user = prepare("SELECT id, name, email, age, score FROM users WHERE id = ?1");
            select_user_range = prepare("SELECT id, name, email, age, score FROM users WHERE id >= ?1 AND id < ?2");
            update_age = prepare("UPDATE users SET age = ?1 WHERE id = ?2");
            delete_user = prepare("DELETE FROM users WHERE id = ?1");
            insert_post = prepare("INSERT INTO posts (user_id, title) VALUES (?1, ?2)");
            select_posts_of_user = prepare("SELECT id, user_id, title FROM posts WHERE user_id = ?1");
            select_users_with_posts = prepare(
                "SELECT users.id, users.name, users.email, users.age, users.score, posts.id, posts.user_id, posts.title "
                "FROM users LEFT OUTER JOIN posts ON posts.user_id = users.id ORDER BY users.id");
        } catch (...) {
            finalize_all();
            throw;
        }
    }
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    ~database() { finalize_all(); }

    void exec(const char* sql) {
        if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, sql);
    }

    // Steps a statement that returns no rows, then resets it for the next use.
    void run(sqlite3_stmt* stmt) {
        if (sqlite3_step(stmt) != SQLITE_DONE) fail(db, sqlite3_sql(stmt));
        sqlite3_reset(stmt);
    }

    // W6d: "SELECT ... WHERE user_id IN (?, ... ?)" with `keys` parameters,
    // prepared on first use and kept (the full batch, and the size of a last
    // partial batch).
    sqlite3_stmt* select_posts_in(int keys) {
        auto& stmt = posts_in_by_size[keys];
        if (!stmt) {
            std::string sql = "SELECT id, user_id, title FROM posts WHERE user_id IN (?";
            for (int i = 1; i < keys; ++i) sql += ",?";
            stmt = prepare((sql + ")").c_str());
        }
        return stmt;
    }

    sqlite3* db = nullptr;
    sqlite3_stmt* begin = nullptr;
    sqlite3_stmt* commit = nullptr;
    sqlite3_stmt* insert_user = nullptr;
    sqlite3_stmt* select_users = nullptr;
    sqlite3_stmt* select_user = nullptr;
    sqlite3_stmt* select_user_range = nullptr;
    sqlite3_stmt* update_age = nullptr;
    sqlite3_stmt* delete_user = nullptr;
    sqlite3_stmt* insert_post = nullptr;
    sqlite3_stmt* select_posts_of_user = nullptr;
    sqlite3_stmt* select_users_with_posts = nullptr;
    std::unordered_map<int, sqlite3_stmt*> posts_in_by_size;

private:
    sqlite3_stmt* prepare(const char* sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) fail(db, sql);
        return stmt;
    }

    void finalize_all() {
        for (auto* stmt : {begin, commit, insert_user, select_users, select_user, select_user_range, update_age,
                           delete_user, insert_post, select_posts_of_user, select_users_with_posts})
            sqlite3_finalize(stmt);
        for (auto& [size, stmt] : posts_in_by_size) sqlite3_finalize(stmt);
        posts_in_by_size.clear();
        sqlite3_close(db);  // every statement is finalized: closes now
        db = nullptr;
    }
};

void bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
    sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string_view column_text(sqlite3_stmt* stmt, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
    return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column))};
}

// Columns first..first+4 of the current row: id, name, email, age, score.
void read_user(sqlite3_stmt* stmt, User& u, int first = 0) {
    u.id = sqlite3_column_int64(stmt, first);
    u.name = column_text(stmt, first + 1);
    if (sqlite3_column_type(stmt, first + 2) == SQLITE_NULL) u.email.reset();
    else u.email = column_text(stmt, first + 2);
    u.age = sqlite3_column_int64(stmt, first + 3);
    u.score = sqlite3_column_double(stmt, first + 4);
}

// Columns first..first+2: id, user_id, title.
void read_post(sqlite3_stmt* stmt, Post& p, int first = 0) {
    p.id = sqlite3_column_int64(stmt, first);
    p.user_id = sqlite3_column_int64(stmt, first + 1);
    p.title = column_text(stmt, first + 2);
}

// Binds row i of the inputs to the prepared INSERT INTO users.
void bind_user(sqlite3_stmt* insert, const inputs& in, std::size_t i) {
    bind_text(insert, 1, in.names[i]);
    if (in.emails[i]) bind_text(insert, 2, *in.emails[i]);
    else sqlite3_bind_null(insert, 2);
    sqlite3_bind_int64(insert, 3, in.ages[i]);
    sqlite3_bind_double(insert, 4, in.scores[i]);
}

// Appends every row `stmt` returns (already bound) to `users`.
void load_users(database& db, sqlite3_stmt* stmt, std::vector<User>& users) {
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) read_user(stmt, users.emplace_back());
    if (rc != SQLITE_DONE) fail(db.db, sqlite3_sql(stmt));
    sqlite3_reset(stmt);
}

std::uint64_t user_value(const User& u) { return ::user_value(u.id, u.name, u.email, u.age, u.score); }

std::uint64_t graph_value(const std::vector<UserWithPosts>& users) {
    std::uint64_t check = 0;
    for (const auto& [u, posts] : users) {
        check += 1 + user_value(u);
        for (const auto& p : posts) check += post_value(u.id, p.id, p.user_id, p.title);
    }
    return check;
}

// The workload functions stay out of line so that callgrind can toggle on them by name.

[[gnu::noinline]] std::uint64_t w1_insert(database& db, const inputs& in) {
    std::vector<std::int64_t> ids(in.users);
    db.run(db.begin);
    for (std::size_t i = 0; i < in.users; ++i) {
        bind_user(db.insert_user, in, i);
        db.run(db.insert_user);
        ids[i] = sqlite3_last_insert_rowid(db.db);
    }
    db.run(db.commit);
    std::uint64_t check = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) check += inserted_value(i, ids[i]);
    return check;
}

[[gnu::noinline]] std::uint64_t w2_load_all(database& db, const inputs& in) {
    std::vector<User> users;
    users.reserve(in.users);  // the program inserted them: it knows how many there are
    load_users(db, db.select_users, users);
    std::uint64_t check = users.size();
    for (const auto& u : users) check += user_value(u);
    return check;
}

// One SELECT per id, each in autocommit (no explicit transaction).
[[gnu::noinline]] std::uint64_t w3_get(database& db, const inputs& in) {
    std::uint64_t check = 0;
    User u;
    for (const auto id : in.lookup_ids) {
        sqlite3_bind_int64(db.select_user, 1, id);
        const int rc = sqlite3_step(db.select_user);
        if (rc == SQLITE_ROW) {
            read_user(db.select_user, u);
            check += user_value(u);
        } else if (rc != SQLITE_DONE) {
            fail(db.db, "select user by id");
        }
        sqlite3_reset(db.select_user);
    }
    return check;
}

[[gnu::noinline]] std::uint64_t w4_update_range(database& db, const inputs& in) {
    db.run(db.begin);
    std::vector<User> users;
    users.reserve(in.k);
    sqlite3_bind_int64(db.select_user_range, 1, in.range_lo);
    sqlite3_bind_int64(db.select_user_range, 2, in.range_hi);
    load_users(db, db.select_user_range, users);
    std::uint64_t check = users.size();
    for (auto& u : users) {
        u.age += 1;
        sqlite3_bind_int64(db.update_age, 1, u.age);
        sqlite3_bind_int64(db.update_age, 2, u.id);
        db.run(db.update_age);
        check += user_value(u);
    }
    db.run(db.commit);
    return check;
}

// One DELETE per id, in id order: neighbouring rows share pages, so fewer
// pages are written than in the input's random order (alchemy's flush orders
// its DELETEs by key too).
[[gnu::noinline]] std::uint64_t w5_delete(database& db, const inputs& in) {
    std::vector<std::int64_t> ids = in.delete_ids;
    std::sort(ids.begin(), ids.end());
    std::uint64_t check = 0;
    db.run(db.begin);
    for (const auto id : ids) {
        sqlite3_bind_int64(db.delete_user, 1, id);
        db.run(db.delete_user);
        if (sqlite3_changes(db.db) == 1) check += deleted_value(id);
    }
    db.run(db.commit);
    return check;
}

[[gnu::noinline]] std::uint64_t w6a_insert_graph(database& db, const inputs& in) {
    std::vector<std::int64_t> user_ids(in.graph_users);
    std::vector<std::int64_t> post_ids(in.graph_users * posts_per_user);
    db.run(db.begin);
    for (std::size_t i = 0; i < in.graph_users; ++i) {
        bind_user(db.insert_user, in, i);
        db.run(db.insert_user);
        user_ids[i] = sqlite3_last_insert_rowid(db.db);
        for (std::size_t j = 0; j < posts_per_user; ++j) {
            const std::size_t k = i * posts_per_user + j;
            sqlite3_bind_int64(db.insert_post, 1, user_ids[i]);
            bind_text(db.insert_post, 2, in.titles[k]);
            db.run(db.insert_post);
            post_ids[k] = sqlite3_last_insert_rowid(db.db);
        }
    }
    db.run(db.commit);
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

// Every user into `users`, with no posts yet.
void load_graph_users(database& db, std::vector<UserWithPosts>& users) {
    int rc;
    while ((rc = sqlite3_step(db.select_users)) == SQLITE_ROW) read_user(db.select_users, users.emplace_back().user);
    if (rc != SQLITE_DONE) fail(db.db, "select users");
    sqlite3_reset(db.select_users);
}

// The users, then one SELECT of posts per user, each in autocommit: the N+1 loop by hand.
[[gnu::noinline]] std::uint64_t w6b_lazy_posts(database& db, const inputs& in) {
    std::vector<UserWithPosts> users;
    users.reserve(in.graph_users);
    load_graph_users(db, users);
    for (auto& [u, posts] : users) {
        sqlite3_bind_int64(db.select_posts_of_user, 1, u.id);
        int rc;
        while ((rc = sqlite3_step(db.select_posts_of_user)) == SQLITE_ROW)
            read_post(db.select_posts_of_user, posts.emplace_back());
        if (rc != SQLITE_DONE) fail(db.db, "select posts of user");
        sqlite3_reset(db.select_posts_of_user);
    }
    return graph_value(users);
}

// One LEFT JOIN, ordered by user: a new user whenever the id changes.
[[gnu::noinline]] std::uint64_t w6c_joinedload(database& db, const inputs& in) {
    std::vector<UserWithPosts> users;
    users.reserve(in.graph_users);
    sqlite3_stmt* stmt = db.select_users_with_posts;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (users.empty() || users.back().user.id != sqlite3_column_int64(stmt, 0))
            read_user(stmt, users.emplace_back().user);
        if (sqlite3_column_type(stmt, 5) != SQLITE_NULL) read_post(stmt, users.back().posts.emplace_back(), 5);
    }
    if (rc != SQLITE_DONE) fail(db.db, "select users join posts");
    sqlite3_reset(stmt);
    return graph_value(users);
}

// The users, then their posts by "user_id IN (...)" for in_batch users at a
// time, each post put under its user through a map from id to position.
[[gnu::noinline]] std::uint64_t w6d_selectinload(database& db, const inputs& in) {
    std::vector<UserWithPosts> users;
    users.reserve(in.graph_users);
    load_graph_users(db, users);
    std::unordered_map<std::int64_t, std::size_t> position;
    position.reserve(users.size());
    for (std::size_t i = 0; i < users.size(); ++i) position.emplace(users[i].user.id, i);
    for (std::size_t start = 0; start < users.size(); start += in_batch) {
        const int keys = static_cast<int>(std::min<std::size_t>(in_batch, users.size() - start));
        sqlite3_stmt* stmt = db.select_posts_in(keys);
        for (int i = 0; i < keys; ++i) sqlite3_bind_int64(stmt, i + 1, users[start + static_cast<std::size_t>(i)].user.id);
        Post p;
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            read_post(stmt, p);
            users[position.at(p.user_id)].posts.push_back(std::move(p));
        }
        if (rc != SQLITE_DONE) fail(db.db, "select posts in");
        sqlite3_reset(stmt);
    }
    return graph_value(users);
}

// Set-up for the W2 RSS measurement (untimed): rows 0..N-1 of the inputs, one transaction.
void insert_users(sqlite3* db, const inputs& in) {
    sqlite3_stmt* insert = nullptr;
    if (sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO users (name, email, age, score) VALUES (?, ?, ?, ?)", -1, &insert,
                           nullptr) != SQLITE_OK)
        fail(db, "insert_users");
    for (std::size_t i = 0; i < in.users; ++i) {
        bind_user(insert, in, i);
        if (sqlite3_step(insert) != SQLITE_DONE) {
            sqlite3_finalize(insert);
            fail(db, "insert_users");
        }
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, "insert_users: COMMIT");
}

}  // namespace user_raw

// ---- the harness --------------------------------------------------------------------------

namespace {

struct options {
    std::size_t n = 100000;
    std::size_t graph_users = 2000;
    int rounds = 3;
    bool file = true;
    bool memory = true;
    bool postgresql = false;  // --mode postgresql: on the server of `url`, against raw libpq
    std::string url;          // --url
    std::string dir = ".";
    bool rss = true;
    bool verbose = false;  // every round's times, not only the medians
};

enum side_index { alchemy_side = 0, raw_side = 1 };

// file and memory: SQLite, against raw sqlite3; postgresql: against raw libpq.
enum class mode_kind { file, memory, postgresql };

const char* mode_name(mode_kind m) {
    switch (m) {
        case mode_kind::file: return "file";
        case mode_kind::memory: return "memory";
        case mode_kind::postgresql: return "postgresql";
    }
    return "?";
}

constexpr std::size_t workload_count = 9;
constexpr std::array<const char*, workload_count> workload_ids = {"W1", "W2", "W3", "W4", "W5", "W6a", "W6b", "W6c", "W6d"};

std::string workload_label(std::size_t w, const inputs& in) {
    const auto n = std::to_string(in.users), k = std::to_string(in.k), u = std::to_string(in.graph_users);
    switch (w) {
        case 0: return "W1 insert " + n + " users, 1 txn, ids back";
        case 1: return "W2 load all " + n + " users";
        case 2: return "W3 " + k + " gets by key, no txn";
        case 3: return "W4 load " + k + " by range, age+1, commit";
        case 4: return "W5 delete " + k + " by key, 1 txn";
        case 5: return "W6a insert " + u + " users x " + std::to_string(posts_per_user) + " posts";
        case 6: return "W6b users, then posts lazily (N+1)";
        case 7: return "W6c users with posts, joinedload";
        case 8: return "W6d users with posts, selectinload";
    }
    return "?";
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

// Removes a SQLite file database and its WAL companions, so the next open starts empty.
void remove_database(const std::filesystem::path& path) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path.string() + suffix);
}

// Every time measured in one mode: times[side][workload] has one entry per round.
struct mode_results {
    std::array<std::array<std::vector<double>, workload_count>, 2> times;
    std::vector<std::string> failures;
};

// Each side's workloads W1..W6d, in order.
template <class Database>
using workload_table = std::array<std::uint64_t (*)(Database&, const inputs&), workload_count>;

constexpr workload_table<user_alchemy::database> alchemy_workloads = {
    user_alchemy::w1_insert,        user_alchemy::w2_load_all,    user_alchemy::w3_get,
    user_alchemy::w4_update_range,  user_alchemy::w5_delete,      user_alchemy::w6a_insert_graph,
    user_alchemy::w6b_lazy_posts,   user_alchemy::w6c_joinedload, user_alchemy::w6d_selectinload};
constexpr workload_table<user_raw::database> sqlite3_workloads = {
    user_raw::w1_insert,       user_raw::w2_load_all,    user_raw::w3_get,
    user_raw::w4_update_range, user_raw::w5_delete,      user_raw::w6a_insert_graph,
    user_raw::w6b_lazy_posts,  user_raw::w6c_joinedload, user_raw::w6d_selectinload};

stored_summary raw_summary(user_raw::database& db) { return summarize(db.db); }

#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
constexpr workload_table<user_raw_pg::database> libpq_workloads = {
    user_raw_pg::w1_insert,       user_raw_pg::w2_load_all,    user_raw_pg::w3_get,
    user_raw_pg::w4_update_range, user_raw_pg::w5_delete,      user_raw_pg::w6a_insert_graph,
    user_raw_pg::w6b_lazy_posts,  user_raw_pg::w6c_joinedload, user_raw_pg::w6d_selectinload};

stored_summary raw_summary(user_raw_pg::database& db) { return user_raw_pg::summarize(db.conn); }

// --mode postgresql: the schemas this run creates on the server, one per side
// and database (alchemy_user_bench_<pid>_alchemy, ..._raw_graph, ...), each
// made empty again by fresh() every round, all dropped at the end (also when
// the run throws; not by the forked RSS children, which leave through _exit).
class pg_schemas {
public:
    explicit pg_schemas(std::string server_url) : server_url_(std::move(server_url)) {}
    pg_schemas(const pg_schemas&) = delete;
    pg_schemas& operator=(const pg_schemas&) = delete;
    ~pg_schemas() {
        for (const auto& schema : created_) user_raw_pg::drop_schema(server_url_, schema);
    }

    // Creates the schema of `what` empty; returns the URL whose search_path is it.
    std::string fresh(const std::string& what) {
        const std::string schema = "alchemy_user_bench_" + std::to_string(getpid()) + "_" + what;
        if (std::find(created_.begin(), created_.end(), schema) == created_.end()) created_.push_back(schema);
        user_raw_pg::create_schema(server_url_, schema);
        return user_raw_pg::schema_url(server_url_, schema);
    }

private:
    std::string server_url_;
    std::vector<std::string> created_;
};
#endif

// Runs workload w on both sides (in the round's order), times each, and
// compares their check values and what their databases hold afterwards.
template <class RawDatabase>
void run_workload(mode_results& results, int round, std::size_t w, const std::string& mode,
                  user_alchemy::database& adb, RawDatabase& rdb, const workload_table<RawDatabase>& raw_workloads,
                  const inputs& in) {
    std::uint64_t check[2] = {0, 0};
    for (int turn = 0; turn < 2; ++turn) {
        const int side = (round + turn) % 2;  // even rounds: alchemy first; odd rounds: raw first
        const auto start = std::chrono::steady_clock::now();
        check[side] = side == alchemy_side ? alchemy_workloads[w](adb, in) : raw_workloads[w](rdb, in);
        results.times[static_cast<std::size_t>(side)][w].push_back(elapsed_ms(start));
    }
    const std::string where = mode + " round " + std::to_string(round + 1) + " " + workload_ids[w];
    if (check[alchemy_side] != check[raw_side])
        results.failures.push_back(where + ": check values differ (alchemy " + std::to_string(check[alchemy_side]) +
                                   ", raw " + std::to_string(check[raw_side]) + ")");
    if (user_alchemy::summarize(adb) != raw_summary(rdb))
        results.failures.push_back(where + ": the two databases hold different rows afterwards");
}

// Every round: W1..W5 in sequence on one fresh database per side, then
// W6a..W6d on a second fresh database per side (W6a writes the graph, W6b..W6d
// only read it). open_alchemy(what) and open_raw(what) open a side's fresh
// database `what`.
template <class RawDatabase, class OpenAlchemy, class OpenRaw>
void run_rounds(mode_results& results, const std::string& mode, const options& o, const inputs& in,
                const workload_table<RawDatabase>& raw_workloads, OpenAlchemy open_alchemy, OpenRaw open_raw) {
    constexpr std::size_t w6a = 5;
    for (int round = 0; round < o.rounds; ++round)
        for (const bool graph : {false, true}) {
            user_alchemy::database adb = open_alchemy(graph ? "alchemy_graph" : "alchemy");
            RawDatabase rdb = open_raw(graph ? "raw_graph" : "raw");
            for (std::size_t w = graph ? w6a : 0; w < (graph ? workload_count : w6a); ++w)
                run_workload(results, round, w, mode, adb, rdb, raw_workloads, in);
        }
}

// ---- W2 peak RSS, in a forked child per side ---------------------------------------------

long status_kb(const char* field) {
    std::ifstream status("/proc/self/status");
    const std::size_t length = std::strlen(field);
    for (std::string line; std::getline(status, line);)
        if (line.compare(0, length, field) == 0) return std::strtol(line.c_str() + length, nullptr, 10);
    return -1;
}

struct rss_result {
    long kb = 0;             // VmHWM during the load minus VmRSS before it
    bool hwm_reset = false;  // whether /proc/self/clear_refs took the "5"
    std::uint64_t check = 0;
};

// In the child: open the database at `target` (a file, a PostgreSQL URL, or
// for memory mode a new in-memory database, filled first), then reset the
// high-water mark, load every user with the side's W2 and report.
rss_result w2_rss_in_child(side_index side, mode_kind m, const std::string& target, const inputs& in) {
    std::optional<user_alchemy::database> adb;
    std::optional<user_raw::database> rdb;
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
    std::optional<user_raw_pg::database> pdb;
#endif
    if (m == mode_kind::postgresql) {
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
        if (side == alchemy_side) adb.emplace(user_alchemy::open_postgresql(target));
        else pdb.emplace(target);
#else
        throw std::logic_error("this alchemy_user_bench was built without PostgreSQL");
#endif
    } else if (side == alchemy_side) {
        adb.emplace(user_alchemy::open(target));
        if (m == mode_kind::memory) {
            const auto connection = adb->engine.connect();
            user_raw::insert_users(alchemy::sqlite::native_handle(connection), in);
        }
    } else {
        rdb.emplace(target);
        if (m == mode_kind::memory) user_raw::insert_users(rdb->db, in);
    }
    malloc_trim(0);  // give back what set-up freed, so it cannot serve the load unseen
    rss_result result;
    if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {  // "5": VmHWM := VmRSS
        result.hwm_reset = std::fputs("5", f) >= 0;
        result.hwm_reset = std::fclose(f) == 0 && result.hwm_reset;
    }
    const long before = status_kb("VmRSS:");
    // VmHWM only grows, so reading it after W2 returns still sees the peak
    // while every object was held.
    if (adb) result.check = user_alchemy::w2_load_all(*adb, in);
    else if (rdb) result.check = user_raw::w2_load_all(*rdb, in);
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
    else result.check = user_raw_pg::w2_load_all(*pdb, in);
#endif
    result.kb = status_kb("VmHWM:") - before;
    return result;  // the databases close here, before the child reports (a PostgreSQL session ends cleanly)
}

rss_result measure_w2_rss(side_index side, mode_kind m, const std::string& target, const inputs& in) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe() failed");
    std::fflush(stdout);  // else the child's exit could print buffered output twice
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork() failed");
    if (pid == 0) {
        close(fds[0]);
        char line[128];
        int status = 0;
        try {
            const rss_result r = w2_rss_in_child(side, m, target, in);
            std::snprintf(line, sizeof line, "%ld %d %" PRIu64 "\n", r.kb, r.hwm_reset ? 1 : 0, r.check);
        } catch (const std::exception& e) {
            std::snprintf(line, sizeof line, "error %.100s\n", e.what());
            status = 1;
        }
        const auto written = write(fds[1], line, std::strlen(line));
        _exit(written > 0 ? status : 1);  // _exit: no destructors or atexit handlers of the parent's state
    }
    close(fds[1]);
    std::string reply;
    char buffer[256];
    ssize_t got;
    while ((got = read(fds[0], buffer, sizeof buffer)) > 0) reply.append(buffer, static_cast<std::size_t>(got));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    rss_result result;
    int reset = 0;
    unsigned long long check = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        std::sscanf(reply.c_str(), "%ld %d %llu", &result.kb, &reset, &check) != 3)
        throw std::runtime_error("the W2 RSS child failed: " + reply);
    result.hwm_reset = reset != 0;
    result.check = check;
    return result;
}

// ---- one mode ------------------------------------------------------------------------------

// "0.52 0.31 0.20": other work on the machine shows up in the times (see README.md).
std::string load_average() {
    std::ifstream loadavg("/proc/loadavg");
    std::string one, five, fifteen;
    loadavg >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

// Returns the failed checks.
std::vector<std::string> run_mode(mode_kind m, const options& o, const inputs& in, const std::filesystem::path& dir) {
    const std::string mode = mode_name(m);
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
    pg_schemas schemas(o.url);  // only used in postgresql mode; drops what it created when run_mode returns or throws
#endif
    // A side's database `what`, fresh: a new file in `dir`; "" for a new
    // in-memory database; or the URL of a new, empty schema of its own.
    const auto fresh = [&](const std::string& what) -> std::string {
        if (m == mode_kind::memory) return "";
        if (m == mode_kind::postgresql) {
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
            return schemas.fresh(what);
#else
            throw std::logic_error("this alchemy_user_bench was built without PostgreSQL");
#endif
        }
        const auto path = dir / (what + ".db");
        remove_database(path);
        return path.string();
    };
    if (m == mode_kind::file)
        std::printf("mode file (%s): journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON on both sides\n",
                    dir.string().c_str());
    else if (m == mode_kind::memory)
        std::printf("mode memory: alchemy create_engine(\"sqlite://\"), raw sqlite3_open_v2(\":memory:\")\n");
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
    else
        std::printf("mode postgresql (%s): a fresh schema per side and round (search_path in the URL);\n"
                    "alchemy create_engine(url); raw libpq: PQprepare once per connection, PQexecPrepared per row\n",
                    user_raw_pg::versions(o.url).c_str());
#endif
    std::fflush(stdout);

    mode_results results;
    if (m == mode_kind::postgresql) {
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
        run_rounds(
            results, mode, o, in, libpq_workloads,
            [&](const char* what) { return user_alchemy::open_postgresql(fresh(what)); },
            [&](const char* what) { return user_raw_pg::database(fresh(what)); });
#endif
    } else {
        run_rounds(
            results, mode, o, in, sqlite3_workloads, [&](const char* what) { return user_alchemy::open(fresh(what)); },
            [&](const char* what) { return user_raw::database(fresh(what)); });
    }

    if (o.verbose)
        for (int round = 0; round < o.rounds; ++round) {
            std::printf("  [%s round %d, %s first]", mode.c_str(), round + 1, round % 2 == 0 ? "alchemy" : "raw");
            for (std::size_t w = 0; w < workload_count; ++w)
                std::printf(" %s %.2f/%.2f", workload_ids[w], results.times[alchemy_side][w][static_cast<std::size_t>(round)],
                            results.times[raw_side][w][static_cast<std::size_t>(round)]);
            std::printf("\n");
        }

    std::optional<rss_result> rss[2];
    if (o.rss) {
        // Both children load the same rows: in file and postgresql mode one
        // database written here by the raw side (untimed); in memory mode each
        // child fills its own.
        std::string target;
        if (m == mode_kind::file) {
            target = fresh("rss");
            user_raw::database setup(target);
            user_raw::insert_users(setup.db, in);
        }
#ifdef ALCHEMY_USER_BENCH_POSTGRESQL
        if (m == mode_kind::postgresql) {
            target = fresh("rss");
            user_raw_pg::database setup(target);
            user_raw_pg::insert_users(setup, in);
        }  // its connection closes: the children find the rows committed
#endif
        rss[alchemy_side] = measure_w2_rss(alchemy_side, m, target, in);
        rss[raw_side] = measure_w2_rss(raw_side, m, target, in);
        if (rss[alchemy_side]->check != rss[raw_side]->check)
            results.failures.push_back(mode + " W2 RSS run: check values differ");
    }

    std::printf("load average (1/5/15 min) after the rounds: %s\n", load_average().c_str());
    std::printf("%-40s | %10s | %10s | %6s\n", "workload (median of rounds)", "alchemy ms", "raw ms", "ratio");
    std::printf("%s-+-%s-+-%s-+-%s\n", std::string(40, '-').c_str(), std::string(10, '-').c_str(),
                std::string(10, '-').c_str(), std::string(6, '-').c_str());
    for (std::size_t w = 0; w < workload_count; ++w) {
        const double a = median(results.times[alchemy_side][w]);
        const double r = median(results.times[raw_side][w]);
        std::printf("%-40s | %10.2f | %10.2f | %5.2fx\n", workload_label(w, in).c_str(), a, r, a / r);
    }
    if (o.rss) {
        const double a = static_cast<double>(rss[alchemy_side]->kb) / 1024.0;
        const double r = static_cast<double>(rss[raw_side]->kb) / 1024.0;
        std::printf("%-40s | %6.1f MiB | %6.1f MiB | %5.2fx\n", ("W2 peak RSS increase, " + std::to_string(in.users) + " users").c_str(),
                    a, r, a / r);
        if (!rss[alchemy_side]->hwm_reset || !rss[raw_side]->hwm_reset)
            std::printf("(VmHWM could not be reset: the RSS figures are the peak since fork minus the RSS before the load)\n");
    }
    std::printf("\n");
    std::fflush(stdout);
    return results.failures;
}

// ---- options -------------------------------------------------------------------------------

void print_usage(std::FILE* to) {
    std::fprintf(to,
                 "usage: alchemy_user_bench [--n N] [--graph-users U] [--rounds R] [--mode file|memory|both|postgresql]\n"
                 "                          [--url URL] [--dir DIR] [--no-rss] [--verbose] [--help]\n"
                 "  --n N            users inserted by W1 (default 100000, at least 20); W3, W4 and W5\n"
                 "                   touch K = min(10000, N/10) of them\n"
                 "  --graph-users U  W6's users, 10 posts each, on a database of their own (default 2000, >= 1)\n"
                 "  --rounds R       rounds per mode, medians reported (default 3, 1..1000)\n"
                 "  --mode M         file, memory or both (default both): SQLite against raw sqlite3; or\n"
                 "                   postgresql: the server of --url against raw libpq (a build with PostgreSQL)\n"
                 "  --url URL        --mode postgresql: postgresql://...; each side gets a fresh schema of its\n"
                 "                   own there per round (search_path in the URL), all dropped at the end\n"
                 "  --dir DIR        an existing directory; file mode works in a new subdirectory of it (default .)\n"
                 "  --no-rss         skip the W2 peak RSS measurement (forked children), e.g. under valgrind\n"
                 "  --verbose        print every round's times (alchemy/raw ms), not only the medians\n");
}

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "alchemy_user_bench: %s\n", message.c_str());
    print_usage(stderr);
    std::exit(2);
}

// A whole-string decimal integer in [low, high], else a usage error naming the option.
long long parse_integer(std::string_view option, std::string_view text, long long low, long long high) {
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < low || value > high)
        usage_error(std::string(option) + " needs an integer from " + std::to_string(low) + " to " +
                    std::to_string(high) + ", not '" + std::string(text) + "'");
    return value;
}

options parse_options(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto value = [&]() -> std::string_view {
            if (i + 1 >= argc) usage_error(std::string(arg) + " needs a value");
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            print_usage(stdout);
            std::exit(0);
        } else if (arg == "--n") {
            o.n = static_cast<std::size_t>(parse_integer(arg, value(), 20, 100'000'000));
        } else if (arg == "--graph-users") {
            o.graph_users = static_cast<std::size_t>(parse_integer(arg, value(), 1, 10'000'000));
        } else if (arg == "--rounds") {
            o.rounds = static_cast<int>(parse_integer(arg, value(), 1, 1000));
        } else if (arg == "--mode") {
            const auto mode = value();
            if (mode != "file" && mode != "memory" && mode != "both" && mode != "postgresql")
                usage_error("--mode needs file, memory, both or postgresql, not '" + std::string(mode) + "'");
            o.file = mode == "file" || mode == "both";
            o.memory = mode == "memory" || mode == "both";
            o.postgresql = mode == "postgresql";
        } else if (arg == "--url") {
            o.url = value();
        } else if (arg == "--dir") {
            o.dir = value();
            if (!std::filesystem::is_directory(o.dir)) usage_error("--dir " + o.dir + " is not a directory");
        } else if (arg == "--no-rss") {
            o.rss = false;
        } else if (arg == "--verbose") {
            o.verbose = true;
        } else {
            usage_error("unknown option '" + std::string(arg) + "'");
        }
    }
    if (o.postgresql) {
#ifndef ALCHEMY_USER_BENCH_POSTGRESQL
        std::fprintf(stderr, "alchemy_user_bench: --mode postgresql: this build has no PostgreSQL "
                             "(configure with -DALCHEMY_WITH_POSTGRESQL=ON, which needs libpq)\n");
        std::exit(2);
#endif
        if (!o.url.starts_with("postgresql://")) usage_error("--mode postgresql needs --url postgresql://...");
    } else if (!o.url.empty()) {
        usage_error("--url is for --mode postgresql only");
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const options o = parse_options(argc, argv);
    try {
        const inputs in = make_inputs(o.n, o.graph_users);
        std::printf("alchemy_user_bench: N=%zu, K=%zu, W6: %zu users x %zu posts, %d round(s), "
                    "SQLite %s, %s%s\n",
                    in.users, in.k, in.graph_users, posts_per_user, o.rounds, sqlite3_libversion(),
#if defined(__clang__)
                    "clang++ " __clang_version__,
#else
                    "g++ " __VERSION__,
#endif
#ifdef NDEBUG
                    ""
#else
                    ", assertions on (not a Release build: times mean little)"
#endif
        );
        std::printf("Objects are built from separate input vectors; the raw side binds them straight into its\n"
                    "prepared statements. W5 (alchemy): one query with IN (ids), then session.remove() each.\n"
                    "Times: each side's median over the rounds, which side goes first alternating per round.\n\n");

        std::filesystem::path dir;
        if (o.file) {
            dir = std::filesystem::weakly_canonical(std::filesystem::absolute(o.dir)) / ("alchemy_user_bench." + std::to_string(getpid()));
            std::filesystem::create_directories(dir);
        }
        // The file databases go away at the end, also when a run throws.
        struct remove_on_exit {
            std::filesystem::path dir;
            ~remove_on_exit() {
                std::error_code ignored;
                if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
            }
        } cleanup{dir};

        std::vector<std::string> failures;
        for (const mode_kind m : {mode_kind::file, mode_kind::memory, mode_kind::postgresql}) {
            if (!(m == mode_kind::file ? o.file : m == mode_kind::memory ? o.memory : o.postgresql)) continue;
            for (auto& f : run_mode(m, o, in, dir)) failures.push_back(std::move(f));
        }
        const char* raw = o.postgresql ? "raw libpq" : "raw sqlite3";
        if (!failures.empty()) {
            std::printf("FAILED: %zu check(s) differ between alchemy and %s:\n", failures.size(), raw);
            for (const auto& f : failures) std::printf("  %s\n", f.c_str());
            return 1;
        }
        std::printf("every check value and both databases agree between alchemy and %s\n", raw);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "alchemy_user_bench: %s\n", e.what());
        return 2;
    }
}
