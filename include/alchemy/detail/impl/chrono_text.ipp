// alchemy/detail/impl/chrono_text.ipp — definitions of detail/chrono_text.hpp's non-template functions (see
// detail/config.hpp).
#pragma once

#include <alchemy/detail/chrono_text.hpp>

namespace alchemy::detail {

ALCHEMY_INLINE std::string format_date(std::chrono::sys_days day) {
    using namespace std::chrono;
    // Compared as days: year_month_day is only meaningful within the years
    // -32767 to 32767, and wraps silently beyond them (a sys_seconds can
    // reach 292 billion years).
    constexpr sys_days first = year{0} / January / 1, last = year{9999} / December / 31;
    if (day < first || day > last) {
        constexpr sys_days earliest = year::min() / January / 1, latest = year::max() / December / 31;
        if (day < earliest || day > latest)
            throw ConversionError(fmt::format("the date {} days from 1970-01-01 is outside 0000-9999 and has no "
                                              "ISO-8601 text form",
                                              day.time_since_epoch().count()));
        throw ConversionError(fmt::format("the date's year {} is outside 0000-9999 and has no ISO-8601 text form",
                                          static_cast<int>(year_month_day{day}.year())));
    }
    const year_month_day ymd{day};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

ALCHEMY_INLINE void text_reader::fail(std::string_view what) const {
    throw ConversionError(fmt::format("'{}' is not {}", text, what));
}

}  // namespace alchemy::detail
