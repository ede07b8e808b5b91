// alchemy/sqlite/dialect.hpp — SQLite's rules for the dialect interface.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/sqlite/options.hpp>

#include <string>
#include <string_view>

#include <fmt/core.h>
#include <sqlite3.h>

namespace alchemy {

class sqlite_dialect final : public dialect {
public:
    explicit sqlite_dialect(alchemy::sqlite::begin_mode begin = alchemy::sqlite::begin_mode::deferred) : begin_(begin) {}

    std::string_view name() const noexcept override { return "sqlite"; }

    std::string placeholder(std::size_t) const override { return "?"; }

    ALCHEMY_INLINE std::string quote_identifier(std::string_view name) const override;

    ALCHEMY_INLINE std::string_view type_name(column_type type, sql_type storage) const noexcept override;

    std::string integer_key_clause(bool autoincrement) const override {
        return autoincrement ? "PRIMARY KEY AUTOINCREMENT" : "PRIMARY KEY";
    }

    std::int64_t unlimited() const noexcept override { return -1; }

    // The rowid is known without a result row, which keeps INSERTs a single step.
    key_fetch generated_key_strategy() const noexcept override { return key_fetch::last_insert_rowid; }

    // No ILIKE: lower() folds ASCII letters only, as SQLite's own LIKE does.
    std::string ilike(std::string_view operand, std::string_view pattern) const override {
        std::string out = "lower(";
        ((out += operand) += ") LIKE lower(") += pattern;
        return out += ')';
    }

    // SQLite's JSON functions (built in since 3.38): json_extract(doc, '$."a"[0]')
    // returns the SQL value at the path (text, integer, real; 1/0 for true/false).
    ALCHEMY_INLINE value json_path(std::span<const value> steps) const override;
    std::string json_extract(std::string_view document, std::string_view path, column_type) const override {
        std::string out = "json_extract(";
        ((out += document) += ", ") += path;
        return out += ')';
    }

    // Deferred for the rest of the transaction only.
    std::string defer_foreign_keys_sql() const override { return "PRAGMA defer_foreign_keys = ON"; }

    ALCHEMY_INLINE std::string begin_sql() const override;

    [[noreturn]] ALCHEMY_INLINE void raise(int code, std::string_view message, std::string_view sql,
                            std::string_view params, std::string_view note) const override;

    /// The SQLSTATE (PostgreSQL's code) of a SQLite error: from the extended
    /// result code, and for SQLITE_ERROR from the message ("no such table").
    static std::string_view sqlstate(int code, std::string_view message) noexcept;

private:
    template <class E>
    [[noreturn]] static void throw_as(std::string_view cls, int code, std::string_view message, std::string_view sql,
                                      std::string_view params, std::string_view note) {
        std::string text = fmt::format("(sqlite3.{}) {}\n[SQL: {}]", cls, message, sql);
        if (!params.empty()) text += fmt::format("\n[parameters: {}]", params);
        text += fmt::format("\n[SQLite result code {}: {}]", code, sqlite3_errstr(code));
        if (!note.empty()) text += fmt::format("\n[{}]", note);
        throw E(text, std::string(sql), std::string(params), code, std::string(message),
                std::string(sqlstate(code, message)));
    }

    alchemy::sqlite::begin_mode begin_;
};

}  // namespace alchemy

#if ALCHEMY_SQLITE_INCLUDE_DEFINITIONS
#include <alchemy/sqlite/impl/dialect.ipp>
#endif
