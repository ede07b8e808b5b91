// fuzz_rows — arbitrary stored values read into a mapped struct and through
// row getters.
//
// Each input becomes one row of the table "wide", whose columns have no
// declared type (so SQLite keeps exactly the storage class bound: NULL,
// INTEGER, REAL, TEXT or BLOB) and no NOT NULL. Each column gets either a
// value of a storage class the input chooses (INT64_MIN/MAX, NaN, infinities,
// huge REALs, text with NUL bytes and invalid UTF-8, date and time text in
// and out of range ...) or one its member's type should read. The row is inserted with raw
// sqlite3 on a connection's native handle, read back raw (what is stored),
// and then read by alchemy:
//   * session.query<wide>().all() and, with the identity map emptied,
//     session.get<wide>(id);
//   * a connection's result: row.get<T>(i) for a few columns the input
//     chooses, each as alchemy::value and as a type the input chooses (any
//     member's type, and a few more), and row.values().
// Allowed outcomes: the value, or ConversionError. Which one is decided by an
// oracle written from the documentation (types.hpp, chrono_text.hpp), not
// from alchemy's code: for each stored value and C++ type it gives the value
// that must be read or says that reading must fail. So a value read must
// equal the oracle's (floating point bit for bit), a ConversionError must
// come only where the oracle refuses, and a failed object load must name
// the first column the oracle refuses. Anything else — another exception,
// a crash, a sanitizer report — is a finding.
#include "fuzz_support.hpp"

#include <alchemy/alchemy.hpp>

#include <boost/describe.hpp>
#include <boost/mp11/algorithm.hpp>
#include <fmt/core.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <sqlite3.h>

#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

using fuzz_support::escaped;
using fuzz_support::finding;

namespace fuzz_rows {

enum class level : std::int16_t { low = -1, high = 7 };  // fixed underlying type: every int16 is a value
enum class color { red, green, blue };                   // stored as its name (enum_as_text)
BOOST_DESCRIBE_ENUM(color, red, green, blue)
enum shade { light, dark = 3 };  // no fixed underlying type: its values are 0 to 3 only
BOOST_DESCRIBE_ENUM(shade, light, dark)  // alchemy reads such an enum only when it can check that range

}  // namespace fuzz_rows

template <>
inline constexpr bool alchemy::enum_as_text<fuzz_rows::color> = true;

namespace fuzz_rows {

using time_ns = std::chrono::system_clock::time_point;
using time_ms = std::chrono::sys_time<std::chrono::milliseconds>;
using time_s = std::chrono::sys_seconds;
using std::chrono::sys_days;
using bytes = std::vector<std::byte>;
using ubytes = std::vector<unsigned char>;

// Every member type alchemy maps (README, Types), and std::optional of several.
struct wide {
    std::int64_t id = 0;
    bool flag = false;
    std::int8_t i8 = 0;
    std::uint8_t u8 = 0;
    std::int16_t i16 = 0;
    std::uint16_t u16 = 0;
    std::int32_t i32 = 0;
    std::uint32_t u32 = 0;
    std::int64_t i64 = 0;
    std::uint64_t u64 = 0;
    float f = 0;
    double d = 0;
    std::string text{};
    bytes blob{};
    ubytes ublob{};
    level lvl = level::low;
    shade shd = light;
    color col = color::red;
    sys_days day{};
    time_ns at{};
    time_ms at_ms{};
    time_s at_s{};
    alchemy::value any{};
    std::optional<bool> opt_flag{};
    std::optional<std::int32_t> opt_i32{};
    std::optional<std::uint64_t> opt_u64{};
    std::optional<double> opt_d{};
    std::optional<std::string> opt_text{};
    std::optional<bytes> opt_blob{};
    std::optional<color> opt_col{};
    std::optional<sys_days> opt_day{};
    std::optional<time_ms> opt_at_ms{};
};
BOOST_DESCRIBE_STRUCT(wide, (),
                      (id, flag, i8, u8, i16, u16, i32, u32, i64, u64, f, d, text, blob, ublob, lvl, shd, col, day, at,
                       at_ms, at_s, any, opt_flag, opt_i32, opt_u64, opt_d, opt_text, opt_blob, opt_col, opt_day,
                       opt_at_ms))
constexpr auto alchemy_table(wide*) { return alchemy::table("wide"); }

// ---------------------------------------------------------------------------
// What is stored: one column as raw sqlite3 reads it back.

struct stored {
    int type = SQLITE_NULL;  // sqlite3_column_type
    std::int64_t integer = 0;
    double real = 0;
    std::string bytes{};  // TEXT or BLOB

