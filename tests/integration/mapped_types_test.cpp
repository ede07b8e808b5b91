// Every supported member type round-trips through a real database file,
// written and read through the mapping's column accessors.
// Tests tagged [sqlite] stay SQLite-only: they check SQLite's storage classes
// (typeof, PRAGMA table_info), its dynamic typing (TEXT in an INTEGER column)
// or the text form it stores times in. The others run on every test backend
// ([backend], support/backend.hpp).
#include "support/backend.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

using namespace std::chrono;
using test_support::raw_query;
using Rows = std::vector<std::vector<std::string>>;

namespace app {

enum class Level : std::int16_t { low = -1, high = 7 };
enum class Color { red, green, blue };
BOOST_DESCRIBE_ENUM(Color, red, green, blue)

struct Uuid {
    std::array<std::uint8_t, 16> bytes{};
    friend bool operator==(const Uuid&, const Uuid&) = default;
};

struct Money {
    std::int64_t cents = 0;
    friend bool operator==(const Money&, const Money&) = default;
};

// A type without operator==: a change is what it binds.
struct Tag {
    std::string text;
};

}  // namespace app

template <>
inline constexpr bool alchemy::enum_as_text<app::Color> = true;

// A UUID as a 16-byte BLOB.
template <>
struct alchemy::type_traits<app::Uuid> {
    static constexpr sql_type storage = sql_type::blob;
    static void bind(binder& b, const app::Uuid& u) { b.bind_blob(std::as_bytes(std::span(u.bytes))); }
    static app::Uuid read(const column_value& v) {
        const auto bytes = v.as_blob();
        if (bytes.size() != 16) v.mismatch("a 16-byte UUID");
        app::Uuid u;
        std::memcpy(u.bytes.data(), bytes.data(), 16);
        return u;
    }
};

// Money as integer cents.
template <>
struct alchemy::type_traits<app::Money> {
    static constexpr sql_type storage = sql_type::integer;
    static void bind(binder& b, const app::Money& m) { b.bind_integer(m.cents); }
    static app::Money read(const column_value& v) { return app::Money{v.as_integer()}; }
};

template <>
struct alchemy::type_traits<app::Tag> {
    static constexpr sql_type storage = sql_type::text;
    static void bind(binder& b, const app::Tag& t) { b.bind_text(t.text); }
    static app::Tag read(const column_value& v) { return app::Tag{std::string(v.as_text())}; }
};

namespace app {

struct Labelled {
    std::int64_t id = 0;
    Tag tag{};
    std::optional<Tag> extra{};
};
BOOST_DESCRIBE_STRUCT(Labelled, (), (id, tag, extra))

struct Everything {
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
    std::vector<std::byte> blob{};
    std::vector<unsigned char> bytes{};
    Level level = Level::low;
    Color color = Color::red;
    sys_days day{};
    system_clock::time_point at{};
    sys_time<milliseconds> at_ms{};
    std::optional<std::string> maybe_text{};
    std::optional<std::int64_t> maybe_int{};
    Uuid uuid{};
    Money price{};
    friend bool operator==(const Everything&, const Everything&) = default;
};
constexpr auto alchemy_table(Everything*) { return alchemy::table("everything"); }

}  // namespace app

