// alchemy/url.hpp — database URLs in SQLAlchemy's form.
//
//   sqlite://                      in-memory database
//   sqlite:///:memory:             in-memory database
//   sqlite:///relative/path.db     file, relative to the working directory
//   sqlite:////absolute/path.db    file, absolute path (four slashes)
//
//   postgresql://user:password@host:port/dbname?connect_timeout=5&application_name=app
//   postgresql:///dbname?host=/path/to/socketdir     (a Unix socket directory)
//
// A server URL is scheme://[user[:password]@][host][:port][/database][?key=value&...].
// The user name, password, host, database and query keys and values are
// percent-decoded ("p%40ss" is "p@ss"; in the query '+' is a space, as
// SQLAlchemy reads it). An IPv6 host is written in brackets: [::1]:5432.
// Which query keys mean something is the backend's business: its driver
// refuses the ones it does not know.
//
// A password never leaves a url through render() unless asked for
// (render(false)), nor through the messages parse_url throws: both write it
// as "***", as SQLAlchemy does.
//
// The SQLite path is a file name, never an SQLite URI filename. SQLite reads a
// name that starts with "file:" as a URI (with SQLITE_USE_URI=1, as Debian
// builds it, even without SQLITE_OPEN_URI): sqlite:///file:x.db would open
// x.db, and sqlite:///file::memory: a private, empty in-memory database for
// every pooled connection. So a path that starts with "file:" is an
// ArgumentError; write sqlite:// for memory, or sqlite:///./file:x.db for a
// file named "file:x.db". "file:" further on (sqlite:///data/file:x.db) is an
// ordinary part of the path, and so is "FILE:" (SQLite's check is case-sensitive).
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/errors.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace alchemy {

struct url {
    std::string dialect{};   ///< the backend: "sqlite", "postgresql"
    std::string username{};  ///< empty: the driver's default
    std::string password{};  ///< never printed: render() writes "***"
    std::string host{};      ///< a name, an IPv4 address or an IPv6 address (without brackets); empty: default
    std::optional<std::uint16_t> port{};
    std::string database{};  ///< SQLite: the file path, empty for an in-memory database; else the database name
    /// The ?key=value pairs, decoded, in the order written (a key may repeat).
    std::vector<std::pair<std::string, std::string>> query{};

    /// For SQLite: whether the database lives in memory (no path).
    bool is_memory() const noexcept { return database.empty(); }

    /// The value of the last `key=` in the query, or nothing.
    std::optional<std::string_view> query_value(std::string_view key) const noexcept {
        std::optional<std::string_view> found;
        for (const auto& [k, v] : query)
            if (k == key) found = v;
        return found;
    }

    /// The URL as text that parse_url reads back to an equal url; the password
    /// is written "***" unless `hide_password` is false.
    std::string render(bool hide_password = true) const;

    friend bool operator==(const url&, const url&) = default;
};

/// Parses a database URL; throws ArgumentError naming the URL (its password
/// masked) and the problem.
url parse_url(std::string_view text);

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/impl/url.ipp>
#endif
