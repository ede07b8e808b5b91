// alchemy/nested_transaction.hpp — a savepoint of a session's transaction,
// what session::begin_nested() returns (SQLAlchemy's Session.begin_nested()).
//
//   for (const auto& record : records) {
//       try {
//           auto nested = session.begin_nested();   // flush; SAVEPOINT (BEGIN first if needed)
//           session.add(Record{...});
//       } catch (const alchemy::IntegrityError&) {  // its flush failed: rolled back to the
//           ++skipped;                              // savepoint, the record transient again
//       }                                           // left normally: flush, RELEASE SAVEPOINT
//   }
//   session.commit();                               // every other record
//
// Rolled back — rollback(), an exception leaving its scope, or a commit() at
// scope end that failed — the rows go back to the savepoint and so do the
// objects, by SQLAlchemy's rules: those added inside it become transient,
// those deleted inside it persistent again, and those changed inside it
// expire, to load what the rows hold again. Released (commit()), what was
// written inside it stays in the enclosing transaction.
//
// A flush that fails inside it (an explicit flush(), an autoflush, its own
// commit()) rolls back to the savepoint, not the whole transaction: the
// session returns to the savepoint's start keeping every value (the objects
// added inside it pending again, changed ones to be written again), and the
// savepoint stays open. Correct the object and commit() the savepoint again,
// or roll it back. (If the database itself ended the whole transaction — a
// full disk — the session goes back to the transaction's start instead, as
// for any failed flush, and the savepoint is no longer active.)
//
// A nested_transaction may outlive its session's transaction or the session
// itself: it is then inactive and its destructor does nothing.
#pragma once

#include <alchemy/detail/config.hpp>

#include <cstdint>
#include <memory>

namespace alchemy {

namespace detail {
class session_core;
}

class nested_transaction {
public:
    nested_transaction(nested_transaction&& other) noexcept;
    nested_transaction& operator=(nested_transaction&&) = delete;
    nested_transaction(const nested_transaction&) = delete;
    nested_transaction& operator=(const nested_transaction&) = delete;

    /// While active: left normally, commit() — and if that fails, rollback()
    /// and the commit's error propagates (as SQLAlchemy's `with
    /// session.begin_nested():` does); left by an exception, rollback().
    ~nested_transaction() noexcept(false);

    /// Flushes, then releases the savepoint (and any begun inside it and
    /// still open). InvalidRequestError when it is no longer active.
    void commit();
    /// Rolls back to the savepoint (and drops any begun inside it); the
    /// objects as described at the top of this file. No-op when not active.
    void rollback();
    /// True until committed or rolled back, or until the session's
    /// transaction ends (commit, rollback, close) or the session is gone.
    bool is_active() const noexcept;

private:
    friend class session;
    nested_transaction(detail::session_core& core, std::weak_ptr<void> session_alive, std::uint64_t id) noexcept;

    detail::session_core* core_;
    std::weak_ptr<void> session_alive_;  // expires with the session's core
    std::uint64_t id_;
    int uncaught_;
};

}  // namespace alchemy
