// alchemy/detail/driver/driver.hpp — the interface each database backend
// implements (the I/O side; spelling is the dialect's, dialect.hpp).
//
// Three objects, from the outside in:
//
//   driver             one per engine: opens connections to the database its
//                      URL names and owns the backend's dialect;
//   driver_connection  one open connection: its prepared-statement cache and
//                      its transaction state (shared by every backend, here),
//                      and the backend's calls (prepare, changes, generated
//                      keys, error translation, native handle);
//   driver_statement   one prepared statement: bind through a statement_binder,
//                      step, read column(i) as a column_value; optionally
//                      send executions ahead of their results (pipelining).
//
// connection, transaction, result, row and the pool hold these objects and
// nothing of any backend, so that a second backend is a folder beside
// sqlite/, not a change here. A backend registers a factory for its URL
// scheme (register_driver), which create_engine looks up.
//
// Nothing here is thread-safe: a connection is used by one thread at a time
// (the pool hands it from thread to thread).
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/logger.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/engine_options.hpp>
#include <alchemy/types.hpp>
#include <alchemy/url.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace alchemy::detail {

/// Binds the parameters of one statement, in order (binder's calls), or by
/// name after seek().
class statement_binder : public binder {
public:
    /// Moves to the parameter named `name` (written `:name`, `@name` or
    /// `$name` in the SQL); false if the statement has no such parameter.
    virtual bool seek(std::string_view name) = 0;
    /// The number of the last parameter bound (1-based; 0 before the first).
    virtual int bound() const noexcept = 0;
    /// The driver's code of the first failed bind, 0 if none failed.
    virtual int error() const noexcept = 0;

protected:
    ~statement_binder() = default;
};

/// What one step of a statement produced.
enum class step_status { row, done, failed };

/// One prepared statement.
class driver_statement : public column_source {
public:
    virtual ~driver_statement() = default;

    /// Number of parameters, and the name of the `index`-th (1-based; empty
    /// for a positional one).
    virtual int parameter_count() const noexcept = 0;
    virtual std::string parameter_name(int index) const = 0;
    /// The statement's binder, rewound to the first parameter. `copy`: the
    /// bound values may die before the statement is done stepping (a query
    /// whose rows are read later), so the driver must copy them.
    virtual statement_binder& binder(bool copy) noexcept = 0;

    /// Runs the statement up to its next row. After `failed`, error_code()
    /// is the driver's code and driver_connection::raise() reports it.
    virtual step_status step() noexcept = 0;
    virtual int error_code() const noexcept = 0;
    /// Makes the statement ready to run again (bindings are rebound).
    virtual void reset() noexcept = 0;

    /// The columns of the current row.
    virtual std::size_t column_count() const noexcept = 0;
    virtual std::string_view column_name(std::size_t i) const = 0;
    /// Column i of the current row; valid until the next step or reset.
    virtual column_value column(std::size_t i) const noexcept = 0;

    /// The SQL text (for messages).
    virtual std::string_view sql() const noexcept = 0;

    // ---- pipelining (optional) ------------------------------------------------
    // A driver whose protocol lets a client send executions before reading
    // their results (PostgreSQL's pipeline mode) saves a round trip per row of
    // a batch. The executor pipelines only inside a transaction: a failed
    // execution then fails the transaction, as it would have one by one, and
    // the executions sent after it are refused by the database.

    /// How many executions may be sent ahead of their results; 0: none (each
    /// one runs when stepped).
    virtual std::size_t pipeline_depth() const noexcept { return 0; }
    /// Sends one execution with the parameters bound now. false: it could not
    /// be sent (error_code(), then driver_connection::raise() after end_pipeline()).
    virtual bool send() noexcept { return false; }
    /// Reads the result of the oldest execution sent: then step() walks its
    /// rows as if it had just run. false: it failed (error_code(), then
    /// driver_connection::raise() after end_pipeline()).
    virtual bool receive() noexcept { return false; }
    /// Reads and drops the results of every execution sent and not received,
    /// and leaves the connection ready for ordinary statements; does nothing
    /// when nothing is in flight.
    virtual void end_pipeline() noexcept {}
};

class driver_connection;

