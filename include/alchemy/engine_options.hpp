// alchemy/engine_options.hpp — the settings of an engine, its pool and its
// connections; a backend's own settings ride in `backend` (backend_options.hpp).
#pragma once

#include <alchemy/backend_options.hpp>
#include <alchemy/log.hpp>

#include <chrono>
#include <cstddef>

namespace alchemy {

/// Options of `create_engine`. Aggregate, so designated initializers read well:
/// `create_engine("sqlite:///app.db", {.echo = true, .pool_size = 8,
///                                     .backend = alchemy::sqlite::options{.wal = false}})`.
struct engine_options {
    /// Print every statement and transaction event to stdout.
    bool echo = false;
    /// Receives every event in order (see log.hpp); may also be set later
    /// with engine::set_log_sink.
    log_sink sink{};

    /// Connections kept open in the pool.
    std::size_t pool_size = 5;
    /// Extra connections opened under load and closed when returned.
    std::size_t max_overflow = 10;
    /// How long connect() waits for a free connection before TimeoutError.
    std::chrono::milliseconds pool_timeout{30'000};

    /// Prepared statements kept per connection (least recently used evicted).
    std::size_t statement_cache_size = 128;

    /// The options of the backend the URL's scheme picks (sqlite::options
    /// for sqlite://), kept apart so that the core needs to know no backend;
    /// empty for the backend's defaults. Another backend's options are an
    /// ArgumentError at create_engine.
    backend_options backend{};
};

}  // namespace alchemy
