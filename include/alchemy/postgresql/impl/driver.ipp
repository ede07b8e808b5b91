// alchemy/postgresql/impl/driver.ipp — definitions of postgresql/driver.hpp's
// non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/postgresql/driver.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/core.h>

namespace alchemy::detail {

namespace pg_oid {  // the built-in types' OIDs (catalog/pg_type_d.h, fixed since PostgreSQL 7)
inline constexpr unsigned boolean = 16, bytea = 17, int8 = 20, int2 = 21, int4 = 23, oid = 26, float4 = 700,
                          float8 = 701, numeric = 1700;
}

inline bool pg_identifier_start(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
inline bool pg_identifier_char(char c) noexcept { return pg_identifier_start(c) || (c >= '0' && c <= '9'); }

// The server's text of an int2/int4/int8/oid: an optional '-' and decimal
// digits that fit (int8's least value included), so no checks are needed;
// under a third of std::from_chars's instructions (callgrind, the benchmark's
// W2), on every integer column read.
inline std::int64_t pg_parse_integer(const char* text, std::size_t size) noexcept {
    const bool negative = size > 0 && text[0] == '-';
    std::uint64_t magnitude = 0;  // unsigned: -9223372036854775808 wraps to itself, no overflow
    for (std::size_t k = negative ? 1 : 0; k < size; ++k)
        magnitude = magnitude * 10 + static_cast<std::uint64_t>(text[k] - '0');
    return static_cast<std::int64_t>(negative ? 0 - magnitude : magnitude);
}

// A float8 or numeric in PostgreSQL's text output (also Infinity, -Infinity, NaN).
inline double pg_parse_real(const char* text, std::size_t size) noexcept {
    double v = 0;
    std::from_chars(text, text + size, v);
    return v;
}

ALCHEMY_INLINE pg_sql rewrite_placeholders(std::string_view sql) {
    pg_sql out;
    out.text.reserve(sql.size() + 8);
    bool native = false, rewritten = false;
    int highest_native = 0;
    const auto n = sql.size();
    std::size_t i = 0;
    const auto copy_until = [&](std::size_t end) {
        out.text.append(sql.substr(i, end - i));
        i = end;
    };
    while (i < n) {
        const char c = sql[i];
        const bool comment = (c == '-' && i + 1 < n && sql[i + 1] == '-') || (c == '/' && i + 1 < n && sql[i + 1] == '*');
        if (!comment && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ';') out.has_statement = true;
        if (c == '\'' || c == '"') {  // 'literal' or "identifier"; a doubled quote stays inside
            std::size_t j = i + 1;
            // E'...' strings also take backslash escapes.
            const bool escapes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                                 (i < 2 || !pg_identifier_char(sql[i - 2]));
            while (j < n) {
                if (escapes && sql[j] == '\\') {
                    j += 2;
                    continue;
                }
                if (sql[j] == c) {
                    if (j + 1 < n && sql[j + 1] == c) {
                        j += 2;
                        continue;
                    }
                    break;
                }
                ++j;
            }
            copy_until(std::min(j + 1, n));
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {  // -- comment
            const auto end = sql.find('\n', i);
            copy_until(end == std::string_view::npos ? n : end);
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {  // /* comment */, nested as PostgreSQL does
            std::size_t j = i + 2;
            int depth = 1;
            while (j < n && depth > 0) {
                if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
                    ++depth;
                    j += 2;
                } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
                    --depth;
                    j += 2;
                } else {
                    ++j;
                }
            }
            copy_until(j);
        } else if (c == '$') {
            std::size_t j = i + 1;
            if (j < n && sql[j] >= '0' && sql[j] <= '9') {  // $n: a native parameter
                int number = 0;
                while (j < n && sql[j] >= '0' && sql[j] <= '9') number = number * 10 + (sql[j++] - '0');
                native = true;
                highest_native = std::max(highest_native, number);
                copy_until(j);
            } else if (i > 0 && pg_identifier_char(sql[i - 1])) {  // part of an identifier (a$b)
                copy_until(i + 1);
            } else {  // $tag$ ... $tag$, a dollar-quoted string
                while (j < n && pg_identifier_char(sql[j])) ++j;
                if (j < n && sql[j] == '$') {
                    const auto tag = sql.substr(i, j - i + 1);
                    const auto end = sql.find(tag, j + 1);
                    copy_until(end == std::string_view::npos ? n : end + tag.size());
                } else {
                    copy_until(i + 1);
                }
            }
        } else if (c == '?') {
            out.names.emplace_back();
            out.text += fmt::format("${}", out.names.size());
            rewritten = true;
            ++i;
        } else if (c == ':' && i + 1 < n && sql[i + 1] == ':') {  // a :: cast
            copy_until(i + 2);
        } else if (c == ':' && i + 1 < n && pg_identifier_start(sql[i + 1]) &&
                   (i == 0 || !pg_identifier_char(sql[i - 1]))) {
            std::size_t j = i + 1;
            while (j < n && pg_identifier_char(sql[j])) ++j;
            std::string name = ":" + std::string(sql.substr(i + 1, j - i - 1));
            const auto found = std::find(out.names.begin(), out.names.end(), name);
            std::size_t number = static_cast<std::size_t>(found - out.names.begin()) + 1;
            if (found == out.names.end()) out.names.push_back(std::move(name));
            out.text += fmt::format("${}", number);
            rewritten = true;
            i = j;
        } else {
            out.text += c;
            ++i;
        }
    }
    if (native && rewritten)
        throw ArgumentError(fmt::format("alchemy: the SQL text mixes PostgreSQL's $n parameters with ? or :name, "
                                        "which are rewritten to $n: use one style: '{}'",
                                        sql));
    if (native) out.names.assign(static_cast<std::size_t>(highest_native), std::string());
    out.parameter_count = static_cast<int>(out.names.size());
    return out;
}

// ---- pg_binder ------------------------------------------------------------------

ALCHEMY_INLINE pg_binder::parameter* pg_binder::next() {
    ++index_;
    if (index_ > static_cast<int>(parameters_.size())) {
        if (error_ == 0) error_ = postgresql_dialect::pack_sqlstate("07001");  // wrong number of parameters
        return nullptr;
    }
    auto& p = parameters_[static_cast<std::size_t>(index_ - 1)];
    p.null = false;
    p.binary = false;
    p.data.clear();
    return &p;
}

ALCHEMY_INLINE void pg_binder::bind_integer(std::int64_t v) {
    if (auto* p = next()) p->data = fmt::format("{}", v);
}

ALCHEMY_INLINE void pg_binder::bind_real(double v) {
    auto* p = next();
    if (!p) return;
    if (std::isinf(v)) p->data = v > 0 ? "Infinity" : "-Infinity";
    else if (std::isnan(v)) p->data = "NaN";
    else p->data = fmt::format("{}", v);  // the shortest text that reads back to v
}

ALCHEMY_INLINE void pg_binder::bind_text(std::string_view v) {
    auto* p = next();
    if (!p) return;
    // PostgreSQL's text cannot hold a NUL character (SQLSTATE 22021).
    if (v.find('\0') != std::string_view::npos && error_ == 0)
        error_ = postgresql_dialect::pack_sqlstate("22021");
    p->data.assign(v.data() ? v.data() : "", v.size());
}

ALCHEMY_INLINE void pg_binder::bind_blob(std::span<const std::byte> v) {
    auto* p = next();
    if (!p) return;
    p->data.assign(reinterpret_cast<const char*>(v.data()), v.size());
    p->binary = true;
}

ALCHEMY_INLINE bool pg_binder::seek(std::string_view name) {
    for (std::size_t i = 0; i < names_.size(); ++i) {
        if (names_[i].size() == name.size() + 1 && std::string_view(names_[i]).substr(1) == name) {
            index_ = static_cast<int>(i);
            return true;
        }
    }
    return false;
}

ALCHEMY_INLINE const pg_binder::arrays& pg_binder::for_libpq() {
    const auto count = parameters_.size();
    arrays_.values.resize(count);
    arrays_.lengths.resize(count);
    arrays_.formats.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto& p = parameters_[i];
        arrays_.values[i] = p.null ? nullptr : p.data.data();
        arrays_.lengths[i] = static_cast<int>(p.data.size());
        arrays_.formats[i] = p.binary ? 1 : 0;
    }
    return arrays_;
}

// ---- pg_statement ------------------------------------------------------------------

ALCHEMY_INLINE pg_statement::pg_statement(pg_connection& conn, std::string name, std::string original_sql,
                                          pg_sql sql, PGresult* description)
    : conn_(conn), name_(std::move(name)), original_sql_(std::move(original_sql)), sql_(std::move(sql)) {
    const int fields = PQnfields(description);
    column_names_.reserve(static_cast<std::size_t>(fields));
    column_types_.reserve(static_cast<std::size_t>(fields));
    for (int i = 0; i < fields; ++i) {
        column_names_.emplace_back(PQfname(description, i));
        column_types_.push_back(PQftype(description, i));
    }
    blobs_.resize(static_cast<std::size_t>(fields));
}

ALCHEMY_INLINE pg_statement::~pg_statement() {
    PQclear(result_);
    // A statement the cache dropped must not stay prepared on the server; a
    // closing connection takes all of them with it.
    if (!conn_.closing() && PQstatus(conn_.handle()) == CONNECTION_OK) {
        const std::string deallocate = "DEALLOCATE " + name_;
        PQclear(PQexec(conn_.handle(), deallocate.c_str()));
    }
}

ALCHEMY_INLINE bool pg_statement::take_result(PGresult* result) noexcept {
    executed_ = true;
    result_ = result;
    switch (PQresultStatus(result_)) {
        case PGRES_TUPLES_OK: {
            rows_ = PQntuples(result_);
            row_ = -1;
            // INSERT/UPDATE/DELETE ... RETURNING changed rows; a SELECT none.
            const std::string_view command = PQcmdStatus(result_);
            const bool writes = command.starts_with("INSERT") || command.starts_with("UPDATE") ||
                                command.starts_with("DELETE") || command.starts_with("MERGE");
            conn_.record_changes(writes ? rows_ : 0);
            return true;
        }
        case PGRES_COMMAND_OK: {
            rows_ = 0;
            const char* affected = PQcmdTuples(result_);
            conn_.record_changes(affected && *affected ? std::strtoll(affected, nullptr, 10) : 0);
            return true;
        }
        default:
            conn_.record_error(result_);
            error_code_ = postgresql_dialect::pack_sqlstate(
                PQresultErrorField(result_, PG_DIAG_SQLSTATE) ? PQresultErrorField(result_, PG_DIAG_SQLSTATE) : "08006");
            return false;
    }
}

ALCHEMY_INLINE step_status pg_statement::step() noexcept {
    if (!executed_) {
        const auto& a = binder_.for_libpq();
        if (!take_result(PQexecPrepared(conn_.handle(), name_.c_str(), sql_.parameter_count, a.values.data(),
                                        a.lengths.data(), a.formats.data(), 0)))
            return step_status::failed;
    }
    if (row_ + 1 < rows_) {
        ++row_;
        return step_status::row;
    }
    return step_status::done;
}

ALCHEMY_INLINE std::size_t pg_statement::pipeline_depth() const noexcept { return pg_connection::pipeline_depth; }

ALCHEMY_INLINE bool pg_statement::send() noexcept {
    if (conn_.pipeline_send(name_, sql_.parameter_count, binder_.for_libpq())) return true;
    error_code_ = postgresql_dialect::pack_sqlstate("08006");
    return false;
}

ALCHEMY_INLINE bool pg_statement::receive() noexcept {
    PQclear(result_);
    result_ = nullptr;
    if (PGresult* result = conn_.pipeline_receive()) return take_result(result);
    error_code_ = postgresql_dialect::pack_sqlstate("08006");
    return false;
}

ALCHEMY_INLINE void pg_statement::end_pipeline() noexcept { conn_.pipeline_end(); }

ALCHEMY_INLINE void pg_statement::reset() noexcept {
    PQclear(result_);
    result_ = nullptr;
    executed_ = false;
    row_ = -1;
    rows_ = 0;
}

ALCHEMY_INLINE column_value pg_statement::column(std::size_t i) const noexcept {
    const int c = static_cast<int>(i);
    if (!result_ || row_ < 0) return column_value::null();
    // A NULL's length is 0: only an empty value needs the NULL test (one
    // libpq call less per column of every row read).
    const auto size = static_cast<std::size_t>(PQgetlength(result_, row_, c));
    if (size == 0 && PQgetisnull(result_, row_, c)) return column_value::null();
    const char* text = PQgetvalue(result_, row_, c);
    switch (column_types_[i]) {
        case pg_oid::boolean: return column_value::integer(text[0] == 't' ? 1 : 0);
        case pg_oid::int2:
        case pg_oid::int4:
        case pg_oid::int8:
        case pg_oid::oid: return column_value::integer(pg_parse_integer(text, size));
        case pg_oid::numeric: {
            // A whole number that fits is an integer (sum() of a BIGINT column is numeric).
            std::int64_t v = 0;
            if (const auto [end, ec] = std::from_chars(text, text + size, v); ec == std::errc{} && end == text + size)
                return column_value::integer(v);
            return column_value::real(pg_parse_real(text, size));
        }
        case pg_oid::float4:
        case pg_oid::float8: return column_value::real(pg_parse_real(text, size));
        case pg_oid::bytea: {
            // Text output of bytea is hex: \x0a1b...
            auto& out = blobs_[i];
            out.clear();
            if (size >= 2 && text[0] == '\\' && text[1] == 'x') {
                out.reserve((size - 2) / 2);
                for (std::size_t k = 2; k + 1 < size; k += 2) {
                    unsigned byte = 0;
                    std::from_chars(text + k, text + k + 2, byte, 16);
                    out.push_back(static_cast<std::byte>(byte));
                }
            }
            return column_value::blob(out);
        }
        default: return column_value::text({text, size});
    }
}

// ---- pg_connection ------------------------------------------------------------------

ALCHEMY_INLINE pg_connection::pg_connection(const pg_connect_config& config, const postgresql_dialect& dialect,
                                            const logger* log)
    : driver_connection(dialect, config.statement_cache_size), dialect_(dialect), log_(log) {
    std::vector<const char*> keywords, values;
    for (std::size_t i = 0; i < config.keywords.size(); ++i) {
        keywords.push_back(config.keywords[i].c_str());
        values.push_back(config.values[i].c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keywords.data(), values.data(), 0);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        std::string message = conn_ ? PQerrorMessage(conn_) : "out of memory";
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        PQfinish(conn_);
        conn_ = nullptr;
        dialect_.raise(postgresql_dialect::pack_sqlstate("08001"),
                       fmt::format("could not connect to {}: {}", config.where, message), "<connect>", "", "");
    }
    // libpq prints the server's notices (DROP TABLE IF EXISTS of a missing
    // table ...) to stderr by default; a library must not write there.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    // Dates and timestamps are read as ISO text (YYYY-MM-DD HH:MM:SS), whatever
    // the server's or the role's DateStyle.
    PGresult* set = PQexec(conn_, "SET DateStyle = ISO");
    const bool ok = PQresultStatus(set) == PGRES_COMMAND_OK;
    if (!ok) record_error(set);
    PQclear(set);
    if (!ok) {
        server_error_pending_ = false;
        const auto message = std::move(error_message_);
        PQfinish(conn_);
        conn_ = nullptr;
        dialect_.raise(error_code_, fmt::format("{} (connecting to {})", message, config.where), "SET DateStyle = ISO",
                       "", "");
    }
}

ALCHEMY_INLINE pg_connection::~pg_connection() {
    closing_ = true;
    close_statements();  // before the connection closes
    PQfinish(conn_);
}

ALCHEMY_INLINE void pg_connection::record_error(const PGresult* result) {
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    error_message_ = primary ? primary : PQerrorMessage(conn_);
    while (!error_message_.empty() && (error_message_.back() == '\n' || error_message_.back() == ' '))
        error_message_.pop_back();
    // The server's DETAIL repeats values ("Key (name)=(...) already exists"),
    // which may be long: cut like the parameters of the message.
    if (const char* detail = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL) : nullptr) {
        constexpr std::size_t shown = 100;
        std::string_view text(detail);
        if (text.size() > shown) {
            auto cut = shown;
            while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
            error_message_ += fmt::format("\nDETAIL: {} ... ({} characters truncated)", text.substr(0, cut),
                                          text.size() - cut);
        } else {
            error_message_ += fmt::format("\nDETAIL: {}", text);
        }
    }
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    error_code_ = postgresql_dialect::pack_sqlstate(state ? state : "08006");  // no SQLSTATE: the connection broke
    const auto field = [&](int code) {
        const char* text = result ? PQresultErrorField(result, code) : nullptr;
        return std::string(text ? text : "");
    };
    error_diagnostics_ = {field(PG_DIAG_MESSAGE_DETAIL), field(PG_DIAG_MESSAGE_HINT),  field(PG_DIAG_SCHEMA_NAME),
                          field(PG_DIAG_TABLE_NAME),     field(PG_DIAG_COLUMN_NAME), field(PG_DIAG_CONSTRAINT_NAME)};
    server_error_pending_ = true;
}

