// alchemy/url.hpp — database URLs in SQLAlchemy's form.
//
//   sqlite://                      in-memory database
//   sqlite:///:memory:             in-memory database
//   sqlite:///relative/path.db     file, relative to the working directory
//   sqlite:////absolute/path.db    file, absolute path (four slashes)
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
