// alchemy/detail/orm/impl/flush.ipp — session_core::flush(): the phases of a
// unit of work (detail/orm/unit_of_work.hpp), and the undo of a failed one.
#pragma once

#include <alchemy/detail/orm/session_core.hpp>
#include <alchemy/detail/orm/unit_of_work.hpp>

namespace alchemy::detail {

ALCHEMY_INLINE void session_core::flush() {
    if (flushing_) return;
    follow_database();  // a transaction the database rolled back: its objects are pending again
    if (pending_.empty() && to_delete_.empty() && touched_.empty()) return;  // the common autoflush

    struct flushing_guard {
        bool& flag;
        explicit flushing_guard(bool& f) : flag(f) { flag = true; }
        ~flushing_guard() { flag = false; }
    } guard(flushing_);

    // Every failure rolls back the same way, a check of the plan that fails
    // before any SQL included: an earlier flush of this transaction may have
    // written rows, and the session returns to the transaction's start with
    // the database (SQLAlchemy rolls back on any flush error too).
    unit_of_work work(*this);
    try {
        run_hooks(options_.events.before_flush);  // it may add, change or remove objects
        // Listed objects expunged, flushed or no longer marked since: not this flush's.
        std::erase_if(pending_, [this](const auto& p) { return p->owner() != this || p->has_identity; });
        std::erase_if(to_delete_, [this](const auto& p) { return p->owner() != this || !p->marked_for_delete; });
        work.collect_links();
        work.plan();
        work.write(conn());
        run_hooks(options_.events.after_flush);
    } catch (...) {
        work.undo();
        throw;
    }
    work.finish();
}

}  // namespace alchemy::detail
