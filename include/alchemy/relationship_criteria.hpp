// alchemy/relationship_criteria.hpp — conditions along relationships, as
// SQLAlchemy's any(), has(), contains(), with_parent() and a many-to-one
// compared with an object:
//
//   session.query<User>().filter(alchemy::any(&User::posts, col(&Post::title) == "x"))
//       EXISTS (SELECT 1 FROM "posts" WHERE "users"."id" = "posts"."user_id" AND "posts"."title" = ?)
//   session.query<Post>().filter(alchemy::has(&Post::user, col(&User::name) == "a"))
//       EXISTS (SELECT 1 FROM "users" WHERE "users"."id" = "posts"."user_id" AND "users"."name" = ?)
//   session.query<Post>().filter(alchemy::col(&Post::user) == alice)      "posts"."user_id" = ?
//   session.query<User>().filter(alchemy::contains(&User::posts, post))   "users"."id" = ? (the post's user_id)
//   session.query<Post>().filter(alchemy::with_parent(alice, &User::posts))  "posts"."user_id" = ?
//
// Each is a predicate: it composes with && || ! and goes where filter()
// takes one. Through a many-to-many, contains() and with_parent() are
// EXISTS over the association table (SQLAlchemy adds that table to the FROM
// list instead; the rows are the same).
//
// An object's key is read when the query runs, after its autoflush, so a
// new object added to the session compares by the key its INSERT gave it.
// An object with no row by then (transient, or pending with autoflush off)
// is an InvalidRequestError naming it.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/detail/sql/tree.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/ptr.hpp>

#include <cstddef>
#include <string>
#include <type_traits>

namespace alchemy {

namespace detail {

// A parameter: the value of `column` of `object` when the query runs (see
// the top of the file); `context` names the condition in messages.
node_ptr object_column_node(instance_ref object, std::size_t column, std::string context);

/// EXISTS (SELECT 1 FROM <target> WHERE <link> [AND criterion]): some related row matches.
predicate related_exists(const relationship_info& info, const table_info& owner, const node_ptr& criterion,
                         const char* function);
/// The owner's rows related to `item` (contains) ...
predicate relates_to(const relationship_info& info, const table_info& owner, instance_ref item);
/// ... and the target's rows related to `parent` (with_parent).
predicate related_to_parent(const relationship_info& info, const table_info& owner, instance_ref parent);
/// A many-to-one compared with an object (or with nothing: `target` empty).
predicate reference_equals(const relationship_info& info, const table_info& owner, instance_ref target, bool equal);

template <class M>
constexpr relationship_kind kind_of_member() {
    return relationship_traits<M>::kind;
}
/// relationship_one<T>: a one-to-many holding one object, which conditions treat as a reference.
template <class M>
constexpr bool is_one_to_one_member() {
    return relationship_traits<M>::kind == relationship_kind::one_to_many && !relationship_traits<M>::uselist;
}

}  // namespace detail

/// A many-to-one relationship in a condition: col(&Post::user) == user
/// compares the foreign key with the user's key; == nullptr is IS NULL.
template <class C, class T>
class reference_column {
public:
    explicit reference_column(const relationship_info& info) : info_(&info) {}