namespace {

// INSERT and SELECT written from the metadata, as the session will.
template <class T>
void insert(alchemy::connection& conn, const T& object) {
    const auto& table = alchemy::table_of<T>();
    std::string columns, marks;
    std::vector<alchemy::value> values;
    alchemy::detail::value_recorder recorder(values);
    for (const auto& c : table.columns) {
        columns += (columns.empty() ? "" : ", ") + conn.dialect().quote_identifier(c.name);
        marks += marks.empty() ? "?" : ", ?";
        c.bind(recorder, &object);
    }
    conn.execute_values(fmt::format("INSERT INTO {} ({}) VALUES ({})", conn.dialect().quote_identifier(table.name),
                                    columns, marks),
                        values);
}

template <class T>
T load(alchemy::connection& conn, std::int64_t id) {
    const auto& table = alchemy::table_of<T>();
    std::string columns;
    for (const auto& c : table.columns) columns += (columns.empty() ? "" : ", ") + conn.dialect().quote_identifier(c.name);
    auto result = conn.execute(fmt::format("SELECT {} FROM {} WHERE id = ?", columns,
                                           conn.dialect().quote_identifier(table.name)),
                               id);
    T object{};
    alchemy::load_object(table, result.current(), &object);
    return object;
}

app::Everything extremes() {
    app::Everything e;
    e.id = 1;
    e.flag = true;
    e.i8 = std::numeric_limits<std::int8_t>::min();
    e.u8 = std::numeric_limits<std::uint8_t>::max();
    e.i16 = std::numeric_limits<std::int16_t>::min();
    e.u16 = std::numeric_limits<std::uint16_t>::max();
    e.i32 = std::numeric_limits<std::int32_t>::min();
    e.u32 = std::numeric_limits<std::uint32_t>::max();
    e.i64 = std::numeric_limits<std::int64_t>::min();
    e.u64 = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    e.f = -std::numeric_limits<float>::infinity();
    e.d = std::numeric_limits<double>::max();
    e.text = std::string("h\0llo, w\xc3\xb6rld \xe2\x82\xac '\"", 20);
    e.blob = {std::byte{0}, std::byte{0xff}, std::byte{0}};
    e.bytes = {};
    e.level = app::Level::high;
    e.color = app::Color::blue;
    e.day = sys_days{year{1969} / July / 20};
    e.at = sys_days{year{2024} / February / 29} + 23h + 59min + 59s + 123456789ns;
    e.at_ms = time_point_cast<milliseconds>(sys_days{year{1970} / 1 / 1} - 1ms);
    e.maybe_text = "";
    e.maybe_int = std::nullopt;
    e.uuid.bytes = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00};
    e.price = app::Money{-1999};
    return e;
}

}  // namespace

TEST_CASE("every member type round-trips through a SQLite file with edge values", "[sqlite][mapping][types]") {
    const auto path = test_support::scratch_path("types.db");
    auto engine = alchemy::create_engine("sqlite:///" + path);
    alchemy::metadata<app::Everything>().create_all(engine);
    auto conn = engine.connect();

    const auto original = extremes();
    insert(conn, original);
    app::Everything zero{};
    zero.id = 2;
    insert(conn, zero);
    conn.commit();

    CHECK(load<app::Everything>(conn, 1) == original);
    CHECK(load<app::Everything>(conn, 2) == zero);

    // What is really stored, read with raw sqlite3.
    CHECK(raw_query(path, "SELECT typeof(flag), flag, i64, u64, typeof(f), length(CAST(text AS BLOB)), hex(blob), typeof(bytes), "
                          "length(bytes), level, color, day, at, at_ms, typeof(maybe_text), typeof(maybe_int), "
                          "hex(uuid), price FROM everything WHERE id = 1") ==
          Rows{{"integer", "1", "-9223372036854775808", "9223372036854775807", "real", "20", "00FF00", "blob", "0", "7",
                "blue", "1969-07-20", "2024-02-29 23:59:59.123456789", "1969-12-31 23:59:59.999", "text", "null",
                "123E4567E89B12D3A456426614174000", "-1999"}});
    CHECK(raw_query(path, "SELECT substr(hex(CAST(text AS BLOB)), 1, 8) FROM everything WHERE id = 1") ==
          Rows{{"68006C6C"}});  // 'h', NUL, 'l', 'l': the NUL byte is stored, not a terminator
    CHECK(raw_query(path, "SELECT typeof(text), text, typeof(blob) FROM everything WHERE id = 2") ==
          Rows{{"text", "", "blob"}});
}

TEST_CASE("the DDL declares each member's storage class and nullability", "[sqlite][mapping][types]") {
    const auto path = test_support::scratch_path("types_ddl.db");
    auto engine = alchemy::create_engine("sqlite:///" + path);
    alchemy::metadata<app::Everything>().create_all(engine);
    CHECK(raw_query(path, "SELECT name, type, \"notnull\" FROM pragma_table_info('everything') WHERE name IN "
                          "('flag', 'u64', 'f', 'text', 'blob', 'level', 'color', 'day', 'at', 'maybe_text', 'uuid', 'price')") ==
          Rows{{"flag", "INTEGER", "1"},  {"u64", "INTEGER", "1"},  {"f", "REAL", "1"},       {"text", "TEXT", "1"},
               {"blob", "BLOB", "1"},     {"level", "INTEGER", "1"}, {"color", "TEXT", "1"},   {"day", "TEXT", "1"},
               {"at", "TEXT", "1"},       {"maybe_text", "TEXT", "0"}, {"uuid", "BLOB", "1"}, {"price", "INTEGER", "1"}});
}

