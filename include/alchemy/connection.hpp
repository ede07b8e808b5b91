// alchemy/connection.hpp — a connection checked out of an engine's pool, and
// transactions on it.
//
// Statements run inside a transaction, as in SQLAlchemy 2.0: the first
// execute() on a connection with no transaction emits BEGIN ("autobegin");
// commit() or rollback() end it; closing the connection (or leaving its scope)
// rolls back whatever was not committed and returns it to the pool.
//
//   auto conn = engine.connect();
//   conn.execute("INSERT INTO users (name) VALUES (?)", "Alice");
//   conn.commit();
//
//   {
//       auto tx = engine.begin();          // commits at scope end,
//       tx.execute("DELETE FROM users");   // rolls back if left by an exception
//   }
//
// begin_nested() opens a savepoint. A connection, its results and its
// transactions are used by one thread at a time.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/engine_state.hpp>
#include <alchemy/detail/driver/driver.hpp>
#include <alchemy/detail/driver/execute.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>
#include <string_view>
#include <utility>


namespace alchemy {

class transaction;

/// A pooled connection, borrowed until close() or destruction. Move-only.
class connection {
public:
    connection(std::shared_ptr<detail::engine_state> engine, std::shared_ptr<detail::driver_connection> raw) noexcept
        : engine_(std::move(engine)), raw_(std::move(raw)) {}
    connection(connection&& other) noexcept = default;
    connection& operator=(connection&& other) noexcept;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection() { close(); }

    /// Executes one statement. Parameters are bound, never interpolated:
    /// positionally (`?`) or by name (alchemy::param("name", v) for `:name`).
    /// Begins a transaction first unless one is open (or autocommit is on).
    /// Throws a DBAPIError subclass naming the statement and parameters.
    template <class... A>
    result execute(std::string_view sql, const A&... args) {
        return detail::execute(*engine_, raw(), sql, args...);
    }

    /// Executes one statement with positional parameters known only at run
    /// time (e.g. built by a query builder).
    result execute_values(std::string_view sql, std::span<const value> params) {
        return detail::execute_values(*engine_, raw(), sql, params);
    }

    /// Executes one statement once per parameter row through one prepared
    /// statement (SQLAlchemy's executemany); logged as one `batch` event.
    /// Returns the total number of rows changed.
    std::int64_t execute_many(std::string_view sql, std::span<const std::vector<value>> rows) {
        return detail::execute_many_values(*engine_, raw(), sql, rows);
    }

    /// The low-level path the ORM writes through: `bind(binder&)` binds the
    /// parameters straight from objects, `record()` gives them as values
    /// (called only for the log and for error messages).
    template <class Bind, class Record>
    result execute_bound(std::string_view sql, Bind&& bind, Record&& record) {
        auto& conn = raw();
        return detail::execute_with(
            *engine_, conn, sql,
            [&](detail::driver_statement& stmt, bool copy) { detail::bind_with(conn, stmt, copy, sql, bind, record); }, record);
    }

    /// execute_many for the ORM: `bind_row(i, binder&)` binds row i,
    /// `record_row(i)` gives it as values.
    template <class BindRow, class RecordRow>
    std::int64_t execute_many_bound(std::string_view sql, std::size_t rows, BindRow&& bind_row, RecordRow&& record_row) {
        auto& conn = raw();
        return detail::execute_many_with(
            *engine_, conn, sql, rows,
            [&](std::size_t i, detail::driver_statement& stmt) {
                detail::bind_with(conn, stmt, false, sql, [&](binder& b) { bind_row(i, b); },
                                  [&] { return record_row(i); });
            },
            record_row);
    }

    /// Runs `sql` once per row as separate statements through one prepared
    /// statement (for the ORM's INSERTs with generated keys): `bind_row(i,
    /// binder&)` binds row i, `record_row(i)` gives it as values, and
    /// `done(i, last_insert_rowid)` follows each row.
    template <class BindRow, class RecordRow, class Done>
    void execute_each_bound(std::string_view sql, std::size_t rows, BindRow&& bind_row, RecordRow&& record_row,
                            Done&& done) {
        auto& conn = raw();
        detail::execute_each_with(
            *engine_, conn, sql, rows,
            [&](std::size_t i, detail::driver_statement& stmt) {
                detail::bind_with(conn, stmt, false, sql, [&](binder& b) { bind_row(i, b); },
                                  [&] { return record_row(i); });
            },
            record_row, done);
    }

    /// Begins a transaction that commits when the returned object is
    /// destroyed normally and rolls back when it is destroyed by an
    /// exception. InvalidRequestError if a transaction is already open.
    transaction begin();
    /// Opens a savepoint (beginning the transaction if none is open).
    transaction begin_nested();

