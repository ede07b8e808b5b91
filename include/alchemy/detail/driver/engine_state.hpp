// alchemy/detail/driver/engine_state.hpp — what an engine shares with its connections.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/logger.hpp>
#include <alchemy/detail/driver/pool.hpp>
#include <alchemy/sqlite/driver.hpp>
#include <alchemy/sqlite/dialect.hpp>
#include <alchemy/engine_options.hpp>
#include <alchemy/url.hpp>

#include <memory>
#include <string>

namespace alchemy::detail {

struct engine_state {
    engine_state(alchemy::url u, engine_options o);

    engine_state(const engine_state&) = delete;
    engine_state& operator=(const engine_state&) = delete;

    alchemy::url url;
    engine_options options;
    sqlite_dialect dialect;
    logger log;
    connect_config config;
    std::shared_ptr<sqlite_connection> anchor;  // keeps an in-memory database alive
    connection_pool pool;
};

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/driver/impl/engine_state.ipp>
#endif
