// alchemy/events.hpp — hooks into the session's work, SQLAlchemy's ORM events:
// timestamps, audit columns, validation.
//
// Per mapped class (SQLAlchemy's MapperEvents), functions declared next to
// the struct and found by argument-dependent lookup, as alchemy_table() is;
// each is optional:
//
//     void alchemy_before_insert(Doc& doc) { doc.created = now(); }
//     void alchemy_before_update(Doc& doc) { doc.updated = now(); }
//     void alchemy_after_insert(Doc& doc);   alchemy_after_update, alchemy_before_delete,
//                                            alchemy_after_delete: the same shape
//
// A flush calls them table by table, in the order it writes (parents'
// INSERTs and UPDATEs before their children's, DELETEs children first):
//   * before_insert for each new object of a table, just before its INSERTs;
//     after_insert once they ran (a generated key is set by then);
//   * before_update for each persistent object written to through a ptr since
//     the last flush (SQLAlchemy's dirty: whether or not a value changed),
//     before its columns are compared; after_update once its UPDATE ran (or
//     was found unneeded);
//   * before_delete / after_delete around the DELETEs.
// A before_insert or before_update may change the object's own columns:
// the INSERT or UPDATE writes them. As in SQLAlchemy, a hook must not add,
// remove or link objects (use before_flush for that). An exception thrown by
// a hook aborts the flush, which rolls back as any failed flush does (the
// session is recoverable: fix the cause and commit again).
//
// Per session (SQLAlchemy's SessionEvents), the lists of session_events, set
// for every session of a factory through session_options::events or for one
// session through session.events(): each hook gets the session.
//   * before_flush: when a flush has work to do, before it looks at it: a
//     hook may add, change or remove objects, and the flush writes them (a
//     query in it does not autoflush);
//   * after_flush: after the flush's statements ran, before the objects'
//     states change (session.new_objects() still lists what was inserted);
//   * after_commit: after COMMIT succeeded and the session ended its
//     transaction;
//   * after_rollback: after a ROLLBACK: rollback(), and the rollback of a
//     failed flush (whose error propagates; one thrown by the hook then is
//     dropped).
// An exception thrown by before_flush or after_flush aborts the flush like a
// mapper hook's.
#pragma once

#include <functional>
#include <vector>

namespace alchemy {

class session;

/// Session-level hooks, each list called in order (see above).
struct session_events {
    using hook = std::function<void(session&)>;
    std::vector<hook> before_flush{};
    std::vector<hook> after_flush{};
    std::vector<hook> after_commit{};
    std::vector<hook> after_rollback{};
};

}  // namespace alchemy
