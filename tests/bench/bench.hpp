// tests/bench/bench.hpp — what the two sides of the benchmark share: the data
// set, the check values and the interface each side implements.
//
// bench_alchemy.cpp implements the workloads through alchemy's public API (a
// Session, identity map and unit of work, no hand-written SQL); bench_raw.cpp
// through the sqlite3 C API with prepared statements reused, and
// bench_raw_postgresql.cpp (built with ALCHEMY_BENCH_POSTGRESQL) through
// libpq with statements prepared on the server. bench_main.cpp times them.
// This header uses the standard library only, so that neither TU pays for
// the other's headers (the compile-time comparison relies on it).
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct pg_conn;  // libpq's PGconn

namespace bench {

// ---- the data set: row i of N (i = 1..N) -----------------------------------------

inline std::string name_of(std::int64_t i) { return "user_" + std::to_string(i); }
inline std::optional<std::string> email_of(std::int64_t i) {
    if (i % 10 == 0) return std::nullopt;
    return "user_" + std::to_string(i) + "@example.com";
}
inline std::int64_t age_of(std::int64_t i) { return 18 + i % 60; }
inline double score_of(std::int64_t i) { return static_cast<double>(i % 1000) * 0.25; }

/// W6: the graph of users 1..graph_users (the same columns as above), each with
/// posts_per_user posts titled title_of(i, 0..posts_per_user-1), on a fresh database.
inline constexpr std::int64_t graph_users = 2000;
inline constexpr std::int64_t posts_per_user = 10;
/// W6b, W6d: keys per IN statement, as alchemy's select-IN loads use (the raw
/// side does the same; the traced run fails if alchemy's statements differ).
inline constexpr std::int64_t in_chunk = 1000;
inline std::string title_of(std::int64_t i, std::int64_t j) {
    return "post " + std::to_string(j) + " of user_" + std::to_string(i);
}

// ---- check values ---------------------------------------------------------------------
// Both sides compute the same value per workload from what they hold in memory;
// the program fails if they differ. Cheap on purpose (a few ns per row), so it
// adds next to nothing to either side's time.

inline std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
    std::uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

inline std::uint64_t text_check(std::string_view s) noexcept {
    std::uint64_t h = s.size();
    if (!s.empty()) h = h * 131 + static_cast<unsigned char>(s.back()) * 7 + static_cast<unsigned char>(s[s.size() / 2]);
    return h;
}

/// One row's contribution; sums of these are order-independent.
inline std::uint64_t row_check(std::int64_t id, std::string_view name, const std::optional<std::string>& email,
                               std::int64_t age, double score) noexcept {
    std::uint64_t h = mix(static_cast<std::uint64_t>(id), text_check(name));
    h = mix(h, email ? text_check(*email) : 0xdeadULL);
    h = mix(h, static_cast<std::uint64_t>(age));
    return mix(h, std::bit_cast<std::uint64_t>(score));
}

/// W1: the i-th inserted object (1-based) got `id`.
inline std::uint64_t id_check(std::int64_t i, std::int64_t id) noexcept {
    return mix(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(id));
}

/// W6: one post of the user `owner_id` (the id of the user object or row it
/// was found under), as held in memory; sums of these are order-independent.
inline std::uint64_t post_check(std::int64_t owner_id, std::int64_t id, std::int64_t user_id,
                                std::string_view title) noexcept {
    std::uint64_t h = mix(static_cast<std::uint64_t>(owner_id) * 0x10001ULL, static_cast<std::uint64_t>(id));
    h = mix(h, static_cast<std::uint64_t>(user_id));
    return mix(h, text_check(title));
}

// ---- one side of the benchmark ---------------------------------------------------------

/// Each workload returns its check value. open/populate/digest are set-up and
/// verification, never timed.
class side {
public:
    virtual ~side() = default;
    virtual const char* name() const = 0;

    /// Opens a database: a SQLite file at `target` (created with the schema
    /// when `fresh`, any old file and its -wal/-shm removed first), a new
    /// in-memory SQLite database with the schema when `target` is empty, or,
    /// for a postgresql:// URL (is_postgresql_url), the PostgreSQL database it
    /// names, whose search_path is a schema of this side's own that the caller
    /// created (pg_create_schema): `fresh` creates the tables in it.
    virtual void open(const std::string& target, bool fresh) = 0;
    virtual void close() = 0;
    /// Inserts rows 1..n without any objects (for the W2 memory measurement).
    virtual void populate(std::int64_t n) = 0;
    /// Sum of row_check over every row of users and of post_check over every
    /// row of posts, read with plain sqlite3 or libpq (the same code for both sides),
    /// plus the row counts: what is stored.
    virtual std::uint64_t digest() = 0;

