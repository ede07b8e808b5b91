// alchemy/types.hpp — how C++ values travel to and from the database.
//
// Every C++ type that can be a statement parameter or a column value has a
// `type_traits<T>` specialisation: it names the SQL storage class and knows how
// to bind a value (through the dialect-neutral `binder`) and how to read one
// back (from a `column_value`, a view of one column of the current row).
//
// Built in: bool; every signed and unsigned integer type but `char`
// (a uint64 above INT64_MAX is refused, never wrapped); float and double
// (NaN is refused: SQLite would silently store it as NULL; ±infinity round-
// trips); std::string (std::string_view and const char* as parameters);
// BLOBs as std::vector<std::byte> / std::vector<unsigned char>; enums (as
// their underlying integer; one without a fixed underlying type is read
// only with BOOST_DESCRIBE_ENUM, within the range its enumerators span);
// std::optional<T> for NULL; std::nullptr_t / std::nullopt as a NULL parameter.
//
// User types: specialise `alchemy::type_traits`:
//
//     template <> struct alchemy::type_traits<Money> {
//         static constexpr sql_type storage = sql_type::integer;
//         static void bind(binder& b, const Money& m) { b.bind_integer(m.cents); }
//         static Money read(const column_value& v) { return Money{v.as_integer()}; }
//     };
//
// A column's type in DDL comes from its logical `column_type` (bool: boolean,
// sys_days: date, time points: timestamp, the others their storage class),
// which each dialect names. A specialisation may declare its own,
// `static constexpr column_type column = column_type::date;`; without one
// its column_type follows its storage class.
//
// Reading is strict: the stored type must match (INTEGER may widen to a
// floating point member; nothing narrows silently). A mismatch throws
// ConversionError; the layer that reads rows adds which column and statement.
#pragma once

#include <alchemy/detail/chrono_text.hpp>
#include <alchemy/detail/config.hpp>
#include <alchemy/detail/type_name.hpp>
#include <alchemy/errors.hpp>

#include <chrono>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <ratio>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/describe/enum_to_string.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>
#include <fmt/core.h>

namespace alchemy {

/// The storage class of a SQL value (SQLite's five; other databases map to them).
enum class sql_type { null, integer, real, text, blob };

constexpr std::string_view to_string(sql_type t) noexcept {
    switch (t) {
        case sql_type::null: return "NULL";
        case sql_type::integer: return "INTEGER";
        case sql_type::real: return "REAL";
        case sql_type::text: return "TEXT";
        case sql_type::blob: return "BLOB";
    }
    return "?";
}

/// The logical type of a column: what CREATE TABLE declares and CAST names,
/// through the dialect (dialect::type_name). Finer than the storage class, so
/// that a database with BOOLEAN, DATE and TIMESTAMP types can declare them.
enum class column_type { boolean, integer, real, text, blob, date, timestamp, json };

constexpr std::string_view to_string(column_type t) noexcept {
    switch (t) {
        case column_type::boolean: return "boolean";
        case column_type::integer: return "integer";
        case column_type::real: return "real";
        case column_type::text: return "text";
        case column_type::blob: return "blob";
        case column_type::date: return "date";
        case column_type::timestamp: return "timestamp";
        case column_type::json: return "json";
    }
    return "?";
}

/// The column_type of a type_traits specialisation that declares none: its
/// storage class's. (NULL, which no mapped value is stored as, gets blob:
/// SQLite gives such a column the affinity of an undeclared one.)
constexpr column_type column_type_from(sql_type storage) noexcept {
    switch (storage) {
        case sql_type::integer: return column_type::integer;
        case sql_type::real: return column_type::real;
        case sql_type::text: return column_type::text;
        case sql_type::blob:
        case sql_type::null: break;
    }
    return column_type::blob;
}

/// A view of one column of the current row. Valid until the row advances.
/// The `as_*` accessors check the stored type and throw ConversionError.
class column_value {
public:
    static column_value null() noexcept { return column_value(sql_type::null); }
    static column_value integer(std::int64_t v) noexcept {
        column_value c(sql_type::integer);
        c.int_ = v;
        return c;
    }
    static column_value real(double v) noexcept {
        column_value c(sql_type::real);
        c.real_ = v;
        return c;
    }
    static column_value text(std::string_view v) noexcept {
        column_value c(sql_type::text);
        c.data_ = v.data();
        c.size_ = v.size();
        return c;
    }
    static column_value blob(std::span<const std::byte> v) noexcept {
        column_value c(sql_type::blob);
        c.data_ = v.data();
        c.size_ = v.size();
        return c;
    }

