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
#include <limits>
#include <ratio>
#include <string>
#include <string_view>
#include <utility>

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

// The day of `tp` and the time since its midnight. For integer durations by
// division: `tp - floor<days>(tp)` converts the midnight to Duration, which
// overflows when that midnight is earlier than Duration holds (for
// system_clock, any time on 1677-09-21).
template <class Duration>
auto split_day(std::chrono::sys_time<Duration> tp) {
    using namespace std::chrono;
    if constexpr (treat_as_floating_point_v<typename Duration::rep>) {
        const auto day = floor<days>(tp);
        return std::pair{day, tp - day};
    } else {
        const auto since_epoch = tp.time_since_epoch();
        auto since_midnight = since_epoch % days{1};
        auto day_count = since_epoch / days{1};
        if (since_midnight < since_midnight.zero()) {
            since_midnight += days{1};
            --day_count;
        }
        return std::pair{sys_days{days{day_count}}, since_midnight};
    }
}

template <class Duration>
std::string format_time(std::chrono::sys_time<Duration> tp) {
    using namespace std::chrono;
    const auto [day, since_midnight] = split_day(tp);
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
Duration exact_duration(std::string_view text, std::int64_t whole, std::chrono::nanoseconds fraction);

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
    // Whole seconds and the fraction are converted to Duration separately:
    // the instant in nanoseconds overflows std::int64_t outside the years
    // 1677-2262, which milliseconds or seconds hold easily.
    const std::int64_t whole =
        static_cast<std::int64_t>(sys_days{day}.time_since_epoch().count()) * 86'400 + h * 3'600 + mi * 60 + s;
    return sys_time<Duration>{exact_duration<Duration>(text, whole, nanoseconds{nanos})};
}

// `whole` seconds plus `fraction` (less than a second) as a Duration;
// ConversionError when that loses precision or leaves Duration's range.
template <class Duration>
Duration exact_duration(std::string_view text, std::int64_t whole, std::chrono::nanoseconds fraction) {
    using namespace std::chrono;
    using rep = typename Duration::rep;
    if constexpr (treat_as_floating_point_v<rep>) {
        return duration_cast<Duration>(seconds{whole}) + duration_cast<Duration>(fraction);
    } else {
        const auto imprecise = [&] {
            throw ConversionError(fmt::format("'{}' has more precision than the time point type holds", text));
        };
        const auto out_of_range = [&] {
            throw ConversionError(fmt::format("'{}' is outside the range of the time point type", text));
        };
        // Parts of the same sign, so that neither overflows where their sum
        // fits (the earliest system_clock time is -9223372037 s + 0.145... s).
        if (whole < 0 && fraction > fraction.zero()) {
            ++whole;
            fraction -= seconds{1};
        }
        // A second is num / den ticks.
        using per_second = std::ratio_divide<std::ratio<1>, typename Duration::period>;
        constexpr std::intmax_t num = per_second::num, den = per_second::den;
        if (whole > std::numeric_limits<std::intmax_t>::max() / num ||
            whole < std::numeric_limits<std::intmax_t>::min() / num)
            out_of_range();
        const std::intmax_t scaled = whole * num;
        if (scaled % den != 0) imprecise();
        if (!std::in_range<rep>(scaled / den)) out_of_range();
        const auto seconds_part = static_cast<rep>(scaled / den);
        const auto fraction_part = duration_cast<Duration>(fraction);  // less than a second: no overflow
        if (duration_cast<nanoseconds>(fraction_part) != fraction) imprecise();
        if (fraction_part.count() > 0 ? seconds_part > std::numeric_limits<rep>::max() - fraction_part.count()
                                      : seconds_part < std::numeric_limits<rep>::min() - fraction_part.count())
            out_of_range();
        return Duration{static_cast<rep>(seconds_part + fraction_part.count())};
    }
}

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/impl/chrono_text.ipp>
#endif
