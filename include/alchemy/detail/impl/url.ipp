// alchemy/detail/impl/url.ipp — definitions of url.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/url.hpp>

#include <fmt/core.h>

namespace alchemy {

ALCHEMY_INLINE url parse_url(std::string_view text) {
    const auto fail = [&](std::string_view why) -> url {
        throw ArgumentError(fmt::format(
            "alchemy: could not parse database URL '{}': {} (expected sqlite://, "
            "sqlite:///:memory:, sqlite:///relative.db or sqlite:////absolute/path.db)",
            text, why));
    };
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) return fail("no '://' after the dialect name");
    const std::string_view scheme = text.substr(0, scheme_end);
    if (scheme.empty()) return fail("no dialect name before '://'");
    if (scheme != "sqlite") {
        if (scheme.starts_with("sqlite+"))
            return fail(fmt::format("driver '{}' is not supported; use plain 'sqlite'", scheme.substr(7)));
        throw ArgumentError(fmt::format(
            "alchemy: no dialect for database URL '{}': '{}' is not supported (supported: sqlite)",
            text, scheme));
    }
    std::string_view rest = text.substr(scheme_end + 3);
    if (rest.find('?') != std::string_view::npos)
        return fail("query parameters are not supported; use engine_options");
    if (rest.empty()) return url{"sqlite", {}};
    if (rest.front() != '/')
        return fail(fmt::format("'{}' is a host name; SQLite URLs have none (use three slashes)", rest));
    rest.remove_prefix(1);
    if (rest.empty()) return fail("the database path is empty");
    if (rest == ":memory:") return url{"sqlite", {}};
    if (rest.find('\0') != std::string_view::npos) return fail("the path contains a NUL byte");
    // SQLite reads a file name that starts with "file:" (lower case, as here)
    // as a URI whenever URIs are on — and Debian's libsqlite3 turns them on
    // for every open (SQLITE_USE_URI=1). "file:x.db" would open x.db, and
    // "file::memory:" a private in-memory database per pooled connection.
    if (rest.starts_with("file:"))
        throw ArgumentError(fmt::format(
            "alchemy: database URL '{}' is refused: SQLite reads a path that starts with 'file:' as a URI "
            "filename, not as a file name ('file::memory:' would give each pooled connection its own empty "
            "database); write 'sqlite://' for an in-memory database, or 'sqlite:///./{}' for a file whose name "
            "starts with 'file:'",
            text, rest));
    return url{"sqlite", std::string(rest)};
}

}  // namespace alchemy
