// alchemy/detail/impl/log.ipp — definitions of log.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/log.hpp>

namespace alchemy {

ALCHEMY_INLINE std::string format_event(const log_event& e) {
    std::string out = e.sql;
    if (e.implicit) out += " [implicit: by the database, after an error]";
    for (const auto& row : e.parameters) {
        out += "\n[parameters: ";
        out += format_values(row);
        out += ']';
    }
    return out;
}

}  // namespace alchemy
