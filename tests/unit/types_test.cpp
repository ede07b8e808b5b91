// type_traits round trips through a real SQLite engine: every built-in C++
// type is bound as a parameter of `SELECT ?` and read back, and the strict
// conversions refuse what would silently lose or change a value.
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <boost/describe/enum.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using Catch::Contains;

namespace {

alchemy::engine memory_engine() { return alchemy::create_engine("sqlite://"); }

// Binds `v` as the only parameter of `SELECT ?` and reads it back as T.
template <class T, class P>
T round_trip(alchemy::connection& conn, const P& v) {
    return conn.execute("SELECT ?", v).template scalar<T>();
}

// SQLite's own view of a bound value: its storage class.
template <class P>
std::string type_of(alchemy::connection& conn, const P& v) {
    return conn.execute("SELECT typeof(?)", v).template scalar<std::string>();
}

// SQLite's decimal rendering of a bound value.
template <class P>
std::string as_text(alchemy::connection& conn, const P& v) {
    return conn.execute("SELECT CAST(? AS TEXT)", v).template scalar<std::string>();
}

// A user type stored as an INTEGER number of cents.
struct Money {
    std::int64_t cents;
};

enum class Color : std::int8_t { red = 1, green = 2, blue = -3 };
enum Weekday { monday = 1, sunday = 7 };  // unscoped, no fixed underlying type: its values are 0 to 7
BOOST_DESCRIBE_ENUM(Weekday, monday, sunday)  // needed to read one: alchemy checks that range

}  // namespace

template <>
struct alchemy::type_traits<Money> {
    static constexpr sql_type storage = sql_type::integer;
    static void bind(binder& b, const Money& m) { b.bind_integer(m.cents); }
    static Money read(const column_value& v) { return Money{v.as_integer()}; }
};

static_assert(alchemy::sql_value<Money>);

// ---------------------------------------------------------------------------
// bool

TEST_CASE("bool round-trips as INTEGER 0/1 and refuses other integers", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();

    CHECK(round_trip<bool>(conn, true) == true);
    CHECK(round_trip<bool>(conn, false) == false);
    CHECK(type_of(conn, true) == "integer");
    CHECK(round_trip<std::int64_t>(conn, true) == 1);
    CHECK(round_trip<std::int64_t>(conn, false) == 0);

    REQUIRE_THROWS_AS(conn.execute("SELECT 2").scalar<bool>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 'true'").scalar<bool>(), alchemy::ConversionError);
}

// ---------------------------------------------------------------------------
// integers

TEMPLATE_TEST_CASE("integers of every width round-trip their full range", "[types]", std::int8_t,
                   std::int16_t, std::int32_t, std::int64_t, std::uint8_t, std::uint16_t, std::uint32_t,
                   std::uint64_t, short, unsigned short, int, unsigned, long, unsigned long, long long,
                   unsigned long long) {
    using T = TestType;
    auto engine = memory_engine();
    auto conn = engine.connect();

    constexpr T lo = std::numeric_limits<T>::min();
    // uint64's upper half does not fit in SQLite's INTEGER; see the next test.
    constexpr T hi = std::is_unsigned_v<T> && sizeof(T) == 8
                         ? static_cast<T>(std::numeric_limits<std::int64_t>::max())
                         : std::numeric_limits<T>::max();

    CHECK(round_trip<T>(conn, lo) == lo);
    CHECK(round_trip<T>(conn, hi) == hi);
    CHECK(round_trip<T>(conn, T{0}) == T{0});
    CHECK(round_trip<T>(conn, T{42}) == T{42});
    CHECK(type_of(conn, hi) == "integer");
    // SQLite holds the number itself, not a reinterpretation of its bits.
    CHECK(as_text(conn, hi) == std::to_string(+hi));
    CHECK(as_text(conn, lo) == std::to_string(+lo));
    if constexpr (std::is_signed_v<T>) CHECK(round_trip<T>(conn, T{-1}) == T{-1});
}

TEST_CASE("INT64 min and max round-trip exactly", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    constexpr auto lo = std::numeric_limits<std::int64_t>::min();
    constexpr auto hi = std::numeric_limits<std::int64_t>::max();
    CHECK(round_trip<std::int64_t>(conn, lo) == lo);
    CHECK(round_trip<std::int64_t>(conn, hi) == hi);
    CHECK(conn.execute("SELECT ? = -9223372036854775808", lo).scalar<bool>());
    CHECK(conn.execute("SELECT ? = 9223372036854775807", hi).scalar<bool>());
}

TEST_CASE("a uint64 above INT64_MAX is refused at bind, never wrapped", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (v INTEGER)");

    constexpr std::uint64_t too_big = std::uint64_t{1} << 63;  // INT64_MAX + 1
    REQUIRE_THROWS_AS(conn.execute("INSERT INTO t (v) VALUES (?)", too_big), alchemy::ConversionError);
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO t (v) VALUES (?)", too_big),
                        Contains("parameter 1 cannot be bound") && Contains("9223372036854775808") &&
                            Contains("does not fit in a SQL INTEGER") &&
                            Contains("[SQL: INSERT INTO t (v) VALUES (?)]"));
    REQUIRE_THROWS_AS(conn.execute("SELECT ?", std::numeric_limits<std::uint64_t>::max()),
                      alchemy::ConversionError);
    // Nothing was written (a wrapped value would show up as a negative number).
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
    // The refusal names the right parameter.
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?, ?", 1, too_big), Contains("parameter 2 cannot be bound"));
}

