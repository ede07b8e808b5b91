// alchemy/loading.hpp — eager loading options for queries.
//
//   session.query<User>().options(alchemy::selectinload(&User::posts)).all();
//       // SELECT users ...; then SELECT posts ... WHERE posts.user_id IN (?, ?, ...), 1,000 keys a statement
//   session.query<User>().options(alchemy::joinedload(&User::posts)).all();
//       // SELECT users ..., posts_1 ... LEFT OUTER JOIN posts AS posts_1 ON ...
//
// Either way every returned object's relationship is loaded (empty ones
// included), so walking them runs no more SQL. A relationship that is
// already loaded in the session is left as it is (its unflushed changes
// kept). With LIMIT/OFFSET (first(), limit()), a joined load of a
// collection runs as a select-IN load, so that the limit counts objects,
// not joined rows. stream() applies no eager loading: it throws if asked to.
//
// Without options, relationships load lazily; by default (session_options::
// batch_lazy_loads) the first lazy access loads that relationship for all
// the objects of the same query at once.
#pragma once

#include <alchemy/mapping.hpp>

namespace alchemy {

/// An eager loading option for query<T...>::options().
struct load_option {
    const relationship_info* relationship;
    bool joined;  ///< LEFT OUTER JOIN in the query itself; else a second, select-IN query
};

/// Loads the relationship with a second query: ... WHERE key IN (...).
template <class C, class M>
load_option selectinload(M C::*member) {
    return {&relationship_of(member), false};
}

/// Loads the relationship in the same query, through LEFT OUTER JOIN.
template <class C, class M>
load_option joinedload(M C::*member) {
    return {&relationship_of(member), true};
}

}  // namespace alchemy