    alchemy::value as_value() const {
        switch (type) {
            case SQLITE_INTEGER: return alchemy::value(integer);
            case SQLITE_FLOAT: return alchemy::value(real);
            case SQLITE_TEXT: return alchemy::value(bytes);
            case SQLITE_BLOB: {
                const auto* p = reinterpret_cast<const std::byte*>(bytes.data());
                return alchemy::value(std::vector<std::byte>(p, p + bytes.size()));
            }
            default: return alchemy::value();
        }
    }
    std::string describe() const { return alchemy::format_value(as_value(), 60); }
};

// ---------------------------------------------------------------------------
// The oracle: the value reading `s` as T must give, or nullopt when reading
// must throw ConversionError.

template <class T>
struct tag {};

template <class T>
std::optional<T> expect(const stored& s);

template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;

template <class T>
inline constexpr bool is_time = false;
template <class D>
inline constexpr bool is_time<std::chrono::sys_time<D>> = !std::is_same_v<D, std::chrono::days>;

// "YYYY-MM-DD", a real date (chrono_text.hpp).
std::optional<std::chrono::year_month_day> reference_date(std::string_view t) {
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    int v[3] = {0, 0, 0};
    int field = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (i == 4 || i == 7) {
            ++field;
            continue;
        }
        if (t[i] < '0' || t[i] > '9') return std::nullopt;
        v[field] = v[field] * 10 + (t[i] - '0');
    }
    const std::chrono::year_month_day ymd{std::chrono::year{v[0]}, std::chrono::month{static_cast<unsigned>(v[1])},
                                          std::chrono::day{static_cast<unsigned>(v[2])}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

// An instant as whole seconds since the epoch and nanoseconds after them:
// wide enough for every year 0000-9999 at nanosecond precision.
struct instant {
    std::int64_t seconds = 0;
    std::int64_t nanos = 0;
};

// "YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}][Z|+00:00]" (chrono_text.hpp).
std::optional<instant> reference_time(std::string_view t) {
    const auto date = reference_date(t.substr(0, 10));
    if (!date || t.size() < 19 || (t[10] != ' ' && t[10] != 'T') || t[13] != ':' || t[16] != ':')
        return std::nullopt;
    const auto two = [&](std::size_t at) -> int {
        if (t[at] < '0' || t[at] > '9' || t[at + 1] < '0' || t[at + 1] > '9') return -1;
        return (t[at] - '0') * 10 + (t[at + 1] - '0');
    };
    const int h = two(11), mi = two(14), s = two(17);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return std::nullopt;
    std::size_t pos = 19;
    std::int64_t nanos = 0;
    if (pos < t.size() && t[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
            if (++digits > 9) return std::nullopt;
            nanos = nanos * 10 + (t[pos++] - '0');
        }
        if (digits == 0) return std::nullopt;
        for (int i = digits; i < 9; ++i) nanos *= 10;
    }
    const std::string_view zone = t.substr(pos);
    if (!zone.empty() && zone != "Z" && zone != "+00:00") return std::nullopt;
    const std::int64_t days = sys_days{*date}.time_since_epoch().count();
    return instant{days * 86'400 + h * 3'600 + mi * 60 + s, nanos};
}

template <class D>
std::optional<std::chrono::sys_time<D>> to_time(const instant& at) {
    using period = typename D::period;
    static_assert(period::num == 1 && 1'000'000'000 % period::den == 0, "a sub-second decimal precision");
    static_assert(std::is_same_v<typename D::rep, std::int64_t>);
    constexpr std::int64_t nanos_per_tick = 1'000'000'000 / period::den;
    if (at.nanos % nanos_per_tick != 0) return std::nullopt;  // more precision than D holds
    // Seconds and nanoseconds of the same sign: the earliest nanosecond time
    // point is -9223372037 s + 145224192 ns, whose seconds alone overflow.
    std::int64_t seconds = at.seconds, nanos = at.nanos;
    if (seconds < 0 && nanos > 0) {
        ++seconds;
        nanos -= 1'000'000'000;
    }
    std::int64_t ticks = 0;
    if (__builtin_mul_overflow(seconds, static_cast<std::int64_t>(period::den), &ticks) ||
        __builtin_add_overflow(ticks, nanos / nanos_per_tick, &ticks))
        return std::nullopt;  // outside D's range
    return std::chrono::sys_time<D>{D{ticks}};
}

template <class T>
std::optional<T> expect_as(tag<T>, const stored& s) {
    using std::nullopt;
    if constexpr (std::is_same_v<T, bool>) {
        if (s.type != SQLITE_INTEGER || (s.integer != 0 && s.integer != 1)) return nullopt;
        return s.integer == 1;
    } else if constexpr (std::is_same_v<T, shade>) {
        if (s.type != SQLITE_INTEGER || s.integer < 0 || s.integer > 3) return nullopt;
        return static_cast<shade>(s.integer);
    } else if constexpr (std::is_same_v<T, level>) {
        if (s.type != SQLITE_INTEGER || !std::in_range<std::int16_t>(s.integer)) return nullopt;
        return static_cast<level>(s.integer);
    } else if constexpr (std::is_integral_v<T>) {
        if (s.type != SQLITE_INTEGER || !std::in_range<T>(s.integer)) return nullopt;
        return static_cast<T>(s.integer);
    } else if constexpr (std::is_floating_point_v<T>) {
        double v = 0;
        if (s.type == SQLITE_INTEGER) v = static_cast<double>(s.integer);
        else if (s.type == SQLITE_FLOAT) v = s.real;
        else return nullopt;
        if (std::isfinite(v) && std::abs(v) > static_cast<double>(std::numeric_limits<T>::max())) return nullopt;
        return static_cast<T>(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (s.type != SQLITE_TEXT) return nullopt;
        return s.bytes;
    } else if constexpr (std::is_same_v<T, bytes> || std::is_same_v<T, ubytes>) {
        if (s.type != SQLITE_BLOB) return nullopt;
        using E = typename T::value_type;
        const auto* p = reinterpret_cast<const E*>(s.bytes.data());
        return T(p, p + s.bytes.size());
    } else if constexpr (std::is_same_v<T, color>) {
        if (s.type != SQLITE_TEXT) return nullopt;
        if (s.bytes == "red") return color::red;
        if (s.bytes == "green") return color::green;
        if (s.bytes == "blue") return color::blue;
        return nullopt;
    } else if constexpr (std::is_same_v<T, sys_days>) {
        if (s.type != SQLITE_TEXT) return nullopt;
        const auto ymd = reference_date(s.bytes);
        if (!ymd) return nullopt;
        return sys_days{*ymd};
    } else if constexpr (is_time<T>) {
        if (s.type != SQLITE_TEXT) return nullopt;
        const auto at = reference_time(s.bytes);
        if (!at) return nullopt;
        return to_time<typename T::duration>(*at);
    } else if constexpr (std::is_same_v<T, alchemy::value>) {
        return s.as_value();
    } else if constexpr (is_optional<T>) {
        if (s.type == SQLITE_NULL) return std::optional<T>(std::in_place);  // holds an empty T
        auto inner = expect<typename T::value_type>(s);
        if (!inner) return nullopt;
        return std::optional<T>(std::in_place, std::move(*inner));
    } else {
        static_assert(std::is_void_v<T>, "no oracle for this type");
    }
}

template <class T>
std::optional<T> expect(const stored& s) {
    return expect_as(tag<T>{}, s);
}

// Equality as the round trip needs it: floating point bit for bit (a NaN is
// never stored: SQLite turns it into NULL).
template <class T>
bool same(const T& a, const T& b) {
    if constexpr (std::is_same_v<T, float>)
        return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
    else if constexpr (std::is_same_v<T, double>)
        return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
    else if constexpr (is_optional<T>)
        return a.has_value() == b.has_value() && (!a || same(*a, *b));
    else
        return a == b;
}

template <class T>
std::string show(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
        return v ? "true" : "false";
    } else if constexpr (std::is_enum_v<T>) {
        // The bytes, not the value: an enum holding a value outside its range
        // is what this may have to report, and loading it would be UB itself.
        std::underlying_type_t<T> n;
        std::memcpy(&n, &v, sizeof n);
        return fmt::format("enum {}", n);
    } else if constexpr (std::is_arithmetic_v<T>) {
        return fmt::format("{}", v);
    } else if constexpr (std::is_same_v<T, std::string>) {
        return "'" + escaped(v) + "'";
    } else if constexpr (std::is_same_v<T, bytes> || std::is_same_v<T, ubytes>) {
        return fmt::format("<{} bytes>", v.size());
    } else if constexpr (std::is_same_v<T, sys_days> || is_time<T>) {
        return fmt::format("{} ticks", v.time_since_epoch().count());
    } else if constexpr (std::is_same_v<T, alchemy::value>) {
        return alchemy::format_value(v, 60);
    } else if constexpr (is_optional<T>) {
        return v ? show(*v) : "nullopt";
    } else {
        static_assert(std::is_void_v<T>, "no printer for this type");
    }
}

// Compares what alchemy did (`ok`: returned `got`) with what the oracle
// says `expected` must be.
template <class T>
void judge(std::string_view what, const stored& s, bool ok, const T& got, const std::optional<T>& expected) {
    if (ok && !expected)
        finding(fmt::format("{}: read {} from the stored {}, which the documentation says must be refused", what,
                            show(got), escaped(s.describe())));
    if (!ok && expected)
        finding(fmt::format("{}: ConversionError for the stored {}, which must read as {}", what,
                            escaped(s.describe()), show(*expected)));
    if (ok && !same(got, *expected))
        finding(fmt::format("{}: read {} from the stored {}, expected {}", what, show(got), escaped(s.describe()),
                            show(*expected)));
}

// ---------------------------------------------------------------------------
// The process-wide database.

// A connection stays checked out for raw sqlite3 writes; sessions and
// connections of each input take others from the pool. Everything is
// sequenced, so a lock wait means a bug: a short busy timeout makes it
// an error instead of a stall.
struct fixture {
    alchemy::engine engine = alchemy::create_engine("sqlite://", {.backend = alchemy::sqlite::options{.busy_timeout = std::chrono::milliseconds(100)}});
    alchemy::connection raw = engine.connect();
    sqlite3* db = alchemy::sqlite::native_handle(raw);
    const alchemy::table_info& table = alchemy::table_of<wide>();
    sqlite3_stmt* insert = nullptr;
    sqlite3_stmt* select = nullptr;
    sqlite3_stmt* clear = nullptr;

    fixture() {
        std::string columns, marks;
        for (const auto& c : table.columns) {
            if (!columns.empty()) columns += ", ";
            columns += "\"" + c.name + "\"";
            if (c.primary_key) columns += " INTEGER PRIMARY KEY";  // the rowid: always an INTEGER
            marks += marks.empty() ? "?" : ", ?";
        }
        if (!table.columns.front().primary_key) finding("fixture: wide's first column is not its key");
        run(fmt::format("CREATE TABLE wide ({})", columns));
        insert = prepare(fmt::format("INSERT INTO wide VALUES ({})", marks));
        select = prepare("SELECT * FROM wide");
        clear = prepare("DELETE FROM wide");
    }

    void run(const std::string& sql) {
        char* error = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK)
            finding(fmt::format("fixture: {}: {}", sql, error ? error : "?"));
    }
    sqlite3_stmt* prepare(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
            finding(fmt::format("fixture: {}: {}", sql, sqlite3_errmsg(db)));
        return stmt;
    }
    void step_done(sqlite3_stmt* stmt) {
        const int rc = sqlite3_step(stmt);
        if (rc != SQLITE_DONE) finding(fmt::format("fixture: {}: {}", sqlite3_sql(stmt), sqlite3_errmsg(db)));
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
};

// Held for the life of the process (and reachable, so not a leak).
fixture& the_fixture() {
    static fixture* f = new fixture();
    return *f;
}

// ---------------------------------------------------------------------------
// Turning the input into values.

std::int64_t pick_integer(FuzzedDataProvider& in) {
    static constexpr std::int64_t special[] = {
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(), 0, 1, -1, 2, 3, 4,
        7, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 65535, 65536,
        std::numeric_limits<std::int32_t>::max(), std::int64_t{std::numeric_limits<std::int32_t>::max()} + 1,
        std::numeric_limits<std::int32_t>::min(), std::int64_t{std::numeric_limits<std::int32_t>::min()} - 1,
        std::numeric_limits<std::uint32_t>::max(), std::int64_t{std::numeric_limits<std::uint32_t>::max()} + 1,
        std::int64_t{1} << 53, (std::int64_t{1} << 53) + 1};
    if (in.ConsumeBool()) return special[in.ConsumeIntegralInRange<std::size_t>(0, std::size(special) - 1)];
    return in.ConsumeIntegral<std::int64_t>();
}

double pick_real(FuzzedDataProvider& in) {
    static constexpr double inf = std::numeric_limits<double>::infinity();
    static const double special[] = {0.0, -0.0, 1.0, -1.5, 0.1, inf, -inf, std::numeric_limits<double>::quiet_NaN(),
                                     std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                                     std::numeric_limits<double>::denorm_min(),
                                     static_cast<double>(std::numeric_limits<float>::max()),
                                     std::nextafter(static_cast<double>(std::numeric_limits<float>::max()), inf),
                                     -static_cast<double>(std::numeric_limits<float>::max()) * 2, 9.2233720368547758e18,
                                     -9.2233720368547758e18, 1e300};
    if (in.ConsumeBool()) return special[in.ConsumeIntegralInRange<std::size_t>(0, std::size(special) - 1)];
    return std::bit_cast<double>(in.ConsumeIntegral<std::uint64_t>());
}

std::string pick_known_text(FuzzedDataProvider& in) {
    using namespace std::string_literals;
    static const std::string known[] = {
        ""s, "red"s, "green"s, "blue"s, "Red"s, "red\0"s, "red\0green"s, " red"s, "0"s, "1"s, "-1"s, "1.5"s, "0x10"s,
        "9223372036854775808"s, "2024-02-29"s, "2023-02-29"s, "0000-01-01"s, "9999-12-31"s, "2024-2-29"s,
        "2024-02-29 23:59:59.123456789"s, "2262-04-11 23:47:16.854775807"s, "2262-04-11 23:47:16.854775808"s,
        "1677-09-21 00:12:43.145224192"s, "1677-09-21 00:12:43.145224191"s, "9999-12-31 23:59:59.999"s,
        "9999-12-31 23:59:59"s, "0000-01-01 00:00:00"s, "2020-05-17T08:30:15.250Z"s, "2020-05-17 08:30:15+00:00"s,
        "2020-05-17 08:30:15."s, "2020-05-17 08:30:15.1234567890"s, "2020-05-17 24:00:00"s, "2020-05-17 08:30:60"s,
        "\xff\xfe"s, "\xc3\x28"s, "h\0llo"s, "2024-02-29\0"s};
    return known[in.ConsumeIntegralInRange<std::size_t>(0, std::size(known) - 1)];
}

// Date and time text of the documented shape with values the input chooses
// (also out of range): the oracle decides which must be read.
std::string pick_date_text(FuzzedDataProvider& in) {
    const int y = in.ConsumeIntegralInRange(0, 9999);
    const int m = in.ConsumeIntegralInRange(0, 13);
    const int d = in.ConsumeIntegralInRange(0, 32);
    return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::string pick_time_text(FuzzedDataProvider& in) {
    // Mostly years near the ends of the nanosecond range (1677-2262).
    const int y = in.ConsumeBool() ? in.ConsumeIntegralInRange(1676, 1678) + 585 * in.ConsumeIntegralInRange(0, 1)
                                   : in.ConsumeIntegralInRange(0, 9999);
    std::string out = pick_date_text(in);
    out.replace(0, 4, fmt::format("{:04}", y));
    out += in.ConsumeBool() ? ' ' : 'T';
    out += fmt::format("{:02}:{:02}:{:02}", in.ConsumeIntegralInRange(0, 24), in.ConsumeIntegralInRange(0, 60),
                       in.ConsumeIntegralInRange(0, 60));
    if (const int digits = in.ConsumeIntegralInRange(-1, 10); digits >= 0) {
        out += '.';
        for (int i = 0; i < digits; ++i) out += static_cast<char>('0' + in.ConsumeIntegralInRange(0, 9));
    }
    static const char* const zones[] = {"", "", "Z", "+00:00", "+01:00", "z"};
    out += zones[in.ConsumeIntegralInRange<std::size_t>(0, std::size(zones) - 1)];
    return out;
}

// Binds one value of a storage class the input chooses.
void bind_one(FuzzedDataProvider& in, sqlite3_stmt* stmt, int index) {
    int rc = SQLITE_OK;
    switch (in.ConsumeIntegralInRange(0, 8)) {
        case 0: rc = sqlite3_bind_null(stmt, index); break;
        case 1: rc = sqlite3_bind_int64(stmt, index, pick_integer(in)); break;
        case 2: rc = sqlite3_bind_double(stmt, index, pick_real(in)); break;
        case 3: {
            const std::string text = in.ConsumeRandomLengthString(48);  // may be invalid UTF-8, may hold NULs
            rc = sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
            break;
        }
        case 4: {
            const std::string blob = in.ConsumeRandomLengthString(48);
            rc = sqlite3_bind_blob64(stmt, index, blob.data(), blob.size(), SQLITE_TRANSIENT);
            break;
        }
        case 5: {
            const std::string text = pick_known_text(in);
            rc = sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
            break;
        }
        case 6: {
            const std::string text = pick_date_text(in);
            rc = sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
            break;
        }
        case 7: {
            const std::string text = pick_time_text(in);
            rc = sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
            break;
        }
        default: {
            const std::string blob = pick_known_text(in);
            rc = sqlite3_bind_blob64(stmt, index, blob.data(), blob.size(), SQLITE_TRANSIENT);
            break;
        }
    }
    if (rc != SQLITE_OK) finding(fmt::format("fixture: binding parameter {} failed with {}", index, rc));
}

// Binds a value that member type M reads, most of the time, so that whole
// objects load (and every member's round trip is checked) as often as
// reads are refused.
template <class M>
void bind_fitting(FuzzedDataProvider& in, sqlite3_stmt* stmt, int index) {
    const auto integer = [&](std::int64_t v) { return sqlite3_bind_int64(stmt, index, v); };
    const auto text = [&](const std::string& t) {
        return sqlite3_bind_text64(stmt, index, t.data(), t.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    };
    const auto blob = [&](const std::string& b) {
        return sqlite3_bind_blob64(stmt, index, b.data(), b.size(), SQLITE_TRANSIENT);
    };
    int rc = SQLITE_OK;
    if constexpr (is_optional<M>) {
        if (!in.ConsumeBool()) return bind_fitting<typename M::value_type>(in, stmt, index);
        rc = sqlite3_bind_null(stmt, index);
    } else if constexpr (std::is_same_v<M, bool>) {
        rc = integer(in.ConsumeBool());
    } else if constexpr (std::is_same_v<M, shade>) {
        rc = integer(in.ConsumeIntegralInRange(0, 3));
    } else if constexpr (std::is_same_v<M, level>) {
        rc = integer(in.ConsumeIntegral<std::int16_t>());
    } else if constexpr (std::is_same_v<M, std::uint64_t>) {
        rc = integer(in.ConsumeIntegralInRange<std::int64_t>(0, std::numeric_limits<std::int64_t>::max()));
    } else if constexpr (std::is_integral_v<M>) {
        rc = integer(in.ConsumeIntegral<M>());
    } else if constexpr (std::is_same_v<M, float>) {
        rc = sqlite3_bind_double(stmt, index, std::bit_cast<float>(in.ConsumeIntegral<std::uint32_t>()));
    } else if constexpr (std::is_same_v<M, double>) {
        rc = sqlite3_bind_double(stmt, index, pick_real(in));
    } else if constexpr (std::is_same_v<M, std::string>) {
        rc = text(in.ConsumeRandomLengthString(48));
    } else if constexpr (std::is_same_v<M, bytes> || std::is_same_v<M, ubytes>) {
        rc = blob(in.ConsumeRandomLengthString(48));
    } else if constexpr (std::is_same_v<M, color>) {
        static const char* const names[] = {"red", "green", "blue"};
        rc = text(names[in.ConsumeIntegralInRange(0, 2)]);
    } else if constexpr (std::is_same_v<M, sys_days>) {
        rc = text(fmt::format("{:04}-{:02}-{:02}", in.ConsumeIntegralInRange(0, 9999), in.ConsumeIntegralInRange(1, 12),
                              in.ConsumeIntegralInRange(1, 28)));
    } else if constexpr (is_time<M>) {
        rc = text(pick_time_text(in));
    } else if constexpr (std::is_same_v<M, alchemy::value>) {
        return bind_one(in, stmt, index);
    } else {
        static_assert(std::is_void_v<M>, "no generator for this member type");
    }
    if (rc != SQLITE_OK) finding(fmt::format("fixture: binding parameter {} failed with {}", index, rc));
}

std::vector<stored> read_back(fixture& fx) {
    std::vector<stored> row;
    if (sqlite3_step(fx.select) != SQLITE_ROW) finding("fixture: the inserted row is not there");
    const int n = sqlite3_column_count(fx.select);
    for (int i = 0; i < n; ++i) {
        stored s;
        s.type = sqlite3_column_type(fx.select, i);
        if (s.type == SQLITE_INTEGER) s.integer = sqlite3_column_int64(fx.select, i);
        else if (s.type == SQLITE_FLOAT) s.real = sqlite3_column_double(fx.select, i);
        else if (s.type == SQLITE_TEXT || s.type == SQLITE_BLOB) {
            const void* p = s.type == SQLITE_TEXT ? static_cast<const void*>(sqlite3_column_text(fx.select, i))
                                                  : sqlite3_column_blob(fx.select, i);
            const auto size = static_cast<std::size_t>(sqlite3_column_bytes(fx.select, i));
            if (p) s.bytes.assign(static_cast<const char*>(p), size);
        }
        row.push_back(std::move(s));
    }
    if (sqlite3_step(fx.select) != SQLITE_DONE) finding("fixture: more than one row in wide");
    sqlite3_reset(fx.select);
    return row;
}

// ---------------------------------------------------------------------------
// The checks.

// The member of `object` described by D (a Boost.Describe member descriptor).
template <class D>
using member_type = std::remove_cvref_t<decltype(std::declval<wide&>().*D::pointer)>;

using members = boost::describe::describe_members<wide, boost::describe::mod_public>;

std::size_t column_of(const fixture& fx, std::string_view member) {
    for (std::size_t i = 0; i < fx.table.columns.size(); ++i)
        if (fx.table.columns[i].member == member) return i;
    finding(fmt::format("fixture: no column for member {}", member));
}

using bind_fn = void (*)(FuzzedDataProvider&, sqlite3_stmt*, int);

// bind_fitting for each column's member type, in column order.
const std::vector<bind_fn>& fitting_binders(const fixture& fx) {
    static const std::vector<bind_fn> binders = [&] {
        std::vector<bind_fn> out(fx.table.columns.size());
        boost::mp11::mp_for_each<members>(
            [&](auto D) { out[column_of(fx, D.name)] = &bind_fitting<member_type<decltype(D)>>; });
        return out;
    }();
    return binders;
}

// The whole object the oracle expects, or the name of the first column
// (in table order, as load_object reads them) it refuses.
struct expected_object {
    wide object{};
    std::string first_refused{};
};

expected_object expect_object(const fixture& fx, const std::vector<stored>& row) {
    expected_object out;
    std::size_t first_refused = row.size();
    boost::mp11::mp_for_each<members>([&](auto D) {
        using M = member_type<decltype(D)>;
        const std::size_t column = column_of(fx, D.name);
        if (auto v = expect<M>(row[column])) out.object.*D.pointer = std::move(*v);
        else if (column < first_refused) first_refused = column;
    });
    if (first_refused < row.size()) out.first_refused = fx.table.columns[first_refused].name;
    return out;
}

void judge_object(std::string_view what, const fixture& fx, const std::vector<stored>& row,
                  const expected_object& expected, const wide& got) {
    boost::mp11::mp_for_each<members>([&](auto D) {
        using M = member_type<decltype(D)>;
        judge<M>(fmt::format("{}: member {}", what, D.name), row[column_of(fx, D.name)], true, got.*D.pointer,
                 std::optional<M>(std::in_place, expected.object.*D.pointer));
    });
}

// A refused load must be a ConversionError naming the first refused column.
auto object_error_check(std::string_view what, const expected_object& expected) {
    return [what, &expected](const alchemy::Error& e) {
        if (expected.first_refused.empty())
            finding(fmt::format("{}: ConversionError although every column fits: {}", what, e.what()));
        const std::string column = fmt::format("\"wide\".\"{}\"", expected.first_refused);
        if (std::string_view(e.what()).find(column) == std::string_view::npos)
            finding(fmt::format("{}: the error does not name the first refused column {}: {}", what, column,
                                e.what()));
    };
}

void check_session(fixture& fx, const std::vector<stored>& row, std::int64_t id, const expected_object& expected) {
    auto session = alchemy::sessionmaker(fx.engine)();

    std::vector<alchemy::ptr<wide>> all;
    const bool listed = fuzz_support::run_allowing<alchemy::ConversionError>(
        "query<wide>().all()", [&] { all = session.query<wide>().all(); },
        object_error_check("query<wide>().all()", expected));
    if (listed) {
        if (!expected.first_refused.empty())
            finding(fmt::format("query<wide>().all() loaded the row although column {} must be refused",
                                expected.first_refused));
        if (all.size() != 1) finding(fmt::format("query<wide>().all() returned {} objects, not 1", all.size()));
        judge_object("query<wide>().all()", fx, row, expected, *std::as_const(all.front()));
    }
    all.clear();
    session.expunge_all();

    alchemy::ptr<wide> got;
    const bool loaded = fuzz_support::run_allowing<alchemy::ConversionError>(
        "get<wide>(id)", [&] { got = session.get<wide>(id); }, object_error_check("get<wide>(id)", expected));
    if (loaded) {
        if (!expected.first_refused.empty())
            finding(fmt::format("get<wide>({}) loaded the row although column {} must be refused", id,
                                expected.first_refused));
        if (!got) finding(fmt::format("get<wide>({}) found no object, but the row is there", id));
        judge_object("get<wide>(id)", fx, row, expected, *std::as_const(got));
    }
}

template <class T>
void check_get(const alchemy::row& r, std::size_t i, const stored& s) {
    T got{};
    const bool ok = fuzz_support::run_allowing<alchemy::ConversionError>(
        "row.get<T>(i)", [&] { got = r.get<T>(i); });
    fuzz_support::trace("row.get<{}>({}): {}", alchemy::detail::type_name<T>(), i, ok ? "read" : "ConversionError");
    judge<T>(fmt::format("row.get<{}>({})", alchemy::detail::type_name<T>(), i), s, ok, got, expect<T>(s));
}

// The types the row getters read columns as (each member's type among them).
using read_types = boost::mp11::mp_list<bool, std::int8_t, std::uint8_t, std::int16_t, std::uint16_t, std::int32_t,
                                        std::uint32_t, std::int64_t, std::uint64_t, float, double, std::string, bytes,
                                        ubytes, level, shade, color, sys_days, time_ns, time_ms, time_s,
                                        alchemy::value, std::optional<bool>, std::optional<std::int32_t>,
                                        std::optional<std::uint64_t>, std::optional<double>,
                                        std::optional<std::string>, std::optional<bytes>, std::optional<color>,
                                        std::optional<sys_days>, std::optional<time_ms>, std::optional<float>,
                                        std::optional<time_ns>>;

void check_row_getters(fixture& fx, FuzzedDataProvider& in, const std::vector<stored>& row, std::int64_t id) {
    auto conn = fx.engine.connect();
    auto result = conn.execute("SELECT * FROM wide WHERE id = ?", id);
    if (!result.has_row()) finding("SELECT * FROM wide WHERE id = ? returned no row");
    const alchemy::row r = result.current();
    if (r.size() != row.size()) finding(fmt::format("the row has {} columns, not {}", r.size(), row.size()));

    // A few columns, each as a type the input chooses: a refused read throws,
    // and exceptions are what costs most here (the session's loads above
    // read every column as its member's type already).
    for (std::size_t reads = in.ConsumeIntegralInRange<std::size_t>(1, 8); reads > 0; --reads) {
        const auto c = in.ConsumeIntegralInRange<std::size_t>(0, row.size() - 1);
        check_get<alchemy::value>(r, c, row[c]);
        static_cast<void>(r[c].describe());
        const auto type = in.ConsumeIntegralInRange<std::size_t>(0, boost::mp11::mp_size<read_types>::value - 1);
        boost::mp11::mp_with_index<boost::mp11::mp_size<read_types>::value>(
            type, [&](auto k) { check_get<boost::mp11::mp_at_c<read_types, decltype(k)::value>>(r, c, row[c]); });
    }
    const auto values = r.values();
    for (std::size_t c = 0; c < row.size(); ++c)
        if (!(values[c] == row[c].as_value()))
            finding(fmt::format("row.values()[{}] is {}, but {} is stored", c, alchemy::format_value(values[c]),
                                row[c].describe()));
    result.next();
    if (result.has_row()) finding("SELECT * FROM wide WHERE id = ? returned more than one row");
}

}  // namespace fuzz_rows

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace fuzz_rows;
    fixture& fx = the_fixture();
    FuzzedDataProvider in(data, size);

    const std::int64_t id = pick_integer(in);
    sqlite3_bind_int64(fx.insert, 1, id);
    const auto& fitting = fitting_binders(fx);
    for (std::size_t i = 1; i < fx.table.columns.size(); ++i) {
        if (in.ConsumeBool()) fitting[i](in, fx.insert, static_cast<int>(i + 1));
        else bind_one(in, fx.insert, static_cast<int>(i + 1));
    }
    fx.step_done(fx.insert);
    const std::vector<stored> row = read_back(fx);
    const expected_object expected = expect_object(fx, row);
    if (fuzz_support::tracing()) {
        for (std::size_t i = 0; i < row.size(); ++i)
            fuzz_support::trace("{} = {}", fx.table.columns[i].name, escaped(row[i].describe()));
        fuzz_support::trace("first column the documentation refuses: {}",
                            expected.first_refused.empty() ? "none" : expected.first_refused);
    }

    check_session(fx, row, id, expected);
    check_row_getters(fx, in, row, id);

    fx.step_done(fx.clear);
    return 0;
}
