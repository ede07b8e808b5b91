// alchemy/detail/type_name.hpp — a readable name of a C++ type for messages.
#pragma once

#include <string_view>

namespace alchemy::detail {

// Reads the type out of the compiler's pretty function name; GCC and Clang
// both print "... [with T = X]" / "... [T = X]". Only used to build error
// messages, so an odd compiler gets a worse message, never wrong behaviour.
template <class T>
constexpr std::string_view type_name() noexcept {
    std::string_view s = __PRETTY_FUNCTION__;
    const auto start = s.find("T = ");
    if (start == std::string_view::npos) return s;
    s.remove_prefix(start + 4);
    const auto end = s.find_first_of(";]");
    return s.substr(0, end);
}

}  // namespace alchemy::detail
