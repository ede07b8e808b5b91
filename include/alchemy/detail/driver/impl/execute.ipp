// alchemy/detail/driver/impl/execute.ipp — definitions of detail/driver/execute.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/driver/execute.hpp>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE void run_control(engine_state& engine, driver_connection& conn, log_kind kind, const std::string& sql,
                                statement_role role) {
    if (engine.log.active()) engine.log.emit({kind, sql, {}});
    lease_guard lease(conn, sql);
    auto& stmt = lease.stmt();
    if (stmt.step() == step_status::failed) conn.raise(stmt.error_code(), sql, "", role);
}

ALCHEMY_INLINE void check_not_rolled_back(const driver_connection& conn, std::string_view what) {
    if (!conn.rolled_back_by_database) return;
    throw PendingRollbackError(fmt::format(
        "alchemy: cannot {}: the database rolled this connection's transaction back after an error ({}); "
        "call rollback() first, then run the transaction again",
        what, *conn.rolled_back_by_database));
}

ALCHEMY_INLINE void begin(engine_state& engine, driver_connection& conn) {
    check_not_rolled_back(conn, "begin a transaction");
    run_control(engine, conn, log_kind::begin, engine.dialect.begin_sql());
    conn.in_transaction = true;
    conn.transaction_id = ++conn.next_id;
    conn.savepoints.clear();
}

ALCHEMY_INLINE void commit(engine_state& engine, driver_connection& conn) {
    check_not_rolled_back(conn, "commit");
    if (!conn.in_transaction) return;
    // On failure raise() settles the state: the transaction is either gone
    // (rolled back by the database) or still open for another commit().
    run_control(engine, conn, log_kind::commit, engine.dialect.commit_sql(), statement_role::commit);
    conn.in_transaction = false;
    conn.savepoints.clear();
}

ALCHEMY_INLINE void rollback(engine_state& engine, driver_connection& conn) {
    conn.rolled_back_by_database.reset();  // acknowledged (its rollback event was logged when it happened)
    if (!conn.in_transaction) return;
    conn.in_transaction = false;
    conn.savepoints.clear();
    if (!conn.database_in_transaction()) {  // already gone: nothing to send
        if (engine.log.active()) {
            log_event event{log_kind::rollback, engine.dialect.rollback_sql(), {}};
            event.implicit = true;
            engine.log.emit(event);
        }
        return;
    }
    try {
        run_control(engine, conn, log_kind::rollback, engine.dialect.rollback_sql());
    } catch (...) {
        // ROLLBACK itself failed (an I/O error): whatever SQLite still holds
        // is what the connection must believe.
        if (conn.database_in_transaction()) conn.in_transaction = true;
        conn.rolled_back_by_database.reset();
        throw;
    }
}

ALCHEMY_INLINE std::uint64_t begin_savepoint(engine_state& engine, driver_connection& conn) {
    if (!conn.in_transaction) begin(engine, conn);
    const auto id = ++conn.next_id;
    std::string name = fmt::format("alchemy_savepoint_{}", id);
    run_control(engine, conn, log_kind::savepoint, engine.dialect.savepoint_sql(name));
    conn.savepoints.push_back({id, std::move(name)});
    return id;
}

ALCHEMY_INLINE void end_savepoint(engine_state& engine, driver_connection& conn, std::uint64_t id, bool commit) {
    const auto at = find_savepoint(conn, id);
    if (at == conn.savepoints.size()) return;
    const std::string name = conn.savepoints[at].name;
    conn.savepoints.resize(at);
    if (!commit) run_control(engine, conn, log_kind::rollback_to, engine.dialect.rollback_to_sql(name));
    run_control(engine, conn, log_kind::release, engine.dialect.release_sql(name));
}

ALCHEMY_INLINE void raise_programming_error(std::string_view sql, const std::string& params,
                                            const std::string& why) {
    throw ProgrammingError(
        fmt::format("(alchemy.ProgrammingError) {}\n[SQL: {}]\n[parameters: {}]", why, sql, params),
        std::string(sql), params, 0, why, "07001");  // code 0: found by alchemy, not by the driver
}

ALCHEMY_INLINE std::string wrong_count(int expected, std::size_t given) {
    return fmt::format(
        "Incorrect number of bindings supplied. The current statement uses {}, and there are {} supplied.",
        expected, given);
}

ALCHEMY_INLINE result execute_values(engine_state& engine, driver_connection& conn, std::string_view sql,
                                     std::span<const value> values) {
    return execute_with(
        engine, conn, sql, [&](driver_statement& stmt, bool copy) { bind_values(conn, stmt, copy, sql, values); },
        [&] { return std::vector<value>(values.begin(), values.end()); });
}

ALCHEMY_INLINE std::int64_t execute_many_values(engine_state& engine, driver_connection& conn, std::string_view sql,
                                                std::span<const std::vector<value>> rows) {
    return execute_many_with(
        engine, conn, sql, rows.size(),
        [&](std::size_t i, driver_statement& stmt) { bind_values(conn, stmt, false, sql, rows[i]); },
        [&](std::size_t i) { return rows[i]; });
}

}  // namespace alchemy::detail