ALCHEMY_INLINE bool pg_connection::database_in_transaction() const noexcept {
    if (!conn_) return false;
    const auto status = PQtransactionStatus(conn_);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

ALCHEMY_INLINE void pg_connection::follow_statement() noexcept {
    const bool open = database_in_transaction();
    if (open == in_transaction) return;
    in_transaction = open;
    savepoints.clear();
    if (open) transaction_id = ++next_id;
}

ALCHEMY_INLINE void pg_connection::raise(int code, std::string_view sql, std::string_view params,
                                         statement_role role) {
    std::string message;
    error_diagnostics diagnostics;
    if (server_error_pending_) {
        message = std::move(error_message_);
        diagnostics = std::move(error_diagnostics_);
        server_error_pending_ = false;
    } else {  // the binder's error: nothing reached the server
        const auto state = postgresql_dialect::unpack_sqlstate(code);
        if (state == "22021") message = "a text parameter contains a NUL character, which PostgreSQL's text cannot hold";
        else if (state == "07001") message = "more parameters were bound than the statement takes";
        else message = "the parameters could not be bound";
    }
    std::string_view note;
    if (in_transaction) {
        const auto status = conn_ ? PQtransactionStatus(conn_) : PQTRANS_UNKNOWN;
        if (status == PQTRANS_IDLE || status == PQTRANS_UNKNOWN) {
            in_transaction = false;
            savepoints.clear();
            if (log_ && log_->active()) {
                log_event event{log_kind::rollback, dialect_.rollback_sql(), {}};
                event.implicit = true;
                log_->emit(event);
            }
            note = role == statement_role::commit
                       ? "the database rolled the transaction back: nothing of it was committed"
                       : "the transaction ended with the error: nothing of it was committed";
            if (role != statement_role::commit) rolled_back_by_database = message;
        } else if (status == PQTRANS_INERROR && role == statement_role::ordinary) {
            note = "PostgreSQL ignores every further statement of this transaction until it is rolled back "
                   "(rollback(), or back to a savepoint)";
        }
    }
    dialect_.raise(code, message, sql, params, note, std::move(diagnostics));
}

ALCHEMY_INLINE bool pg_connection::pipeline_send(const std::string& name, int count,
                                                 const pg_binder::arrays& a) noexcept {
    if (PQpipelineStatus(conn_) == PQ_PIPELINE_OFF && !PQenterPipelineMode(conn_)) {
        record_error(nullptr);
        return false;
    }
    if (!PQsendQueryPrepared(conn_, name.c_str(), count, a.values.data(), a.lengths.data(), a.formats.data(), 0)) {
        record_error(nullptr);
        return false;
    }
    ++pipeline_sent_;
    return true;
}

ALCHEMY_INLINE PGresult* pg_connection::pipeline_receive() noexcept {
    if (pipeline_sent_ == 0) {  // a caller's mistake, but never a wait for nothing
        record_error(nullptr);
        return nullptr;
    }
    if (!pipeline_synced_) {
        if (!PQpipelineSync(conn_)) {
            record_error(nullptr);
            return nullptr;
        }
        pipeline_synced_ = true;
    }
    PGresult* result = PQgetResult(conn_);
    if (!result) {
        record_error(nullptr);
        return nullptr;
    }
    // One statement gives one result, then a null that ends it.
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    --pipeline_sent_;
    // After the last result, the Sync's: pipeline mode ends with it, unless
    // the result is an error, which the caller reports after pipeline_end().
    if (pipeline_sent_ == 0 && PQresultStatus(result) != PGRES_FATAL_ERROR) pipeline_end();
    return result;
}

ALCHEMY_INLINE void pg_connection::pipeline_end() noexcept {
    if (!conn_ || PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) return;
    bool drained = true;
    if (!pipeline_synced_ && pipeline_sent_ > 0) drained = PQpipelineSync(conn_) == 1;
    if (drained && (pipeline_synced_ || pipeline_sent_ > 0)) {
        // Each execution's results end with a null; the Sync's result ends the
        // pipeline. More nulls than executions: the connection broke.
        std::size_t nulls = 0;
        drained = false;
        while (nulls <= pipeline_sent_) {
            PGresult* result = PQgetResult(conn_);
            if (!result) {
                if (PQstatus(conn_) == CONNECTION_BAD) break;
                ++nulls;
                continue;
            }
            const auto status = PQresultStatus(result);
            PQclear(result);
            if (status == PGRES_PIPELINE_SYNC) {
                drained = true;
                break;
            }
        }
    }
    pipeline_sent_ = 0;
    pipeline_synced_ = false;
    // A connection that could not leave pipeline mode is not handed out again.
    if (!drained || !PQexitPipelineMode(conn_)) broken_ = true;
}

ALCHEMY_INLINE std::string pg_connection::command(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        record_error(result);
        PQclear(result);
        raise(error_code_, sql, "");
    }
    std::string first = status == PGRES_TUPLES_OK && PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    return first;
}

