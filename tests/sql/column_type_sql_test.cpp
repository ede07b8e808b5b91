// The logical column type (alchemy::column_type) each mapped member type
// gets from its type_traits, and the SQLite DDL it turns into: SQLite
// declares each as the storage class its values are written as.
#include "support/printing.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

using alchemy::column_type;
using alchemy::column_type_of;
using alchemy::sql_type;

namespace {

const alchemy::sqlite_dialect sqlite;

// A user type whose type_traits say nothing of a column type (written before
// column_type existed): it follows the storage class.
struct Cents {
    std::int64_t value = 0;
};

// A user type that declares its logical type: a date kept as a day number.
struct DayNumber {
    std::int64_t days = 0;
};

// A user type declared a timestamp and written as ISO text, as the built-in
// time points are.
struct Stamp {
    std::string iso;
};

enum class Level : std::int8_t { low, high };
enum class Named { alpha, beta };
BOOST_DESCRIBE_ENUM(Named, alpha, beta)

}  // namespace

template <>
struct alchemy::type_traits<Cents> {
    static constexpr sql_type storage = sql_type::integer;
    static void bind(binder& b, const Cents& c) { b.bind_integer(c.value); }
    static Cents read(const column_value& v) { return Cents{v.as_integer()}; }
};

template <>
struct alchemy::type_traits<DayNumber> {
    static constexpr sql_type storage = sql_type::integer;
    static constexpr column_type column = column_type::date;
    static void bind(binder& b, const DayNumber& d) { b.bind_integer(d.days); }
    static DayNumber read(const column_value& v) { return DayNumber{v.as_integer()}; }
};

template <>
struct alchemy::type_traits<Stamp> {
    static constexpr sql_type storage = sql_type::text;
    static constexpr column_type column = column_type::timestamp;
    static void bind(binder& b, const Stamp& s) { b.bind_text(s.iso); }
    static Stamp read(const column_value& v) { return Stamp{std::string(v.as_text())}; }
};

template <>
inline constexpr bool alchemy::enum_as_text<Named> = true;

namespace {

struct Event {
    std::int64_t id = 0;
    bool done = false;
    std::chrono::sys_days day{};
    std::chrono::system_clock::time_point at{};
    std::optional<bool> flag{};
    std::optional<std::chrono::sys_days> due{};
    std::optional<std::chrono::sys_seconds> seen{};
    Cents price{};
    DayNumber day_number{};
    Stamp stamp{};
};
constexpr auto alchemy_table(Event*) { return alchemy::table("events"); }

}  // namespace

TEST_CASE("column_type_of: each built-in member type's logical column type", "[sql][ddl][types]") {
    STATIC_REQUIRE(column_type_of<bool>() == column_type::boolean);
    STATIC_REQUIRE(column_type_of<int>() == column_type::integer);
    STATIC_REQUIRE(column_type_of<std::int64_t>() == column_type::integer);
    STATIC_REQUIRE(column_type_of<std::uint16_t>() == column_type::integer);
    STATIC_REQUIRE(column_type_of<double>() == column_type::real);
    STATIC_REQUIRE(column_type_of<float>() == column_type::real);
    STATIC_REQUIRE(column_type_of<std::string>() == column_type::text);
    STATIC_REQUIRE(column_type_of<std::vector<std::byte>>() == column_type::blob);
    STATIC_REQUIRE(column_type_of<std::vector<unsigned char>>() == column_type::blob);
    STATIC_REQUIRE(column_type_of<std::chrono::sys_days>() == column_type::date);
    STATIC_REQUIRE(column_type_of<std::chrono::sys_seconds>() == column_type::timestamp);
    STATIC_REQUIRE(column_type_of<std::chrono::sys_time<std::chrono::milliseconds>>() == column_type::timestamp);
    STATIC_REQUIRE(column_type_of<std::chrono::sys_time<std::chrono::microseconds>>() == column_type::timestamp);
    // SQL timestamps keep microseconds: a finer time point is text, so that nothing is rounded.
    STATIC_REQUIRE(column_type_of<std::chrono::sys_time<std::chrono::nanoseconds>>() == column_type::text);
    STATIC_REQUIRE(column_type_of<Level>() == column_type::integer);
    STATIC_REQUIRE(column_type_of<Named>() == column_type::text);
    // std::optional<T>: T's.
    STATIC_REQUIRE(column_type_of<std::optional<bool>>() == column_type::boolean);
    STATIC_REQUIRE(column_type_of<std::optional<std::chrono::sys_days>>() == column_type::date);
    STATIC_REQUIRE(column_type_of<std::optional<std::string>>() == column_type::text);
    CHECK(alchemy::to_string(column_type::timestamp) == "timestamp");
}

