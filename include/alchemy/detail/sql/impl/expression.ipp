// alchemy/detail/sql/impl/expression.ipp — definitions of expression.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/expression.hpp>

#include <string>
#include <string_view>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE std::string escape_like(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '%' || c == '_' || c == '/') out += '/';
        out += c;
    }
    return out;
}

ALCHEMY_INLINE void check_function_name(std::string_view name) {
    // <cctype> would follow the C locale; SQL identifiers are ASCII here.
    const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    bool ok = !name.empty() && letter(name.front());
    for (char c : name) ok = ok && (letter(c) || digit(c));
    if (!ok)
        throw ArgumentError(fmt::format(
            "alchemy: func::call: {:?} is not a function name; a function name is a plain SQL identifier, a "
            "letter or '_' followed by letters, digits or '_' ([A-Za-z_][A-Za-z0-9_]*)",
            name));
}

}  // namespace alchemy::detail
