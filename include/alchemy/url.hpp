// alchemy/url.hpp — database URLs in SQLAlchemy's form.
//
//   sqlite://                      in-memory database
//   sqlite:///:memory:             in-memory database
//   sqlite:///relative/path.db     file, relative to the working directory
//   sqlite:////absolute/path.db    file, absolute path (four slashes)
//
// The path is a file name, never an SQLite URI filename. SQLite reads a name
// that starts with "file:" as a URI (with SQLITE_USE_URI=1, as Debian builds
// it, even without SQLITE_OPEN_URI): sqlite:///file:x.db would open x.db, and
// sqlite:///file::memory: a private, empty in-memory database for every
// pooled connection. So a path that starts with "file:" is an ArgumentError;
// write sqlite:// for memory, or sqlite:///./file:x.db for a file named
// "file:x.db". "file:" further on (sqlite:///data/file:x.db) is an ordinary
// part of the path, and so is "FILE:" (SQLite's check is case-sensitive).
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/errors.hpp>

#include <string>
#include <string_view>

namespace alchemy {

struct url {
    std::string dialect;    ///< "sqlite"
    std::string database;   ///< file path, or empty for an in-memory database

    bool is_memory() const noexcept { return database.empty(); }
};

/// Parses a database URL; throws ArgumentError naming the URL and the problem.
url parse_url(std::string_view text);

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/impl/url.ipp>
#endif
