// alchemy/json.hpp — JSON columns: members of boost::json::value, or of your own
// types stored as JSON documents, and paths into them in conditions.
//
//   #include <alchemy/json.hpp>
//
//   struct Doc {
//       std::int64_t id = 0;
//       boost::json::value data;                    // TEXT on SQLite, JSONB on PostgreSQL
//       std::optional<boost::json::value> extra;    // NULL-able
//       Settings settings;                          // your struct, stored as JSON (below)
//   };
//   session.query<Doc>().filter(col(&Doc::data)["tags"][0].as_string() == "cpp");
//
// Your own type T is stored as JSON once you say so, and Boost.JSON converts it
// (boost::json::value_from / value_to: a described struct converts by itself,
// anything else through tag_invoke overloads):
//
//   template <> inline constexpr bool alchemy::store_as_json<Settings> = true;
//
// A value is written as its serialized text (boost::json::serialize) and read
// back with boost::json::parse: a stored text that is not JSON, or a document
// that does not convert to T, is a ConversionError naming the column. Objects
// are compared member by member wherever C++ compares them (change tracking);
// in SQL, `col(&Doc::data) == value` compares the text on SQLite (so key order
// and spacing count) and the documents on PostgreSQL (jsonb).
//
// Boost.JSON is a compiled library: link Boost::json (Debian's
// libboost-json1.81-dev), or include <boost/json/src.hpp> in exactly one
// source file of your program. This header is not part of <alchemy/alchemy.hpp>:
// only the programs that map JSON pay for parsing Boost.JSON's headers.
#pragma once

#include <alchemy/expression.hpp>
#include <alchemy/types.hpp>

#include <string>
#include <string_view>
#include <system_error>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <fmt/core.h>

namespace alchemy {

/// Set to true for a type T of yours to store T as a JSON document (Boost.JSON
/// value_from / value_to convert it).
template <class T>
inline constexpr bool store_as_json = false;

namespace detail {
template <>
inline constexpr bool is_json_value<boost::json::value> = true;
template <class T>
    requires store_as_json<T>
inline constexpr bool is_json_value<T> = true;

/// The document in column `c`, parsed; ConversionError (through c.mismatch) if it is not JSON.
inline boost::json::value parse_json_column(const column_value& c) {
    const std::string_view text = c.as_text();
    boost::system::error_code error;
    auto document = boost::json::parse(text, error);
    if (error) c.mismatch(fmt::format("a JSON document ({})", error.message()));
    return document;
}
}  // namespace detail

/// boost::json::value: the document as text (JSONB on PostgreSQL).
template <>
struct type_traits<boost::json::value> {
    static constexpr sql_type storage = sql_type::text;
    static constexpr column_type column = column_type::json;
    static void bind(binder& b, const boost::json::value& v) { b.bind_text(boost::json::serialize(v)); }
    static boost::json::value read(const column_value& c) { return detail::parse_json_column(c); }
};

/// A type stored as JSON (store_as_json<T>), converted by Boost.JSON.
template <class T>
    requires store_as_json<T>
struct type_traits<T> {
    static constexpr sql_type storage = sql_type::text;
    static constexpr column_type column = column_type::json;
    static void bind(binder& b, const T& v) { b.bind_text(boost::json::serialize(boost::json::value_from(v))); }
    static T read(const column_value& c) {
        const auto document = detail::parse_json_column(c);
        auto converted = boost::json::try_value_to<T>(document);
        if (!converted) c.mismatch(fmt::format("a JSON document that converts to {} ({})", detail::type_name<T>(),
                                               converted.error().message()));
        return std::move(*converted);
    }
};

}  // namespace alchemy
