// alchemy/object_state.hpp — alchemy::object_state, SQLAlchemy's five states of
// a mapped object (ptr<T>::state()).
#pragma once

#include <string_view>

namespace alchemy {

/// SQLAlchemy's five object states.
enum class object_state {
    transient,   ///< in no session, no database identity
    pending,     ///< added to a session, not yet flushed
    persistent,  ///< in a session, with a row in the database
    deleted,     ///< its DELETE was flushed; the transaction is not committed yet
    detached,    ///< has an identity, belongs to no session
};

constexpr std::string_view to_string(object_state s) noexcept {
    switch (s) {
        case object_state::transient: return "transient";
        case object_state::pending: return "pending";
        case object_state::persistent: return "persistent";
        case object_state::deleted: return "deleted";
        case object_state::detached: return "detached";
    }
    return "?";
}

}  // namespace alchemy