TEST_CASE("reading an integer out of range of the target type is a ConversionError", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    using alchemy::ConversionError;

    REQUIRE_THROWS_AS(conn.execute("SELECT 128").scalar<std::int8_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT -129").scalar<std::int8_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 256").scalar<std::uint8_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 32768").scalar<std::int16_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 65536").scalar<std::uint16_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 2147483648").scalar<std::int32_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT -2147483649").scalar<std::int32_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 4294967296").scalar<std::uint32_t>(), ConversionError);
    REQUIRE_THROWS_WITH(conn.execute("SELECT 65536 AS n").scalar<std::uint16_t>(),
                        Contains("[0, 65535]") && Contains("found INTEGER 65536"));

    // the edges themselves are fine
    CHECK(conn.execute("SELECT 127").scalar<std::int8_t>() == 127);
    CHECK(conn.execute("SELECT -128").scalar<std::int8_t>() == -128);
    CHECK(conn.execute("SELECT 65535").scalar<std::uint16_t>() == 65535);
}

TEST_CASE("a negative value read into an unsigned type is a ConversionError", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    using alchemy::ConversionError;
    REQUIRE_THROWS_AS(conn.execute("SELECT -1").scalar<std::uint8_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT -1").scalar<std::uint16_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT -1").scalar<std::uint32_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT -1").scalar<std::uint64_t>(), ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT ?", std::numeric_limits<std::int64_t>::min()).scalar<std::uint64_t>(),
                      ConversionError);
    REQUIRE_THROWS_WITH(conn.execute("SELECT -1").scalar<unsigned>(), Contains("found INTEGER -1"));
}

// ---------------------------------------------------------------------------
// floating point

TEST_CASE("double and float round-trip, including infinities", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    constexpr double inf = std::numeric_limits<double>::infinity();

    CHECK(round_trip<double>(conn, 2.5) == 2.5);
    CHECK(round_trip<double>(conn, -0.1) == -0.1);
    CHECK(round_trip<double>(conn, std::numeric_limits<double>::max()) == std::numeric_limits<double>::max());
    CHECK(round_trip<double>(conn, std::numeric_limits<double>::denorm_min()) ==
          std::numeric_limits<double>::denorm_min());
    CHECK(round_trip<float>(conn, 1.5f) == 1.5f);
    CHECK(type_of(conn, 2.5) == "real");
    CHECK(type_of(conn, 1.5f) == "real");

    CHECK(round_trip<double>(conn, inf) == inf);
    CHECK(round_trip<double>(conn, -inf) == -inf);
    CHECK(round_trip<float>(conn, std::numeric_limits<float>::infinity()) ==
          std::numeric_limits<float>::infinity());
    // SQLite really holds an infinity, not NULL
    CHECK(type_of(conn, inf) == "real");
    CHECK(conn.execute("SELECT ? > 1e308", inf).scalar<bool>());
    CHECK(conn.execute("SELECT ? < -1e308", -inf).scalar<bool>());
}

