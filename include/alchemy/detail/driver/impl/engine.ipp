// alchemy/detail/driver/impl/engine.ipp — definitions of engine.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/engine.hpp>

#include <fmt/core.h>

namespace alchemy {

ALCHEMY_INLINE transaction engine::begin() {
    auto conn = connect();
    auto tx = conn.begin();
    tx.owned_.emplace(std::move(conn));
    return tx;
}

ALCHEMY_INLINE engine create_engine(std::string_view url_text, engine_options options) {
    auto url = parse_url(url_text);
    if (options.pool_size == 0)
        throw ArgumentError("alchemy: engine_options.pool_size must be at least 1");
    if (options.pool_timeout.count() < 0)
        throw ArgumentError("alchemy: engine_options.pool_timeout cannot be negative");
    const auto backend = detail::find_driver(url.dialect);
    if (!backend)
        throw ArgumentError(fmt::format("alchemy: no driver is registered for '{}://' URLs: include <alchemy/{}.hpp> "
                                        "and link alchemy::{}",
                                        url.dialect, url.dialect, url.dialect));
    return engine(std::make_shared<detail::engine_state>(std::move(url), std::move(options), backend));
}

}  // namespace alchemy