    /// Commits the open transaction, if any. If COMMIT fails, the error says
    /// what became of the transaction: rolled back by the database (SQLite
    /// does so on a full disk or an I/O error; nothing was committed, the next
    /// statement begins a new transaction), or still open (SQLITE_BUSY, a
    /// deferred foreign key): call commit() again or rollback().
    /// PendingRollbackError if the database already rolled it back.
    void commit() { detail::commit(*engine_, raw()); }
    /// Rolls back the open transaction, if any, and acknowledges one that the
    /// database rolled back by itself.
    void rollback() { detail::rollback(*engine_, raw()); }
    /// True while a transaction is open, and while one that the database
    /// rolled back waits for rollback() (see needs_rollback()).
    bool in_transaction() const { return raw().in_transaction || raw().rolled_back_by_database.has_value(); }
    /// True after the database rolled the transaction back by itself because
    /// a statement failed (a full disk, an I/O error, an interrupt, out of
    /// memory, an ON CONFLICT ROLLBACK constraint): the transaction's earlier
    /// statements are undone, so the connection refuses further statements,
    /// commit() and begin() with PendingRollbackError until rollback() is
    /// called. (SQLite keeps the transaction after most errors, e.g. a UNIQUE
    /// violation or SQLITE_BUSY; then this stays false.)
    bool needs_rollback() const { return raw().rolled_back_by_database.has_value(); }

    /// With autocommit on, execute() no longer begins a transaction: every
    /// statement commits by itself (needed for VACUUM and some PRAGMAs).
    void set_autocommit(bool on);

    /// The isolation level of this connection's transactions from the next
    /// one on, until the connection goes back to the pool, which restores the
    /// engine's (engine_options::isolation_level). InvalidRequestError inside
    /// a transaction; ArgumentError for a level the database does not offer.
    void set_isolation_level(isolation_level level);
    /// The isolation level the database reports for this connection (asks it).
    isolation_level get_isolation_level() { return raw().get_isolation_level(); }

    /// Rolls back any open transaction and returns the connection to the
    /// pool. Results still open become closed. Idempotent.
    void close() noexcept;
    bool closed() const noexcept { return raw_ == nullptr; }

    /// The key the database generated for the last row this connection
    /// inserted (SQLite's rowid).
    std::int64_t last_insert_rowid() const { return raw().last_insert_id(); }
    const alchemy::dialect& dialect() const noexcept { return engine_->dialect; }

    /// The driver's handle, for what alchemy does not wrap (do not close it):
    /// typed by the backend's own function, alchemy::sqlite::native_handle(conn)
    /// gives the sqlite3*. ResourceClosedError once the connection is closed.
    void* native_handle() const { return raw().native_handle(); }

private:
    friend class transaction;

    detail::driver_connection& raw() const {
        if (!raw_)
            throw ResourceClosedError("alchemy: this connection is closed (it was returned to the pool)");
        return *raw_;
    }

    std::shared_ptr<detail::engine_state> engine_;
    std::shared_ptr<detail::driver_connection> raw_;
};

/// A transaction or savepoint on a connection. Destroying it while active
/// commits (or releases the savepoint) unless an exception is unwinding the
/// scope, in which case it rolls back. The destructor may therefore throw
/// the commit's error, as SQLAlchemy's `with engine.begin():` does.
class transaction {
public:
    transaction(transaction&& other) noexcept;
    transaction& operator=(transaction&&) = delete;
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;

    ~transaction() noexcept(false);

    /// True until this transaction (or an enclosing one) is committed or
    /// rolled back, or its connection closed.
    bool is_active() const noexcept {
        if (!current()) return false;
        if (savepoint_) return detail::find_savepoint(*raw_, id_) < raw_->savepoints.size();
        return raw_->in_transaction && raw_->transaction_id == id_;
    }

    /// Commits (a savepoint: releases it). InvalidRequestError when inactive.
    void commit();

    /// Rolls back (a savepoint: rolls back to it). No-op when inactive.
    void rollback();

    /// Opens a savepoint inside this transaction.
    transaction begin_nested();

    /// Executes a statement on this transaction's connection.
    template <class... A>
    result execute(std::string_view sql, const A&... args) {
        check_active("execute");
        return detail::execute(*engine_, *raw_, sql, args...);
    }
    result execute_values(std::string_view sql, std::span<const value> params) {
        check_active("execute");
        return detail::execute_values(*engine_, *raw_, sql, params);
    }
    std::int64_t execute_many(std::string_view sql, std::span<const std::vector<value>> rows) {
        check_active("execute");
        return detail::execute_many_values(*engine_, *raw_, sql, rows);
    }

private:
    friend class connection;
    friend class engine;

    transaction(std::shared_ptr<detail::engine_state> engine, std::shared_ptr<detail::driver_connection> raw,
                std::uint64_t id, bool savepoint);

    void check_active(const char* what) const;
    // Still on the checkout it was begun on.
    bool current() const noexcept { return raw_ && raw_->checkout_id.load() == checkout_; }
    // The root transaction the database rolled back by itself (after an
    // error), not yet acknowledged by a rollback().
    bool rolled_back_by_database() const noexcept {
        return !savepoint_ && current() && raw_->rolled_back_by_database && raw_->transaction_id == id_;
    }

    std::shared_ptr<detail::engine_state> engine_;
    std::shared_ptr<detail::driver_connection> raw_;
    std::uint64_t checkout_ = 0;
    std::uint64_t id_ = 0;
    bool savepoint_ = false;
    int uncaught_ = 0;
    std::optional<connection> owned_;  // the connection engine.begin() checked out
};

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/driver/impl/connection.ipp>
#endif
