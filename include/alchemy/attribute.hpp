// alchemy/attribute.hpp — alchemy::attribute<T>, one mapped member of T named
// by its member pointer: a column (&Post::title) or a relationship
// (&Post::user). What session.expire() and session.refresh() take, so that
// several members of different types fit in one list and a typo is a compile
// error rather than a run-time one:
//
//   session.expire(post, {&Post::user, &Post::title});
//   session.refresh(user, {&User::posts});
#pragma once

#include <alchemy/expression.hpp>
#include <alchemy/mapping.hpp>

#include <cstddef>

namespace alchemy {

namespace detail {
template <class T, class C>  // (T and C show in the compiler's note: the object's struct and the member's)
struct attribute_of_other_struct {
    static_assert(dependent_false<T, C>,
                  "alchemy: expire() and refresh() name members of the object's own struct (e.g. &User::name "
                  "for a ptr<User>)");
};
}  // namespace detail

template <class T>
class attribute {
public:
    /// A column or relationship member of T. ArgumentError (from the
    /// mapping) for a member that is neither.
    template <class M>
    attribute(M T::*member) {  // NOLINT(google-explicit-constructor): a braced list of member pointers
        if constexpr (detail::is_relationship<M>::value) {
            const auto& table = table_of<T>();
            relationship_ = true;
            index_ = static_cast<std::size_t>(&relationship_of(member) - table.relationships.data());
        } else {
            index_ = detail::column_index(member);
        }
    }
    /// A member of another struct: refused at compile time.
    template <class M, class C>
        requires(!std::is_same_v<C, T>)
    attribute(M C::*) {  // NOLINT(google-explicit-constructor)
        (void)detail::attribute_of_other_struct<T, C>{};
    }

    bool is_relationship() const noexcept { return relationship_; }
    /// An index into table_of<T>().relationships or .columns.
    std::size_t index() const noexcept { return index_; }

private:
    bool relationship_ = false;
    std::size_t index_ = 0;
};

}  // namespace alchemy
