// alchemy/detail/driver/execute.hpp — running statements on one checked-out connection:
// implicit BEGIN, parameter binding, logging and error reporting. Shared by
// `connection` and `transaction`.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/driver.hpp>
#include <alchemy/detail/driver/engine_state.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/log.hpp>
#include <alchemy/parameters.hpp>
#include <alchemy/result.hpp>
#include <alchemy/types.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

template <class>
inline constexpr bool always_false = false;

// Holds a statement lease and gives it back on every path out.
class lease_guard {
public:
    lease_guard(driver_connection& conn, std::string_view sql) : conn_(conn), slot_(conn.acquire(sql)) {}
    lease_guard(const lease_guard&) = delete;
    lease_guard& operator=(const lease_guard&) = delete;
    ~lease_guard() {
        if (slot_) conn_.release(*slot_);
    }
    driver_statement& stmt() const noexcept { return *slot_->stmt; }
    std::shared_ptr<statement_slot> take() noexcept { return std::move(slot_); }

private:
    driver_connection& conn_;
    std::shared_ptr<statement_slot> slot_;
};

/// Runs a transaction-control statement (BEGIN, COMMIT, SAVEPOINT ...).
void run_control(engine_state& engine, driver_connection& conn, log_kind kind, const std::string& sql,
                 statement_role role = statement_role::ordinary);

/// PendingRollbackError when the database rolled the transaction back by
/// itself and rollback() has not acknowledged it yet; `what` is the refused call.
void check_not_rolled_back(const driver_connection& conn, std::string_view what);

/// BEGIN; PendingRollbackError while a transaction the database rolled back
/// waits for rollback().
void begin(engine_state& engine, driver_connection& conn);

/// Before a statement: begins the transaction when none is open (unless
/// autocommit), and refuses to run anything while a transaction the database
/// rolled back waits for rollback().
inline void enter_transaction(engine_state& engine, driver_connection& conn) {
    if (conn.in_transaction) return;
    if (conn.rolled_back_by_database) check_not_rolled_back(conn, "execute a statement");
    if (!conn.autocommit) begin(engine, conn);
}

void commit(engine_state& engine, driver_connection& conn);

void rollback(engine_state& engine, driver_connection& conn);

/// Opens a savepoint (beginning the transaction first if needed); returns its id.
std::uint64_t begin_savepoint(engine_state& engine, driver_connection& conn);

inline std::size_t find_savepoint(const driver_connection& conn, std::uint64_t id) {
    for (std::size_t i = 0; i < conn.savepoints.size(); ++i)
        if (conn.savepoints[i].id == id) return i;
    return conn.savepoints.size();
}

/// RELEASE (commit == true) or ROLLBACK TO + RELEASE the savepoint `id` and
/// every savepoint opened inside it.
void end_savepoint(engine_state& engine, driver_connection& conn, std::uint64_t id, bool commit);

template <class... A>
std::vector<value> record_parameters(const A&... args) {
    std::vector<value> out;
    if constexpr (sizeof...(A) > 0) {
        out.reserve(sizeof...(A));
        value_recorder recorder(out);
        const auto record = [&](const auto& arg) {
            using P = std::decay_t<decltype(arg)>;
            if constexpr (is_named_parameter_v<P>)
                type_traits<std::decay_t<decltype(arg.value)>>::bind(recorder, arg.value);
            else
                type_traits<parameter_type<P>>::bind(recorder, arg);
        };
        try {
            (record(args), ...);
        } catch (const Error&) {
            // An unbindable value (NaN, too large): the caller reports it itself.
        }
    }
    return out;
}

template <class... A>
std::string format_parameters(const A&... args) {
    if constexpr (sizeof...(A) == 0) return {};
    else return format_values(record_parameters(args...));
}

template <class P>
struct bindable : std::bool_constant<sql_parameter<parameter_type<P>>> {};
template <class T>
struct bindable<named_parameter<T>> : std::bool_constant<sql_parameter<T>> {};

template <class P>
consteval void check_parameter_type() {
    if constexpr (is_named_parameter_v<P>) {
        check_parameter_type<std::decay_t<decltype(std::declval<P>().value)>>();
    } else if constexpr (!sql_parameter<parameter_type<P>>) {
        static_assert(always_false<P>,
                      "alchemy: unsupported parameter type: it is not a SQL value; pass a bool, an "
                      "integer, a floating point number, text, a BLOB (std::vector<std::byte>), an "
                      "enum, std::optional of one of these, or specialise alchemy::type_traits<T> "
                      "for your type (see alchemy/types.hpp)");
    }
}

// A statement's parameters do not fit it (count, names): ProgrammingError,
// worded like SQLite's own.
[[noreturn]] void raise_programming_error(std::string_view sql, const std::string& params, const std::string& why);

