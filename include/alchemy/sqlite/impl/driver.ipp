// alchemy/sqlite/impl/driver.ipp — definitions of sqlite/driver.hpp's non-template
// functions (see detail/config.hpp).
#pragma once

#include <alchemy/sqlite/driver.hpp>

#include <atomic>
#include <chrono>
#include <limits>
#include <thread>
#include <utility>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE sqlite_connection::sqlite_connection(const connect_config& config, const sqlite_dialect& dialect,
                                                    const logger* log)
    : driver_connection(dialect, config.statement_cache_size), dialect_(dialect), log_(log) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                      (config.memory ? SQLITE_OPEN_URI : 0);
    const auto& vfs = config.options.vfs;
    const int rc = sqlite3_open_v2(config.filename.c_str(), &db_, flags,
                                   vfs.empty() || config.memory ? nullptr : vfs.c_str());
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        dialect_.raise(rc, fmt::format("{} (database '{}')", message, config.filename),
                       "<connect>", "", "");
    }
    sqlite3_extended_result_codes(db_, 1);
    try {
        const auto& o = config.options;
        sqlite3_busy_timeout(db_, static_cast<int>(o.busy_timeout.count()));
        // Touch the schema first so that a file that is not a database is
        // reported here, naming the file, and not at the first statement.
        setup("SELECT count(*) FROM sqlite_master", config.filename);
        setup(o.foreign_keys ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF",
              config.filename);
        // Turning a new file to WAL upgrades a read lock to a write lock, which
        // SQLite refuses at once, without its busy handler (waiting could
        // deadlock), while another connection opening the same file holds a
        // read lock for a moment; so it is tried again within busy_timeout.
        if (o.wal && !config.memory) setup("PRAGMA journal_mode = WAL", config.filename, o.busy_timeout);
        if (auto sync = synchronous_sql(o.synchronous); !sync.empty())
            setup(sync, config.filename);
    } catch (...) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw;
    }
}

ALCHEMY_INLINE sqlite_connection::~sqlite_connection() {
    close_statements();  // before the handle closes
    sqlite3_close_v2(db_);
}

ALCHEMY_INLINE void sqlite_connection::raise(int rc, std::string_view sql, std::string_view params,
                                             statement_role role) {
    const int code = db_ ? sqlite3_extended_errcode(db_) : rc;
    const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);  // before anything else runs
    const auto note = settle_after_error(message, role);
    dialect_.raise(code == SQLITE_OK ? rc : code, message, sql, params, note);
}

ALCHEMY_INLINE std::string_view sqlite_connection::settle_after_error(const std::string& message,
                                                                      statement_role role) {
    if (!in_transaction) return {};
    if (database_in_transaction()) {
        if (role == statement_role::commit)
            return "the transaction is still open: call commit() again to retry it, or rollback() to end it";
        return {};
    }
    in_transaction = false;
    savepoints.clear();
    if (role != statement_role::commit) rolled_back_by_database = message;
    if (log_ && log_->active()) {
        log_event event{log_kind::rollback, dialect_.rollback_sql(), {}};
        event.implicit = true;
        log_->emit(event);
    }
    if (role == statement_role::commit)
        return "the database rolled the transaction back: nothing of it was committed";
    return "the database rolled the transaction back: call rollback() before running more statements on this "
           "connection";
}

ALCHEMY_INLINE std::string sqlite_connection::synchronous_sql(alchemy::sqlite::synchronous_mode s) {
    using alchemy::sqlite::synchronous_mode;
    switch (s) {
        case synchronous_mode::off: return "PRAGMA synchronous = OFF";
        case synchronous_mode::normal: return "PRAGMA synchronous = NORMAL";
        case synchronous_mode::full: return "PRAGMA synchronous = FULL";
        case synchronous_mode::extra: return "PRAGMA synchronous = EXTRA";
        case synchronous_mode::unchanged: break;
    }
    return {};
}

ALCHEMY_INLINE void sqlite_connection::setup(const std::string& sql, const std::string& filename,
                                            std::chrono::milliseconds busy_retry) {
    const auto deadline = std::chrono::steady_clock::now() + busy_retry;
    sqlite3_stmt* stmt = nullptr;
    int rc = SQLITE_OK;
    for (;;) {
        rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
        if (rc == SQLITE_OK) {
            while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            }
            if (rc == SQLITE_DONE) rc = SQLITE_OK;
        }
        if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) break;
        sqlite3_finalize(stmt);
        stmt = nullptr;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (rc != SQLITE_OK) {
        const std::string message =
            fmt::format("{} (database '{}')", sqlite3_errmsg(db_), filename);
        const int code = sqlite3_extended_errcode(db_);
        sqlite3_finalize(stmt);
        dialect_.raise(code, message, sql, "", "");
    }
    sqlite3_finalize(stmt);
}