    /// W1: inserts rows 1..n in one transaction; every generated id read back.
    virtual std::uint64_t w1_insert(std::int64_t n) = 0;
    /// W2: loads every user into objects (`expected_rows` is known to the
    /// caller). When given, `while_held` runs while every object is still held.
    virtual std::uint64_t w2_load_all(std::int64_t expected_rows, void (*while_held)()) = 0;
    /// W3: one query per id, no explicit transaction.
    virtual std::uint64_t w3_get(std::span<const std::int64_t> ids) = 0;
    /// W4: in one transaction, age += 1 for ids in [lo, hi).
    virtual std::uint64_t w4_update_range(std::int64_t lo, std::int64_t hi) = 0;
    /// W5: deletes the users with these ids in one transaction.
    virtual std::uint64_t w5_delete(std::span<const std::int64_t> ids) = 0;

    // W6 runs on its own fresh database per round: W6a writes the graph, W6b..W6d
    // read it (read-only, so each starts from the same contents). Each returns
    // users + sum of row_check over the users + sum of post_check over each
    // user's posts, except W6a (see below).
    /// W6a: inserts users 1..users, each with `posts` posts appended to its
    /// collection, in one transaction; returns sum of id_check over the users
    /// + sum of post_check over the posts, with the ids the database generated.
    virtual std::uint64_t w6a_insert_graph(std::int64_t users, std::int64_t posts) = 0;
    /// W6b: loads every user, then each user's posts lazily: the N+1 loop.
    virtual std::uint64_t w6b_lazy_loop(std::int64_t expected_users) = 0;
    /// W6c: loads every user with its posts in one statement (joined eager loading).
    virtual std::uint64_t w6c_joined(std::int64_t expected_users) = 0;
    /// W6d: loads every user, then the posts of all of them with WHERE user_id
    /// IN (...) statements of up to in_chunk keys (select-IN eager loading).
    virtual std::uint64_t w6d_selectin(std::int64_t expected_users) = 0;

    /// W7 (on a third fresh database): inserts rows 1..n as plain rows in one
    /// transaction, no object made and no id read back; returns the number
    /// of rows inserted.
    virtual std::uint64_t w7_bulk_insert(std::int64_t n) = 0;
};

/// What the ORM sent to the database, collected by an engine log sink (used by
/// an untimed traced run only).
struct sql_trace {
    struct entry {
        std::string sql;
        std::size_t executions;  // a batch counts once per parameter row
    };
    std::vector<entry> entries;
};

std::unique_ptr<side> make_alchemy_side(sql_trace* trace = nullptr);
std::unique_ptr<side> make_raw_side();

/// C++ heap allocations (operator new) so far in this process (alloc_count.cpp).
std::uint64_t allocations() noexcept;

/// Writes rows 1..n into an open database with the schema (one transaction).
void raw_populate(sqlite3* db, std::int64_t n);
/// See side::digest().
std::uint64_t raw_digest(sqlite3* db);
/// sqlite3_libversion().
const char* sqlite_version();

inline bool is_postgresql_url(std::string_view target) { return target.starts_with("postgresql://"); }

// PostgreSQL (bench_raw_postgresql.cpp; only in a build with ALCHEMY_BENCH_POSTGRESQL).
std::unique_ptr<side> make_raw_postgresql_side();
/// See raw_populate() and raw_digest(), on a connection whose search_path is a side's schema.
void raw_pg_populate(pg_conn* conn, std::int64_t n);
std::uint64_t raw_pg_digest(pg_conn* conn);
/// `server_url` with search_path set to `schema` (libpq's `options` parameter).
std::string pg_schema_url(const std::string& server_url, const std::string& schema);
/// Creates the empty schema `schema`, dropping any old one of that name first.
void pg_create_schema(const std::string& server_url, const std::string& schema);
/// Drops the schema and everything in it; errors are ignored (cleanup).
void pg_drop_schema(const std::string& server_url, const std::string& schema) noexcept;
/// "PostgreSQL 15.20, libpq 15.20": the server's version and the client library's.
std::string pg_versions(const std::string& server_url);

}  // namespace bench