std::string wrong_count(int expected, std::size_t given);

// Binds positional or named arguments into `stmt`; throws ProgrammingError
// for a wrong count or an unknown or missing name.
template <class... A>
void bind_parameters(driver_connection& conn, driver_statement& stmt, bool copy, std::string_view sql,
                     const A&... args) {
    constexpr std::size_t named = (std::size_t{0} + ... + (is_named_parameter_v<A> ? 1 : 0));
    static_assert(named == 0 || named == sizeof...(A),
                  "alchemy: do not mix positional and named parameters in one statement");
    const int expected = stmt.parameter_count();
    const auto fail = [&](const std::string& why) { raise_programming_error(sql, format_parameters(args...), why); };
    if (static_cast<std::size_t>(expected) != sizeof...(A)) fail(wrong_count(expected, sizeof...(A)));
    auto& binder = stmt.binder(copy);
    std::size_t position = 0;
    // Which parameters got a value: two names can find the same one.
    std::vector<bool> bound(named > 0 ? static_cast<std::size_t>(expected) + 1 : 0);
    const auto bind_one = [&](const auto& arg) {
        ++position;
        using P = std::decay_t<decltype(arg)>;
        try {
            if constexpr (is_named_parameter_v<P>) {
                if (!binder.seek(arg.name))
                    fail(fmt::format("the statement has no parameter named ':{}'", arg.name));
                type_traits<std::decay_t<decltype(arg.value)>>::bind(binder, arg.value);
                bound[static_cast<std::size_t>(binder.bound())] = true;
            } else {
                type_traits<parameter_type<P>>::bind(binder, arg);
            }
        } catch (const ConversionError& e) {
            throw ConversionError(
                fmt::format("alchemy: parameter {} cannot be bound: {} [SQL: {}]", position, e.what(), sql));
        }
    };
    (bind_one(args), ...);
    (void)bind_one;
    if constexpr (named > 0) {
        // Each name found and all distinct means every parameter is bound.
        for (int i = 1; i <= expected; ++i) {
            if (bound[static_cast<std::size_t>(i)]) continue;
            const auto name = stmt.parameter_name(i);
            fail(fmt::format("no value was given for parameter '{}'", name.empty() ? fmt::format("?{}", i) : name));
        }
    }
    if (binder.error() != 0) conn.raise(binder.error(), sql, format_parameters(args...));
}

/// The core of every execution: begins a transaction when none is open
/// (unless autocommit), prepares (or reuses) the statement, lets `bind(stmt,
/// copy)` bind the parameters, logs, steps once and returns the result
/// positioned on the first row. `record()` gives the parameters as values, for
/// the log and for error messages; it is only called when one of them needs it.
template <class Bind, class Record>
result execute_with(engine_state& engine, driver_connection& conn, std::string_view sql, Bind&& bind,
                    Record&& record) {
    enter_transaction(engine, conn);
    std::optional<lease_guard> lease;
    try {
        lease.emplace(conn, sql);
    } catch (const DBAPIError& e) {
        // Compile errors ("no such table") name the parameters too.
        const auto values = record();
        engine.dialect.raise(e.code(), e.driver_message(), sql, values.empty() ? std::string() : format_values(values), "");
    }
    auto& stmt = lease->stmt();
    // Rows are read after this call returns, so their parameters must be copied.
    const bool returns_rows = stmt.column_count() > 0;
    bind(stmt, returns_rows);
    if (engine.log.active()) {
        log_event event{log_kind::statement, std::string(sql), {}};
        if (auto values = record(); !values.empty()) event.parameters.push_back(std::move(values));
        engine.log.emit(event);
    }
    // A driver may keep the count of the last INSERT/UPDATE/DELETE through
    // every other statement (SQLite does); only report it if this one changed rows.
    const auto changes_before = conn.total_changes();
    const auto status = stmt.step();
    if (status == step_status::row) {
        conn.follow_statement();
        return result(lease->take(), 0, 0);
    }
    if (status == step_status::failed) {
        const auto values = record();
        conn.raise(stmt.error_code(), sql, values.empty() ? std::string() : format_values(values));
    }
    conn.follow_statement();
    const bool changed = conn.total_changes() != changes_before;
    return result(nullptr, changed ? conn.changes() : 0, conn.last_insert_id());
}

/// Executes one statement with typed parameters (positional or named).
template <class... A>
result execute(engine_state& engine, driver_connection& conn, std::string_view sql, const A&... args) {
    if constexpr (!(bindable<A>::value && ...)) {
        // One readable error, and nothing else instantiated after it.
        (check_parameter_type<A>(), ...);
        return result();
    } else {
        return execute_with(
            engine, conn, sql,
            [&](driver_statement& stmt, bool copy) { bind_parameters(conn, stmt, copy, sql, args...); },
            [&] { return record_parameters(args...); });
    }
}

