// tests/fuzz/fuzz_support.hpp — what the fuzz targets share: reporting a
// finding, running a call whose only allowed failures are named
// alchemy::Error subclasses, and tracing what an input does.
//
// A finding aborts: libFuzzer catches SIGABRT, prints the stack and writes
// the input to artifacts/ (see README.md), exactly as for a sanitizer report.
#pragma once

#include <alchemy/errors.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>

#include <fmt/core.h>

namespace fuzz_support {

/// Prints `what` and aborts: a violated expectation of the target.
[[noreturn]] inline void finding(std::string_view what) {
    std::fprintf(stderr, "\n==== alchemy fuzz finding: %.*s\n", static_cast<int>(what.size()), what.data());
    std::fflush(stderr);
    std::abort();
}

/// Runs `f()`. Returns true when it returned normally, false when it threw an
/// exception of one of the `Allowed` types; any other exception is a finding
/// (`what` says which call it was). `on_error(e)`, if given, may check the
/// allowed exception further.
template <class... Allowed, class F, class OnError>
bool run_allowing(std::string_view what, F&& f, OnError&& on_error) {
    static_assert(sizeof...(Allowed) > 0);
    try {
        f();
        return true;
    } catch (const alchemy::Error& e) {
        if (!((dynamic_cast<const Allowed*>(&e) != nullptr) || ...))
            finding(fmt::format("{} threw {} (not an allowed alchemy error here): {}", what, typeid(e).name(),
                                e.what()));
        on_error(e);
        return false;
    } catch (const std::exception& e) {
        finding(fmt::format("{} threw {} (not an alchemy::Error): {}", what, typeid(e).name(), e.what()));
    } catch (...) {
        finding(fmt::format("{} threw something that is not a std::exception", what));
    }
}

template <class... Allowed, class F>
bool run_allowing(std::string_view what, F&& f) {
    return run_allowing<Allowed...>(what, std::forward<F>(f), [](const alchemy::Error&) {});
}

/// True when ALCHEMY_FUZZ_TRACE is set: the targets then print what each
/// input decoded to and what happened (for reading a corpus file or a crash).
inline bool tracing() {
    static const bool on = std::getenv("ALCHEMY_FUZZ_TRACE") != nullptr;
    return on;
}

template <class... A>
void trace(fmt::format_string<A...> format, A&&... args) {
    if (tracing()) fmt::print(stderr, "{}\n", fmt::format(format, std::forward<A>(args)...));
}

/// A printable form of bytes for messages: C escapes for what is not ASCII.
inline std::string escaped(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) {
        if (c == '\\') out += "\\\\";
        else if (c >= 0x20 && c < 0x7f) out += static_cast<char>(c);
        else out += fmt::format("\\x{:02x}", c);
    }
    return out;
}

}  // namespace fuzz_support
