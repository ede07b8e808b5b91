// alchemy/detail/orm/select_item.hpp — the select list of a values query as
// types, so that the row type follows from the query: what each item reads
// into, which struct's table it comes from, and what an outer join of that
// table makes of it.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/ptr.hpp>
#include <alchemy/types.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/pfr/core.hpp>

namespace alchemy {

/// A mapped object in a values query's select list:
///   session.query(alchemy::entity<User>, func::count(col(&Post::id)))
/// reads rows of std::tuple<ptr<User>, std::int64_t>, the objects through
/// the identity map.
template <class T>
struct entity_t {
    explicit entity_t() = default;
};
template <class T>
inline constexpr entity_t<T> entity{};

namespace detail {

// Where the columns of aliased<T> come from: not T's table itself, so that
// an outer join of the alias leaves T's own columns as they are.
template <class T>
struct alias_origin {};

// A value of type V; Origin is the struct (or alias_origin) whose table the
// column belongs to, void for a computed expression; Label its label_tag
// when it was labelled with .label<"name">(), else void.
template <class V, class Origin, class Label = void>
struct value_item {
    using row_value = V;
    using label = Label;
};

// A whole mapped object.
template <class T>
struct entity_item {
    using row_value = ptr<T>;
    using object = T;
    using label = void;
};

template <class X>
struct select_item_of {
    using type = value_item<typename expression_value<X>::type, void>;
};
template <class T, class M>
struct select_item_of<column<T, M>> {
    using type = value_item<M, T>;
};
template <class T, class M>
struct select_item_of<aliased_column<T, M>> {
    using type = value_item<M, alias_origin<T>>;
};
template <class V, class Origin, class Label>
struct select_item_of<labelled_expression<V, Origin, Label>> {
    using type = value_item<V, Origin, Label>;
};
template <class T>
struct select_item_of<entity_t<T>> {
    using type = entity_item<T>;
};
template <class X>
using select_item_t = typename select_item_of<std::remove_cvref_t<X>>::type;

template <class X>
inline constexpr bool is_entity_tag_v = false;
template <class T>
inline constexpr bool is_entity_tag_v<entity_t<T>> = true;

/// What session.query(...) and select(...) take: expressions and entity<T>.
template <class X>
concept select_argument = is_expression_v<X> || is_entity_tag_v<std::remove_cvref_t<X>>;

template <class I>
inline constexpr bool is_entity_item_v = false;
template <class T>
inline constexpr bool is_entity_item_v<entity_item<T>> = true;

// V, or std::optional<V> when V cannot hold NULL.
template <class V>
using nullable_t = std::conditional_t<is_optional_v<V>, V, std::optional<V>>;

// The item after an outer join of Origin's table: that table's columns can
// be NULL now. (Objects need no change: an empty ptr stands for no row.)
template <class I, class Origin>
struct outer_joined_item {
    using type = I;
};
template <class V, class Origin, class Label>
struct outer_joined_item<value_item<V, Origin, Label>, Origin> {
    using type = value_item<nullable_t<V>, Origin, Label>;
};
template <class I, class Origin>
using outer_joined_item_t = typename outer_joined_item<I, Origin>::type;

// An item of a set operation's result: the left query's item I and the
// right's J select the same kind of thing (the same entity, or values of
// compatible types); the result's value is optional where either is.
// (A function rather than a class, so that a failed check leaves a type
// behind and the compiler reports the one message.)
template <class I, class J>
constexpr auto combine_items() {
    if constexpr (is_entity_item_v<I> || is_entity_item_v<J>) {
        constexpr bool same = std::is_same_v<I, J>;
        static_assert(same,
                      "alchemy: a set operation (union_, union_all, intersect, except_) pairs an entity<T> with a "
                      "column, or with another entity: the queries' columns must match one for one");
        return std::type_identity<I>{};
    } else {
        using V = typename I::row_value;
        using W = typename J::row_value;
        constexpr bool compatible = comparable<V, W>();
        static_assert(compatible,
                      "alchemy: a set operation (union_, union_all, intersect, except_) combines columns of "
                      "incompatible types (text with text, numbers with numbers, other types with the same type)");
        // The result's columns are named by the first query, as in SQL.
        return std::type_identity<value_item<std::conditional_t<is_optional_v<W>, nullable_t<V>, V>, void, typename I::label>>{};
    }
}
template <class I, class J>
using combined_item_t = typename decltype(combine_items<I, J>())::type;

// The struct whose table a relationship member joins (void for a member
// that is not a relationship: relationship_of() reports that).
template <class M, bool = relationship_traits<M>::is_relationship>
struct joined_struct {
    using type = void;
};
template <class M>
struct joined_struct<M, true> {
    using type = typename relationship_traits<M>::target;
};

// What scalar() returns for a first item I: an empty ptr or an empty
// optional stands for "no row".
template <class I>
using scalar_value_t = std::conditional_t<is_entity_item_v<I>, typename I::row_value, nullable_t<typename I::row_value>>;

// ---- into<S>(): rows as a plain aggregate ------------------------------------------------

// Whether a member of type F can hold the values of an item I without loss
// of meaning: an object in a ptr<T>; text in std::string; an integer in an
// integer (range-checked as it is read) or a floating-point member; a
// floating-point value in a floating-point member; other types in the same
// type; and a NULL-able value only in an optional member.
template <class F, class I>
constexpr bool member_holds() {
    if constexpr (is_entity_item_v<I>) {
        return std::is_same_v<F, typename I::row_value>;
    } else {
        using V = typename I::row_value;
        if constexpr (is_optional_v<V> && !is_optional_v<F>) return false;
        else {
            using A = strip_optional<F>;
            using B = strip_optional<V>;
            if constexpr (std::is_same_v<A, B>) return true;
            else if constexpr (is_text_v<B>) return std::is_same_v<A, std::string>;
            else if constexpr (std::is_integral_v<B> && !std::is_same_v<B, bool>)
                return is_number_v<A>;
            else if constexpr (std::is_floating_point_v<B>) return std::is_floating_point_v<A>;
            else return false;
        }
    }
}

// Whether rows read into S (void: into tuples). Instantiates into_member once
// per member of S: a mismatch names S, the member's
// position K, its type F and the column's item I in the compiler's
// "required from here" line under the message.
template <class S, std::size_t K, class F, class I>
struct into_member {
    static_assert(member_holds<F, I>(),
                  "alchemy: into<S>(): this member of S cannot hold the values of its column (member K of S reads "
                  "column K): text needs a std::string member, an integer a numeric member, a floating-point value "
                  "a floating-point member, a NULL-able column a std::optional member, an entity<T> a ptr<T>");
    static constexpr bool ok = member_holds<F, I>();
};

template <class S, class... I>
constexpr bool into_fits() {
    if constexpr (std::is_void_v<S>) {
        return true;  // no into<S>(): rows are tuples
    } else if constexpr (!std::is_aggregate_v<S> || std::is_array_v<S>) {
        static_assert(std::is_aggregate_v<S> && !std::is_array_v<S>,
                      "alchemy: into<S>() needs S to be a plain struct (an aggregate: no constructors, public members)");
        return false;
    } else if constexpr (boost::pfr::tuple_size_v<S> != sizeof...(I)) {
        static_assert(boost::pfr::tuple_size_v<S> == sizeof...(I),
                      "alchemy: into<S>() needs S to have one member per selected column, in the same order");
        return false;
    } else {
        return [&]<std::size_t... K>(std::index_sequence<K...>) {
            return (into_member<S, K, boost::pfr::tuple_element_t<K, S>, I>::ok && ...);
        }(std::index_sequence_for<I...>{});
    }
}

}  // namespace detail
}  // namespace alchemy
