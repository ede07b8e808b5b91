// alchemy/detail/reflect.hpp — one view of a struct's members, whether it is
// described with BOOST_DESCRIBE_STRUCT or is a plain aggregate read by Boost.PFR.
//
// reflect<T> gives, at compile time: the member count, each member's type and
// name, access to a member of an object by index, and the index of a member
// named by member pointer. Everything above this header works on indices, so
// the two reflection paths cannot diverge.
#pragma once

#include <alchemy/detail/type_name.hpp>

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>
#include <boost/pfr/tuple_size.hpp>

namespace alchemy::detail {

template <class T>
concept described = boost::describe::has_describe_members<T>::value;

template <class T>
concept aggregate_struct = std::is_class_v<T> && std::is_aggregate_v<T> && !std::is_union_v<T>;

/// T's members can be listed: described, or a plain aggregate.
template <class T>
concept reflectable = described<T> || aggregate_struct<T>;

// ---- member names of plain aggregates ----------------------------------------
// A pointer to a member of an object with static storage is a constant
// expression, and GCC prints it with the member's name when it is a template
// argument: "[with auto P = (& fake<User>.wrap<User>::value.User::email)]".
// The object is declared but never defined: only its address is used.

// Clang warns about that anyway: at each instantiation that uses it, and at the
// end of a translation unit that uses it for a struct in an anonymous namespace.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wundefined-var-template"
#pragma clang diagnostic ignored "-Wundefined-internal"
#endif

template <class T>
struct fake_wrapper {
    const T value;
};
template <class T>
extern const fake_wrapper<T> fake_object;

template <auto P>
constexpr std::string_view pretty_pointer() noexcept {
    return __PRETTY_FUNCTION__;
}

constexpr std::string_view member_from_pretty(std::string_view s) noexcept {
    const auto start = s.find("P = ");
    if (start == std::string_view::npos) return {};
    s.remove_prefix(start + 4);
    s = s.substr(0, s.find_first_of(";])"));
    const auto colon = s.rfind("::");
    const auto dot = s.rfind('.');
    std::size_t cut = 0;
    if (colon != std::string_view::npos) cut = colon + 2;
    if (dot != std::string_view::npos && dot + 1 > cut) cut = dot + 1;
    return s.substr(cut);
}

template <class T, std::size_t I>
constexpr const void* aggregate_member_address() noexcept {
    return &std::get<I>(boost::pfr::structure_tie(fake_object<T>.value));
}

// Clang before 16 refuses a pointer to a subobject as a template argument, but
// takes one inside a structural class, printed "[P = {&fake_object.value.email}]".
template <class M>
struct member_pointer_holder {
    const M* pointer;
};

template <class T, std::size_t I>
constexpr std::string_view aggregate_member_name() noexcept {
    constexpr const auto& member = std::get<I>(boost::pfr::structure_tie(fake_object<T>.value));
#if defined(__clang__) && __clang_major__ < 16
    using M = std::remove_cvref_t<decltype(member)>;
    const std::string_view pretty = pretty_pointer<member_pointer_holder<M>{&member}>();
    return member_from_pretty(pretty.substr(0, pretty.rfind('}')));
#else
    return member_from_pretty(pretty_pointer<&member>());
#endif
}

// ---- reflect<T> ----------------------------------------------------------------

template <class T>
struct reflect;

template <described T>
struct reflect<T> {
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    static constexpr std::size_t count = boost::mp11::mp_size<members>::value;

    template <std::size_t I>
    using descriptor = boost::mp11::mp_at_c<members, I>;
    template <std::size_t I>
    using type = std::remove_cvref_t<decltype(std::declval<T&>().*descriptor<I>::pointer)>;

    template <std::size_t I>
    static constexpr std::string_view name() noexcept {
        return descriptor<I>::name;
    }
    template <std::size_t I>
    static constexpr auto& get(T& object) noexcept {
        return object.*descriptor<I>::pointer;
    }
    template <std::size_t I>
    static constexpr const auto& get(const T& object) noexcept {
        return object.*descriptor<I>::pointer;
    }

    /// The index of the member `pointer` designates, or `count` if none.
    template <class M>
    static constexpr std::size_t index_of(M T::*pointer) noexcept {
        std::size_t found = count;
        boost::mp11::mp_for_each<boost::mp11::mp_iota_c<count>>([&](auto i) {
            constexpr auto p = descriptor<decltype(i)::value>::pointer;
            if constexpr (std::is_same_v<std::remove_const_t<decltype(p)>, M T::*>) {
                if (p == pointer) found = decltype(i)::value;
            }
        });
        return found;
    }
};

template <class T>
    requires(!described<T> && aggregate_struct<T>)
struct reflect<T> {
    static constexpr std::size_t count = boost::pfr::tuple_size_v<T>;

    template <std::size_t I>
    using type = boost::pfr::tuple_element_t<I, T>;

    template <std::size_t I>
    static constexpr std::string_view name() noexcept {
        return aggregate_member_name<T, I>();
    }
    template <std::size_t I>
    static constexpr auto& get(T& object) noexcept {
        return boost::pfr::get<I>(object);
    }
    template <std::size_t I>
    static constexpr const auto& get(const T& object) noexcept {
        return boost::pfr::get<I>(object);
    }

    template <class M>
    static constexpr std::size_t index_of(M T::*pointer) noexcept {
        const void* target = &(fake_object<T>.value.*pointer);
        std::size_t found = count;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((aggregate_member_address<T, I>() == target ? (found = I, 0) : 0), ...);
        }(std::make_index_sequence<count>{});
        return found;
    }
};

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

/// The unqualified name of T ("User" for app::User, "Box" for Box<int>).
template <class T>
constexpr std::string_view struct_name() noexcept {
    std::string_view n = type_name<T>();
    n = n.substr(0, n.find('<'));
    if (const auto colon = n.rfind("::"); colon != std::string_view::npos) n.remove_prefix(colon + 2);
    return n;
}

}  // namespace alchemy::detail
