// alchemy/detail/driver/engine_state.hpp — what an engine shares with its connections.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/driver.hpp>
#include <alchemy/detail/driver/logger.hpp>
#include <alchemy/detail/driver/pool.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/engine_options.hpp>
#include <alchemy/url.hpp>

#include <memory>
#include <string>

namespace alchemy::detail {

struct engine_state {
    /// `backend`: the driver registered for the URL's scheme (create_engine).
    engine_state(alchemy::url u, engine_options o, driver_factory backend);

    engine_state(const engine_state&) = delete;
    engine_state& operator=(const engine_state&) = delete;

    alchemy::url url;
    engine_options options;
    logger log;
    std::unique_ptr<detail::driver> backend;
    const alchemy::dialect& dialect;  // the backend's
    connection_pool pool;
};

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/driver/impl/engine_state.ipp>
#endif
