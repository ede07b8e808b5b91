// alchemy/postgresql/impl/dialect.ipp — definitions of postgresql/dialect.hpp's
// non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/postgresql/dialect.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

ALCHEMY_INLINE std::string postgresql_dialect::quote_identifier(std::string_view name) const {
    if (name.empty()) throw ArgumentError("alchemy: an SQL identifier cannot be empty");
    std::string out;
    out.reserve(name.size() + 2);
    out += '"';
    for (char c : name) {
        if (c == '\0')
            throw ArgumentError(
                fmt::format("alchemy: SQL identifier contains a NUL byte: {:?}", std::string(name)));
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

ALCHEMY_INLINE std::string_view postgresql_dialect::type_name(column_type type, sql_type storage) const noexcept {
    if (type == column_type::boolean && storage == sql_type::integer) return "BOOLEAN";
    if (type == column_type::date && storage == sql_type::text) return "DATE";
    if (type == column_type::timestamp && storage == sql_type::text) return "TIMESTAMP";
    if (type == column_type::json && storage == sql_type::text) return "JSONB";
    switch (storage) {
        case sql_type::integer: return "BIGINT";
        case sql_type::real: return "DOUBLE PRECISION";
        case sql_type::text: return "TEXT";
        case sql_type::blob: return "BYTEA";
        case sql_type::null: break;
    }
    return "";
}

// An array literal, every element double-quoted with " and \ escaped: {1,2},
// {"a","b \"c\""}; bytea as its hex text; the server reads it as an array of
// the compared column's type.
ALCHEMY_INLINE value postgresql_dialect::json_path(std::span<const value> steps) const {
    for (const auto& step : steps)
        if (!std::holds_alternative<std::int64_t>(step.get()) && !std::holds_alternative<std::string>(step.get()))
            throw ArgumentError("alchemy: a JSON path step is a key (text) or an array index (integer)");
    return key_array(steps);  // a text[] literal: {"a",0}
}

ALCHEMY_INLINE std::string postgresql_dialect::json_extract(std::string_view document, std::string_view path,
                                                            column_type result) const {
    const auto text = fmt::format("({} #>> {})", document, path);
    switch (result) {
        case column_type::integer: return fmt::format("CAST({} AS BIGINT)", text);
        case column_type::real: return fmt::format("CAST({} AS DOUBLE PRECISION)", text);
        case column_type::boolean: return fmt::format("CAST({} AS BOOLEAN)", text);
        default: return text;
    }
}

ALCHEMY_INLINE value postgresql_dialect::key_array(std::span<const value> keys) const {
    std::string out = "{";
    const auto quoted = [&](std::string_view text) {
        out += '"';
        for (char c : text) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    };
    for (const auto& key : keys) {
        if (out.size() > 1) out += ',';
        const auto& v = key.get();
        if (key.is_null()) out += "NULL";
        else if (const auto* i = std::get_if<std::int64_t>(&v)) out += fmt::format("{}", *i);
        else if (const auto* r = std::get_if<double>(&v)) out += fmt::format("{}", *r);
        else if (const auto* t = std::get_if<std::string>(&v)) quoted(*t);
        else if (const auto* b = std::get_if<std::vector<std::byte>>(&v)) {
            std::string hex = "\\x";
            for (auto byte : *b) hex += fmt::format("{:02x}", static_cast<unsigned>(byte));
            quoted(hex);
        }
    }
    out += '}';
    return value(std::move(out));
}

ALCHEMY_INLINE int postgresql_dialect::pack_sqlstate(std::string_view sqlstate) noexcept {
    if (sqlstate.size() != 5) return 0;
    int code = 0;
    for (std::size_t i = 0; i < 5; ++i) {
        const char c = sqlstate[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return 0;
        code += ((c - '0') & 0x3F) << (6 * i);
    }
    return code;
}

ALCHEMY_INLINE std::string postgresql_dialect::unpack_sqlstate(int code) {
    std::string out(5, '0');
    for (std::size_t i = 0; i < 5; ++i) out[i] = static_cast<char>(((code >> (6 * i)) & 0x3F) + '0');
    return out;
}

namespace detail {

template <class E>
[[noreturn]] void throw_postgresql(std::string_view cls, int code, std::string_view message, std::string_view sql,
                                   std::string_view params, std::string_view note, error_diagnostics& diagnostics) {
    const auto state = postgresql_dialect::unpack_sqlstate(code);
    std::string text = fmt::format("(libpq.{}) {}\n[SQL: {}]", cls, message, sql);
    if (!params.empty()) text += fmt::format("\n[parameters: {}]", params);
    text += fmt::format("\n[SQLSTATE {}]", state);
    if (!note.empty()) text += fmt::format("\n[{}]", note);
    throw E(text, std::string(sql), std::string(params), code, std::string(message), state, std::move(diagnostics));
}

}  // namespace detail

ALCHEMY_INLINE void postgresql_dialect::raise(int code, std::string_view message, std::string_view sql,
                                              std::string_view params, std::string_view note) const {
    raise(code, message, sql, params, note, {});
}

ALCHEMY_INLINE void postgresql_dialect::raise(int code, std::string_view message, std::string_view sql,
                                              std::string_view params, std::string_view note,
                                              error_diagnostics diagnostics) const {
    const auto state = unpack_sqlstate(code);
    const std::string_view cls(state.data(), 2);
    // psycopg2's classification (psycopg/error_type.c), which SQLAlchemy re-raises.
    if (cls == "23")
        detail::throw_postgresql<IntegrityError>("IntegrityError", code, message, sql, params, note, diagnostics);
    if (cls == "22")
        detail::throw_postgresql<DataError>("DataError", code, message, sql, params, note, diagnostics);
    if (cls == "0A")
        detail::throw_postgresql<NotSupportedError>("NotSupportedError", code, message, sql, params, note, diagnostics);
    if (cls == "XX" || cls == "25" || cls == "2D" || cls == "2F" || cls == "P0" || cls == "39")
        detail::throw_postgresql<InternalError>("InternalError", code, message, sql, params, note, diagnostics);
    if (cls == "42" || cls == "26" || cls == "3D" || cls == "3F" || cls == "44" || cls == "07" || cls == "28" ||
        cls == "2B" || cls == "34")
        detail::throw_postgresql<ProgrammingError>("ProgrammingError", code, message, sql, params, note, diagnostics);
    if (cls == "08" || cls == "40" || cls == "53" || cls == "54" || cls == "55" || cls == "57" || cls == "58" ||
        cls == "HV" || cls == "F0")
        detail::throw_postgresql<OperationalError>("OperationalError", code, message, sql, params, note, diagnostics);
    detail::throw_postgresql<DatabaseError>("DatabaseError", code, message, sql, params, note, diagnostics);
}

}  // namespace alchemy