ALCHEMY_INLINE void sqlite_connection::check_isolation_level(std::optional<isolation_level> level) {
    if (level && *level != isolation_level::serializable && *level != isolation_level::read_uncommitted)
        throw ArgumentError(fmt::format("alchemy: SQLite has no isolation level {}; it offers SERIALIZABLE (its "
                                        "default) and READ UNCOMMITTED",
                                        to_string(*level)));
}

ALCHEMY_INLINE void sqlite_connection::set_isolation_level(std::optional<isolation_level> level) {
    check_isolation_level(level);
    const char* name = sqlite3_db_filename(db_, "main");
    setup(level == isolation_level::read_uncommitted ? "PRAGMA read_uncommitted = 1" : "PRAGMA read_uncommitted = 0",
          name ? name : "");
}

ALCHEMY_INLINE isolation_level sqlite_connection::get_isolation_level() {
    sqlite3_stmt* stmt = nullptr;
    bool uncommitted = false;
    if (sqlite3_prepare_v2(db_, "PRAGMA read_uncommitted", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        uncommitted = sqlite3_column_int(stmt, 0) != 0;
    sqlite3_finalize(stmt);
    return uncommitted ? isolation_level::read_uncommitted : isolation_level::serializable;
}

ALCHEMY_INLINE std::unique_ptr<driver_statement> sqlite_connection::prepare(std::string_view sql, bool persistent) {
    // SQLite reads the text only up to a NUL byte: whatever follows would be
    // dropped without a word, a second statement there included.
    if (const auto nul = sql.find('\0'); nul != std::string_view::npos)
        throw ArgumentError(fmt::format("alchemy: the SQL text contains a NUL byte at offset {}, and SQLite would "
                                        "ignore everything after it: '{}'",
                                        nul, sql.substr(0, nul)));
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, &tail);
    if (rc != SQLITE_OK) raise(rc, sql, "");
    auto stmt = std::make_unique<sqlite_statement>(raw);  // finalizes it on every path out
    if (!raw)
        throw ArgumentError(fmt::format("alchemy: the SQL text contains no statement: '{}'", sql));
    // Refuse a second statement: it would silently never run.
    const char* end = sql.data() + sql.size();
    while (tail && tail < end) {
        sqlite3_stmt* extra = nullptr;
        const char* next = nullptr;
        rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &extra, &next);
        const bool found = extra != nullptr;
        sqlite3_finalize(extra);
        if (rc != SQLITE_OK || found)
            throw ProgrammingError(
                fmt::format("(sqlite3.ProgrammingError) You can only execute one statement at "
                            "a time.\n[SQL: {}]",
                            sql),
                std::string(sql), "", SQLITE_MISUSE, "You can only execute one statement at a time.");
        if (next == tail) break;
        tail = next;
    }
    return stmt;
}

// Reads the SQLite options out of engine_options::backend (the defaults when
// none are given; ArgumentError for another backend's) and checks them, so
// that create_engine, not the first connect(), reports a bad value.
ALCHEMY_INLINE alchemy::sqlite::options sqlite_driver::read_options(const alchemy::url& u,
                                                                   const engine_options& options) {
    auto o = options.backend.get<alchemy::sqlite::options>(u.dialect);
    sqlite_connection::check_isolation_level(options.isolation_level);
    if (o.busy_timeout.count() < 0 || o.busy_timeout.count() > std::numeric_limits<int>::max())
        throw ArgumentError(fmt::format("alchemy: sqlite::options.busy_timeout must be between 0 and {} ms, not {} ms",
                                        std::numeric_limits<int>::max(), o.busy_timeout.count()));
    return o;
}

ALCHEMY_INLINE sqlite_driver::sqlite_driver(const alchemy::url& u, const engine_options& options)
    : sqlite_driver(read_options(u, options), options.statement_cache_size, u) {}

ALCHEMY_INLINE sqlite_driver::sqlite_driver(alchemy::sqlite::options o, std::size_t statement_cache_size,
                                            const alchemy::url& u)
    : dialect_(o.begin) {
    config_.options = std::move(o);
    config_.statement_cache_size = statement_cache_size;
    if (u.is_memory()) {
        // One in-memory database shared by every connection of this engine:
        // SQLite's memdb VFS shares a database among the connections of a
        // process that open the same name starting with '/'. It lives while
        // one connection is open, so the driver holds one for its lifetime.
        static std::atomic<unsigned long long> counter{0};
        config_.filename =
            fmt::format("file:/alchemy-memory-{}-{}?vfs=memdb", static_cast<const void*>(this), ++counter);
        config_.memory = true;
        anchor_ = std::make_shared<sqlite_connection>(config_, dialect_);
    } else {
        config_.filename = u.database;
    }
}

}  // namespace alchemy::detail
