// alchemy/detail/impl/url.ipp — definitions of url.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/url.hpp>

#include <algorithm>
#include <charconv>

#include <fmt/core.h>

namespace alchemy {
namespace detail {

// The URL text as messages may show it: the password of a
// scheme://user:password@host... written "***". It works on text that did
// not parse too, which is exactly when it is needed (a typo in the URL must
// not put the password into a log).
ALCHEMY_INLINE std::string mask_url_password(std::string_view text) {
    std::size_t start = text.find("://");
    if (start != std::string_view::npos) start += 3;
    else if (start = text.find(':'); start != std::string_view::npos) start += 1;
    else start = 0;
    while (start < text.size() && text[start] == '/') ++start;  // "postgresql:/u:pw@h" too
    const std::size_t end = std::min(text.find_first_of("/?#", start), text.size());
    const std::size_t at = text.substr(0, end).rfind('@');
    if (at == std::string_view::npos || at < start) return std::string(text);
    const std::size_t colon = text.substr(0, at).find(':', start);
    if (colon == std::string_view::npos) return std::string(text);
    std::string out(text.substr(0, colon + 1));
    out += "***";
    out += text.substr(at);
    return out;
}

inline bool is_unreserved(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// Percent-encodes everything but RFC 3986's unreserved characters and `keep`.
ALCHEMY_INLINE std::string percent_encode(std::string_view s, std::string_view keep = {}) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        if (is_unreserved(c) || keep.find(c) != std::string_view::npos) {
            out += c;
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0xF];
        }
    }
    return out;
}

// parse_url's steps; `text` is the whole URL, for messages.
struct url_parser {
    std::string_view text;

    [[noreturn]] void fail(std::string_view why) const {
        throw ArgumentError(
            fmt::format("alchemy: could not parse database URL '{}': {}", detail::mask_url_password(text), why));
    }

    // `what` names the part for messages ("user name"); in a query '+' is a space.
    std::string decode(std::string_view part, std::string_view what, bool plus_is_space = false) const {
        std::string out;
        out.reserve(part.size());
        for (std::size_t i = 0; i < part.size(); ++i) {
            const char c = part[i];
            if (c == '+' && plus_is_space) {
                out += ' ';
            } else if (c != '%') {
                out += c;
            } else {
                unsigned value = 0;
                const char* first = part.data() + i + 1;
                const char* last = first + std::min<std::size_t>(2, part.size() - i - 1);
                const auto [end, ec] = std::from_chars(first, last, value, 16);
                if (ec != std::errc{} || end != first + 2)
                    fail(fmt::format("the {} has a '%' that is not followed by two hexadecimal digits", what));
                out += static_cast<char>(value);
                i += 2;
            }
        }
        if (out.find('\0') != std::string::npos) fail(fmt::format("the {} contains a NUL byte", what));
        return out;
    }

    // `driver`: what follows a '+' in the scheme (nullopt without one).
    url sqlite(std::optional<std::string_view> driver, std::string_view rest) const {
        if (driver) fail(fmt::format("driver '{}' is not supported; use plain 'sqlite'", *driver));
        const auto sqlite_fail = [&](std::string_view why) {
            fail(fmt::format("{} (expected sqlite://, sqlite:///:memory:, sqlite:///relative.db or "
                             "sqlite:////absolute/path.db)",
                             why));
        };
        if (rest.find('?') != std::string_view::npos)
            sqlite_fail("query parameters are not supported; use engine_options");
        if (rest.empty()) return url{.dialect = "sqlite"};
        if (rest.front() != '/')
            sqlite_fail(fmt::format("'{}' is a host name; SQLite URLs have none (use three slashes)", rest));
        rest.remove_prefix(1);
        if (rest.empty()) sqlite_fail("the database path is empty");
        if (rest == ":memory:") return url{.dialect = "sqlite"};
        if (rest.find('\0') != std::string_view::npos) sqlite_fail("the path contains a NUL byte");
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
        return url{.dialect = "sqlite", .database = std::string(rest)};
    }

    // scheme://[user[:password]@][host][:port][/database][?key=value&...]
    url server(std::string dialect, std::string_view rest) const {
        url u{.dialect = std::move(dialect)};
        std::string_view query;
        if (const auto q = rest.find('?'); q != std::string_view::npos) {
            query = rest.substr(q + 1);
            rest = rest.substr(0, q);
        }
        if (rest.find('#') != std::string_view::npos)
            fail("a '#' is not part of a database URL; percent-encode it as %23");

        const auto slash = rest.find('/');
        std::string_view authority = rest.substr(0, slash);
        if (slash != std::string_view::npos) {
            const auto path = rest.substr(slash + 1);
            if (path.find('/') != std::string_view::npos)
                fail(fmt::format("the database name '{}' contains '/'; percent-encode it as %2F", path));
            u.database = decode(path, "database name");
        }

        // The user information ends at the last '@': a password with an
        // unencoded '@' still parses.
        if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
            const auto userinfo = authority.substr(0, at);
            const auto colon = userinfo.find(':');
            u.username = decode(userinfo.substr(0, colon), "user name");
            if (colon != std::string_view::npos) u.password = decode(userinfo.substr(colon + 1), "password");
            authority = authority.substr(at + 1);
        }

