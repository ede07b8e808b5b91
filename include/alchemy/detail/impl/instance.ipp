// alchemy/detail/impl/instance.ipp — definitions of instance.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/instance.hpp>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE std::string instance_base::describe() const {
    return fmt::format("<{} at {}>", table->struct_name, object());
}

}  // namespace alchemy::detail