// Checks that a statement takes `given` parameters.
inline void check_parameter_count(const driver_statement& stmt, std::size_t given, std::string_view sql,
                                  std::span<const value> values) {
    const int expected = stmt.parameter_count();
    if (static_cast<std::size_t>(expected) != given)
        raise_programming_error(sql, format_values(values), wrong_count(expected, given));
}

inline void bind_values(driver_connection& conn, driver_statement& stmt, bool copy, std::string_view sql,
                        std::span<const value> values) {
    check_parameter_count(stmt, values.size(), sql, values);
    auto& binder = stmt.binder(copy);
    for (std::size_t i = 0; i < values.size(); ++i) {
        try {
            type_traits<value>::bind(binder, values[i]);
        } catch (const ConversionError& e) {
            throw ConversionError(
                fmt::format("alchemy: parameter {} cannot be bound: {} [SQL: {}]", i + 1, e.what(), sql));
        }
    }
    if (binder.error() != 0) conn.raise(binder.error(), sql, format_values(values));
}

/// Binds through a callback and checks the count afterwards.
template <class Bind, class Record>
void bind_with(driver_connection& conn, driver_statement& stmt, bool copy, std::string_view sql, Bind&& bind,
               Record&& record) {
    auto& binder = stmt.binder(copy);
    bind(static_cast<alchemy::binder&>(binder));
    if (binder.bound() != stmt.parameter_count()) {
        const auto values = record();
        check_parameter_count(stmt, static_cast<std::size_t>(binder.bound()), sql, values);
    }
    if (binder.error() != 0) conn.raise(binder.error(), sql, format_values(record()));
}

/// Executes one statement with positional parameters given as values.
result execute_values(engine_state& engine, driver_connection& conn, std::string_view sql,
                      std::span<const value> values);

// Begins the transaction if needed and leases the statement for a run of
// rows; a compile error ("no such table") names the first row's parameters.
template <class RecordRow>
lease_guard lease_for_rows(engine_state& engine, driver_connection& conn, std::string_view sql, RecordRow& record_row) {
    enter_transaction(engine, conn);
    try {
        return lease_guard(conn, sql);
    } catch (const DBAPIError& e) {
        engine.dialect.raise(e.code(), e.driver_message(), sql, format_values(record_row(0)), "");
    }
    throw;  // not reached (raise() throws), but GCC does not apply [[noreturn]] to virtual calls
}

// Steps a statement whose rows nobody reads to its end: done or failed.
inline step_status run_to_end(driver_statement& stmt) noexcept {
    auto status = stmt.step();
    while (status == step_status::row) status = stmt.step();
    return status;
}

// Whether a run of `rows` executions goes through the statement's pipeline:
// more than one, a driver that pipelines, and inside a transaction (see
// driver_statement's pipelining).
inline bool pipelines(const driver_connection& conn, const driver_statement& stmt, std::size_t rows) noexcept {
    return rows > 1 && conn.in_transaction && stmt.pipeline_depth() > 0;
}

// Ends a pipeline on every path out of a run (a bind that throws included).
class pipeline_guard {
public:
    explicit pipeline_guard(driver_statement& stmt) noexcept : stmt_(stmt) {}
    pipeline_guard(const pipeline_guard&) = delete;
    pipeline_guard& operator=(const pipeline_guard&) = delete;
    ~pipeline_guard() { stmt_.end_pipeline(); }

private:
    driver_statement& stmt_;
};

/// Runs rows [0, rows) through the statement's pipeline, pipeline_depth()
/// executions sent ahead of their results at a time: `bind_row(i)` binds row
/// i, `received(i)` follows its result (the statement steps through its
/// rows), `failed(i)` throws for row i. Results come back in the order sent,
/// so row i's result is row i's, whatever the database does.
template <class BindRow, class Received, class Failed>
void run_pipelined(driver_statement& stmt, std::size_t rows, BindRow&& bind_row, Received&& received,
                   Failed&& failed) {
    pipeline_guard guard(stmt);
    const std::size_t depth = stmt.pipeline_depth();
    for (std::size_t first = 0; first < rows; first += depth) {
        const std::size_t last = std::min(rows, first + depth);
        for (std::size_t i = first; i < last; ++i) {
            bind_row(i);
            if (!stmt.send()) {
                stmt.end_pipeline();  // the transaction's real state, before the error is raised
                failed(i);
            }
        }
        for (std::size_t i = first; i < last; ++i) {
            if (!stmt.receive()) {
                stmt.end_pipeline();
                failed(i);
            }
            received(i);
            stmt.reset();
        }
    }
}