    sql_type type() const noexcept { return type_; }
    bool is_null() const noexcept { return type_ == sql_type::null; }

    /// The value of an INTEGER.
    std::int64_t as_integer() const {
        if (type_ != sql_type::integer) mismatch("INTEGER");
        return int_;
    }
    /// The value of a REAL, or of an INTEGER widened to double.
    double as_real() const {
        if (type_ == sql_type::real) return real_;
        if (type_ == sql_type::integer) return static_cast<double>(int_);
        mismatch("REAL");
    }
    /// The bytes of a TEXT (may contain NUL bytes).
    std::string_view as_text() const {
        if (type_ != sql_type::text) mismatch("TEXT");
        return {static_cast<const char*>(data_), size_};
    }
    /// The bytes of a BLOB.
    std::span<const std::byte> as_blob() const {
        if (type_ != sql_type::blob) mismatch("BLOB");
        return {static_cast<const std::byte*>(data_), size_};
    }

    /// A short printable form for messages: 42, 2.5, 'text', <blob 3 bytes>, NULL.
    std::string describe() const;

    /// Throws the ConversionError for reading this value as `wanted`.
    [[noreturn]] void mismatch(std::string_view wanted) const;

private:
    explicit column_value(sql_type t) noexcept : type_(t) {}

    sql_type type_;
    union {
        std::int64_t int_;
        double real_;
    };
    const void* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Receives one parameter value. Implemented by the connection layer (binding
/// into a prepared statement) and by the logger (recording the value).
///
/// bind_text(string_view) and bind_blob may keep a pointer to the bytes until
/// the statement has run, so they must stay alive that long (a member of the
/// object being written, a parameter of execute()). Text made while binding —
/// a formatted date, say — goes to the overload for a std::string temporary,
/// which is copied.
class binder {
public:
    virtual void bind_null() = 0;
    virtual void bind_integer(std::int64_t v) = 0;
    virtual void bind_real(double v) = 0;
    virtual void bind_text(std::string_view v) = 0;
    virtual void bind_blob(std::span<const std::byte> v) = 0;

    /// Text that dies with the bind call: always copied. (A template only so
    /// that lvalue strings and `const char*` keep choosing the view overload.)
    template <class S>
        requires std::same_as<S, std::string>
    void bind_text(S&& temporary) {
        bind_copied_text(temporary);
    }

protected:
    /// Binds a copy of `v`. The default suits binders that copy anyway.
    virtual void bind_copied_text(std::string_view v) { bind_text(v); }
    ~binder() = default;
};

/// Specialise for each C++ type that maps to a SQL value; see the top of this file.
template <class T, class Enable = void>
struct type_traits;

/// A type that can be read from and written to the database.
template <class T>
concept sql_value = requires(binder& b, const T& v, const column_value& c) {
    // the storage class its values are written as (and, unless the
    // specialisation declares a `column` type, the column's type in DDL)
    { type_traits<T>::storage } -> std::convertible_to<sql_type>;
    // writes the value as a parameter
    type_traits<T>::bind(b, v);
    // reads it back (throwing ConversionError when the stored value does not fit)
    { type_traits<T>::read(c) } -> std::same_as<T>;
};

/// The logical column type of T: the `column` its type_traits declares, else
/// the one of its storage class.
template <sql_value T>
constexpr column_type column_type_of() noexcept {
    if constexpr (requires {
                      { type_traits<T>::column } -> std::convertible_to<column_type>;
                  })
        return type_traits<T>::column;
    else
        return column_type_from(type_traits<T>::storage);
}

/// A type that can be bound as a statement parameter (every sql_value, plus
/// views such as std::string_view and const char*).
template <class T>
concept sql_parameter = requires(binder& b, const T& v) { type_traits<T>::bind(b, v); };

// ---------------------------------------------------------------------------
// Built-in types.

template <>
struct type_traits<bool> {
    static constexpr sql_type storage = sql_type::integer;
    static constexpr column_type column = column_type::boolean;
    static void bind(binder& b, bool v) { b.bind_integer(v ? 1 : 0); }
    static bool read(const column_value& c) {
        const auto v = c.as_integer();
        if (v != 0 && v != 1) c.mismatch("a bool (INTEGER 0 or 1)");
        return v == 1;
    }
};

namespace detail {
template <class T>
concept sql_integer = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                      !std::same_as<T, wchar_t> && !std::same_as<T, char8_t> &&
                      !std::same_as<T, char16_t> && !std::same_as<T, char32_t>;
}  // namespace detail

template <detail::sql_integer T>
struct type_traits<T> {
    static constexpr sql_type storage = sql_type::integer;
    static void bind(binder& b, T v) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
            if (v > static_cast<T>(std::numeric_limits<std::int64_t>::max()))
                throw ConversionError(fmt::format(
                    "{} value {} does not fit in a SQL INTEGER (at most {})",
                    detail::type_name<T>(), v, std::numeric_limits<std::int64_t>::max()));
        }
        b.bind_integer(static_cast<std::int64_t>(v));
    }
    static T read(const column_value& c) {
        const auto v = c.as_integer();
        if (!std::in_range<T>(v))
            c.mismatch(fmt::format("an integer in the range of {} [{}, {}]", detail::type_name<T>(),
                                   std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
        return static_cast<T>(v);
    }
};

template <std::floating_point T>
struct type_traits<T> {
    static constexpr sql_type storage = sql_type::real;
    static void bind(binder& b, T v) {
        // SQLite stores NaN as NULL: refuse it rather than lose the value.
        if (std::isnan(v))
            throw ConversionError("NaN cannot be stored (SQLite would turn it into NULL)");
        b.bind_real(static_cast<double>(v));
    }
    static T read(const column_value& c) {
        const double v = c.as_real();
        if constexpr (sizeof(T) < sizeof(double)) {
            if (std::isfinite(v) && std::abs(v) > static_cast<double>(std::numeric_limits<T>::max()))
                c.mismatch(fmt::format("a value in the range of {}", detail::type_name<T>()));
        }
        return static_cast<T>(v);
    }
};

template <>
struct type_traits<std::string> {
    static constexpr sql_type storage = sql_type::text;
    static void bind(binder& b, const std::string& v) { b.bind_text(v); }
    static std::string read(const column_value& c) { return std::string(c.as_text()); }
};

template <>
struct type_traits<std::string_view> {  // parameter only: a view cannot own a read value
    static void bind(binder& b, std::string_view v) { b.bind_text(v); }
};

template <>
struct type_traits<const char*> {  // parameter only
    static void bind(binder& b, const char* v) {
        if (v == nullptr)
            throw ArgumentError(
                "alchemy: a null const char* was passed as a text parameter; pass std::nullopt or "
                "nullptr for SQL NULL");
        b.bind_text(v);
    }
};

template <>
struct type_traits<std::vector<std::byte>> {
    static constexpr sql_type storage = sql_type::blob;
    static void bind(binder& b, const std::vector<std::byte>& v) { b.bind_blob(v); }
    static std::vector<std::byte> read(const column_value& c) {
        const auto bytes = c.as_blob();
        return {bytes.begin(), bytes.end()};
    }
};

template <>
struct type_traits<std::vector<unsigned char>> {
    static constexpr sql_type storage = sql_type::blob;
    static void bind(binder& b, const std::vector<unsigned char>& v) {
        b.bind_blob(std::as_bytes(std::span(v)));
    }
    static std::vector<unsigned char> read(const column_value& c) {
        const auto bytes = c.as_blob();
        const auto* first = reinterpret_cast<const unsigned char*>(bytes.data());
        return {first, first + bytes.size()};
    }
};

template <>
struct type_traits<std::span<const std::byte>> {  // parameter only
    static void bind(binder& b, std::span<const std::byte> v) { b.bind_blob(v); }
};

/// Set to true for an enum described with BOOST_DESCRIBE_ENUM to store it as
/// the enumerator's name (TEXT) instead of its integer value:
///     template <> inline constexpr bool alchemy::enum_as_text<Color> = true;
template <class E>
inline constexpr bool enum_as_text = false;

namespace detail {

// An enum with a fixed underlying type (`enum class E`, `enum E : int`) holds
// every value of that type. One without (`enum E { a, b }`) holds only the
// values of the narrowest bit-field that fits its enumerators ([dcl.enum]),
// and making it hold any other is undefined behaviour. Only the former can
// be direct-list-initialised from an integer.
template <class E>
concept fixed_enum = std::is_enum_v<E> && requires { E{std::underlying_type_t<E>{}}; };

// The values [lowest, highest] of an enum without a fixed underlying type,
// from its enumerators (BOOST_DESCRIBE_ENUM): highest is the smallest 2^M - 1
// not below any enumerator (nor below -e - 1 for a negative one), lowest is
// 0, or -highest - 1 when an enumerator is negative.
template <class E>
constexpr std::pair<std::intmax_t, std::uintmax_t> enum_value_range() {
    bool negative = false;
    std::uintmax_t magnitude = 0;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
        const auto v = static_cast<std::underlying_type_t<E>>(D.value);
        std::uintmax_t m = 0;
        if (std::cmp_less(v, 0)) {
            negative = true;
            m = static_cast<std::uintmax_t>(-(static_cast<std::intmax_t>(v) + 1));
        } else {
            m = static_cast<std::uintmax_t>(v);
        }
        if (m > magnitude) magnitude = m;
    });
    for (unsigned shift = 1; shift < std::numeric_limits<std::uintmax_t>::digits; shift *= 2)
        magnitude |= magnitude >> shift;
    return {negative ? -static_cast<std::intmax_t>(magnitude) - 1 : 0, magnitude};
}

}  // namespace detail

template <class E>
    requires std::is_enum_v<E> && (!enum_as_text<E>)
struct type_traits<E> {
    using underlying = std::underlying_type_t<E>;
    static constexpr sql_type storage = sql_type::integer;
    static void bind(binder& b, E v) { type_traits<underlying>::bind(b, static_cast<underlying>(v)); }
    static E read(const column_value& c) {
        if constexpr (detail::fixed_enum<E>) {
            return static_cast<E>(type_traits<underlying>::read(c));
        } else if constexpr (!boost::describe::has_describe_enumerators<E>::value) {
            static_assert(detail::fixed_enum<E>,
                          "alchemy: an enum without a fixed underlying type (enum E { ... }) holds only the values "
                          "of its enumerators' bit range, and reading any other would be undefined behaviour: give "
                          "it a fixed type (enum E : int { ... }, or enum class E) or list its enumerators with "
                          "BOOST_DESCRIBE_ENUM so that alchemy can check the range");
            return E{};  // not reached: the compilation has failed
        } else {
            constexpr auto range = detail::enum_value_range<E>();
            const std::int64_t v = c.as_integer();
            if (v < range.first || (v > 0 && static_cast<std::uintmax_t>(v) > range.second))
                c.mismatch(fmt::format("a value of {} [{}, {}]", detail::type_name<E>(), range.first, range.second));
            return static_cast<E>(v);
        }
    }
};

template <class E>
    requires std::is_enum_v<E> && enum_as_text<E>
struct type_traits<E> {
    static_assert(boost::describe::has_describe_enumerators<E>::value,
                  "alchemy: enum_as_text<E> needs the enumerator names: add BOOST_DESCRIBE_ENUM(E, ...)");
    static constexpr sql_type storage = sql_type::text;
    static void bind(binder& b, E v) {
        const char* name = boost::describe::enum_to_string(v, nullptr);
        if (!name)
            throw ConversionError(fmt::format("{} value {} has no enumerator name to store", detail::type_name<E>(),
                                              static_cast<std::underlying_type_t<E>>(v)));
        b.bind_text(name);
    }
    static E read(const column_value& c) {
        // Compared as string_views: a C string would end at a NUL byte and
        // take 'red\0junk' for red.
        const std::string_view name = c.as_text();
        std::optional<E> found;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
            if (!found && name == D.name) found = D.value;
        });
        if (!found) c.mismatch(fmt::format("an enumerator name of {}", detail::type_name<E>()));
        return *found;
    }
};

