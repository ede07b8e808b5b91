// alchemy/sqlite/driver.hpp — the SQLite backend of detail/driver/driver.hpp:
// a connection (handle, transaction state), its prepared statements and
// their binder, and the driver that opens connections for an engine
// (an in-memory URL gives one database every connection shares).
//
// Nothing here is thread-safe: a connection is used by one thread at a time
// (the pool hands it from thread to thread, which SQLite's multi-thread mode allows).
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/driver.hpp>
#include <alchemy/detail/driver/logger.hpp>
#include <alchemy/engine_options.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/sqlite/dialect.hpp>
#include <alchemy/sqlite/options.hpp>
#include <alchemy/types.hpp>
#include <alchemy/url.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <sqlite3.h>

namespace alchemy::detail {

// Binds parameters into a prepared statement, one after another.
class sqlite_binder final : public statement_binder {
public:
    explicit sqlite_binder(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}

    // `copy` = SQLITE_TRANSIENT: the values may die before the statement is
    // done stepping (a query whose rows are read later); otherwise the caller
    // steps to completion while the values are alive and no copy is needed.
    sqlite_binder& rewind(bool copy) noexcept {
        destructor_ = copy ? SQLITE_TRANSIENT : SQLITE_STATIC;
        index_ = 0;
        error_ = SQLITE_OK;
        return *this;
    }

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

    bool seek(std::string_view name) override {
        // SQLite reads a parameter name up to its first NUL: "a\0b" would find :a.
        if (name.find('\0') != std::string_view::npos) return false;
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

    int bound() const noexcept override { return index_; }
    int error() const noexcept override { return error_; }

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
    sqlite3_destructor_type destructor_ = SQLITE_STATIC;
    int index_ = 0;
    int error_ = SQLITE_OK;
};

// Reads column i of the current row with one call into the statement
// (sqlite3_column_value) and then the value's own accessors, instead of two
// or three sqlite3_column_* calls that each take and release the connection's
// lock and check for errors. SQLite documents the unprotected value as not
// thread-safe; alchemy's connections are opened SQLITE_OPEN_NOMUTEX and used
// by one thread at a time, which is exactly what makes reading it safe here.
inline column_value read_sqlite_column(sqlite3_stmt* stmt, int i) noexcept {
    sqlite3_value* v = sqlite3_column_value(stmt, i);
    switch (sqlite3_value_type(v)) {
        case SQLITE_INTEGER: return column_value::integer(sqlite3_value_int64(v));
        case SQLITE_FLOAT: return column_value::real(sqlite3_value_double(v));
        case SQLITE_TEXT: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
            const auto n = static_cast<std::size_t>(sqlite3_value_bytes(v));
            return column_value::text({p ? p : "", n});
        }
        case SQLITE_BLOB: {
            const auto* p = static_cast<const std::byte*>(sqlite3_value_blob(v));
            const auto n = static_cast<std::size_t>(sqlite3_value_bytes(v));
            return column_value::blob({p, p ? n : 0});
        }
        default: return column_value::null();
    }
}

// One prepared statement.
class sqlite_statement final : public driver_statement {
public:
    explicit sqlite_statement(sqlite3_stmt* stmt) noexcept : stmt_(stmt), binder_(stmt) {}
    sqlite_statement(const sqlite_statement&) = delete;
    sqlite_statement& operator=(const sqlite_statement&) = delete;
    ~sqlite_statement() override { sqlite3_finalize(stmt_); }

    int parameter_count() const noexcept override { return sqlite3_bind_parameter_count(stmt_); }
    std::string parameter_name(int index) const override {
        const char* name = sqlite3_bind_parameter_name(stmt_, index);
        return name ? name : "";
    }
    statement_binder& binder(bool copy) noexcept override { return binder_.rewind(copy); }

    step_status step() noexcept override {
        last_ = sqlite3_step(stmt_);
        if (last_ == SQLITE_ROW) return step_status::row;
        if (last_ == SQLITE_DONE) return step_status::done;
        return step_status::failed;
    }
    int error_code() const noexcept override { return last_; }
    void reset() noexcept override { sqlite3_reset(stmt_); }

    std::size_t column_count() const noexcept override {
        return static_cast<std::size_t>(sqlite3_column_count(stmt_));
    }
    std::string_view column_name(std::size_t i) const override {
        const char* n = sqlite3_column_name(stmt_, static_cast<int>(i));
        return n ? n : "";
    }
    column_value column(std::size_t i) const noexcept override {
        return read_sqlite_column(stmt_, static_cast<int>(i));
    }
    std::string_view sql() const noexcept override {
        const char* s = sqlite3_sql(stmt_);
        return s ? s : "";
    }

