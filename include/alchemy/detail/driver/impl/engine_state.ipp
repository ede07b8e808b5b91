// alchemy/detail/driver/impl/engine_state.ipp — definitions of detail/driver/engine_state.hpp's non-template functions (see
// detail/config.hpp).
#pragma once

#include <alchemy/detail/driver/engine_state.hpp>


namespace alchemy::detail {

ALCHEMY_INLINE engine_state::engine_state(alchemy::url u, engine_options o, driver_factory make)
    : url(std::move(u)),
      options(std::move(o)),
      log(options.echo, options.sink),
      backend(make(url, options)),
      dialect(backend->dialect()),
      pool(
          [this] {
              auto conn = backend->connect(log);
              if (options.isolation_level) conn->set_isolation_level(options.isolation_level);
              return conn;
          },
          options.pool_size, options.max_overflow, options.pool_timeout, options.pool_pre_ping) {}

}  // namespace alchemy::detail
