// alchemy/sqlite/driver.hpp — one open SQLite connection: its
// handle, its prepared-statement cache and its transaction state.
//
// The pool owns these; a public `connection` borrows one for a while. Nothing
// here is thread-safe: a connection is used by one thread at a time (the pool
// hands it from thread to thread, which SQLite's multi-thread mode allows).
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/logger.hpp>
#include <alchemy/sqlite/dialect.hpp>
#include <alchemy/engine_options.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/types.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>
#include <sqlite3.h>

namespace alchemy::detail {

class sqlite_connection;

// One prepared statement. Owned by the cache (shared with at most one lease)
// or, when the cached copy is busy, by a single lease only.
struct statement_slot {
    sqlite3_stmt* stmt = nullptr;
    sqlite_connection* owner = nullptr;  // valid while stmt != nullptr
    std::uint64_t last_used = 0;
    bool in_use = false;

    statement_slot() = default;
    statement_slot(const statement_slot&) = delete;
    statement_slot& operator=(const statement_slot&) = delete;
    ~statement_slot() { finalize(); }

    void finalize() noexcept {
        if (stmt) sqlite3_finalize(stmt);
        stmt = nullptr;
        owner = nullptr;
    }
};

// Binds parameters into a prepared statement, one after another.
class sqlite_binder final : public binder {
public:
    // `copy` = SQLITE_TRANSIENT: the values may die before the statement is
    // done stepping (a query whose rows are read later); otherwise the caller
    // steps to completion while the values are alive and no copy is needed.
    sqlite_binder(sqlite3_stmt* stmt, bool copy) noexcept
        : stmt_(stmt), destructor_(copy ? SQLITE_TRANSIENT : SQLITE_STATIC) {}

    void bind_null() override { check(sqlite3_bind_null(stmt_, next())); }
    void bind_integer(std::int64_t v) override { check(sqlite3_bind_int64(stmt_, next(), v)); }
    void bind_real(double v) override { check(sqlite3_bind_double(stmt_, next(), v)); }
    using binder::bind_text;
    void bind_text(std::string_view v) override { bind_text_with(v, destructor_); }
    void bind_blob(std::span<const std::byte> v) override {
        // A null pointer would bind NULL instead of an empty blob.
        static constexpr std::byte empty{};
        const void* data = v.data() ? static_cast<const void*>(v.data()) : &empty;
        check(sqlite3_bind_blob64(stmt_, next(), data, v.size(), destructor_));
    }

    /// Moves to the named parameter (`:name`, `@name` or `$name`); false if
    /// the statement has no such parameter.
    bool seek(std::string_view name) {
        std::string key = ":" + std::string(name);
        for (char prefix : {':', '@', '$'}) {
            key[0] = prefix;
            if (int i = sqlite3_bind_parameter_index(stmt_, key.c_str()); i > 0) {
                index_ = i - 1;
                return true;
            }
        }
        return false;
    }

    int bound() const noexcept { return index_; }
    int error() const noexcept { return error_; }

private:
    void bind_copied_text(std::string_view v) override { bind_text_with(v, SQLITE_TRANSIENT); }
    void bind_text_with(std::string_view v, sqlite3_destructor_type destructor) {
        // A null pointer would bind NULL instead of an empty string.
        const char* data = v.data() ? v.data() : "";
        check(sqlite3_bind_text64(stmt_, next(), data, v.size(), destructor, SQLITE_UTF8));
    }
    int next() noexcept { return ++index_; }
    void check(int rc) noexcept {
        if (rc != SQLITE_OK && error_ == SQLITE_OK) error_ = rc;
    }

    sqlite3_stmt* stmt_;
    sqlite3_destructor_type destructor_;
    int index_ = 0;
    int error_ = SQLITE_OK;
};

// How a connection is opened.
struct connect_config {
    std::string filename;   // path, or a memdb URI for an in-memory database
    bool memory = false;    // filename is a shared memdb URI
    engine_options options;
};

struct savepoint_entry {
    std::uint64_t id;
    std::string name;
};

/// What a failed statement was to its transaction (see sqlite_connection::raise).
enum class statement_role {
    ordinary,  ///< runs inside the transaction
    commit,    ///< ends it
};

class sqlite_connection {
public:
    /// `log` (the engine's, may be null) hears of rollbacks the database did by itself.
    sqlite_connection(const connect_config& config, const sqlite_dialect& dialect, const logger* log = nullptr);

