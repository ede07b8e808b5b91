// alchemy/sqlite/options.hpp — the SQLite settings of engine_options: how
// BEGIN takes its locks and PRAGMA synchronous. Plain enums, without
// <sqlite3.h>, so that engine_options.hpp stays free of the driver.
#pragma once

namespace alchemy {

/// How a SQLite transaction takes its locks (BEGIN DEFERRED / IMMEDIATE /
/// EXCLUSIVE). IMMEDIATE takes the write lock at BEGIN, so two writers wait
/// for each other through the busy timeout instead of failing with
/// SQLITE_BUSY when both try to upgrade a read lock.
enum class sqlite_begin { deferred, immediate, exclusive };

/// SQLite's `PRAGMA synchronous` setting; `unchanged` keeps SQLite's default
/// (FULL). NORMAL is safe from corruption in WAL mode and much faster; it may
/// lose the last commits on power loss (not on a crash of the program).
enum class sqlite_synchronous { unchanged, off, normal, full, extra };

}  // namespace alchemy