TEST_CASE("NaN is refused at bind (SQLite would store NULL)", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (v REAL)");
    const double nan = std::numeric_limits<double>::quiet_NaN();

    REQUIRE_THROWS_AS(conn.execute("INSERT INTO t (v) VALUES (?)", nan), alchemy::ConversionError);
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO t (v) VALUES (?)", nan),
                        Contains("NaN") && Contains("parameter 1 cannot be bound"));
    REQUIRE_THROWS_AS(conn.execute("SELECT ?", std::numeric_limits<float>::quiet_NaN()),
                      alchemy::ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT ?", std::optional<double>(nan)), alchemy::ConversionError);
    // also as a dynamic value, one row or many
    const std::vector<alchemy::value> row{alchemy::value(nan)};
    REQUIRE_THROWS_WITH(conn.execute_values("INSERT INTO t (v) VALUES (?)", row),
                        Contains("NaN") && Contains("parameter 1 cannot be bound") &&
                            Contains("[SQL: INSERT INTO t (v) VALUES (?)]"));
    const std::vector<std::vector<alchemy::value>> rows{row, row};
    REQUIRE_THROWS_AS(conn.execute_many("INSERT INTO t (v) VALUES (?)", rows), alchemy::ConversionError);
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
}

TEST_CASE("REAL is not read into an integer, but INTEGER widens into floating point", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();

    REQUIRE_THROWS_AS(conn.execute("SELECT 1.5").scalar<int>(), alchemy::ConversionError);
    // even a REAL with an integral value: nothing narrows silently
    REQUIRE_THROWS_AS(conn.execute("SELECT 2.0").scalar<std::int64_t>(), alchemy::ConversionError);
    REQUIRE_THROWS_WITH(conn.execute("SELECT 1.5").scalar<int>(),
                        Contains("expected INTEGER") && Contains("found REAL 1.5"));

    CHECK(conn.execute("SELECT 3").scalar<double>() == 3.0);
    CHECK(conn.execute("SELECT -7").scalar<float>() == -7.0f);
    CHECK(round_trip<double>(conn, std::int64_t{1} << 52) == 4503599627370496.0);
}

TEST_CASE("a REAL beyond float's range is not read into a float", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    REQUIRE_THROWS_AS(conn.execute("SELECT 1e300").scalar<float>(), alchemy::ConversionError);
    CHECK(conn.execute("SELECT 1e300").scalar<double>() == 1e300);
}

// ---------------------------------------------------------------------------
// text

TEST_CASE("std::string round-trips, and the empty string stays '' (not NULL)", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();

    CHECK(round_trip<std::string>(conn, std::string("hello")) == "hello");
    CHECK(type_of(conn, std::string("hello")) == "text");

    const std::string empty;
    CHECK(type_of(conn, empty) == "text");
    CHECK(conn.execute("SELECT ? IS NULL", empty).scalar<bool>() == false);
    CHECK(conn.execute("SELECT ? = ''", empty).scalar<bool>() == true);
    CHECK(round_trip<std::string>(conn, empty).empty());
    CHECK(round_trip<std::optional<std::string>>(conn, empty) == std::optional<std::string>(""));
    CHECK(type_of(conn, std::string_view{}) == "text");  // a default view has a null data()
}

TEST_CASE("std::string keeps embedded NUL bytes", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    const std::string s("a\0b", 3);

    const auto back = round_trip<std::string>(conn, s);
    CHECK(back.size() == 3);
    CHECK(back == s);
    CHECK(conn.execute("SELECT hex(?)", s).scalar<std::string>() == "610062");
}

