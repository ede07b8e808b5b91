// alchemy/postgresql/driver.hpp — the PostgreSQL backend of
// detail/driver/driver.hpp, over libpq: a connection (PGconn, transaction
// state), its prepared statements and their binder, and the driver that opens
// connections for an engine.
//
// Statements are prepared on the server (PQprepare, named alchemy_<n>) and
// described once, so the columns are known before the first row, as with
// SQLite; the cache in driver_connection keeps them, and a statement the
// cache drops is deallocated on the server. Parameters are sent as text with
// their type left to the server (a BLOB in binary, as bytea), results come
// back as text and are read by column type: booleans and integers as
// integers, floating-point and numeric as reals (a numeric without a fraction
// that fits as an integer), bytea as a blob, everything else as text.
//
// SQL text that spells parameters as SQLite does (? and :name) is rewritten
// to PostgreSQL's $1, $2 ... before it is prepared, outside string literals,
// quoted identifiers, dollar quotes and comments (a "::" cast is left alone).
// Text that already uses $n is sent as written; mixing both is an error.
//
// Inside a transaction, the executor sends a batch's executions in pipeline
// mode (driver_statement::send/receive): pg_connection::pipeline_depth of
// them sent ahead of their results, one round trip for each such run instead
// of one per execution.
//
// Nothing here is thread-safe: a connection is used by one thread at a time.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/driver.hpp>
#include <alchemy/detail/driver/logger.hpp>
#include <alchemy/engine_options.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/postgresql/dialect.hpp>
#include <alchemy/types.hpp>
#include <alchemy/url.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libpq-fe.h>

namespace alchemy::detail {

/// SQL text with PostgreSQL's $n placeholders, and the name of each
/// parameter (":name" for one written :name, empty for ? or $n).
struct pg_sql {
    std::string text;
    std::vector<std::string> names;
    int parameter_count = 0;
    /// Whether anything but whitespace, ';' and comments is left: the server
    /// takes an empty statement without complaint and does nothing.
    bool has_statement = false;
};

/// Rewrites ? and :name to $n (see the top of this file). Throws
/// ArgumentError for text that mixes them with $n.
pg_sql rewrite_placeholders(std::string_view sql);

// Holds the parameters of one execution as libpq wants them: text, or binary
// for a blob; a null pointer for NULL.
class pg_binder final : public statement_binder {
public:
    explicit pg_binder(const std::vector<std::string>& names) : names_(names) {}

    pg_binder& rewind() noexcept {
        index_ = 0;
        error_ = 0;
        return *this;
    }

    void bind_null() override {
        if (auto* slot = next()) slot->null = true;
    }
    ALCHEMY_INLINE void bind_integer(std::int64_t v) override;
    ALCHEMY_INLINE void bind_real(double v) override;
    using binder::bind_text;
    ALCHEMY_INLINE void bind_text(std::string_view v) override;
    ALCHEMY_INLINE void bind_blob(std::span<const std::byte> v) override;

    ALCHEMY_INLINE bool seek(std::string_view name) override;
    int bound() const noexcept override { return index_; }
    int error() const noexcept override { return error_; }

    // The arrays PQexecPrepared reads.
    struct arrays {
        std::vector<const char*> values;
        std::vector<int> lengths;
        std::vector<int> formats;
    };
    const arrays& for_libpq();

private:
    struct parameter {
        std::string data;
        bool null = true;
        bool binary = false;
    };
    void bind_copied_text(std::string_view v) override { bind_text(v); }
    parameter* next();

    const std::vector<std::string>& names_;
    std::vector<parameter> parameters_ = std::vector<parameter>(names_.size());
    arrays arrays_;
    int index_ = 0;
    int error_ = 0;
};

class pg_connection;

// One prepared statement and, once it ran, its result.
class pg_statement final : public driver_statement {
public:
    pg_statement(pg_connection& conn, std::string name, std::string original_sql, pg_sql sql, PGresult* description);
    pg_statement(const pg_statement&) = delete;
    pg_statement& operator=(const pg_statement&) = delete;
    ALCHEMY_INLINE ~pg_statement() override;

    int parameter_count() const noexcept override { return sql_.parameter_count; }
    std::string parameter_name(int index) const override {
        return index >= 1 && index <= sql_.parameter_count ? sql_.names[static_cast<std::size_t>(index - 1)]
                                                           : std::string();
    }
    statement_binder& binder(bool) noexcept override { return binder_.rewind(); }

    ALCHEMY_INLINE step_status step() noexcept override;
    int error_code() const noexcept override { return error_code_; }
    ALCHEMY_INLINE void reset() noexcept override;

    std::size_t column_count() const noexcept override { return column_names_.size(); }
    std::string_view column_name(std::size_t i) const override { return column_names_[i]; }
    ALCHEMY_INLINE column_value column(std::size_t i) const noexcept override;
    std::string_view sql() const noexcept override { return original_sql_; }

