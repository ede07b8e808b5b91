// alchemy/engine.hpp — create_engine(): the starting point of every program.
//
//   auto engine = alchemy::create_engine("sqlite:///app.db", {.echo = true});
//   auto conn = engine.connect();
//
// An engine owns a pool of SQLite connections to one database, opened
// lazily, each with foreign_keys=ON, a busy timeout and (for files) WAL, as
// engine_options and its backend options (sqlite::options) say. An in-memory URL gives ONE database that every
// connection of the engine shares, for as long as the engine lives.
// `engine` is a cheap handle: copies share the same pool; connections and
// sessions keep it alive.
#pragma once

#include <alchemy/connection.hpp>
#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/engine_state.hpp>
#include <alchemy/engine_options.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/url.hpp>

#include <memory>
#include <string_view>
#include <utility>

namespace alchemy {

class engine {
public:
    /// Checks a connection out of the pool (opening one if needed). Throws
    /// TimeoutError when the pool stays exhausted for pool_timeout, and
    /// OperationalError / DatabaseError naming the file when it cannot be
    /// opened as a database.
    connection connect() { return connection(state_, state_->pool.checkout()); }

    /// Checks out a connection and begins a transaction on it; the returned
    /// transaction commits at scope end (rolls back on an exception) and then
    /// returns the connection.
    transaction begin();

    const alchemy::url& url() const noexcept { return state_->url; }
    const alchemy::dialect& dialect() const noexcept { return state_->dialect; }
    const engine_options& options() const noexcept { return state_->options; }

    /// Replaces the log sink (an empty function removes it).
    void set_log_sink(log_sink sink) { state_->log.set_sink(std::move(sink)); }

    /// Closes the idle connections of the pool; connections checked out now
    /// are closed when they are returned, not pooled again.
    void dispose() noexcept { state_->pool.dispose(); }

    /// Connections currently checked out / open.
    std::size_t checked_out() const { return state_->pool.checked_out(); }
    std::size_t open_connections() const { return state_->pool.open(); }

private:
    friend engine create_engine(std::string_view, engine_options);
    explicit engine(std::shared_ptr<detail::engine_state> state) : state_(std::move(state)) {}

    std::shared_ptr<detail::engine_state> state_;
};

/// Creates an engine for a database URL (see url.hpp); ArgumentError for a
/// malformed URL or invalid options.
engine create_engine(std::string_view url_text, engine_options options = {});

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/driver/impl/engine.ipp>
#endif