/// Dates as ISO-8601 TEXT "YYYY-MM-DD".
template <>
struct type_traits<std::chrono::sys_days> {
    static constexpr sql_type storage = sql_type::text;
    static constexpr column_type column = column_type::date;
    static void bind(binder& b, std::chrono::sys_days v) { b.bind_text(detail::format_date(v)); }
    static std::chrono::sys_days read(const column_value& c) { return detail::parse_date(c.as_text()); }
};

/// UTC time points (system_clock::time_point among them) as ISO-8601 TEXT
/// "YYYY-MM-DD HH:MM:SS.fffffffff", with as many fraction digits as the
/// duration needs: exact round trips, text order = time order. SQL's
/// TIMESTAMP types keep microseconds (PostgreSQL's, SQLAlchemy's DateTime),
/// so only a time point no finer than that is declared a timestamp; a finer
/// one (system_clock's nanoseconds) is declared text, which rounds nothing away.
template <class Duration>
    requires(!std::is_same_v<Duration, std::chrono::days>)
struct type_traits<std::chrono::sys_time<Duration>> {
    static constexpr sql_type storage = sql_type::text;
    static constexpr column_type column =
        std::ratio_greater_equal_v<typename Duration::period, std::micro> ? column_type::timestamp
                                                                           : column_type::text;
    static void bind(binder& b, std::chrono::sys_time<Duration> v) { b.bind_text(detail::format_time(v)); }
    static std::chrono::sys_time<Duration> read(const column_value& c) {
        return detail::parse_time<Duration>(c.as_text());
    }
};