    // Pipeline mode: see pg_connection::pipeline_send.
    ALCHEMY_INLINE std::size_t pipeline_depth() const noexcept override;
    ALCHEMY_INLINE bool send() noexcept override;
    ALCHEMY_INLINE bool receive() noexcept override;
    ALCHEMY_INLINE void end_pipeline() noexcept override;

private:
    // Takes the result of an execution (PQexecPrepared's or the pipeline's):
    // its rows and changes, or its error. False for an error.
    bool take_result(PGresult* result) noexcept;

    pg_connection& conn_;
    std::string name_;
    std::string original_sql_;
    pg_sql sql_;
    pg_binder binder_{sql_.names};
    std::vector<std::string> column_names_;
    std::vector<unsigned> column_types_;  // type OIDs
    PGresult* result_ = nullptr;
    int row_ = -1;
    int rows_ = 0;
    bool executed_ = false;
    int error_code_ = 0;
    mutable std::vector<std::vector<std::byte>> blobs_;  // decoded bytea of the current row
};

// How a connection is opened: libpq's keywords and values.
struct pg_connect_config {
    std::vector<std::string> keywords;
    std::vector<std::string> values;
    std::string where;  // "host 'h', port 5432, database 'd'" for messages
    std::size_t statement_cache_size = 128;
};

class pg_connection final : public driver_connection {
public:
    pg_connection(const pg_connect_config& config, const postgresql_dialect& dialect, const logger* log);
    ALCHEMY_INLINE ~pg_connection() override;

    PGconn* handle() const noexcept { return conn_; }

    void* native_handle() const noexcept override { return conn_; }
    std::int64_t changes() const noexcept override { return changes_; }
    std::int64_t total_changes() const noexcept override { return total_changes_; }
    // Keys come back through RETURNING (key_fetch::returning).
    std::int64_t last_insert_id() const noexcept override { return 0; }

    [[noreturn]] ALCHEMY_INLINE void raise(int code, std::string_view sql, std::string_view params,
                            statement_role role = statement_role::ordinary) override;
    ALCHEMY_INLINE void follow_statement() noexcept override;
    ALCHEMY_INLINE bool database_in_transaction() const noexcept override;
    // libpq marks the connection bad once a call finds the server gone.
    bool lost() const noexcept override { return !conn_ || broken_ || PQstatus(conn_) == CONNECTION_BAD; }
    // An empty query: one round trip, nothing run.
    ALCHEMY_INLINE bool ping() noexcept override;
    // SET SESSION CHARACTERISTICS: the default of every later transaction.
    ALCHEMY_INLINE void set_isolation_level(std::optional<isolation_level> level) override;
    ALCHEMY_INLINE isolation_level get_isolation_level() override;

    // Called by statements.
    void record_error(const PGresult* result);
    void record_changes(std::int64_t n) noexcept {
        changes_ = n;
        total_changes_ += n;
    }
    bool closing() const noexcept { return closing_; }

    // Pipeline mode (libpq 14+): executions are sent without waiting for
    // their results, which come back in the order sent; one Sync ends each
    // run of sends, and the connection leaves pipeline mode once every result
    // up to it was read, so that everything else (PQexec, PQprepare) runs as
    // before. Used only inside a transaction (driver_statement::send).
    static constexpr std::size_t pipeline_depth = 512;
    bool pipeline_send(const std::string& name, int count, const pg_binder::arrays& a) noexcept;
    // The next result sent; null (the error recorded) if none came.
    PGresult* pipeline_receive() noexcept;
    void pipeline_end() noexcept;

protected:
    // Runs a command of the connection's own (not logged, no parameters),
    // raising its error.
    std::string command(const std::string& sql);

    ALCHEMY_INLINE std::unique_ptr<driver_statement> prepare(std::string_view sql, bool persistent) override;

private:
    PGconn* conn_ = nullptr;
    const postgresql_dialect& dialect_;
    const logger* log_;
    // The server's last error, recorded by the call that failed and taken by raise().
    std::string error_message_;
    error_diagnostics error_diagnostics_;
    int error_code_ = 0;
    bool server_error_pending_ = false;
    std::int64_t changes_ = 0;
    std::int64_t total_changes_ = 0;
    std::uint64_t statement_counter_ = 0;
    bool closing_ = false;
    std::size_t pipeline_sent_ = 0;  // executions sent whose results were not read
    bool pipeline_synced_ = false;   // the Sync after them is sent
    bool broken_ = false;            // the protocol state is unknown: never hand the connection out again
};

/// The PostgreSQL backend of one engine.
class pg_driver final : public driver {
public:
    pg_driver(const alchemy::url& u, const engine_options& options);
    const alchemy::dialect& dialect() const noexcept override { return dialect_; }
    std::shared_ptr<driver_connection> connect(const logger& log) override {
        return std::make_shared<pg_connection>(config_, dialect_, &log);
    }
    static std::unique_ptr<driver> make(const alchemy::url& u, const engine_options& options) {
        return std::make_unique<pg_driver>(u, options);
    }

private:
    postgresql_dialect dialect_;
    pg_connect_config config_;
};

}  // namespace alchemy::detail

#if ALCHEMY_POSTGRESQL_INCLUDE_DEFINITIONS
#include <alchemy/postgresql/impl/driver.ipp>
#endif
