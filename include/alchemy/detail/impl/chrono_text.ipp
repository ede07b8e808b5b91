// alchemy/detail/impl/chrono_text.ipp — definitions of detail/chrono_text.hpp's non-template functions (see
// detail/config.hpp).
#pragma once

#include <alchemy/detail/chrono_text.hpp>

namespace alchemy::detail {

ALCHEMY_INLINE std::string format_date(std::chrono::sys_days day) {
    const std::chrono::year_month_day ymd{day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999)
        throw ConversionError(fmt::format("the date's year {} is outside 0000-9999 and has no ISO-8601 text form", year));
    return fmt::format("{:04}-{:02}-{:02}", year, static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

ALCHEMY_INLINE void text_reader::fail(std::string_view what) const {
    throw ConversionError(fmt::format("'{}' is not {}", text, what));
}

}  // namespace alchemy::detail