    sqlite3_stmt* handle() const noexcept { return stmt_; }

private:
    sqlite3_stmt* stmt_;
    sqlite_binder binder_;
    int last_ = SQLITE_OK;
};

// How a connection is opened.
struct connect_config {
    std::string filename;   // path, or a memdb URI for an in-memory database
    bool memory = false;    // filename is a shared memdb URI
    alchemy::sqlite::options options;
    std::size_t statement_cache_size = 0;
};

class sqlite_connection final : public driver_connection {
public:
    /// `log` (the engine's, may be null) hears of rollbacks the database did by itself.
    sqlite_connection(const connect_config& config, const sqlite_dialect& dialect, const logger* log = nullptr);
    ALCHEMY_INLINE ~sqlite_connection() override;

    sqlite3* handle() const noexcept { return db_; }

    void* native_handle() const noexcept override { return db_; }
    std::int64_t changes() const noexcept override { return sqlite3_changes64(db_); }
    std::int64_t total_changes() const noexcept override { return sqlite3_total_changes64(db_); }
    std::int64_t last_insert_id() const noexcept override { return sqlite3_last_insert_rowid(db_); }

    /// After every failed step: settles the transaction state with SQLite
    /// (settle_after_error), then throws.
    [[noreturn]] ALCHEMY_INLINE void raise(int rc, std::string_view sql, std::string_view params,
                            statement_role role = statement_role::ordinary) override;

    void follow_statement() noexcept override {
        const bool open = sqlite3_get_autocommit(db_) == 0;
        if (open == in_transaction) return;
        in_transaction = open;
        savepoints.clear();
        if (open) transaction_id = ++next_id;
    }

    bool database_in_transaction() const noexcept override { return db_ && sqlite3_get_autocommit(db_) == 0; }

    // SERIALIZABLE is SQLite's own; READ UNCOMMITTED is PRAGMA
    // read_uncommitted (readers of a shared cache see uncommitted writes).
    ALCHEMY_INLINE void set_isolation_level(std::optional<isolation_level> level) override;
    ALCHEMY_INLINE isolation_level get_isolation_level() override;
    /// ArgumentError for a level SQLite does not offer (as SQLAlchemy's
    /// SQLite dialect: SERIALIZABLE and READ UNCOMMITTED).
    static void check_isolation_level(std::optional<isolation_level> level);

protected:
    ALCHEMY_INLINE std::unique_ptr<driver_statement> prepare(std::string_view sql, bool persistent) override;

private:
    // After a failed statement: SQLite rolls the whole transaction back by
    // itself after some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM,
    // SQLITE_INTERRUPT, ON CONFLICT ROLLBACK) and not after others (SQLITE_BUSY,
    // including a COMMIT that may be retried; a deferred foreign key at COMMIT).
    // Asks SQLite which happened, records it, reports an implicit rollback to
    // the log, and returns what the error message should tell the caller.
    std::string_view settle_after_error(const std::string& message, statement_role role);

    static std::string synchronous_sql(alchemy::sqlite::synchronous_mode s);

    // Runs a set-up statement, reporting failures with the database's name;
    // `busy_retry`: how long to run it again while SQLite answers SQLITE_BUSY
    // without waiting itself (see the constructor).
    void setup(const std::string& sql, const std::string& filename,
               std::chrono::milliseconds busy_retry = std::chrono::milliseconds{0});

    sqlite3* db_ = nullptr;
    const sqlite_dialect& dialect_;
    const logger* log_;
};

/// The SQLite backend of one engine.
class sqlite_driver final : public driver {
public:
    sqlite_driver(const alchemy::url& u, const engine_options& options);
    const alchemy::dialect& dialect() const noexcept override { return dialect_; }
    std::shared_ptr<driver_connection> connect(const logger& log) override {
        return std::make_shared<sqlite_connection>(config_, dialect_, &log);
    }
    static std::unique_ptr<driver> make(const alchemy::url& u, const engine_options& options) {
        return std::make_unique<sqlite_driver>(u, options);
    }

private:
    sqlite_driver(alchemy::sqlite::options o, std::size_t statement_cache_size, const alchemy::url& u);
    static alchemy::sqlite::options read_options(const alchemy::url& u, const engine_options& options);

    sqlite_dialect dialect_;
    connect_config config_;
    std::shared_ptr<sqlite_connection> anchor_;  // keeps an in-memory database alive
};

}  // namespace alchemy::detail

#if ALCHEMY_SQLITE_INCLUDE_DEFINITIONS
#include <alchemy/sqlite/impl/driver.ipp>
#endif
