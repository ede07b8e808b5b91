// alchemy/engine_options.hpp — the settings of an engine, its pool and its connections.
#pragma once

#include <alchemy/sqlite/options.hpp>
#include <alchemy/log.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace alchemy {

/// Options of `create_engine`. Aggregate, so designated initializers read well:
/// `create_engine("sqlite:///app.db", {.echo = true, .pool_size = 8})`.
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

    /// How long a statement waits for another connection's lock (sqlite3_busy_timeout).
    std::chrono::milliseconds busy_timeout{5'000};
    /// PRAGMA foreign_keys = ON on every connection.
    bool foreign_keys = true;
    /// PRAGMA journal_mode = WAL on file databases (readers and a writer at once).
    bool wal = true;
    /// PRAGMA synchronous on every connection.
    sqlite_synchronous synchronous = sqlite_synchronous::unchanged;
    /// How BEGIN takes its locks.
    sqlite_begin begin = sqlite_begin::deferred;

    /// Prepared statements kept per connection (least recently used evicted).
    std::size_t statement_cache_size = 128;

    /// The SQLite VFS that file databases are opened with (sqlite3_open_v2's
    /// zVfs): the name of one registered with sqlite3_vfs_register (an
    /// encrypting or instrumented VFS, "unix-dotfile" ...); empty for
    /// SQLite's default. An unknown name fails at connect().
    std::string sqlite_vfs{};
};

}  // namespace alchemy
