// alchemy/sqlite/options.hpp — the SQLite backend's options, given to an
// engine in engine_options::backend:
//
//   create_engine("sqlite:///app.db", {.pool_size = 4,
//                                      .backend = alchemy::sqlite::options{.busy_timeout = 1s, .wal = false}});
//
// Plain values, without <sqlite3.h>, so that a program can spell them
// without the driver; the SQLite driver reads them at create_engine, and
// uses its defaults (these members' initializers) when none are given.
#pragma once

#include <chrono>
#include <string>

namespace alchemy::sqlite {

/// How a SQLite transaction takes its locks (BEGIN DEFERRED / IMMEDIATE /
/// EXCLUSIVE). IMMEDIATE takes the write lock at BEGIN, so two writers wait
/// for each other through the busy timeout instead of failing with
/// SQLITE_BUSY when both try to upgrade a read lock.
enum class begin_mode { deferred, immediate, exclusive };

/// SQLite's `PRAGMA synchronous` setting; `unchanged` keeps SQLite's default
/// (FULL). NORMAL is safe from corruption in WAL mode and much faster; it may
/// lose the last commits on power loss (not on a crash of the program).
enum class synchronous_mode { unchanged, off, normal, full, extra };

/// Options of an engine's SQLite connections (engine_options::backend).
struct options {
    /// How long a statement waits for another connection's lock
    /// (sqlite3_busy_timeout); between 0 and INT_MAX ms, else ArgumentError
    /// at create_engine.
    std::chrono::milliseconds busy_timeout{5'000};
    /// PRAGMA foreign_keys = ON on every connection.
    bool foreign_keys = true;
    /// PRAGMA journal_mode = WAL on file databases (readers and a writer at once).
    bool wal = true;
    /// PRAGMA synchronous on every connection.
    synchronous_mode synchronous = synchronous_mode::unchanged;
    /// How BEGIN takes its locks.
    begin_mode begin = begin_mode::deferred;
    /// The SQLite VFS that file databases are opened with (sqlite3_open_v2's
    /// zVfs): the name of one registered with sqlite3_vfs_register (an
    /// encrypting or instrumented VFS, "unix-dotfile" ...); empty for
    /// SQLite's default. An unknown name fails at connect().
    std::string vfs{};
};

}  // namespace alchemy::sqlite

namespace alchemy {

// The enums' names before they moved into alchemy::sqlite.
using sqlite_begin [[deprecated("use alchemy::sqlite::begin_mode")]] = sqlite::begin_mode;
using sqlite_synchronous [[deprecated("use alchemy::sqlite::synchronous_mode")]] = sqlite::synchronous_mode;

}  // namespace alchemy
