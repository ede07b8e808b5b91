// fuzz_url — alchemy::parse_url on arbitrary bytes.
//
// Allowed outcomes: a url, or ArgumentError whose message starts "alchemy: ".
// An accepted URL must be one of the documented forms (url.hpp), which fixes
// it completely:
//   * dialect "sqlite"; no NUL byte in the database path;
//   * is_memory() exactly when the path is empty, and then the text was
//     "sqlite://" or "sqlite:///:memory:";
//   * otherwise the text is "sqlite:///" followed by the path, unchanged,
//     and the path has no '?'.
#include "fuzz_support.hpp"

#include <alchemy/url.hpp>

#include <cstddef>
#include <cstdint>
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
    if (u.dialect != "sqlite") fail("the dialect is not sqlite");
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
