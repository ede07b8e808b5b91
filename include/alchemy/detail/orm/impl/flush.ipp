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
    std::erase_if(pending_, [this](const auto& p) { return p->owner() != this || p->has_identity; });
    std::erase_if(to_delete_, [this](const auto& p) { return p->owner() != this || !p->marked_for_delete; });

    struct flushing_guard {
        bool& flag;
        explicit flushing_guard(bool& f) : flag(f) { flag = true; }
        ~flushing_guard() { flag = false; }
    } guard(flushing_);

    unit_of_work work(*this);
    try {
        work.collect_links();
    } catch (...) {
        work.undo();
        throw;
    }
    // Outside the undo: a failed check of the plan, or a connection that
    // cannot be had, has written nothing to take back.
    work.plan();
    auto& c = conn();
    try {
        work.write(c);
    } catch (...) {
        work.undo();
        throw;
    }
    work.finish();
}

}  // namespace alchemy::detail
