// alchemy/sqlite/impl/dialect.ipp — definitions of sqlite/dialect.hpp's non-template functions (see
// detail/config.hpp).
#pragma once

#include <alchemy/sqlite/dialect.hpp>

namespace alchemy {

ALCHEMY_INLINE std::string sqlite_dialect::quote_identifier(std::string_view name) const {
    if (name.empty()) throw ArgumentError("alchemy: an SQL identifier cannot be empty");
    std::string out;
    out.reserve(name.size() + 2);
    out += '"';
    for (char c : name) {
        if (c == '\0')
            throw ArgumentError(fmt::format("alchemy: SQL identifier contains a NUL byte: {:?}",
                                            std::string(name)));
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

ALCHEMY_INLINE value sqlite_dialect::json_path(std::span<const value> steps) const {
    std::string path = "$";
    for (const auto& step : steps) {
        const auto& v = step.get();
        if (const auto* index = std::get_if<std::int64_t>(&v)) {
            path += fmt::format("[{}]", *index);
        } else if (const auto* key = std::get_if<std::string>(&v)) {
            // A quoted key ends at the next double quote: SQLite's path syntax has no escape for one.
            if (key->find('"') != std::string::npos || key->find('\0') != std::string::npos)
                throw ArgumentError(fmt::format("alchemy: the JSON key {:?} cannot be part of a SQLite JSON path "
                                                "(it holds a double quote or a NUL byte)", *key));
            ((path += ".\"") += *key) += '"';
        } else {
            throw ArgumentError("alchemy: a JSON path step is a key (text) or an array index (integer)");
        }
    }
    return value(std::move(path));
}

ALCHEMY_INLINE std::string_view sqlite_dialect::type_name(column_type, sql_type storage) const noexcept {
    // The storage class, whatever the logical type: a declared type gives the
    // column an affinity that converts what is stored (TEXT turns the
    // integer 5 into '5'), so it must be the class type_traits writes —
    // INTEGER for booleans (0/1), TEXT for dates and timestamps (ISO-8601).
    switch (storage) {
        case sql_type::integer: return "INTEGER";
        case sql_type::real: return "REAL";
        case sql_type::text: return "TEXT";
        case sql_type::blob: return "BLOB";
        case sql_type::null: break;
    }
    return "";
}

ALCHEMY_INLINE std::string sqlite_dialect::begin_sql() const {
    switch (begin_) {
        case alchemy::sqlite::begin_mode::immediate: return "BEGIN IMMEDIATE";
        case alchemy::sqlite::begin_mode::exclusive: return "BEGIN EXCLUSIVE";
        case alchemy::sqlite::begin_mode::deferred: break;
    }
    return "BEGIN";
}

ALCHEMY_INLINE std::string_view sqlite_dialect::sqlstate(int code, std::string_view message) noexcept {
    switch (code) {  // extended codes first
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY: return "23505";  // unique_violation
        case SQLITE_CONSTRAINT_FOREIGNKEY: return "23503";  // foreign_key_violation
        case SQLITE_CONSTRAINT_NOTNULL: return "23502";     // not_null_violation
        case SQLITE_CONSTRAINT_CHECK: return "23514";       // check_violation
        default: break;
    }
    switch (code & 0xff) {
        case SQLITE_CONSTRAINT: return "23000";  // integrity_constraint_violation
        case SQLITE_MISMATCH: return "42804";    // datatype_mismatch
        case SQLITE_TOOBIG: return "54000";      // program_limit_exceeded
        case SQLITE_RANGE: return "07001";       // wrong number of parameters
        case SQLITE_INTERNAL: return "XX000";    // internal_error
        case SQLITE_PERM:
        case SQLITE_AUTH: return "42501";        // insufficient_privilege
        case SQLITE_ABORT: return "40000";       // transaction_rollback
        case SQLITE_BUSY: return "55P03";        // lock_not_available
        case SQLITE_LOCKED: return "55006";      // object_in_use
        case SQLITE_NOMEM: return "53200";       // out_of_memory
        case SQLITE_READONLY: return "25006";    // read_only_sql_transaction
        case SQLITE_INTERRUPT: return "57014";   // query_canceled
        case SQLITE_IOERR: return "58030";       // io_error
        case SQLITE_FULL: return "53100";        // disk_full
        case SQLITE_CANTOPEN: return "08001";    // sqlclient_unable_to_establish_sqlconnection
        case SQLITE_PROTOCOL: return "08P01";    // protocol_violation
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return "XX001";      // data_corrupted
        case SQLITE_ERROR: {  // SQLite's generic code: its message tells which
            if (message.starts_with("no such table")) return "42P01";   // undefined_table
            if (message.starts_with("no such column")) return "42703";  // undefined_column
            if (message.starts_with("no such function")) return "42883";  // undefined_function
            if (message.find("already exists") != std::string_view::npos) return "42P07";  // duplicate_table
            if (message.find("syntax error") != std::string_view::npos ||
                message.starts_with("incomplete input"))
                return "42601";  // syntax_error
            return "HY000";
        }
        default: return "HY000";  // general error
    }
}

ALCHEMY_INLINE void sqlite_dialect::raise(int code, std::string_view message, std::string_view sql,
                                          std::string_view params, std::string_view note) const {
    // SQLite's primary result code chooses the class, as Python's sqlite3 does.
    switch (code & 0xff) {
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH: throw_as<IntegrityError>("IntegrityError", code, message, sql, params, note);
        case SQLITE_TOOBIG: throw_as<DataError>("DataError", code, message, sql, params, note);
        case SQLITE_RANGE:
        case SQLITE_MISUSE: throw_as<ProgrammingError>("ProgrammingError", code, message, sql, params, note);
        case SQLITE_INTERNAL: throw_as<InternalError>("InternalError", code, message, sql, params, note);
        case SQLITE_ERROR:
        case SQLITE_PERM:
        case SQLITE_ABORT:
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_NOMEM:
        case SQLITE_READONLY:
        case SQLITE_INTERRUPT:
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
        case SQLITE_PROTOCOL:
        case SQLITE_AUTH: throw_as<OperationalError>("OperationalError", code, message, sql, params, note);
        default: throw_as<DatabaseError>("DatabaseError", code, message, sql, params, note);  // CORRUPT, NOTADB, ...
    }
}

}  // namespace alchemy
