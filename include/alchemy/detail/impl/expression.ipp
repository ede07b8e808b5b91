// alchemy/detail/impl/expression.ipp — definitions of expression.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/expression.hpp>

#include <string>
#include <string_view>

namespace alchemy::detail {

ALCHEMY_INLINE std::string escape_like(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '%' || c == '_' || c == '/') out += '/';
        out += c;
    }
    return out;
}

}  // namespace alchemy::detail
