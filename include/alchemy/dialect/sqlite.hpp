// alchemy/dialect/sqlite.hpp — SQLite's rules for the dialect interface.
#pragma once

#include <alchemy/dialect.hpp>
#include <alchemy/errors.hpp>

#include <string>
#include <string_view>

#include <fmt/core.h>
#include <sqlite3.h>

namespace alchemy {

/// How a SQLite transaction takes its locks (BEGIN DEFERRED / IMMEDIATE /
/// EXCLUSIVE). IMMEDIATE takes the write lock at BEGIN, so two writers wait
/// for each other through the busy timeout instead of failing with
/// SQLITE_BUSY when both try to upgrade a read lock.
enum class sqlite_begin { deferred, immediate, exclusive };

class sqlite_dialect final : public dialect {
public:
    explicit sqlite_dialect(sqlite_begin begin = sqlite_begin::deferred) : begin_(begin) {}

    std::string_view name() const noexcept override { return "sqlite"; }

    std::string placeholder(std::size_t) const override { return "?"; }

    std::string quote_identifier(std::string_view name) const override {
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

    std::string_view type_name(sql_type type) const noexcept override {
        switch (type) {
            case sql_type::integer: return "INTEGER";
            case sql_type::real: return "REAL";
            case sql_type::text: return "TEXT";
            case sql_type::blob: return "BLOB";
            case sql_type::null: break;
        }
        return "";
    }

    std::string integer_key_clause(bool autoincrement) const override {
        return autoincrement ? "PRIMARY KEY AUTOINCREMENT" : "PRIMARY KEY";
    }

    std::int64_t unlimited() const noexcept override { return -1; }

    // RETURNING exists since SQLite 3.35.
    bool supports_returning() const noexcept override { return sqlite3_libversion_number() >= 3035000; }

    // The rowid is known without a result row, which keeps INSERTs a single step.
    key_fetch generated_key_strategy() const noexcept override { return key_fetch::last_insert_rowid; }

    std::string begin_sql() const override {
        switch (begin_) {
            case sqlite_begin::immediate: return "BEGIN IMMEDIATE";
            case sqlite_begin::exclusive: return "BEGIN EXCLUSIVE";
            case sqlite_begin::deferred: break;
        }
        return "BEGIN";
    }

    [[noreturn]] void raise(int code, std::string_view message, std::string_view sql,
                            std::string_view params) const override {
        // SQLite's primary result code chooses the class, as Python's sqlite3 does.
        switch (code & 0xff) {
            case SQLITE_CONSTRAINT:
            case SQLITE_MISMATCH: throw_as<IntegrityError>("IntegrityError", code, message, sql, params);
            case SQLITE_TOOBIG: throw_as<DataError>("DataError", code, message, sql, params);
            case SQLITE_RANGE:
            case SQLITE_MISUSE: throw_as<ProgrammingError>("ProgrammingError", code, message, sql, params);
            case SQLITE_INTERNAL: throw_as<InternalError>("InternalError", code, message, sql, params);
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
            case SQLITE_AUTH: throw_as<OperationalError>("OperationalError", code, message, sql, params);
            default: throw_as<DatabaseError>("DatabaseError", code, message, sql, params);  // CORRUPT, NOTADB, ...
        }
    }

private:
    template <class E>
    [[noreturn]] static void throw_as(std::string_view cls, int code, std::string_view message, std::string_view sql,
                                      std::string_view params) {
        std::string text = fmt::format("(sqlite3.{}) {}\n[SQL: {}]", cls, message, sql);
        if (!params.empty()) text += fmt::format("\n[parameters: {}]", params);
        text += fmt::format("\n[SQLite result code {}: {}]", code, sqlite3_errstr(code));
        throw E(text, std::string(sql), std::string(params), code, std::string(message));
    }

    sqlite_begin begin_;
};

}  // namespace alchemy