TEST_CASE("std::string is UTF-8 text", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    const std::string s = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";  // "héllo € 😀"

    CHECK(round_trip<std::string>(conn, s) == s);
    CHECK(conn.execute("SELECT length(?)", s).scalar<int>() == 9);  // characters, not bytes
    CHECK(conn.execute("SELECT upper(?)", std::string("abc")).scalar<std::string>() == "ABC");
    CHECK(conn.execute("SELECT ? = 'h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80'", s).scalar<bool>());
}

TEST_CASE("TEXT is not read as a number and numbers are not read as text", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    REQUIRE_THROWS_AS(conn.execute("SELECT '12'").scalar<int>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT '1.5'").scalar<double>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 12").scalar<std::string>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT x'00'").scalar<std::string>(), alchemy::ConversionError);
}

TEST_CASE("std::string_view and const char* bind as text", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();

    // the view's size counts, not a terminating NUL
    const std::string_view whole = "abcdef";
    CHECK(round_trip<std::string>(conn, whole.substr(1, 3)) == "bcd");
    CHECK(type_of(conn, whole.substr(1, 3)) == "text");

    const char* p = "pointer";
    CHECK(round_trip<std::string>(conn, p) == "pointer");
    CHECK(round_trip<std::string>(conn, "literal") == "literal");
    char buffer[] = "mutable";
    CHECK(round_trip<std::string>(conn, buffer) == "mutable");
    CHECK(type_of(conn, "literal") == "text");
    CHECK(type_of(conn, "") == "text");
}

TEST_CASE("a null const char* parameter is an ArgumentError, not NULL", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (v TEXT)");
    const char* p = nullptr;
    REQUIRE_THROWS_AS(conn.execute("INSERT INTO t (v) VALUES (?)", p), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO t (v) VALUES (?)", p), Contains("null const char*"));
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
}

// ---------------------------------------------------------------------------
// BLOBs

TEST_CASE("std::vector<std::byte> round-trips as a BLOB", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    const std::vector<std::byte> bytes{std::byte{0x00}, std::byte{0xff}, std::byte{0x61}, std::byte{0x00}};

    CHECK(round_trip<std::vector<std::byte>>(conn, bytes) == bytes);
    CHECK(type_of(conn, bytes) == "blob");
    CHECK(conn.execute("SELECT hex(?)", bytes).scalar<std::string>() == "00FF6100");

    const std::vector<std::byte> empty;
    CHECK(type_of(conn, empty) == "blob");
    CHECK(conn.execute("SELECT length(?)", empty).scalar<int>() == 0);
    CHECK(round_trip<std::vector<std::byte>>(conn, empty).empty());
    CHECK(round_trip<std::optional<std::vector<std::byte>>>(conn, empty) ==
          std::optional<std::vector<std::byte>>(std::vector<std::byte>{}));

    REQUIRE_THROWS_AS(conn.execute("SELECT 'abc'").scalar<std::vector<std::byte>>(), alchemy::ConversionError);
}

TEST_CASE("std::vector<unsigned char> round-trips as a BLOB", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    const std::vector<unsigned char> bytes{0x01, 0x00, 0xfe};

    CHECK(round_trip<std::vector<unsigned char>>(conn, bytes) == bytes);
    CHECK(type_of(conn, bytes) == "blob");
    CHECK(conn.execute("SELECT hex(?)", bytes).scalar<std::string>() == "0100FE");

    const std::vector<unsigned char> empty;
    CHECK(type_of(conn, empty) == "blob");
    CHECK(round_trip<std::vector<unsigned char>>(conn, empty).empty());
    REQUIRE_THROWS_AS(conn.execute("SELECT 1").scalar<std::vector<unsigned char>>(), alchemy::ConversionError);
}

TEST_CASE("BLOBs are stored as BLOBs in a database file", "[types]") {
    const auto path = test_support::scratch_path("types_blob.db");
    {
        auto engine = alchemy::create_engine("sqlite:///" + path);
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)");
        conn.execute("INSERT INTO t (id, b) VALUES (1, ?)", std::vector<std::byte>{std::byte{0xca}, std::byte{0xfe}});
        conn.execute("INSERT INTO t (id, b) VALUES (2, ?)", std::vector<std::byte>{});
        conn.commit();
    }
    const auto rows = test_support::raw_query(path, "SELECT id, typeof(b), hex(b) FROM t ORDER BY id");
    REQUIRE(rows == std::vector<std::vector<std::string>>{{"1", "blob", "CAFE"}, {"2", "blob", ""}});
}

