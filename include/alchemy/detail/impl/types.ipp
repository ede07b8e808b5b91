// alchemy/detail/impl/types.ipp — definitions of types.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/types.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

ALCHEMY_INLINE std::string column_value::describe() const {
    switch (type_) {
        case sql_type::null: return "NULL";
        case sql_type::integer: return fmt::format("INTEGER {}", int_);
        case sql_type::real: return fmt::format("REAL {}", real_);
        case sql_type::text: {
            std::string_view t{static_cast<const char*>(data_), size_};
            if (t.size() > 40) return fmt::format("TEXT '{}...'", t.substr(0, 40));
            return fmt::format("TEXT '{}'", t);
        }
        case sql_type::blob: return fmt::format("BLOB of {} bytes", size_);
    }
    return "?";
}

ALCHEMY_INLINE void column_value::mismatch(std::string_view wanted) const {
    throw ConversionError(fmt::format("expected {}, found {}", wanted, describe()));
}

ALCHEMY_INLINE std::string format_value(const value& v, std::size_t max_chars) {
    switch (v.type()) {
        case sql_type::null: return "NULL";
        case sql_type::integer: return fmt::format("{}", std::get<std::int64_t>(v.get()));
        case sql_type::real: return fmt::format("{}", std::get<double>(v.get()));
        case sql_type::text: {
            const auto& s = std::get<std::string>(v.get());
            std::string out = "'";
            const std::size_t shown = s.size() > max_chars ? max_chars : s.size();
            for (std::size_t i = 0; i < shown; ++i) {
                if (s[i] == '\'') out += '\'';
                out += s[i];
            }
            out += '\'';
            if (shown < s.size()) out += fmt::format(" ... ({} characters truncated)", s.size() - shown);
            return out;
        }
        case sql_type::blob:
            return fmt::format("<blob {} bytes>", std::get<std::vector<std::byte>>(v.get()).size());
    }
    return "?";
}

ALCHEMY_INLINE std::string format_values(std::span<const value> values, std::size_t max_chars) {
    std::string out = "(";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ", ";
        out += format_value(values[i], max_chars);
    }
    out += ')';
    return out;
}

namespace detail {

ALCHEMY_INLINE void value_recorder::bind_null() { out_.emplace_back(); }
ALCHEMY_INLINE void value_recorder::bind_integer(std::int64_t v) { out_.emplace_back(v); }
ALCHEMY_INLINE void value_recorder::bind_real(double v) { out_.emplace_back(v); }
ALCHEMY_INLINE void value_recorder::bind_text(std::string_view v) { out_.emplace_back(std::string(v)); }
ALCHEMY_INLINE void value_recorder::bind_blob(std::span<const std::byte> v) {
    out_.emplace_back(std::vector<std::byte>(v.begin(), v.end()));
}
ALCHEMY_INLINE void bound_value::bind_null() { out = value(); }
ALCHEMY_INLINE void bound_value::bind_integer(std::int64_t v) { out = value(v); }
ALCHEMY_INLINE void bound_value::bind_real(double v) { out = value(v); }
ALCHEMY_INLINE void bound_value::bind_text(std::string_view v) { out = value(std::string(v)); }
ALCHEMY_INLINE void bound_value::bind_blob(std::span<const std::byte> v) {
    out = value(std::vector<std::byte>(v.begin(), v.end()));
}

}  // namespace detail

}  // namespace alchemy