template <class T>
    requires sql_parameter<T>
struct type_traits<std::optional<T>> {
    static constexpr sql_type storage = [] {
        if constexpr (sql_value<T>) return type_traits<T>::storage;
        else return sql_type::null;
    }();
    static constexpr column_type column = [] {
        if constexpr (sql_value<T>) return column_type_of<T>();
        else return column_type::blob;
    }();
    static void bind(binder& b, const std::optional<T>& v) {
        if (v) type_traits<T>::bind(b, *v);
        else b.bind_null();
    }
    static std::optional<T> read(const column_value& c)
        requires sql_value<T>
    {
        if (c.is_null()) return std::nullopt;
        return type_traits<T>::read(c);
    }
};

template <>
struct type_traits<std::nullptr_t> {  // parameter only: SQL NULL
    static void bind(binder& b, std::nullptr_t) { b.bind_null(); }
};

template <>
struct type_traits<std::nullopt_t> {  // parameter only: SQL NULL
    static void bind(binder& b, std::nullopt_t) { b.bind_null(); }
};

namespace detail {

// Reads `c` as T, or throws ConversionError when T cannot hold it. NULL into
// a non-optional is refused here so that every type_traits::read may assume
// a value.
template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

template <class T>
inline constexpr bool accepts_null_v = is_optional_v<T>;

template <sql_value T>
T read_value(const column_value& c) {
    if constexpr (!accepts_null_v<T>) {
        if (c.is_null())
            throw ConversionError(fmt::format(
                "NULL cannot be read into {} (use std::optional<{}> for a NULL-able value)",
                type_name<T>(), type_name<T>()));
    }
    return type_traits<T>::read(c);
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Owning values: what logs and generic rows hold.

/// An owned SQL value: NULL, INTEGER, REAL, TEXT or BLOB.
class value {
public:
    using storage_type =
        std::variant<std::nullptr_t, std::int64_t, double, std::string, std::vector<std::byte>>;

    value() noexcept : v_(nullptr) {}
    value(std::nullptr_t) noexcept : v_(nullptr) {}
    value(std::int64_t v) noexcept : v_(v) {}
    value(double v) noexcept : v_(v) {}
    value(std::string v) noexcept : v_(std::move(v)) {}
    value(std::vector<std::byte> v) noexcept : v_(std::move(v)) {}

    /// Copies a column of the current row.
    static value from(const column_value& c) {
        switch (c.type()) {
            case sql_type::null: return {};
            case sql_type::integer: return value(c.as_integer());
            case sql_type::real: return value(c.as_real());
            case sql_type::text: return value(std::string(c.as_text()));
            case sql_type::blob: {
                auto b = c.as_blob();
                return value(std::vector<std::byte>(b.begin(), b.end()));
            }
        }
        return {};
    }

    sql_type type() const noexcept { return static_cast<sql_type>(v_.index()); }
    bool is_null() const noexcept { return v_.index() == 0; }
    const storage_type& get() const noexcept { return v_; }

    /// A view of this value, readable through type_traits.
    column_value view() const noexcept {
        switch (type()) {
            case sql_type::integer: return column_value::integer(std::get<1>(v_));
            case sql_type::real: return column_value::real(std::get<2>(v_));
            case sql_type::text: return column_value::text(std::get<3>(v_));
            case sql_type::blob: return column_value::blob(std::get<4>(v_));
            case sql_type::null: break;
        }
        return column_value::null();
    }

    /// Reads the value as T with the same checks as reading a column.
    template <sql_value T>
    T as() const {
        return detail::read_value<T>(view());
    }

    friend bool operator==(const value&, const value&) = default;

private:
    storage_type v_;
};

namespace detail {

/// Where the column values of a row come from: a driver's statement, or a
/// view of a row with its columns in another order.
class column_source {
public:
    /// Column i of the current row; valid until the source moves on.
    virtual column_value column(std::size_t i) const = 0;

protected:
    column_source() = default;
    column_source(const column_source&) = default;
    column_source& operator=(const column_source&) = default;
    ~column_source() = default;
};

// A binder that records the values instead of binding them (for logs and errors).
class value_recorder final : public binder {
public:
    explicit value_recorder(std::vector<value>& out) : out_(out) {}
    ALCHEMY_INLINE void bind_null() override;
    ALCHEMY_INLINE void bind_integer(std::int64_t v) override;
    ALCHEMY_INLINE void bind_real(double v) override;
    ALCHEMY_INLINE void bind_text(std::string_view v) override;
    ALCHEMY_INLINE void bind_blob(std::span<const std::byte> v) override;

private:
    std::vector<value>& out_;
};

// A binder that keeps the one value bound (a member's value as a value).
struct bound_value final : binder {
    value out;
    ALCHEMY_INLINE void bind_null() override;
    ALCHEMY_INLINE void bind_integer(std::int64_t v) override;
    ALCHEMY_INLINE void bind_real(double v) override;
    ALCHEMY_INLINE void bind_text(std::string_view v) override;
    ALCHEMY_INLINE void bind_blob(std::span<const std::byte> v) override;
};

}  // namespace detail

template <>
inline constexpr bool detail::accepts_null_v<value> = true;

/// An owned value binds as itself and reads any column, NULL included; as a
/// mapped member it is a column without declared type (SQLite's dynamic typing).
template <>
struct type_traits<value> {
    static constexpr sql_type storage = sql_type::null;
    static void bind(binder& b, const value& v) {
        std::visit(
            [&](const auto& x) {
                using X = std::decay_t<decltype(x)>;
                if constexpr (std::same_as<X, std::nullptr_t>) b.bind_null();
                else if constexpr (std::same_as<X, std::int64_t>) b.bind_integer(x);
                else if constexpr (std::same_as<X, double>) type_traits<double>::bind(b, x);  // NaN refused
                else if constexpr (std::same_as<X, std::string>) b.bind_text(x);
                else b.bind_blob(x);
            },
            v.get());
    }
    static value read(const column_value& c) { return value::from(c); }
};

/// Formats a value as the logs and error messages print it: NULL, 42, 2.5,
/// 'text' (quotes doubled), <blob 3 bytes>; text longer than `max_chars` is cut
/// with a note of how much was left out.
std::string format_value(const value& v, std::size_t max_chars = 100);

/// Formats a parameter row: ('Alice', 3, NULL).
std::string format_values(std::span<const value> values, std::size_t max_chars = 100);

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/impl/types.ipp>
#endif