// ---------------------------------------------------------------------------
// enums

TEST_CASE("enums round-trip as their underlying integer", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();

    CHECK(round_trip<Color>(conn, Color::green) == Color::green);
    CHECK(round_trip<Color>(conn, Color::blue) == Color::blue);
    CHECK(round_trip<int>(conn, Color::blue) == -3);
    CHECK(type_of(conn, Color::red) == "integer");
    CHECK(round_trip<Weekday>(conn, sunday) == sunday);
    CHECK(round_trip<int>(conn, sunday) == 7);

    // the underlying type's range applies
    REQUIRE_THROWS_AS(conn.execute("SELECT 300").scalar<Color>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT 'green'").scalar<Color>(), alchemy::ConversionError);
}

TEST_CASE("an enum without a fixed underlying type reads only the values of its range", "[types]") {
    // Found by tests/fuzz/fuzz_rows: any value of the underlying type was
    // cast to the enum, which is undefined behaviour outside the range its
    // enumerators span (for Weekday, 0 to 7).
    auto engine = memory_engine();
    auto conn = engine.connect();
    CHECK(conn.execute("SELECT 0").scalar<Weekday>() == Weekday{});
    CHECK(conn.execute("SELECT 6").scalar<Weekday>() == static_cast<Weekday>(6));
    REQUIRE_THROWS_WITH(conn.execute("SELECT 8").scalar<Weekday>(), Contains("expected a value of") && Contains("[0, 7]"));
    REQUIRE_THROWS_AS(conn.execute("SELECT -1").scalar<Weekday>(), alchemy::ConversionError);
}

namespace {
enum Sign { minus = -1, plus = 2 };  // values -4 to 3
BOOST_DESCRIBE_ENUM(Sign, minus, plus)
}  // namespace

TEST_CASE("an enum without a fixed underlying type and a negative enumerator reads its two's complement range",
          "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    CHECK(conn.execute("SELECT -4").scalar<Sign>() == static_cast<Sign>(-4));
    CHECK(conn.execute("SELECT 3").scalar<Sign>() == static_cast<Sign>(3));
    REQUIRE_THROWS_WITH(conn.execute("SELECT 4").scalar<Sign>(), Contains("[-4, 3]"));
    REQUIRE_THROWS_AS(conn.execute("SELECT -5").scalar<Sign>(), alchemy::ConversionError);
}

// ---------------------------------------------------------------------------
// NULL

TEST_CASE("std::optional maps nullopt to NULL and back", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();

    const std::optional<int> none;
    CHECK(type_of(conn, none) == "null");
    CHECK(round_trip<std::optional<int>>(conn, none) == std::nullopt);
    CHECK(round_trip<std::optional<int>>(conn, std::optional<int>(5)) == 5);
    CHECK(type_of(conn, std::optional<int>(5)) == "integer");
    CHECK(round_trip<std::optional<std::string>>(conn, std::optional<std::string>()) == std::nullopt);
    CHECK(round_trip<std::optional<std::string>>(conn, std::optional<std::string>("x")) == "x");
    CHECK(round_trip<std::optional<double>>(conn, std::optional<double>(0.5)) == 0.5);
    CHECK(conn.execute("SELECT NULL").scalar<std::optional<std::int64_t>>() == std::nullopt);

    // a present value still gets the strict checks
    REQUIRE_THROWS_AS(conn.execute("SELECT 'x'").scalar<std::optional<int>>(), alchemy::ConversionError);
}

TEST_CASE("nullptr and std::nullopt bind SQL NULL", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    CHECK(type_of(conn, nullptr) == "null");
    CHECK(type_of(conn, std::nullopt) == "null");
    CHECK(conn.execute("SELECT ? IS NULL, ? IS NULL", nullptr, std::nullopt).one<bool, bool>() ==
          std::tuple{true, true});
    CHECK(round_trip<std::optional<int>>(conn, nullptr) == std::nullopt);
}

TEST_CASE("NULL read into a non-optional is a ConversionError naming column and statement", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    REQUIRE_THROWS_AS(conn.execute("SELECT NULL AS n").scalar<int>(), alchemy::ConversionError);
    REQUIRE_THROWS_WITH(conn.execute("SELECT NULL AS n").scalar<int>(),
                        Contains("column 0 ('n')") && Contains("NULL cannot be read into int") &&
                            Contains("std::optional<int>") && Contains("[SQL: SELECT NULL AS n]"));
    REQUIRE_THROWS_AS(conn.execute("SELECT NULL").scalar<std::string>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT NULL").scalar<bool>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT NULL").scalar<std::vector<std::byte>>(), alchemy::ConversionError);
}

