// alchemy/log.hpp — what reached the database, as a stream of events.
//
// An engine reports every event, in order, to its log sink (and prints it when
// `echo` is on): transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT,
// RELEASE, ROLLBACK TO) and each statement with its bound parameters; a
// batched statement (one statement executed for many parameter rows) is one
// event carrying every row. Connection set-up pragmas are not reported.
// Events are built only when a sink or echo is set, so logging costs nothing
// when it is off.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/types.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace alchemy {

/// What a log event reports.
enum class log_kind {
    begin,             ///< BEGIN of a transaction (also the implicit one)
    commit,            ///< COMMIT
    rollback,          ///< ROLLBACK
    savepoint,         ///< SAVEPOINT name
    release,           ///< RELEASE SAVEPOINT name
    rollback_to,       ///< ROLLBACK TO SAVEPOINT name
    statement,         ///< a statement executed once
    batch,             ///< a statement executed once per parameter row
};

constexpr std::string_view to_string(log_kind k) noexcept {
    switch (k) {
        case log_kind::begin: return "begin";
        case log_kind::commit: return "commit";
        case log_kind::rollback: return "rollback";
        case log_kind::savepoint: return "savepoint";
        case log_kind::release: return "release";
        case log_kind::rollback_to: return "rollback_to";
        case log_kind::statement: return "statement";
        case log_kind::batch: return "batch";
    }
    return "?";
}

/// One event. For `statement`, `parameters` holds one row; for `batch`, one
/// row per execution; for transaction control it is empty.
struct log_event {
    log_kind kind;
    std::string sql;
    std::vector<std::vector<value>> parameters;
    /// A `rollback` that the database did by itself after a failed statement
    /// or COMMIT (a full disk, an I/O error ...): no ROLLBACK was sent, the
    /// transaction is gone all the same.
    bool implicit = false;
};

/// Receives every event of an engine, in order. Called on the thread that
/// executes the statement; a sink shared by threads must be thread-safe.
using log_sink = std::function<void(const log_event&)>;

/// The echo format: the SQL on one line, then `[parameters: (...)]` (one
/// line per row of a batch) when there are any; an implicit rollback reads
/// `ROLLBACK [implicit: by the database, after an error]`.
std::string format_event(const log_event& e);

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/impl/log.ipp>
#endif
