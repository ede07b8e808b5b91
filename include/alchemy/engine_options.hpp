// alchemy/engine_options.hpp — the settings of an engine, its pool and its
// connections; a backend's own settings ride in `backend` (backend_options.hpp).
#pragma once

#include <alchemy/backend_options.hpp>
#include <alchemy/log.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace alchemy {

/// The isolation level of a connection's transactions (SQLAlchemy's
/// isolation_level). Each database offers its own set: SQLite SERIALIZABLE
/// (its default) and READ UNCOMMITTED (which matters only with a shared
/// cache); PostgreSQL all four (its READ UNCOMMITTED behaves as READ
/// COMMITTED, its default).
enum class isolation_level {
    read_uncommitted,
    read_committed,
    repeatable_read,
    serializable,
};

/// "READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE".
constexpr std::string_view to_string(isolation_level level) noexcept {
    switch (level) {
        case isolation_level::read_uncommitted: return "READ UNCOMMITTED";
        case isolation_level::read_committed: return "READ COMMITTED";
        case isolation_level::repeatable_read: return "REPEATABLE READ";
        case isolation_level::serializable: return "SERIALIZABLE";
    }
    return "";
}

/// Options of `create_engine`. Aggregate, so designated initializers read well:
/// `create_engine("sqlite:///app.db", {.echo = true, .pool_size = 8,
///                                     .backend = alchemy::sqlite::options{.wal = false}})`.
struct engine_options {
    /// Print every statement and transaction event to stdout.
    bool echo = false;
    /// Receives every event in order (see log.hpp); may also be set later
    /// with engine::set_log_sink.
    log_sink sink{};

    /// Connections kept open in the pool.
    std::size_t pool_size = 5;
    /// Extra connections opened under load and closed when returned.
    std::size_t max_overflow = 10;
    /// How long connect() waits for a free connection before TimeoutError.
    std::chrono::milliseconds pool_timeout{30'000};

    /// Prepared statements kept per connection (least recently used evicted).
    std::size_t statement_cache_size = 128;

    /// The options of the backend the URL's scheme picks (sqlite::options
    /// for sqlite://), kept apart so that the core needs to know no backend;
    /// empty for the backend's defaults. Another backend's options are an
    /// ArgumentError at create_engine.
    backend_options backend{};
    /// The isolation level of every connection's transactions; empty for the
    /// database's default. A level the database does not offer is an
    /// ArgumentError at create_engine. connection::set_isolation_level
    /// changes it for one connection until that goes back to the pool.
    std::optional<alchemy::isolation_level> isolation_level{};
    /// Test each pooled connection with a round trip before handing it out
    /// again, and replace it when the test fails (SQLAlchemy's
    /// pool_pre_ping): a server that restarted or ended idle connections
    /// then costs no error, at one round trip per checkout. SQLite's
    /// connections, which cannot be lost, skip the round trip.
    bool pool_pre_ping = false;
};

}  // namespace alchemy
