// alchemy/sqlite.hpp — the SQLite backend: its dialect, its driver (registered
// for sqlite:// URLs) and its options. <alchemy/alchemy.hpp> includes it;
// it is the only public header besides the sqlite/ folder that sees
// <sqlite3.h>.
//
//   sqlite3* db = alchemy::sqlite::native_handle(conn);  // SQLite's own API on alchemy's connection
#pragma once

#include <alchemy/connection.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/sqlite/dialect.hpp>
#include <alchemy/sqlite/driver.hpp>
#include <alchemy/sqlite/options.hpp>

#include <fmt/core.h>
#include <sqlite3.h>

namespace alchemy {
namespace detail {

// Registers the driver for sqlite:// URLs when the program starts. (An
// inline variable defined before any of the user's globals in a translation
// unit is initialized before them, so a global engine works too.)
inline const bool sqlite_driver_registered = (register_driver("sqlite", &sqlite_driver::make), true);

}  // namespace detail

namespace sqlite {

/// The sqlite3* of a connection to a SQLite database, for calling SQLite
/// itself (user functions, progress handlers ...). Leave its transactions
/// and statements to alchemy. ResourceClosedError for a closed connection;
/// ArgumentError for a connection to another kind of database.
inline sqlite3* native_handle(const connection& conn) {
    void* handle = conn.native_handle();
    if (conn.dialect().name() != "sqlite")
        throw ArgumentError(fmt::format("alchemy: sqlite::native_handle() needs a connection to SQLite, not to {}",
                                        conn.dialect().name()));
    return static_cast<sqlite3*>(handle);
}

}  // namespace sqlite
}  // namespace alchemy
