// alchemy/detail/engine_state.hpp — what an engine shares with its connections.
#pragma once

#include <alchemy/detail/logger.hpp>
#include <alchemy/detail/pool.hpp>
#include <alchemy/detail/sqlite_connection.hpp>
#include <alchemy/dialect/sqlite.hpp>
#include <alchemy/engine_options.hpp>
#include <alchemy/url.hpp>

#include <atomic>
#include <memory>
#include <string>

#include <fmt/core.h>

namespace alchemy::detail {

struct engine_state {
    engine_state(alchemy::url u, engine_options o)
        : url(std::move(u)),
          options(std::move(o)),
          dialect(options.begin),
          log(options.echo, options.sink),
          pool([this] { return std::make_shared<sqlite_connection>(config, dialect); },
               options.pool_size, options.max_overflow, options.pool_timeout) {
        config.options = options;
        if (url.is_memory()) {
            // One in-memory database shared by every connection of this engine:
            // SQLite's memdb VFS shares a database among the connections of a
            // process that open the same name starting with '/'. It lives while
            // one connection is open, so the engine holds one for its lifetime.
            static std::atomic<unsigned long long> counter{0};
            config.filename = fmt::format("file:/alchemy-memory-{}-{}?vfs=memdb",
                                          static_cast<const void*>(this), ++counter);
            config.memory = true;
            anchor = std::make_shared<sqlite_connection>(config, dialect);
        } else {
            config.filename = url.database;
        }
    }

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