TEST_CASE("TEXT read into an integer: the ConversionError names column index, name and SQL", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    const std::string sql = "SELECT 1 AS id, 'abc' AS amount";

    auto r = conn.execute(sql);
    REQUIRE(r.has_row());
    const auto row = r.current();
    REQUIRE_THROWS_AS(row.get<int>(1), alchemy::ConversionError);
    REQUIRE_THROWS_WITH(row.get<int>(1), Contains("column 1 ('amount')") && Contains("as int") &&
                                             Contains("expected INTEGER, found TEXT 'abc'") &&
                                             Contains("[SQL: " + sql + "]"));
    // by name: the same message
    REQUIRE_THROWS_WITH(row.get<int>("amount"), Contains("column 1 ('amount')") && Contains("[SQL: " + sql + "]"));
    CHECK(row.get<int>("id") == 1);
}

// ---------------------------------------------------------------------------
// alchemy::value

TEST_CASE("alchemy::value round-trips every storage class", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();
    using alchemy::value;

    const std::vector<value> sent{value(), value(std::int64_t{-42}), value(2.5), value(std::string("it's")),
                                  value(std::vector<std::byte>{std::byte{1}, std::byte{0}})};
    auto rows = conn.execute("SELECT ?, ?, ?, ?, ?, typeof(?)", sent[0], sent[1], sent[2], sent[3], sent[4], sent[0])
                    .fetch_all();
    REQUIRE(rows.size() == 1);
    REQUIRE(rows[0].size() == 6);
    for (std::size_t i = 0; i < sent.size(); ++i) {
        INFO("column " << i);
        CHECK(rows[0][i] == sent[i]);
        CHECK(rows[0][i].type() == sent[i].type());
    }
    CHECK(rows[0][5] == value(std::string("null")));

    // an empty text and an empty blob stay what they are
    auto empties = conn.execute("SELECT typeof(?), typeof(?)", value(std::string()), value(std::vector<std::byte>{}))
                       .one<std::string, std::string>();
    CHECK(empties == std::tuple<std::string, std::string>{"text", "blob"});
}