TEST_CASE("values that cannot be stored or read back are refused with the column named", "[sqlite][mapping][types]") {
    auto engine = alchemy::create_engine("sqlite://");
    alchemy::metadata<app::Everything>().create_all(engine);
    auto conn = engine.connect();

    auto nan = extremes();
    nan.d = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_AS(insert(conn, nan), alchemy::ConversionError);

    auto huge = extremes();
    huge.u64 = std::numeric_limits<std::uint64_t>::max();
    REQUIRE_THROWS_WITH(insert(conn, huge), Catch::Contains("does not fit in a SQL INTEGER"));

    insert(conn, extremes());
    conn.execute("UPDATE everything SET i8 = 300");
    REQUIRE_THROWS_AS(load<app::Everything>(conn, 1), alchemy::ConversionError);
    REQUIRE_THROWS_WITH(load<app::Everything>(conn, 1),
                        "alchemy: cannot load column \"everything\".\"i8\" (Everything::i8, signed char) of the row "
                        "with id = 1: expected an integer in the range of signed char [-128, 127], found INTEGER 300");
    conn.execute("UPDATE everything SET i8 = 1, i64 = 'abc'");
    REQUIRE_THROWS_WITH(load<app::Everything>(conn, 1),
                        Catch::EndsWith("of the row with id = 1: expected INTEGER, found TEXT 'abc'"));
    conn.execute("UPDATE everything SET i64 = 0");
    conn.execute("UPDATE everything SET i8 = 1, color = 'purple'");
    REQUIRE_THROWS_WITH(load<app::Everything>(conn, 1), Catch::Contains("an enumerator name of app::Color"));
    conn.execute("UPDATE everything SET color = 'red', at = '2024-13-01 00:00:00'");
    REQUIRE_THROWS_WITH(load<app::Everything>(conn, 1), Catch::Contains("is not an ISO-8601 UTC time"));
    conn.execute("UPDATE everything SET at = '2024-01-01 00:00:00', uuid = x'00'");
    REQUIRE_THROWS_WITH(load<app::Everything>(conn, 1), Catch::Contains("a 16-byte UUID"));
}

namespace app {
struct Loose {
    std::int64_t id = 0;
    std::string name{};
};
constexpr auto alchemy_table(Loose*) { return alchemy::table("loose"); }
}  // namespace app

TEST_CASE("NULL in a column mapped to a non-optional member is refused with the row named", "[backend][mapping][types]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE loose (id INTEGER PRIMARY KEY, name TEXT)");  // a schema alchemy did not make
    conn.execute("INSERT INTO loose VALUES (3, NULL)");
    REQUIRE_THROWS_WITH(load<app::Loose>(conn, 3),
                        Catch::StartsWith("alchemy: cannot load column \"loose\".\"name\" (Loose::name, ") &&
                            Catch::Contains("of the row with id = 3: NULL cannot be read into") &&
                            Catch::Contains("(use std::optional<"));
}

TEST_CASE("a row that fails to load leaves nothing behind in the session's identity map", "[backend][mapping][types][session]") {
    test_backend::database db;
    auto engine = db.engine();
    auto conn = engine.connect();
    conn.execute("CREATE TABLE loose (id INTEGER PRIMARY KEY, name TEXT)");
    conn.execute("INSERT INTO loose VALUES (1, 'one'), (3, NULL)");
    conn.commit();
    auto session = alchemy::sessionmaker(engine)();
    REQUIRE_THROWS_AS(session.query<app::Loose>().order_by(alchemy::col(&app::Loose::id)).all(), alchemy::ConversionError);
    // Row 3 is not mapped half-made: asking for it queries (and fails) again.
    REQUIRE_THROWS_WITH(session.get<app::Loose>(3), Catch::Contains("of the row with id = 3"));
    session.rollback();
    conn.execute("UPDATE loose SET name = 'three' WHERE id = 3");
    conn.commit();
    const auto three = session.get<app::Loose>(3);
    REQUIRE(three);
    CHECK(std::as_const(three)->name == "three");
    const auto one = session.get<app::Loose>(1);
    CHECK(std::as_const(one)->name == "one");
}

