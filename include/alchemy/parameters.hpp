// alchemy/parameters.hpp — named statement parameters.
//
//   conn.execute("SELECT * FROM users WHERE name = :name AND age > :age",
//                alchemy::param("name", "Alice"), alchemy::param("age", 30));
//
// The name matches `:name`, `@name` or `$name` in the SQL. Every parameter of
// the statement must be given exactly once; positional and named parameters
// cannot be mixed in one call.
#pragma once

#include <alchemy/types.hpp>

#include <string_view>
#include <type_traits>

namespace alchemy {

namespace detail {
// The type a parameter is bound as: string literals and char pointers bind
// as text, everything else as itself.
template <class A>
using parameter_type =
    std::conditional_t<std::is_same_v<std::decay_t<A>, char*>, const char*, std::decay_t<A>>;
}  // namespace detail

/// A value bound to the parameter called `name` (held by value).
template <class T>
struct named_parameter {
    std::string_view name;
    T value;
};

template <class T>
named_parameter<detail::parameter_type<T>> param(std::string_view name, T&& value) {
    return {name, detail::parameter_type<T>(std::forward<T>(value))};
}

namespace detail {
template <class T>
inline constexpr bool is_named_parameter_v = false;
template <class T>
inline constexpr bool is_named_parameter_v<named_parameter<T>> = true;
}  // namespace detail

}  // namespace alchemy