TEST_CASE("alchemy::value::as<T> reads with the same strict checks as a column", "[types]") {
    using alchemy::value;
    CHECK(value(std::int64_t{5}).as<int>() == 5);
    CHECK(value(std::int64_t{5}).as<double>() == 5.0);
    CHECK(value(std::string("x")).as<std::string>() == "x");
    CHECK(value().as<std::optional<int>>() == std::nullopt);
    CHECK(value(std::int64_t{1}).as<bool>());
    REQUIRE_THROWS_AS(value().as<int>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(value(std::string("5")).as<int>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(value(2.5).as<int>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(value(std::int64_t{300}).as<std::uint8_t>(), alchemy::ConversionError);
}

TEST_CASE("format_value prints values as logs and errors show them", "[types]") {
    using alchemy::format_value;
    using alchemy::value;

    CHECK(format_value(value()) == "NULL");
    CHECK(format_value(value(std::int64_t{42})) == "42");
    CHECK(format_value(value(std::int64_t{-7})) == "-7");
    CHECK(format_value(value(2.5)) == "2.5");
    CHECK(format_value(value(std::string("Alice"))) == "'Alice'");
    CHECK(format_value(value(std::string("it's"))) == "'it''s'");
    CHECK(format_value(value(std::string("''"))) == "''''''");
    CHECK(format_value(value(std::string())) == "''");
    CHECK(format_value(value(std::vector<std::byte>(3))) == "<blob 3 bytes>");
    CHECK(format_value(value(std::vector<std::byte>{})) == "<blob 0 bytes>");

    // text longer than the limit is cut, with a note of how much was left out
    const std::string long_text(150, 'a');
    CHECK(format_value(value(long_text)) == "'" + std::string(100, 'a') + "' ... (50 characters truncated)");
    CHECK(format_value(value(std::string(100, 'b'))) == "'" + std::string(100, 'b') + "'");
    CHECK(format_value(value(std::string("abcdef")), 3) == "'abc' ... (3 characters truncated)");

    const std::vector<value> row{value(std::string("Alice")), value(std::int64_t{3}), value()};
    CHECK(alchemy::format_values(row) == "('Alice', 3, NULL)");
    CHECK(alchemy::format_values({}) == "()");
}

// ---------------------------------------------------------------------------
// user types

TEST_CASE("a user type round-trips through its type_traits specialisation", "[types]") {
    auto engine = memory_engine();
    auto conn = engine.connect();

    CHECK(round_trip<Money>(conn, Money{1234}).cents == 1234);
    CHECK(round_trip<Money>(conn, Money{-5}).cents == -5);
    CHECK(type_of(conn, Money{1}) == "integer");
    CHECK(round_trip<std::optional<Money>>(conn, std::optional<Money>()) == std::nullopt);
    CHECK(round_trip<std::optional<Money>>(conn, std::optional<Money>(Money{7}))->cents == 7);
    CHECK(conn.execute("SELECT ? + ?", Money{150}, Money{250}).scalar<Money>().cents == 400);
    CHECK(conn.execute("SELECT :x", alchemy::param("x", Money{9})).scalar<Money>().cents == 9);

    // its read applies its own checks, reported with the column
    REQUIRE_THROWS_AS(conn.execute("SELECT 1.25 AS price").scalar<Money>(), alchemy::ConversionError);
    REQUIRE_THROWS_WITH(conn.execute("SELECT 1.25 AS price").scalar<Money>(),
                        Contains("column 0 ('price')") && Contains("found REAL 1.25"));
    REQUIRE_THROWS_AS(conn.execute("SELECT NULL").scalar<Money>(), alchemy::ConversionError);
}

TEST_CASE("a user type is stored through its storage class in a database file", "[types]") {
    const auto path = test_support::scratch_path("types_money.db");
    {
        auto engine = alchemy::create_engine("sqlite:///" + path);
        auto conn = engine.connect();
        conn.execute("CREATE TABLE prices (id INTEGER PRIMARY KEY, amount INTEGER)");
        conn.execute("INSERT INTO prices (id, amount) VALUES (?, ?)", 1, Money{1999});
        conn.commit();
        CHECK(conn.execute("SELECT amount FROM prices WHERE id = 1").scalar<Money>().cents == 1999);
    }
    const auto rows = test_support::raw_query(path, "SELECT typeof(amount), amount FROM prices");
    REQUIRE(rows == std::vector<std::vector<std::string>>{{"integer", "1999"}});
}
