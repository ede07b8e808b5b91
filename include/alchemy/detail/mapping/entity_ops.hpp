// alchemy/detail/mapping/entity_ops.hpp — the typed operations of one mapped
// struct, generated from its reflection once per type.
//
// The session and the unit of work are not templates: they see a mapped
// object as a `void*` and its table's metadata. Everything they do to the
// columns of many objects at once (fill an object from a row, remember its
// values when it is first touched, find which columns changed, put values
// back on rollback) goes through this table of functions, written for T by
// typed_entity<T> (table_info::ops points to it): each member is read,
// copied and compared as its own type, unrolled over the members at compile
// time, with no per-column indirect call and no alchemy::value in between.
// Per-column work that is rare (a message, a key, a partial expiry) stays on
// the column_info accessors.
#pragma once

#include <alchemy/detail/reflect.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/types.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace alchemy::detail {

/// The column members of one object, copied when it was first touched (or
/// at the start of a transaction): what a flush compares the object with and
/// what a rollback restores. Typed: typed_entity<T>'s snapshot holds a
/// std::tuple of T's column member types.
struct snapshot {
    snapshot() = default;
    snapshot(const snapshot&) = delete;
    snapshot& operator=(const snapshot&) = delete;
    virtual ~snapshot() = default;
};
using snapshot_ptr = std::unique_ptr<snapshot>;

/// The typed operations on objects of one mapped struct (see the top of
/// this file). `object` is a T*; columns are numbered in table order.
struct entity_ops {
    /// Reads columns first, first + 1, ... of `row` (table order) into the
    /// members. Throws ConversionError for a value that does not fit its
    /// member, with `failed` set to that column's number in the table.
    void (*load)(const column_source& row, std::size_t first, void* object, std::size_t& failed);
    /// A copy of the column members.
    snapshot_ptr (*take_snapshot)(const void* object);
    /// Appends the numbers of the columns whose member differs from `before`.
    void (*diff)(const void* object, const snapshot& before, std::vector<std::size_t>& changed);
    /// Copies column `column` of `from` into `object` (rollback, refresh).
    void (*restore)(void* object, const snapshot& from, std::size_t column);
    /// Copies column `column` of `object` into `to` (a column reloaded after a partial expiry).
    void (*update)(snapshot& to, const void* object, std::size_t column);
    /// Binds column `column` of `from` as a parameter (the row's old key values).
    void (*bind)(const snapshot& from, std::size_t column, binder& out);
    /// Ends the lifetime of `object` (its destructor; the session's instances
    /// have no vtable, so this is where their object's type is remembered).
    void (*destroy)(void* object) noexcept;
};

// ---- generated per struct -----------------------------------------------------------

/// Whether two values of a column member are the same value: `==` for types
/// that have it, else the same bound SQL value (what a user-defined
/// type_traits writes).
template <class M>
bool same_member_value(const M& a, const M& b) {
    if constexpr (std::equality_comparable<M>) {
        return a == b;
    } else {
        bound_value x, y;
        type_traits<M>::bind(x, a);
        type_traits<M>::bind(y, b);
        return x.out == y.out;
    }
}

/// Reads `c` into `member`; a std::string keeps its buffer, and an empty
/// std::optional<std::string> gets its text without a temporary string.
template <class M>
void read_into(M& member, const column_value& c) {
    if constexpr (std::is_same_v<M, std::string>) {
        if (c.is_null()) member = read_value<M>(c);  // throws the NULL error
        member.assign(c.as_text());
    } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
        if (c.is_null()) member.reset();
        else if (member) member->assign(c.as_text());
        else member.emplace(c.as_text());
    } else {
        member = read_value<M>(c);
    }
}