    sqlite_connection(const sqlite_connection&) = delete;
    sqlite_connection& operator=(const sqlite_connection&) = delete;

    ~sqlite_connection();

    sqlite3* handle() const noexcept { return db_; }
    const sqlite_dialect& dialect() const noexcept { return dialect_; }

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
            return lease(prepare(sql, false), tick);  // nested use of the same SQL
        }
        return prepare_and_cache(sql, tick);
    }

    /// Ends a lease: resets the statement for its next use.
    void release(statement_slot& slot) noexcept {
        if (!slot.stmt) return;
        sqlite3_reset(slot.stmt);
        slot.in_use = false;
        if (auto it = std::find(leased_.begin(), leased_.end(), &slot); it != leased_.end()) {
            *it = leased_.back();
            leased_.pop_back();
        }
    }

    /// acquire() on a cache miss: prepares `sql` and caches it (out of line:
    /// the miss path is what instantiates the cache's insertion).
    std::shared_ptr<statement_slot> prepare_and_cache(std::string_view sql, std::uint64_t tick);

    /// Finalizes every statement still leased (results left open when the
    /// connection went back to the pool), so that a forgotten result can never
    /// step a statement that another user of this connection relies on.
    void invalidate_leases() noexcept;

    std::size_t cached_statements() const noexcept { return cache_.size(); }
    std::uint64_t statements_prepared() const noexcept { return prepared_count_; }

    // ---- errors ---------------------------------------------------------------

    /// Throws the exception for the connection's last error, after settling
    /// the transaction state with SQLite (settle_after_error): every failed
    /// step passes through here.
    [[noreturn]] void raise(int rc, std::string_view sql, std::string_view params,
                            statement_role role = statement_role::ordinary);

    // ---- transaction state ----------------------------------------------------
    // Kept here, not in the public handle, so that transaction objects can
    // check whether they are still the active one. SQLite, not this flag, is
    // the authority: after every failed statement the flag is settled against
    // sqlite3_get_autocommit() (settle_after_error), and after every
    // statement run through execute() it follows what the statement itself
    // did (follow_statement), so that no statement ever runs outside the
    // transaction the caller believes is open.

    /// After a statement succeeded: the caller's own SQL (BEGIN, COMMIT,
    /// ROLLBACK, SAVEPOINT as text) may have begun or ended a transaction.
    void follow_statement() noexcept {
        const bool open = sqlite3_get_autocommit(db_) == 0;
        if (open == in_transaction) return;
        in_transaction = open;
        savepoints.clear();
        if (open) transaction_id = ++next_id;
    }

    /// Whether SQLite has a transaction open on this handle right now.
    bool sqlite_in_transaction() const noexcept { return db_ && sqlite3_get_autocommit(db_) == 0; }

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

private:
    // After a failed statement: SQLite rolls the whole transaction back by
    // itself after some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM,
    // SQLITE_INTERRUPT, ON CONFLICT ROLLBACK) and not after others (SQLITE_BUSY,
    // including a COMMIT that may be retried; a deferred foreign key at COMMIT).
    // Asks SQLite which happened, records it, reports an implicit rollback to
    // the log, and returns what the error message should tell the caller.
    std::string_view settle_after_error(const std::string& message, statement_role role);

    static std::string synchronous_sql(sqlite_synchronous s);

    // Runs a set-up statement, reporting failures with the database's name.
    void setup(const std::string& sql, const std::string& filename);

    std::shared_ptr<statement_slot> prepare(std::string_view sql, bool persistent);

    std::shared_ptr<statement_slot> lease(std::shared_ptr<statement_slot> slot, std::uint64_t tick) {
        slot->in_use = true;
        slot->last_used = tick;
        leased_.push_back(slot.get());
        return slot;
    }

    void evict_if_full();

    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    sqlite3* db_ = nullptr;
    const sqlite_dialect& dialect_;
    const logger* log_;
    std::size_t cache_capacity_;
    boost::unordered_flat_map<std::string, std::shared_ptr<statement_slot>, string_hash,
                              std::equal_to<>>
        cache_;
    std::vector<statement_slot*> leased_;
    std::uint64_t clock_ = 0;
    std::uint64_t prepared_count_ = 0;
};

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/sqlite/impl/driver.ipp>
#endif