// One prepared statement in a connection's cache. Owned by the cache (shared
// with at most one lease) or, when the cached copy is busy, by a single lease.
// `stmt` is null once the connection finalized it (a result that outlived its
// connection's checkout sees ResourceClosedError instead of a dangling statement).
struct statement_slot {
    std::unique_ptr<driver_statement> stmt;
    driver_connection* owner = nullptr;  // valid while stmt != nullptr
    std::uint64_t last_used = 0;
    bool in_use = false;

    void finalize() noexcept {
        stmt.reset();
        owner = nullptr;
    }
};

struct savepoint_entry {
    std::uint64_t id;
    std::string name;
};

/// What a failed statement was to its transaction (see driver_connection::raise).
enum class statement_role {
    ordinary,  ///< runs inside the transaction
    commit,    ///< ends it
};

/// One open connection to a database.
class driver_connection {
public:
    driver_connection(const alchemy::dialect& d, std::size_t cache_capacity) noexcept
        : dialect_(d), cache_capacity_(cache_capacity) {}
    driver_connection(const driver_connection&) = delete;
    driver_connection& operator=(const driver_connection&) = delete;
    /// A backend's destructor calls close_statements() before it closes its handle.
    virtual ~driver_connection() = default;

    const alchemy::dialect& dialect() const noexcept { return dialect_; }

    // ---- what a backend implements -------------------------------------------

    /// The driver's handle (sqlite3*, PGconn*), for code that calls the driver itself.
    virtual void* native_handle() const noexcept = 0;

    /// Rows changed by the last INSERT/UPDATE/DELETE, and the running total
    /// since the connection opened (which tells whether a statement changed any).
    virtual std::int64_t changes() const noexcept = 0;
    virtual std::int64_t total_changes() const noexcept = 0;
    /// The key the database generated for the last row inserted, when the
    /// dialect's generated_key_strategy() is key_fetch::last_insert_rowid.
    virtual std::int64_t last_insert_id() const noexcept = 0;

    /// Throws the exception for a failed statement (`code` is the failed
    /// step's or bind's driver code), after settling the transaction state
    /// with the database: every failed step passes through here.
    [[noreturn]] virtual void raise(int code, std::string_view sql, std::string_view params,
                                    statement_role role = statement_role::ordinary) = 0;

    /// After a statement succeeded: the caller's own SQL (BEGIN, COMMIT,
    /// ROLLBACK, SAVEPOINT as text) may have begun or ended a transaction.
    virtual void follow_statement() noexcept = 0;

    /// Whether the database has a transaction open on this connection right now.
    virtual bool database_in_transaction() const noexcept = 0;

    /// Whether the link to the database is gone for good (a server that
    /// restarted or closed it, a broken network): the pool then closes the
    /// connection instead of handing it out again.
    virtual bool lost() const noexcept { return false; }

    /// A round trip to the database that tells whether the connection still
    /// works (the pool's pre-ping); never throws, logs nothing.
    virtual bool ping() noexcept { return !lost(); }

    /// Makes `level` the isolation level of the transactions this connection
    /// begins from now on (empty: the database's default). Called outside a
    /// transaction. ArgumentError for a level the database does not offer.
    virtual void set_isolation_level(std::optional<isolation_level> level) = 0;
    /// The isolation level the database reports for this connection.
    virtual isolation_level get_isolation_level() = 0;

    // ---- prepared statements ------------------------------------------------

    /// A prepared statement for `sql`, marked in use: the cached one when it
    /// is free, else a fresh one (cached if there is none yet). Give it back
    /// with release().
    std::shared_ptr<statement_slot> acquire(std::string_view sql) {
        const auto tick = ++clock_;
        if (auto it = cache_.find(sql); it != cache_.end()) {
            if (!it->second->in_use) {
                auto& slot = it->second;
                slot->in_use = true;
                slot->last_used = tick;
                leased_.push_back(slot.get());
                return slot;
            }
            return lease(make_slot(sql, false), tick);  // nested use of the same SQL
        }
        return prepare_and_cache(sql, tick);
    }

    /// Ends a lease: resets the statement for its next use.
    void release(statement_slot& slot) noexcept {
        if (!slot.stmt) return;
        slot.stmt->reset();
        slot.in_use = false;
        for (auto& leased : leased_) {
            if (leased != &slot) continue;
            leased = leased_.back();
            leased_.pop_back();
            break;
        }
    }

