// fuzz_url — alchemy::parse_url on arbitrary bytes.
//
// Allowed outcomes: a url, or ArgumentError whose message starts "alchemy: ".
// An accepted URL must be one of the documented forms (url.hpp):
//   * dialect "sqlite" or "postgresql";
//   * sqlite: no user, password, host, port or query; no NUL byte in the
//     database path; is_memory() exactly when the path is empty, and then the
//     text was "sqlite://" or "sqlite:///:memory:"; otherwise the text is
//     "sqlite:///" followed by the path, unchanged, and the path has no '?';
//   * postgresql: no NUL byte in any part; render(false) reads back to an
//     equal url; render() shows a non-empty password only as "***".
#include "fuzz_support.hpp"

#include <alchemy/url.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/core.h>

using fuzz_support::escaped;
using fuzz_support::finding;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    alchemy::url u;
    const bool parsed = fuzz_support::run_allowing<alchemy::ArgumentError>(
        "parse_url", [&] { u = alchemy::parse_url(text); },
        [&](const alchemy::Error& e) {
            if (!std::string_view(e.what()).starts_with("alchemy: "))
                finding(fmt::format("parse_url('{}'): the message does not start with 'alchemy: ': {}",
                                    escaped(text), e.what()));
        });
    if (!parsed) return 0;

    const auto fail = [&](std::string_view why) {
        finding(fmt::format("parse_url('{}') accepted it as dialect '{}', database '{}': {}", escaped(text),
                            escaped(u.dialect), escaped(u.database), why));
    };
    if (u.dialect == "postgresql") {
        for (const std::string* part : {&u.username, &u.password, &u.host, &u.database})
            if (part->find('\0') != std::string::npos) fail("a part contains a NUL byte");
        for (const auto& [key, value] : u.query)
            if (key.empty() || key.find('\0') != std::string::npos || value.find('\0') != std::string::npos)
                fail("a query parameter is empty or contains a NUL byte");
        const auto shown = u.render(false);
        alchemy::url again;
        try {
            again = alchemy::parse_url(shown);
        } catch (const alchemy::Error& e) {
            fail(fmt::format("its render(false) '{}' does not parse: {}", escaped(shown), e.what()));
        }
        if (!(again == u)) fail(fmt::format("its render(false) '{}' reads back to another url", escaped(shown)));
        if (!u.password.empty() && u.render().find(":***@") == std::string::npos)
            fail("render() does not write the password as ***");
        return 0;
    }
    if (u.dialect != "sqlite") fail("the dialect is neither sqlite nor postgresql");
    if (!u.username.empty() || !u.password.empty() || !u.host.empty() || u.port || !u.query.empty())
        fail("a SQLite URL has a user, password, host, port or query");
    if (u.database.find('\0') != std::string::npos) fail("the database path contains a NUL byte");
    if (u.is_memory() != u.database.empty()) fail("is_memory() disagrees with the empty path");
    if (u.is_memory()) {
        if (text != "sqlite://" && text != "sqlite:///:memory:") fail("an in-memory URL in an undocumented form");
    } else {
        if (text.find('?') != std::string_view::npos) fail("a URL with a query string was accepted");
        if (text != "sqlite:///" + u.database) fail("the text is not sqlite:/// followed by the path");
    }
    return 0;
}