TEST_CASE("time points: precision, 'T' and 'Z' forms, and refusal of lost precision", "[sqlite][types]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    const auto read = [&](const char* text) { return conn.execute("SELECT ?", text).scalar<system_clock::time_point>(); };
    const auto expected = sys_days{year{2020} / 5 / 17} + 8h + 30min + 15s + 250ms;
    CHECK(read("2020-05-17 08:30:15.25") == expected);
    CHECK(read("2020-05-17T08:30:15.250Z") == expected);
    CHECK(read("2020-05-17 08:30:15.250000000+00:00") == expected);
    CHECK(conn.execute("SELECT ?", "2020-05-17 08:30:15").scalar<sys_seconds>() == time_point_cast<seconds>(expected));
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?", "2020-05-17 08:30:15.25").scalar<sys_seconds>(),
                        Catch::Contains("more precision than the time point type holds"));
    REQUIRE_THROWS_WITH(read("2020-05-17 08:30:15+02:00"), Catch::Contains("only 'Z' or '+00:00'"));
    REQUIRE_THROWS_AS(read("yesterday"), alchemy::ConversionError);
    CHECK(conn.execute("SELECT ?", sys_days{year{2000} / 2 / 29}).scalar<std::string>() == "2000-02-29");
    REQUIRE_THROWS_AS(conn.execute("SELECT ?", "2001-02-29").scalar<sys_days>(), alchemy::ConversionError);
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?", sys_days{year{10000} / 1 / 1}),
                        Catch::Contains("outside 0000-9999"));
}

TEST_CASE("a date or time point bound to a statement without rows is stored intact", "[sqlite][types]") {
    // Their text is made while binding; a statement that returns no rows binds
    // without copying, so the text must outlive the bind call.
    const auto path = test_support::scratch_path("bound_times.db");
    auto engine = alchemy::create_engine("sqlite:///" + path);
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (day TEXT, at TEXT, opt TEXT)");
    const auto at = sys_days{year{2024} / February / 29} + 23h + 59min + 59s + 123456789ns;
    conn.execute("INSERT INTO t VALUES (?, ?, ?)", sys_days{year{1969} / July / 20}, at,
                 std::optional<sys_days>(sys_days{year{2000} / 1 / 1}));
    conn.execute("INSERT INTO t VALUES (?, ?, ?)", sys_days{year{1970} / 1 / 2}, time_point_cast<seconds>(at),
                 std::optional<sys_days>());
    conn.commit();
    CHECK(test_support::raw_query(path, "SELECT day, at, opt FROM t ORDER BY day") ==
          std::vector<std::vector<std::string>>{{"1969-07-20", "2024-02-29 23:59:59.123456789", "2000-01-01"},
                                                {"1970-01-02", "2024-02-29 23:59:59", "NULL"}});
}

TEST_CASE("time points at the ends of their range are read exactly, and beyond them refused", "[sqlite][types]") {
    // Found by tests/fuzz/fuzz_rows: the instant was computed in nanoseconds,
    // which overflowed (undefined behaviour) outside 1677-2262, also for
    // milliseconds and seconds that hold those years easily.
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    const auto read_ns = [&](const char* text) { return conn.execute("SELECT ?", text).scalar<system_clock::time_point>(); };
    CHECK(read_ns("1677-09-21 00:12:43.145224192") == system_clock::time_point::min());
    CHECK(read_ns("2262-04-11 23:47:16.854775807") == system_clock::time_point::max());
    REQUIRE_THROWS_WITH(read_ns("2262-04-11 23:47:16.854775808"), Catch::Contains("outside the range of the time point type"));
    REQUIRE_THROWS_WITH(read_ns("1677-09-21 00:12:43.145224191"), Catch::Contains("outside the range of the time point type"));
    REQUIRE_THROWS_AS(read_ns("9999-12-31 23:59:59"), alchemy::ConversionError);
    REQUIRE_THROWS_AS(read_ns("0000-01-01 00:00:00"), alchemy::ConversionError);

    CHECK(conn.execute("SELECT ?", "9999-12-31 23:59:59.999").scalar<sys_time<milliseconds>>() ==
          sys_days{year{9999} / 12 / 31} + 23h + 59min + 59s + 999ms);
    CHECK(conn.execute("SELECT ?", "0000-01-01 00:00:00").scalar<sys_seconds>() == sys_days{year{0} / 1 / 1});
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?", "0000-01-01 00:00:00.5").scalar<sys_seconds>(),
                        Catch::Contains("more precision than the time point type holds"));
    CHECK(conn.execute("SELECT ?", "2020-05-17 08:00:00").scalar<sys_time<hours>>() == sys_days{year{2020} / 5 / 17} + 8h);
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?", "2020-05-17 08:30:00").scalar<sys_time<hours>>(),
                        Catch::Contains("more precision than the time point type holds"));
}

