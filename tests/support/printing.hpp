// tests/support/printing.hpp — how Catch2 prints alchemy values in failures.
#pragma once

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

namespace Catch {
template <>
struct StringMaker<alchemy::value> {
    static std::string convert(const alchemy::value& v) { return alchemy::format_value(v); }
};
}  // namespace Catch
