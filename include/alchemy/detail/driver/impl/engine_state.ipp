// alchemy/detail/driver/impl/engine_state.ipp — definitions of detail/driver/engine_state.hpp's non-template functions (see
// detail/config.hpp).
#pragma once

#include <alchemy/detail/driver/engine_state.hpp>

#include <atomic>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE engine_state::engine_state(alchemy::url u, engine_options o)
    : url(std::move(u)),
      options(std::move(o)),
      dialect(options.begin),
      log(options.echo, options.sink),
      pool([this] { return std::make_shared<sqlite_connection>(config, dialect, &log); },
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

}  // namespace alchemy::detail
