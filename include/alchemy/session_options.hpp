// alchemy/session_options.hpp — alchemy::session_options, what a session (and
// a sessionmaker) is configured with.
#pragma once

#include <alchemy/events.hpp>

namespace alchemy {

/// Options of a session (and of sessionmaker).
struct session_options {
    /// Flush pending changes before each query, get() miss and load.
    bool autoflush = true;
    /// After commit, every object reloads its columns on next access.
    bool expire_on_commit = true;
    /// When a lazy relationship of an object that came from a query is first
    /// accessed, load it for every object of that query at once (one IN
    /// statement per 1,000 objects) instead of one SELECT per object: the
    /// N+1 pattern costs a handful of statements. (SQLAlchemy loads one
    /// object's relationship at a time.)
    bool batch_lazy_loads = true;
    /// Hooks called by the session (events.hpp): before_flush, after_flush,
    /// after_commit, after_rollback.
    session_events events{};
};

/// Options of session::merge().
struct merge_options {
    /// false (SQLAlchemy's load=False): the object is known to match its row,
    /// e.g. it came from a cache, and merge() runs no SQL at all: the copy
    /// becomes persistent and unmodified, its related objects too. Refused for
    /// an object with no key, and for a ptr whose object is pending or has
    /// changes not flushed.
    bool load = true;
};

}  // namespace alchemy