        std::string_view port;
        if (authority.starts_with('[')) {
            const auto close = authority.find(']');
            if (close == std::string_view::npos) fail("the IPv6 host has no closing ']'");
            u.host = decode(authority.substr(1, close - 1), "host");
            const auto after = authority.substr(close + 1);
            if (!after.empty() && after.front() != ':')
                fail(fmt::format("'{}' after the IPv6 host is not a ':port'", after));
            if (!after.empty()) port = after.substr(1);
            if (!after.empty() && port.empty()) fail("the port after ':' is empty");
        } else {
            const auto colon = authority.find(':');
            if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
                fail(fmt::format("the host '{}' has more than one ':'; write an IPv6 address in brackets, "
                                 "[::1]:5432",
                                 authority));
            u.host = decode(authority.substr(0, colon), "host");
            if (colon != std::string_view::npos) {
                port = authority.substr(colon + 1);
                if (port.empty()) fail("the port after ':' is empty");
            }
        }
        if (!port.empty()) {
            unsigned value = 0;
            const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
            if (ec != std::errc{} || end != port.data() + port.size() || value < 1 || value > 65535)
                fail(fmt::format("the port '{}' is not a number from 1 to 65535", port));
            u.port = static_cast<std::uint16_t>(value);
        }

        while (!query.empty()) {
            const auto amp = query.find('&');
            const auto item = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
            if (item.empty()) continue;  // "?a=1&&b=2", a trailing '&'
            const auto eq = item.find('=');
            if (eq == std::string_view::npos)
                fail(fmt::format("the query parameter '{}' has no '=value'", item));
            auto key = decode(item.substr(0, eq), "query parameter name", true);
            if (key.empty()) fail(fmt::format("the query parameter '{}' has no name", item));
            u.query.emplace_back(std::move(key), decode(item.substr(eq + 1), "query parameter value", true));
        }
        return u;
    }
};

}  // namespace detail

ALCHEMY_INLINE url parse_url(std::string_view text) {
    const detail::url_parser parser{text};
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos)
        parser.fail("no '://' after the dialect name (expected sqlite://... or postgresql://...)");
    const std::string_view scheme = text.substr(0, scheme_end);
    if (scheme.empty()) parser.fail("no dialect name before '://'");
    const auto plus = scheme.find('+');
    const std::string_view backend = scheme.substr(0, plus);
    // "sqlite+" names an empty driver, which is still a driver suffix.
    const auto driver =
        plus == std::string_view::npos ? std::nullopt : std::optional<std::string_view>(scheme.substr(plus + 1));
    const std::string_view rest = text.substr(scheme_end + 3);

    if (backend == "sqlite") return parser.sqlite(driver, rest);
    if (backend == "postgresql") {
        if (driver)
            parser.fail(fmt::format("driver '{}' is not supported; alchemy talks to PostgreSQL through libpq: "
                                    "write 'postgresql://'",
                                    *driver));
        return parser.server("postgresql", rest);
    }
    if (backend == "postgres") parser.fail("the dialect is spelled 'postgresql', as in SQLAlchemy");
    throw ArgumentError(fmt::format(
        "alchemy: no dialect for database URL '{}': '{}' is not supported (supported: sqlite, postgresql)",
        detail::mask_url_password(text), scheme));
}

ALCHEMY_INLINE std::string url::render(bool hide_password) const {
    if (dialect == "sqlite") return database.empty() ? "sqlite://" : "sqlite:///" + database;
    std::string out = dialect + "://";
    if (!username.empty() || !password.empty()) {
        out += detail::percent_encode(username);
        if (!password.empty()) {
            out += ':';
            out += hide_password ? "***" : detail::percent_encode(password);
        }
        out += '@';
    }
    if (host.find(':') != std::string::npos) out += '[' + detail::percent_encode(host, ":") + ']';
    else out += detail::percent_encode(host);
    if (port) out += fmt::format(":{}", *port);
    if (!database.empty()) out += '/' + detail::percent_encode(database);
    for (std::size_t i = 0; i < query.size(); ++i) {
        out += i == 0 ? '?' : '&';
        out += detail::percent_encode(query[i].first);
        out += '=';
        out += detail::percent_encode(query[i].second, "/:");  // a socket directory reads better unencoded
    }
    return out;
}

}  // namespace alchemy
