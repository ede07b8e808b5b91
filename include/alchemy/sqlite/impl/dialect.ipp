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

ALCHEMY_INLINE std::string_view sqlite_dialect::type_name(sql_type type) const noexcept {
    switch (type) {
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
        case sqlite_begin::immediate: return "BEGIN IMMEDIATE";
        case sqlite_begin::exclusive: return "BEGIN EXCLUSIVE";
        case sqlite_begin::deferred: break;
    }
    return "BEGIN";
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