    /// "posts"."user_id" = ? (the object's key).
    friend predicate operator==(const reference_column& r, const ptr<T>& object) {
        return detail::reference_equals(*r.info_, table_of<C>(), detail::instance_ref(object.instance()), true);
    }
    /// "posts"."user_id" != ? OR "posts"."user_id" IS NULL (as SQLAlchemy: NULL differs from any object).
    friend predicate operator!=(const reference_column& r, const ptr<T>& object) {
        return detail::reference_equals(*r.info_, table_of<C>(), detail::instance_ref(object.instance()), false);
    }
    friend predicate operator==(const reference_column& r, std::nullptr_t) {
        return detail::reference_equals(*r.info_, table_of<C>(), nullptr, true);
    }
    friend predicate operator!=(const reference_column& r, std::nullptr_t) {
        return detail::reference_equals(*r.info_, table_of<C>(), nullptr, false);
    }

private:
    const relationship_info* info_;
};

/// The many-to-one `member` (a backref<T>) as something to compare with an
/// object. A collection has no col(): any() and contains() ask about its
/// members.
template <class C, class M>
    requires detail::is_relationship<M>::value
auto col(M C::*member) {
    static_assert(!detail::is_one_to_one_member<M>(),
                  "alchemy: col() of a one-to-one (relationship_one<T>): compare the side that holds the key, "
                  "col(&Profile::account) == object, or ask with alchemy::has(&Account::profile, condition)");
    static_assert(detail::is_one_to_one_member<M>() || detail::kind_of_member<M>() == relationship_kind::many_to_one,
                  "alchemy: col() of a collection relationship: ask about its members with "
                  "alchemy::any(&User::posts, condition) or alchemy::contains(&User::posts, object)");
    return reference_column<C, typename detail::relationship_traits<M>::target>(relationship_of(member));
}

/// Whether some object of the collection `member` matches `criterion` (or
/// exists at all): a correlated EXISTS.
template <class C, class M>
predicate any(M C::*member, const predicate& criterion) {
    static_assert(detail::kind_of_member<M>() != relationship_kind::many_to_one,
                  "alchemy: any() is for a collection; for a many-to-one (backref<T>) use has()");
    static_assert(!detail::is_one_to_one_member<M>(),
                  "alchemy: any() is for a collection; for a one-to-one (relationship_one<T>) use has()");
    return detail::related_exists(relationship_of(member), table_of<C>(), criterion.node(), "any");
}
template <class C, class M>
predicate any(M C::*member) {
    static_assert(detail::kind_of_member<M>() != relationship_kind::many_to_one,
                  "alchemy: any() is for a collection; for a many-to-one (backref<T>) use has()");
    static_assert(!detail::is_one_to_one_member<M>(),
                  "alchemy: any() is for a collection; for a one-to-one (relationship_one<T>) use has()");
    return detail::related_exists(relationship_of(member), table_of<C>(), nullptr, "any");
}

/// Whether the many-to-one `member` refers to an object matching
/// `criterion` (or to any object): a correlated EXISTS.
template <class C, class M>
predicate has(M C::*member, const predicate& criterion) {
    static_assert(detail::kind_of_member<M>() == relationship_kind::many_to_one || detail::is_one_to_one_member<M>(),
                  "alchemy: has() is for a many-to-one (backref<T>) or a one-to-one (relationship_one<T>); for a "
                  "collection use any()");
    return detail::related_exists(relationship_of(member), table_of<C>(), criterion.node(), "has");
}
template <class C, class M>
predicate has(M C::*member) {
    static_assert(detail::kind_of_member<M>() == relationship_kind::many_to_one || detail::is_one_to_one_member<M>(),
                  "alchemy: has() is for a many-to-one (backref<T>) or a one-to-one (relationship_one<T>); for a "
                  "collection use any()");
    return detail::related_exists(relationship_of(member), table_of<C>(), nullptr, "has");
}

/// The rows whose collection `member` holds `item`.
template <class C, class M>
predicate contains(M C::*member, const ptr<typename detail::relationship_traits<M>::target>& item) {
    static_assert(detail::kind_of_member<M>() != relationship_kind::many_to_one && !detail::is_one_to_one_member<M>(),
                  "alchemy: contains() is for a collection; compare a many-to-one with col(&Post::user) == object");
    return detail::relates_to(relationship_of(member), table_of<C>(), detail::instance_ref(item.instance()));
}

/// The objects that `parent`'s relationship `member` holds (a collection)
/// or refers to (a many-to-one): with_parent(user, &User::posts) filters posts.
template <class C, class M>
predicate with_parent(const ptr<C>& parent, M C::*member) {
    return detail::related_to_parent(relationship_of(member), table_of<C>(), detail::instance_ref(parent.instance()));
}

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/relationship_criteria.ipp>
#endif
