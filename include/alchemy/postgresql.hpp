// alchemy/postgresql.hpp — the PostgreSQL backend: its dialect and its
// driver (libpq), registered for postgresql:// URLs. The only public header
// besides the postgresql/ folder that sees <libpq-fe.h>.
//
//   PGconn* pg = alchemy::postgresql::native_handle(conn);  // libpq on alchemy's connection
#pragma once

#include <alchemy/connection.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/postgresql/dialect.hpp>
#include <alchemy/postgresql/driver.hpp>

#include <fmt/core.h>
#include <libpq-fe.h>

namespace alchemy {
namespace detail {

// Registers the driver for postgresql:// URLs when the program starts (see sqlite.hpp).
inline const bool postgresql_driver_registered = (register_driver("postgresql", &pg_driver::make), true);

}  // namespace detail

namespace postgresql {

/// The PGconn* of a connection to PostgreSQL, for calling libpq itself.
/// Leave its transactions and prepared statements to alchemy.
/// ResourceClosedError for a closed connection; ArgumentError for a
/// connection to another kind of database.
inline PGconn* native_handle(const connection& conn) {
    void* handle = conn.native_handle();
    if (conn.dialect().name() != "postgresql")
        throw ArgumentError(fmt::format(
            "alchemy: postgresql::native_handle() needs a connection to PostgreSQL, not to {}", conn.dialect().name()));
    return static_cast<PGconn*>(handle);
}

}  // namespace postgresql
}  // namespace alchemy
