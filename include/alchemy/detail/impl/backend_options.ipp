// alchemy/detail/impl/backend_options.ipp — definitions of backend_options.hpp's
// non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/backend_options.hpp>
#include <alchemy/errors.hpp>

#include <fmt/core.h>

namespace alchemy {

ALCHEMY_INLINE void backend_options::throw_mismatch(std::string_view scheme, std::string_view wanted) const {
    throw ArgumentError(fmt::format("alchemy: engine_options.backend holds {}, which '{}://' URLs do not take: give "
                                    "{} (or nothing, for its defaults)",
                                    type_name(), scheme, wanted));
}

}  // namespace alchemy