TEST_CASE("column_type_of: a user type_traits without a column type follows its storage class",
          "[sql][ddl][types]") {
    STATIC_REQUIRE(column_type_of<Cents>() == column_type::integer);
    STATIC_REQUIRE(column_type_of<std::optional<Cents>>() == column_type::integer);
    STATIC_REQUIRE(alchemy::column_type_from(sql_type::real) == column_type::real);
    STATIC_REQUIRE(alchemy::column_type_from(sql_type::text) == column_type::text);
    STATIC_REQUIRE(alchemy::column_type_from(sql_type::blob) == column_type::blob);
    // One that declares its own column type keeps it.
    STATIC_REQUIRE(column_type_of<DayNumber>() == column_type::date);
    STATIC_REQUIRE(column_type_of<Stamp>() == column_type::timestamp);
}

TEST_CASE("mapping: each column carries its logical type beside its storage class", "[sql][ddl][mapping]") {
    const auto& t = alchemy::table_of<Event>();
    const auto logical = [&](std::string_view name) { return t.column(name).logical_type; };
    CHECK(logical("id") == column_type::integer);
    CHECK(logical("done") == column_type::boolean);
    CHECK(t.column("done").type == sql_type::integer);
    CHECK(logical("day") == column_type::date);
    CHECK(t.column("day").type == sql_type::text);
    CHECK(logical("at") == (std::ratio_greater_equal_v<std::chrono::system_clock::period, std::micro>
                                ? column_type::timestamp
                                : column_type::text));
    CHECK(logical("flag") == column_type::boolean);
    CHECK(logical("due") == column_type::date);
    CHECK(logical("seen") == column_type::timestamp);
    CHECK(logical("price") == column_type::integer);
    CHECK(logical("day_number") == column_type::date);
    CHECK(t.column("day_number").type == sql_type::integer);
    CHECK(logical("stamp") == column_type::timestamp);
}

TEST_CASE("DDL: SQLite declares booleans INTEGER, dates and time points TEXT", "[sql][ddl]") {
    // A date kept as a day number is declared INTEGER: SQLite's TEXT affinity
    // would turn the stored integers into text.
    CHECK(alchemy::metadata<Event>().create_statements(sqlite) ==
          std::vector<std::string>{
              R"(CREATE TABLE IF NOT EXISTS "events" ("id" INTEGER NOT NULL PRIMARY KEY, "done" INTEGER NOT NULL, )"
              R"("day" TEXT NOT NULL, "at" TEXT NOT NULL, "flag" INTEGER, "due" TEXT, "seen" TEXT, )"
              R"("price" INTEGER NOT NULL, "day_number" INTEGER NOT NULL, "stamp" TEXT NOT NULL))"});
}

TEST_CASE("SQLite names each logical type by the storage class its values are written as", "[sql][ddl]") {
    const alchemy::dialect& d = sqlite;
    CHECK(d.type_name(column_type::boolean, sql_type::integer) == "INTEGER");
    CHECK(d.type_name(column_type::integer, sql_type::integer) == "INTEGER");
    CHECK(d.type_name(column_type::real, sql_type::real) == "REAL");
    CHECK(d.type_name(column_type::text, sql_type::text) == "TEXT");
    CHECK(d.type_name(column_type::blob, sql_type::blob) == "BLOB");
    CHECK(d.type_name(column_type::date, sql_type::text) == "TEXT");
    CHECK(d.type_name(column_type::timestamp, sql_type::text) == "TEXT");
    CHECK(d.type_name(column_type::date, sql_type::integer) == "INTEGER");
    CHECK(d.type_name(column_type::blob, sql_type::null).empty());
}

TEST_CASE("cast<T> names T's logical type through the dialect", "[sql][expressions]") {
    const auto where = [](const alchemy::predicate& p) {
        const auto sql = alchemy::compile(alchemy::select<Event>().filter(p), sqlite).sql;
        return sql.substr(sql.find(" WHERE ") + 7);
    };
    CHECK(where(alchemy::cast<bool>(alchemy::col(&Event::id)) == true) == R"(CAST("events"."id" AS INTEGER) = ?)");
    CHECK(where(alchemy::cast<std::chrono::sys_days>(alchemy::col(&Event::at)) == std::chrono::sys_days{}) ==
          R"(CAST("events"."at" AS TEXT) = ?)");
}