/// The column members of T (those I with IsColumn::value<I>) and the
/// functions over them; `ops` is T's entity_ops.
template <class T, class IsColumn>
struct typed_entity {
    template <class Seq>
    struct column_members;
    template <std::size_t... I>
    struct column_members<std::index_sequence<I...>> {
        // Member indices of the columns, in column order.
        static constexpr auto indices = [] {
            std::array<std::size_t, (std::size_t{IsColumn::template value<I>} + ... + 0)> out{};
            std::size_t n = 0;
            ((IsColumn::template value<I> ? (out[n++] = I, 0) : 0), ...);
            return out;
        }();
    };
    static constexpr auto indices = column_members<std::make_index_sequence<reflect<T>::count>>::indices;
    static constexpr std::size_t column_count = indices.size();

    template <std::size_t C>
    using member_type = typename reflect<T>::template type<indices[C]>;

    template <std::size_t C>
    static auto& member(T& object) {
        return reflect<T>::template get<indices[C]>(object);
    }
    template <std::size_t C>
    static const auto& member(const T& object) {
        return reflect<T>::template get<indices[C]>(object);
    }

    template <class Seq>
    struct tuple_of;
    template <std::size_t... C>
    struct tuple_of<std::index_sequence<C...>> {
        using type = std::tuple<member_type<C>...>;
    };
    using values_type = typename tuple_of<std::make_index_sequence<column_count>>::type;

    struct typed_snapshot final : snapshot {
        explicit typed_snapshot(const T& object)
            : values([&]<std::size_t... C>(std::index_sequence<C...>) {
                  return values_type(member<C>(object)...);
              }(std::make_index_sequence<column_count>{})) {}
        values_type values;
    };

    static const values_type& values_of(const snapshot& s) { return static_cast<const typed_snapshot&>(s).values; }
    static values_type& values_of(snapshot& s) { return static_cast<typed_snapshot&>(s).values; }

    // Calls f(integral_constant<C>) for the column `column` (a switch the compiler builds).
    template <class F>
    static void visit_column(std::size_t column, F&& f) {
        [&]<std::size_t... C>(std::index_sequence<C...>) {
            (void)((column == C ? (f(std::integral_constant<std::size_t, C>{}), true) : false) || ...);
        }(std::make_index_sequence<column_count>{});
    }

    static void load(const column_source& row, std::size_t first, void* object, std::size_t& failed) {
        auto& o = *static_cast<T*>(object);
        [&]<std::size_t... C>(std::index_sequence<C...>) {
            ((failed = C, read_into(member<C>(o), row.column(first + C))), ...);
        }(std::make_index_sequence<column_count>{});
    }

    static snapshot_ptr take_snapshot(const void* object) {
        return std::make_unique<typed_snapshot>(*static_cast<const T*>(object));
    }

    static void diff(const void* object, const snapshot& before, std::vector<std::size_t>& changed) {
        const auto& o = *static_cast<const T*>(object);
        const auto& old = values_of(before);
        [&]<std::size_t... C>(std::index_sequence<C...>) {
            ((same_member_value(member<C>(o), std::get<C>(old)) ? void() : changed.push_back(C)), ...);
        }(std::make_index_sequence<column_count>{});
    }

    static void restore(void* object, const snapshot& from, std::size_t column) {
        visit_column(column, [&](auto c) { member<c>(*static_cast<T*>(object)) = std::get<c>(values_of(from)); });
    }

    static void update(snapshot& to, const void* object, std::size_t column) {
        visit_column(column, [&](auto c) { std::get<c>(values_of(to)) = member<c>(*static_cast<const T*>(object)); });
    }

    static void bind(const snapshot& from, std::size_t column, binder& out) {
        visit_column(column, [&](auto c) { type_traits<member_type<c>>::bind(out, std::get<c>(values_of(from))); });
    }

    static void destroy(void* object) noexcept { std::destroy_at(static_cast<T*>(object)); }

    static constexpr entity_ops ops{&load, &take_snapshot, &diff, &restore, &update, &bind, &destroy};
};

}  // namespace alchemy::detail