/// Executes one statement once per parameter row (SQLAlchemy's executemany),
/// through one prepared statement; logged as one `batch` event listing every
/// row. Stops at the first failing row, whose parameters the error names.
/// Returns the total number of rows changed. `bind_row(i, stmt)` binds row i;
/// `record_row(i)` gives it as values. Inside a transaction, a driver that
/// pipelines gets statements that return no rows pipelined (one round trip
/// per pipeline_depth() rows); a statement with result columns runs row by
/// row, so that no more than one row's results are ever held.
template <class BindRow, class RecordRow>
std::int64_t execute_many_with(engine_state& engine, driver_connection& conn, std::string_view sql, std::size_t rows,
                               BindRow&& bind_row, RecordRow&& record_row) {
    if (rows == 0) return 0;
    auto lease = lease_for_rows(engine, conn, sql, record_row);
    auto& stmt = lease.stmt();
    if (engine.log.active()) {
        log_event event{log_kind::batch, std::string(sql), {}};
        event.parameters.reserve(rows);
        for (std::size_t i = 0; i < rows; ++i) event.parameters.push_back(record_row(i));
        engine.log.emit(event);
    }
    std::int64_t changed = 0;
    const auto fail = [&](std::size_t i) { conn.raise(stmt.error_code(), sql, format_values(record_row(i))); };
    if (pipelines(conn, stmt, rows) && stmt.column_count() == 0) {
        run_pipelined(
            stmt, rows, [&](std::size_t i) { bind_row(i, stmt); },
            [&](std::size_t) {
                run_to_end(stmt);
                changed += conn.changes();
            },
            fail);
        return changed;
    }
    for (std::size_t i = 0; i < rows; ++i) {
        bind_row(i, stmt);
        if (run_to_end(stmt) == step_status::failed) fail(i);
        changed += conn.changes();
        stmt.reset();
    }
    return changed;
}

/// Executes one statement once per row, each logged as its own `statement`
/// event (as execute_with logs it), through one lease of the prepared
/// statement; after row i has run, `done(i, generated key)`: the integer an
/// INSERT ... RETURNING gave back, else the driver's last insert id. For INSERTs
/// whose generated keys are read back row by row: one statement-cache lookup
/// for the run instead of one per row, and inside a transaction pipelined
/// when the driver can (each row's key is then its own result's, in order).
template <class BindRow, class RecordRow, class Done>
void execute_each_with(engine_state& engine, driver_connection& conn, std::string_view sql, std::size_t rows,
                       BindRow&& bind_row, RecordRow&& record_row, Done&& done) {
    if (rows == 0) return;
    auto lease = lease_for_rows(engine, conn, sql, record_row);
    auto& stmt = lease.stmt();
    const auto log = [&](std::size_t i) {
        if (!engine.log.active()) return;
        log_event event{log_kind::statement, std::string(sql), {}};
        if (auto values = record_row(i); !values.empty()) event.parameters.push_back(std::move(values));
        engine.log.emit(event);
    };
    const auto fail = [&](std::size_t i) {
        const auto values = record_row(i);
        conn.raise(stmt.error_code(), sql, values.empty() ? std::string() : format_values(values));
    };
    // The generated key: the first column of the row an INSERT ... RETURNING
    // gave back (key_fetch::returning), else what the driver knows of the
    // last insert (key_fetch::last_insert_rowid). `status` is the first step's.
    const auto finish_row = [&](std::size_t i, step_status status) {
        std::optional<std::int64_t> returned;
        if (status == step_status::row) {
            if (const auto key = stmt.column(0); key.type() == sql_type::integer) returned = key.as_integer();
            status = run_to_end(stmt);
        }
        if (status == step_status::failed) fail(i);
        done(i, returned ? *returned : conn.last_insert_id());
    };
    if (pipelines(conn, stmt, rows)) {
        // Each row is logged when its result is read: the log lists what the
        // database ran, up to the row that failed, as it does row by row.
        run_pipelined(
            stmt, rows, [&](std::size_t i) { bind_row(i, stmt); },
            [&](std::size_t i) {
                log(i);
                finish_row(i, stmt.step());
            },
            [&](std::size_t i) {
                log(i);
                fail(i);
            });
        return;
    }
    for (std::size_t i = 0; i < rows; ++i) {
        bind_row(i, stmt);
        log(i);
        finish_row(i, stmt.step());
        stmt.reset();
    }
}

/// execute_many with rows of values.
std::int64_t execute_many_values(engine_state& engine, driver_connection& conn, std::string_view sql,
                                 std::span<const std::vector<value>> rows);

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/driver/impl/execute.ipp>
#endif