    /// Finalizes every statement still leased (results left open when the
    /// connection went back to the pool), so that a forgotten result can never
    /// step a statement that another user of this connection relies on.
    void invalidate_leases() noexcept;

    std::size_t cached_statements() const noexcept { return cache_.size(); }
    std::uint64_t statements_prepared() const noexcept { return prepared_count_; }

    // ---- transaction state ----------------------------------------------------
    // Kept here, not in the public handle, so that transaction objects can
    // check whether they are still the active one. The database, not this
    // flag, is the authority: a backend settles it after every failed
    // statement (raise) and after every statement run through execute()
    // (follow_statement), so that no statement ever runs outside the
    // transaction the caller believes is open.

    bool in_transaction = false;
    std::uint64_t transaction_id = 0;            // of the current root transaction
    std::vector<savepoint_entry> savepoints;     // innermost last
    std::uint64_t next_id = 0;                   // for transaction and savepoint ids
    bool autocommit = false;                     // no implicit BEGIN
    /// Set when the database rolled the transaction back by itself after a
    /// failed statement (not COMMIT): the error's text. Statements, begin()
    /// and commit() are refused (PendingRollbackError) until rollback().
    std::optional<std::string> rolled_back_by_database;
    /// Changes each time the connection is checked out or returned, so that
    /// objects of an earlier checkout know they are stale.
    std::atomic<std::uint64_t> checkout_id{0};
    /// The pool's dispose() count when it was opened (connection_pool).
    std::uint64_t pool_generation = 0;
    /// Set when connection::set_isolation_level changed the engine's level:
    /// the engine's comes back before the connection returns to the pool.
    bool isolation_changed = false;

protected:
    /// Prepares `sql` (`persistent`: it will be cached and reused). Throws
    /// for an error, for text with no statement or more than one.
    virtual std::unique_ptr<driver_statement> prepare(std::string_view sql, bool persistent) = 0;

    /// Finalizes every statement: a backend's destructor calls it while its
    /// handle is still open.
    void close_statements() noexcept {
        invalidate_leases();
        cache_.clear();
    }

private:
    std::shared_ptr<statement_slot> make_slot(std::string_view sql, bool persistent) {
        auto slot = std::make_shared<statement_slot>();
        slot->stmt = prepare(sql, persistent);
        slot->owner = this;
        ++prepared_count_;
        return slot;
    }

    // acquire() on a cache miss (out of line: the miss path is what
    // instantiates the cache's insertion).
    std::shared_ptr<statement_slot> prepare_and_cache(std::string_view sql, std::uint64_t tick);

    std::shared_ptr<statement_slot> lease(std::shared_ptr<statement_slot> slot, std::uint64_t tick) {
        slot->in_use = true;
        slot->last_used = tick;
        leased_.push_back(slot.get());
        return slot;
    }

    void evict_if_full();

    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    const alchemy::dialect& dialect_;
    std::size_t cache_capacity_;
    boost::unordered_flat_map<std::string, std::shared_ptr<statement_slot>, string_hash, std::equal_to<>> cache_;
    std::vector<statement_slot*> leased_;
    std::uint64_t clock_ = 0;
    std::uint64_t prepared_count_ = 0;
};

/// One engine's backend: its dialect and how it opens connections.
class driver {
public:
    virtual ~driver() = default;
    virtual const alchemy::dialect& dialect() const noexcept = 0;
    /// Opens a new connection (the pool calls it); `log` hears of rollbacks
    /// the database did by itself.
    virtual std::shared_ptr<driver_connection> connect(const logger& log) = 0;
};

/// Makes the driver for an engine of `u` (whose scheme the driver registered).
using driver_factory = std::unique_ptr<driver> (*)(const alchemy::url& u, const engine_options& options);

/// Makes `factory` the driver of URLs with `scheme` ("sqlite"). Backends
/// register themselves from their header (<alchemy/sqlite.hpp>).
void register_driver(std::string_view scheme, driver_factory factory);

/// The driver registered for `scheme`, or null.
driver_factory find_driver(std::string_view scheme);

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/driver/impl/driver.ipp>
#endif
