// alchemy/detail/chrono_text.hpp — ISO-8601 text for dates and time points.
//
// Dates are "YYYY-MM-DD". Time points are UTC "YYYY-MM-DD HH:MM:SS" followed
// by as many fraction digits as the time point's precision needs (3 for
// milliseconds, 6 for microseconds, 9 for nanoseconds, as system_clock has on
// Linux), so a value round-trips exactly and the text sorts in time order.
// Reading also accepts a 'T' separator, fewer fraction digits and a trailing
// "Z" or "+00:00"; a value that does not fit the time point's precision or
// range is refused, never rounded.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/errors.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/core.h>

namespace alchemy::detail {

std::string format_date(std::chrono::sys_days day);

struct text_reader {
    std::string_view text;
    std::size_t pos = 0;

    [[noreturn]] void fail(std::string_view what) const;
    int digits(std::size_t count, std::string_view what) {
        if (pos + count > text.size()) fail(what);
        int v = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const char c = text[pos + i];
            if (c < '0' || c > '9') fail(what);
            v = v * 10 + (c - '0');
        }
        pos += count;
        return v;
    }
    void expect(char c, std::string_view what) {
        if (pos >= text.size() || text[pos] != c) fail(what);
        ++pos;
    }
};

inline std::chrono::sys_days read_date(text_reader& r, std::string_view what) {
    const int y = r.digits(4, what);
    r.expect('-', what);
    const int m = r.digits(2, what);
    r.expect('-', what);
    const int d = r.digits(2, what);
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) r.fail(what);
    return std::chrono::sys_days{ymd};
}

inline std::chrono::sys_days parse_date(std::string_view text) {
    text_reader r{text};
    const auto day = read_date(r, "an ISO-8601 date (YYYY-MM-DD)");
    if (r.pos != text.size()) r.fail("an ISO-8601 date (YYYY-MM-DD)");
    return day;
}

template <class Duration>
constexpr int fraction_digits() {
    using period = typename Duration::period;
    int digits = 0;
    for (std::intmax_t den = period::den / period::num; den > 1 && digits < 9; den /= 10) ++digits;
    return digits;
}

template <class Duration>
std::string format_time(std::chrono::sys_time<Duration> tp) {
    using namespace std::chrono;
    const auto day = floor<days>(tp);
    const auto since_midnight = tp - day;
    const auto secs = floor<seconds>(since_midnight);
    const hh_mm_ss<seconds> hms{secs};
    std::string out = fmt::format("{} {:02}:{:02}:{:02}", format_date(day), hms.hours().count(),
                                  hms.minutes().count(), hms.seconds().count());
    constexpr int digits = fraction_digits<Duration>();
    if constexpr (digits > 0) {
        const auto fraction = duration_cast<nanoseconds>(since_midnight - secs).count();
        std::int64_t scaled = fraction;
        for (int i = digits; i < 9; ++i) scaled /= 10;
        out += fmt::format(".{:0{}}", scaled, digits);
    }
    return out;
}

template <class Duration>
std::chrono::sys_time<Duration> parse_time(std::string_view text) {
    using namespace std::chrono;
    constexpr std::string_view what = "an ISO-8601 UTC time (YYYY-MM-DD HH:MM:SS[.fraction][Z])";
    text_reader r{text};
    const auto day = read_date(r, what);
    if (r.pos >= text.size() || (text[r.pos] != ' ' && text[r.pos] != 'T')) r.fail(what);
    ++r.pos;
    const int h = r.digits(2, what);
    r.expect(':', what);
    const int mi = r.digits(2, what);
    r.expect(':', what);
    const int s = r.digits(2, what);
    if (h > 23 || mi > 59 || s > 59) r.fail(what);
    std::int64_t nanos = 0;
    if (r.pos < text.size() && text[r.pos] == '.') {
        ++r.pos;
        int count = 0;
        while (r.pos < text.size() && text[r.pos] >= '0' && text[r.pos] <= '9') {
            if (++count > 9) r.fail("a time with at most nanosecond precision");
            nanos = nanos * 10 + (text[r.pos++] - '0');
        }
        if (count == 0) r.fail(what);
        for (int i = count; i < 9; ++i) nanos *= 10;
    }
    const std::string_view zone = text.substr(r.pos);
    if (!zone.empty() && zone != "Z" && zone != "+00:00") r.fail("a UTC time (only 'Z' or '+00:00' offsets are read)");
    const auto exact = sys_days{day} + hours{h} + minutes{mi} + seconds{s} + nanoseconds{nanos};
    const auto result = time_point_cast<Duration>(exact);
    if (result != exact)
        throw ConversionError(fmt::format("'{}' has more precision than the time point type holds", text));
    return result;
}

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/impl/chrono_text.ipp>
#endif
