// alchemy/named_row.hpp — rows of a values query readable by label as well
// as by position. Label a select item with .label<"name">() and the query's
// rows become named_row: a std::tuple of the values that also knows their
// labels.
//
//   auto q = session.query(col(&User::name).label<"author">(),
//                          func::count(col(&Post::id)).label<"posts">())
//                   .join<Post>().group_by(col(&User::name));
//   for (const auto& row : q.all())
//       fmt::print("{} wrote {}\n", alchemy::get<"author">(row), alchemy::get<"posts">(row));
//   for (const auto& [author, posts] : q.all()) ...   // by position, as a tuple
//
// A missing or repeated label is a compile error. Items labelled with a
// runtime string (.label("name")) and unlabelled ones are read by position
// (std::get<K>) as before.
#pragma once

#include <alchemy/detail/label.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace alchemy {

namespace detail {
/// The labels of a row's columns, in order: label_tag<...> or void.
template <class... L>
struct row_labels {};
}  // namespace detail

template <class Labels, class... V>
class named_row;

/// A row of values whose columns carry labels: a std::tuple<V...> (compared,
/// bound with structured bindings and read with std::get<K> as one), plus
/// alchemy::get<"label">(row).
template <class... L, class... V>
class named_row<detail::row_labels<L...>, V...> : public std::tuple<V...> {
    static_assert(sizeof...(L) == sizeof...(V));

public:
    using std::tuple<V...>::tuple;
    using tuple_type = std::tuple<V...>;
    using labels = detail::row_labels<L...>;

    const tuple_type& as_tuple() const& noexcept { return *this; }
};

namespace detail {

// The position of label `Tag` among L..., or sizeof...(L) when absent;
// `count` how often it appears.
template <class Tag, class... L>
struct label_position {
    static constexpr std::size_t count = (std::size_t{std::is_same_v<Tag, L>} + ... + 0);
    static constexpr std::size_t index = [] {
        std::size_t i = 0;
        const bool found = ((std::is_same_v<Tag, L> ? true : (++i, false)) || ...);
        return found ? i : sizeof...(L);
    }();
};

template <class Tag, class Row>
struct label_index;
template <class Tag, class... L, class... V>
struct label_index<Tag, named_row<row_labels<L...>, V...>> {
    using position = label_position<Tag, L...>;
    static_assert(position::count != 0,
                  "alchemy: get(row) by label: the query selects no column with this label (label one with "
                  ".label<\"name\">())");
    static_assert(position::count < 2,
                  "alchemy: get(row) by label: the query selects two columns with this label; give them "
                  "different labels");
    // Column 0 after a failed check, so that the message above is the only one.
    static constexpr std::size_t value = position::count == 1 ? position::index : 0;
};

}  // namespace detail

/// The column labelled `L` of a row: get<"posts">(row).
template <detail::label_literal L, class Labels, class... V>
decltype(auto) get(named_row<Labels, V...>& row) {
    return std::get<detail::label_index<detail::label_tag<L>, named_row<Labels, V...>>::value>(
        static_cast<std::tuple<V...>&>(row));
}
template <detail::label_literal L, class Labels, class... V>
decltype(auto) get(const named_row<Labels, V...>& row) {
    return std::get<detail::label_index<detail::label_tag<L>, named_row<Labels, V...>>::value>(
        static_cast<const std::tuple<V...>&>(row));
}
template <detail::label_literal L, class Labels, class... V>
decltype(auto) get(named_row<Labels, V...>&& row) {
    return std::get<detail::label_index<detail::label_tag<L>, named_row<Labels, V...>>::value>(
        static_cast<std::tuple<V...>&&>(row));
}

}  // namespace alchemy

// A named_row is a tuple of its values for structured bindings and std::apply.
template <class Labels, class... V>
struct std::tuple_size<alchemy::named_row<Labels, V...>> : std::integral_constant<std::size_t, sizeof...(V)> {};
template <std::size_t K, class Labels, class... V>
struct std::tuple_element<K, alchemy::named_row<Labels, V...>> : std::tuple_element<K, std::tuple<V...>> {};
