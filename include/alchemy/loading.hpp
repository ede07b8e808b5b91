// alchemy/loading.hpp — how a query loads relationships (SQLAlchemy's loader
// options).
//
//   session.query<User>().options(alchemy::selectinload(&User::posts)).all();
//       // SELECT users ...; then SELECT posts ... WHERE posts.user_id IN (?, ?, ...), 1,000 keys a statement
//   session.query<User>().options(alchemy::joinedload(&User::posts)).all();
//       // SELECT users ..., posts_1 ... LEFT OUTER JOIN posts AS posts_1 ON ...
//   session.query<Post>().options(alchemy::joinedload(&Post::user).innerjoin())     // JOIN, not LEFT OUTER JOIN
//   session.query<User>().options(alchemy::selectinload(&User::posts).selectinload(&Post::comments))
//   session.query<User>().options(alchemy::raiseload(&User::posts))   // touching posts throws: no N+1 here
//   session.query<User>().options(alchemy::raiseload_all())           // ... nor for any relationship
//   session.query<User>().options(alchemy::noload(&User::posts))      // posts read as empty, no SQL
//   session.query<User>().options(alchemy::lazyload(&User::posts))    // lazily, whatever the mapping says
//
// An eager load loads every returned object's relationship (empty ones
// included), so walking them runs no more SQL. A relationship that is
// already loaded in the session is left as it is (its unflushed changes
// kept). With LIMIT/OFFSET (first(), limit()), a joined load of a
// collection runs as a select-IN load, so that the limit counts objects,
// not joined rows; so does every step of a path after the first. stream()
// applies no eager loading: it throws if asked to.
//
// Without options, a relationship loads as its mapping says
// (relation(&User::posts, {.lazy = alchemy::loading::selectin})), lazily by
// default; by default (session_options::batch_lazy_loads) the first lazy
// access loads that relationship for all the objects of the same query at
// once. raiseload and noload hold for the objects as this query returned
// them: a later query that returns the same object sets them anew. The
// session's own loads (a delete cascade, a flush) are never refused.
#pragma once

#include <alchemy/errors.hpp>
#include <alchemy/mapping.hpp>

#include <string>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

/// One step of a loader option's path: a relationship and how it loads.
struct load_step {
    const relationship_info* relationship;  ///< null: every relationship (raiseload_all)
    loading strategy;
    bool inner = false;                     ///< joined: JOIN instead of LEFT OUTER JOIN
};

/// A loader option for query<T...>::options(): a path of relationships from
/// one of the query's entities, each step with its strategy.
class load_option {
public:
    explicit load_option(load_step first) : path_{first} {}

    const std::vector<load_step>& path() const noexcept { return path_; }

    /// A joined load through an inner JOIN: for a relationship that always
    /// has a row (a NOT NULL foreign key), or to drop the objects that have none.
    load_option innerjoin() const {
        auto o = *this;
        if (o.path_.back().strategy != loading::joined)
            throw ArgumentError(fmt::format("alchemy: innerjoin() is for a joinedload(), not for the {} of '{}'",
                                            name(o.path_.back().strategy), member(o.path_.back())));
        o.path_.back().inner = true;
        return o;
    }

    /// The next step of the path: a relationship of the objects the last
    /// step loads (selectinload(&User::posts).selectinload(&Post::comments)).
    template <class C, class M>
    load_option selectinload(M C::*next) const {
        return then(relationship_of(next), table_of<C>(), loading::selectin);
    }
    template <class C, class M>
    load_option joinedload(M C::*next) const {
        return then(relationship_of(next), table_of<C>(), loading::joined);
    }
    template <class C, class M>
    load_option lazyload(M C::*next) const {
        return then(relationship_of(next), table_of<C>(), loading::select);
    }
    template <class C, class M>
    load_option noload(M C::*next) const {
        return then(relationship_of(next), table_of<C>(), loading::noload);
    }
    template <class C, class M>
    load_option raiseload(M C::*next) const {
        return then(relationship_of(next), table_of<C>(), loading::raise);
    }

private:
    static const char* name(loading s) noexcept {
        switch (s) {
            case loading::select: return "lazyload";
            case loading::selectin: return "selectinload";
            case loading::joined: return "joinedload";
            case loading::noload: return "noload";
            case loading::raise: return "raiseload";
        }
        return "load";
    }
    static std::string member(const load_step& s) {
        return s.relationship ? std::string(s.relationship->member) : std::string("*");
    }

    load_option then(const relationship_info& next, const table_info& owner, loading strategy) const {
        const auto& last = path_.back();
        if (!last.relationship || (last.strategy != loading::selectin && last.strategy != loading::joined))
            throw ArgumentError(fmt::format(
                "alchemy: {}(...{}) cannot follow {}('{}'): only a step that loads objects (selectinload, "
                "joinedload) can be continued",
                name(strategy), next.member, name(last.strategy), member(last)));
        if (&last.relationship->target() != &owner)
            throw ArgumentError(fmt::format(
                "alchemy: {}(&{}::{}) does not continue the path: '{}' loads {} objects, not {}", name(strategy),
                owner.struct_name, next.member, last.relationship->member, last.relationship->target().struct_name,
                owner.struct_name));
        auto o = *this;
        o.path_.push_back({&next, strategy});
        return o;
    }

    std::vector<load_step> path_;
};

/// Loads the relationship with a second query: ... WHERE key IN (...).
template <class C, class M>
load_option selectinload(M C::*member) {
    return load_option({&relationship_of(member), loading::selectin});
}

/// Loads the relationship in the same query, through LEFT OUTER JOIN
/// (.innerjoin(): JOIN).
template <class C, class M>
load_option joinedload(M C::*member) {
    return load_option({&relationship_of(member), loading::joined});
}

/// Loads the relationship lazily, on first access, whatever the mapping's default.
template <class C, class M>
load_option lazyload(M C::*member) {
    return load_option({&relationship_of(member), loading::select});
}

/// Never loads the relationship: it reads as empty (or as no object), with no SQL.
template <class C, class M>
load_option noload(M C::*member) {
    return load_option({&relationship_of(member), loading::noload});
}

/// A lazy load of the relationship throws InvalidRequestError naming it:
/// the guard against N+1 queries on a hot path.
template <class C, class M>
load_option raiseload(M C::*member) {
    return load_option({&relationship_of(member), loading::raise});
}

/// raiseload() for every relationship of the query's objects that no other
/// option names (SQLAlchemy's raiseload('*')); it overrides the mapping's
/// eager defaults too.
inline load_option raiseload_all() { return load_option({nullptr, loading::raise}); }

}  // namespace alchemy