ALCHEMY_INLINE bool pg_connection::ping() noexcept {
    if (lost()) return false;
    PGresult* result = PQexec(conn_, "");
    const bool answered = PQresultStatus(result) == PGRES_EMPTY_QUERY;
    PQclear(result);
    return answered && !lost();
}

ALCHEMY_INLINE void pg_connection::set_isolation_level(std::optional<isolation_level> level) {
    // RESET: back to the server's (or the role's, or the URL's options=) default.
    command(level ? fmt::format("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL {}", to_string(*level))
                  : std::string("RESET default_transaction_isolation"));
}

ALCHEMY_INLINE isolation_level pg_connection::get_isolation_level() {
    const auto level = command("SHOW transaction_isolation");
    if (level == "read uncommitted") return isolation_level::read_uncommitted;
    if (level == "repeatable read") return isolation_level::repeatable_read;
    if (level == "serializable") return isolation_level::serializable;
    return isolation_level::read_committed;
}

ALCHEMY_INLINE std::unique_ptr<driver_statement> pg_connection::prepare(std::string_view sql, bool) {
    if (const auto nul = sql.find('\0'); nul != std::string_view::npos)
        throw ArgumentError(fmt::format("alchemy: the SQL text contains a NUL byte at offset {}: '{}'", nul,
                                        sql.substr(0, nul)));
    auto rewritten = rewrite_placeholders(sql);
    if (!rewritten.has_statement)
        throw ArgumentError(fmt::format("alchemy: the SQL text contains no statement: '{}'", sql));
    std::string name = fmt::format("alchemy_{}", ++statement_counter_);
    PGresult* prepared =
        PQprepare(conn_, name.c_str(), rewritten.text.c_str(), rewritten.parameter_count, nullptr);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
        record_error(prepared);
        PQclear(prepared);
        raise(error_code_, sql, "");
    }
    PQclear(prepared);
    PGresult* description = PQdescribePrepared(conn_, name.c_str());
    if (PQresultStatus(description) != PGRES_COMMAND_OK) {
        record_error(description);
        PQclear(description);
        raise(error_code_, sql, "");
    }
    // The server may know fewer parameters than the text numbers ($2 without $1 ...).
    const int server_count = PQnparams(description);
    if (server_count != rewritten.parameter_count) {
        rewritten.parameter_count = server_count;
        rewritten.names.resize(static_cast<std::size_t>(server_count));
    }
    auto stmt = std::make_unique<pg_statement>(*this, std::move(name), std::string(sql), std::move(rewritten),
                                               description);
    PQclear(description);
    return stmt;
}

