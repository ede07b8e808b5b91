// tests/bench/user_bench.hpp — what alchemy_user_bench's two translation units
// share: the input data, the check values, and the raw libpq side's interface.
//
// user_bench.cpp holds the model, the alchemy side, the raw sqlite3 side and
// the harness; user_bench_postgresql.cpp (built with ALCHEMY_WITH_POSTGRESQL,
// which defines ALCHEMY_USER_BENCH_POSTGRESQL) the raw libpq side of
// --mode postgresql and the helpers that give each side a schema of its own.
// Standard library only: libpq's header stays in the files that call it.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;  // libpq's PGconn

namespace user_bench {

inline constexpr std::size_t posts_per_user = 10;

// ---- the input data: separate vectors, generated once, the same for both sides ----------

struct inputs {
    // Row i (0-based) of the users table is names[i], emails[i], ages[i], scores[i];
    // the database gives it id i + 1 (a fresh table, AUTOINCREMENT).
    std::vector<std::string> names;
    std::vector<std::optional<std::string>> emails;  // every 7th empty (NULL)
    std::vector<std::int64_t> ages;
    std::vector<double> scores;
    std::size_t users = 0;  // N: W1 inserts rows 0..N-1 of the vectors

    std::size_t k = 0;                      // rows touched by W3, W4, W5
    std::vector<std::int64_t> lookup_ids;   // W3: K distinct ids in pseudo-random order
    std::int64_t range_lo = 0;              // W4: ids in [range_lo, range_hi)
    std::int64_t range_hi = 0;
    std::vector<std::int64_t> delete_ids;   // W5: K other distinct ids, pseudo-random order

    // W6: users 0..graph_users-1 of the vectors above, user u's post j titled titles[u * posts_per_user + j].
    std::size_t graph_users = 0;
    std::vector<std::string> titles;
};

// splitmix64: a deterministic generator whose output does not depend on the

// ---- check values ------------------------------------------------------------------------
// Sums of per-row values, so the order rows come back in does not matter. Cheap
// on purpose (a handful of multiplications per row): a check that hashed every
// byte would add the same time to both sides and hide part of the difference.

inline std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

// The length and the last (up to) 8 bytes: the names, emails and titles here differ there.
inline std::uint64_t text_value(std::string_view s) {
    std::uint64_t tail = 0;
    const std::size_t n = std::min<std::size_t>(8, s.size());
    std::memcpy(&tail, s.data() + (s.size() - n), n);
    return mix(s.size(), tail);
}

inline std::uint64_t user_value(std::int64_t id, std::string_view name, const std::optional<std::string>& email,
                                std::int64_t age, double score) {
    std::uint64_t h = mix(static_cast<std::uint64_t>(id), text_value(name));
    h = mix(h, email ? text_value(*email) : 0x6e756c6cULL);
    h = mix(h, static_cast<std::uint64_t>(age));
    return mix(h, std::bit_cast<std::uint64_t>(score));
}

// A post as found under the user `owner_id`.
inline std::uint64_t post_value(std::int64_t owner_id, std::int64_t id, std::int64_t user_id, std::string_view title) {
    return mix(mix(mix(static_cast<std::uint64_t>(owner_id) << 20, static_cast<std::uint64_t>(id)),
                   static_cast<std::uint64_t>(user_id)),
               text_value(title));
}

// W1, W6a: the i-th inserted row (0-based) got `id`.
inline std::uint64_t inserted_value(std::size_t i, std::int64_t id) {
    return mix(static_cast<std::uint64_t>(i) + 1, static_cast<std::uint64_t>(id));
}

// W5: a deleted id.
inline std::uint64_t deleted_value(std::int64_t id) { return mix(static_cast<std::uint64_t>(id), 0xde1e7edULL); }

// What a database holds, for comparing the two sides after each workload
// (untimed): row counts and column sums, computed by the database (SQLite or
// PostgreSQL), the same code for both sides.
using stored_summary = std::array<double, 11>;

}  // namespace user_bench

// ---- the raw libpq side (user_bench_postgresql.cpp) ----------------------------------------
// Only in a build with ALCHEMY_USER_BENCH_POSTGRESQL. The workloads have the
// same signatures as user_raw's (user_bench.cpp) and return the same check values.

namespace user_raw_pg {

// One connection to the database (and schema: search_path in the URL) at
// `url`, the tables created if missing (the types alchemy's create_all gives
// them on PostgreSQL), every statement prepared on it once (PQprepare).
class database {
public:
    explicit database(const std::string& url);
    database(const database&) = delete;
    database& operator=(const database&) = delete;
    ~database();

    pg_conn* conn = nullptr;
};

std::uint64_t w1_insert(database& db, const user_bench::inputs& in);
std::uint64_t w2_load_all(database& db, const user_bench::inputs& in);
std::uint64_t w3_get(database& db, const user_bench::inputs& in);
std::uint64_t w4_update_range(database& db, const user_bench::inputs& in);
std::uint64_t w5_delete(database& db, const user_bench::inputs& in);
std::uint64_t w6a_insert_graph(database& db, const user_bench::inputs& in);
std::uint64_t w6b_lazy_posts(database& db, const user_bench::inputs& in);
std::uint64_t w6c_joinedload(database& db, const user_bench::inputs& in);
std::uint64_t w6d_selectinload(database& db, const user_bench::inputs& in);

// Set-up for the W2 RSS measurement (untimed): rows 0..N-1 of the inputs, one transaction.
void insert_users(database& db, const user_bench::inputs& in);

// Row counts and column sums of both tables, computed by PostgreSQL, on any
// connection to the database (also alchemy's: PQexec, no prepared statements).
user_bench::stored_summary summarize(pg_conn* conn);

// The server: a schema per side and round, named in the URL's search_path.
// `server_url` with search_path set to `schema` (libpq's `options` parameter).
std::string schema_url(const std::string& server_url, const std::string& schema);
// Creates `schema` empty, dropping any old one of that name (and all in it) first.
void create_schema(const std::string& server_url, const std::string& schema);
// Drops `schema` and all in it; errors are ignored (clean-up).
void drop_schema(const std::string& server_url, const std::string& schema) noexcept;
// "PostgreSQL 15.8 server, libpq 15.8".
std::string versions(const std::string& server_url);

}  // namespace user_raw_pg
