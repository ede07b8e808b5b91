// alchemy/errors.hpp — the one exception hierarchy of alchemy.
//
// The classes keep SQLAlchemy's names (alchemy's only departure from its
// snake_case naming) so that a SQLAlchemy user finds `IntegrityError` where
// they expect it:
//
//   Error
//   ├── ArgumentError            bad URL, bad option, bad argument to a call
//   ├── ConversionError          a stored value does not fit the C++ type asked for
//   ├── TimeoutError             the connection pool had no connection in time
//   ├── FlushError               the unit of work cannot write what the session holds
//   ├── CircularDependencyError  new rows that need each other's keys (before any SQL)
//   ├── StaleDataError           an UPDATE or DELETE matched fewer rows than expected
//   ├── DetachedInstanceError    loading through an object that has no session
//   ├── InvalidRequestError      the call is not valid in the current state
//   │   ├── ResourceClosedError  connection / result / transaction already closed
//   │   ├── PendingRollbackError the database rolled the transaction back; rollback() first
//   │   ├── NoResultFound        one() found no row
//   │   ├── MultipleResultsFound one() / one_or_none() found several
//   │   └── ObjectDeletedError   an expired object's row is gone
//   └── StatementError           failure tied to a statement (carries it)
//       └── DBAPIError           the database driver reported an error
//           ├── InterfaceError
//           └── DatabaseError
//               ├── DataError, OperationalError, IntegrityError,
//               └── InternalError, ProgrammingError, NotSupportedError
//
// A DBAPIError's what() names the driver's error class and text, SQLite's
// (extended) result code, the statement and its parameters, e.g.
//
//   (sqlite3.IntegrityError) UNIQUE constraint failed: users.name
//   [SQL: INSERT INTO "users" ("name") VALUES (?)]
//   [parameters: ('Alice')]
//   [SQLite result code 2067: constraint failed]
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace alchemy {

/// Root of every exception alchemy throws.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// A malformed URL, an invalid option, or an argument that cannot be used.
class ArgumentError : public Error {
public:
    using Error::Error;
};

/// A database value that cannot be converted to the requested C++ type
/// (TEXT read as an integer, NULL read into a non-optional, out of range ...).
class ConversionError : public Error {
public:
    using Error::Error;
};

/// The connection pool could not hand out a connection before pool_timeout.
class TimeoutError : public Error {
public:
    using Error::Error;
};

/// The unit of work cannot write what the session holds (e.g. two new objects
/// with the same key). Raised before any statement of the flush runs.
class FlushError : public Error {
public:
    using Error::Error;
};

/// New rows that need each other's keys to be inserted (each holds a foreign
/// key to the other), found before the flush sends any SQL. Mark one of the
/// relationships post_update (relation_settings) to break the cycle.
class CircularDependencyError : public Error {
public:
    using Error::Error;
};

/// An UPDATE matched fewer rows than the flush expected: the row changed or
/// vanished behind the session's back.
class StaleDataError : public Error {
public:
    using Error::Error;
};

/// An object that belongs to no session was asked to load something.
class DetachedInstanceError : public Error {
public:
    using Error::Error;
};

/// The operation is not valid in the object's current state.
class InvalidRequestError : public Error {
public:
    using Error::Error;
};

/// A connection, result or transaction was used after it was closed.
class ResourceClosedError : public InvalidRequestError {
public:
    using InvalidRequestError::InvalidRequestError;
};

/// The database rolled the connection's transaction back by itself after a
/// failed statement (SQLite does so on a full disk, an I/O error, an
/// interrupt, out of memory and some constraint conflicts). Until rollback()
/// acknowledges it, the connection refuses statements, commit() and begin():
/// they would run outside the transaction the caller believes is open.
class PendingRollbackError : public InvalidRequestError {
public:
    using InvalidRequestError::InvalidRequestError;
};

/// `one()` found no row.
class NoResultFound : public InvalidRequestError {
public:
    NoResultFound() : InvalidRequestError("No row was found when one was required") {}
    using InvalidRequestError::InvalidRequestError;
};

/// `one()` / `one_or_none()` found more than one row.
class MultipleResultsFound : public InvalidRequestError {
public:
    using InvalidRequestError::InvalidRequestError;
};

/// An expired object's row is no longer in the database.
class ObjectDeletedError : public InvalidRequestError {
public:
    using InvalidRequestError::InvalidRequestError;
};

/// An error tied to one statement; carries the SQL text and a printable
/// rendering of its parameters.
class StatementError : public Error {
public:
    StatementError(const std::string& message, std::string sql, std::string params)
        : Error(message), sql_(std::move(sql)), params_(std::move(params)) {}

    /// The SQL text of the failing statement.
    const std::string& sql() const noexcept { return sql_; }
    /// The parameters as printed in the message, e.g. `('Alice', 3)`.
    const std::string& params() const noexcept { return params_; }

private:
    std::string sql_;
    std::string params_;
};

/// An error reported by the database driver.
/// What a database server says about an error beyond its message, as
/// psycopg2's Diagnostics (PostgreSQL's error fields); each empty when the
/// database did not say. SQLite says none of these.
struct error_diagnostics {
    std::string detail;           ///< "Key (name)=(Alice) already exists."
    std::string hint;             ///< a suggestion what to do about it
    std::string schema_name;      ///< of the table the error concerns
    std::string table_name;       ///< "users"
    std::string column_name;      ///< "name" (a NOT NULL violation)
    std::string constraint_name;  ///< "users_name_key", "posts_user_id_fkey"
};

class DBAPIError : public StatementError {
public:
    DBAPIError(const std::string& message, std::string sql, std::string params, int code,
               std::string driver_message, std::string sqlstate = {}, error_diagnostics diagnostics = {})
        : StatementError(message, std::move(sql), std::move(params)),
          code_(code),
          driver_message_(std::move(driver_message)),
          sqlstate_(std::move(sqlstate)),
          diagnostics_(std::move(diagnostics)) {}

    /// The driver's result code (for SQLite the extended result code); 0
    /// when alchemy found the problem before the driver did.
    int code() const noexcept { return code_; }
    /// The driver's own error text, e.g. "UNIQUE constraint failed: users.name".
    const std::string& driver_message() const noexcept { return driver_message_; }
    /// The five-character SQLSTATE of the error, the same for every backend:
    /// "23505" a unique violation, "23503" a foreign key, "23502" a NOT NULL,
    /// "42P01" an unknown table, "55P03" a lock not available ... (PostgreSQL's
    /// codes; SQLite's result codes are mapped to them). Empty when unknown.
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    /// The server's detail, hint and the schema, table, column and constraint
    /// the error concerns (PostgreSQL; empty for SQLite).
    const error_diagnostics& diagnostics() const noexcept { return diagnostics_; }

private:
    int code_;
    std::string driver_message_;
    std::string sqlstate_;
    error_diagnostics diagnostics_;
};

#define ALCHEMY_DBAPI_ERROR(name, base)      \
    class name : public base {               \
    public:                                  \
        using base::base;                    \
    };

ALCHEMY_DBAPI_ERROR(InterfaceError, DBAPIError)
ALCHEMY_DBAPI_ERROR(DatabaseError, DBAPIError)
ALCHEMY_DBAPI_ERROR(DataError, DatabaseError)
ALCHEMY_DBAPI_ERROR(OperationalError, DatabaseError)
ALCHEMY_DBAPI_ERROR(IntegrityError, DatabaseError)
ALCHEMY_DBAPI_ERROR(InternalError, DatabaseError)
ALCHEMY_DBAPI_ERROR(ProgrammingError, DatabaseError)
ALCHEMY_DBAPI_ERROR(NotSupportedError, DatabaseError)

#undef ALCHEMY_DBAPI_ERROR

}  // namespace alchemy