TEST_CASE("time points on the first and last day of their range are written, and far ones refused", "[sqlite][types]") {
    // Found by tests/fuzz/fuzz_text: writing a time on 1677-09-21 overflowed
    // while converting its midnight (before system_clock's range) to
    // nanoseconds; a sys_seconds millions of years away wrapped in
    // year_month_day and could be written as a wrong date.
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    CHECK(conn.execute("SELECT ?", system_clock::time_point::min()).scalar<std::string>() == "1677-09-21 00:12:43.145224192");
    CHECK(conn.execute("SELECT ?", system_clock::time_point::max()).scalar<std::string>() == "2262-04-11 23:47:16.854775807");
    CHECK(conn.execute("SELECT ?", system_clock::time_point::min()).scalar<system_clock::time_point>() ==
          system_clock::time_point::min());
    CHECK(conn.execute("SELECT ?", sys_seconds{-1s}).scalar<std::string>() == "1969-12-31 23:59:59");
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?", sys_seconds::max()), Catch::Contains("outside 0000-9999"));
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?", sys_seconds::min()), Catch::Contains("outside 0000-9999"));
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?", sys_days{year{-1} / 12 / 31}), Catch::Contains("year -1 is outside 0000-9999"));
}

TEST_CASE("an enum stored as text reads only its exact enumerator names", "[sqlite][types]") {
    // Found by tests/fuzz/fuzz_rows: the name was compared as a C string, so
    // TEXT 'blue' followed by a NUL byte and more read as blue.
    auto engine = alchemy::create_engine("sqlite://");
    auto conn = engine.connect();
    CHECK(conn.execute("SELECT ?", std::string("blue")).scalar<app::Color>() == app::Color::blue);
    REQUIRE_THROWS_WITH(conn.execute("SELECT ?", std::string("blue\0junk", 9)).scalar<app::Color>(),
                        Catch::Contains("an enumerator name of app::Color"));
    REQUIRE_THROWS_AS(conn.execute("SELECT ?", std::string("blue\0", 5)).scalar<app::Color>(), alchemy::ConversionError);
    REQUIRE_THROWS_AS(conn.execute("SELECT ?", std::string("blu")).scalar<app::Color>(), alchemy::ConversionError);
}

TEST_CASE("a member of a type without == counts as changed when it binds another value", "[backend][mapping][types][session]") {
    test_backend::database db;
    std::vector<std::string> sql;
    auto engine = db.engine({.sink = [&](const alchemy::log_event& e) { sql.push_back(e.sql); }});
    alchemy::metadata<app::Labelled>().create_all(engine);
    auto Session = alchemy::sessionmaker(engine);
    {
        auto session = Session();
        session.add(app::Labelled{.id = 1, .tag = {"a"}});
        session.commit();
    }
    const auto updates = [&] {
        return std::count_if(sql.begin(), sql.end(), [](const std::string& s) { return s.starts_with("UPDATE"); });
    };
    auto session = Session();
    auto l = session.get<app::Labelled>(1);
    REQUIRE(l);
    l->tag = app::Tag{"a"};  // touched, but the same value: no UPDATE
    session.commit();
    CHECK(updates() == 0);
    l->tag = app::Tag{"b"};
    l->extra = app::Tag{"x"};
    session.commit();
    CHECK(updates() == 1);
    CHECK(db.query("SELECT tag, extra FROM labelled") == Rows{{"b", "x"}});
    l->extra.reset();
    session.commit();
    CHECK(updates() == 2);
    CHECK(db.query("SELECT tag, extra FROM labelled") == Rows{{"b", "NULL"}});
}