// ---- pg_driver ------------------------------------------------------------------------

ALCHEMY_INLINE pg_driver::pg_driver(const alchemy::url& u, const engine_options& options) {
    // The query keys libpq takes as connection parameters and that may sit in
    // a URL (user, password, host, port and dbname have their own places).
    static constexpr std::string_view known[] = {
        "host",          "hostaddr",        "connect_timeout",    "application_name", "options",
        "sslmode",       "sslcert",         "sslkey",             "sslrootcert",      "sslcrl",
        "sslcompression", "target_session_attrs", "keepalives",  "keepalives_idle",  "keepalives_interval",
        "keepalives_count", "tcp_user_timeout", "gssencmode",      "channel_binding",  "requirepeer",
        "krbsrvname",    "passfile",        "fallback_application_name", "service"};
    // Its settings are libpq's connection parameters, in the URL: a backend
    // options struct given for another backend would silently do nothing.
    if (options.backend.has_value())
        throw ArgumentError(fmt::format("alchemy: engine_options.backend holds {}, which 'postgresql://' URLs do not "
                                        "take: PostgreSQL's connection parameters go in the URL's query ({})",
                                        options.backend.type_name(), u.render()));
    auto& c = config_;
    c.statement_cache_size = options.statement_cache_size;
    const auto add = [&](std::string key, std::string value) {
        c.keywords.push_back(std::move(key));
        c.values.push_back(std::move(value));
    };
    if (!u.host.empty()) add("host", u.host);
    if (u.port) add("port", std::to_string(*u.port));
    if (!u.username.empty()) add("user", u.username);
    if (!u.password.empty()) add("password", u.password);
    if (!u.database.empty()) add("dbname", u.database);
    for (const auto& [key, value] : u.query) {
        if (std::find(std::begin(known), std::end(known), key) == std::end(known))
            throw ArgumentError(fmt::format("alchemy: database URL '{}': unknown parameter '{}' (PostgreSQL takes "
                                            "host, connect_timeout, application_name, options, sslmode, ...)",
                                            u.render(), key));
        if (key == "host" && !u.host.empty())
            throw ArgumentError(fmt::format("alchemy: database URL '{}' names the host twice", u.render()));
        add(key, value);
    }
    // Text in and out is UTF-8, whatever the server's or the environment's default.
    add("client_encoding", "UTF8");
    const auto host = u.query_value("host").value_or(u.host);
    c.where = fmt::format("host '{}', port {}, database '{}'", host.empty() ? "(default)" : host,
                          u.port ? std::to_string(*u.port) : "(default)", u.database.empty() ? "(default)" : u.database);
}

}  // namespace alchemy::detail
