// alchemy/detail/orm/impl/instance.ipp — definitions of instance.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/instance.hpp>

#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE std::string instance_base::describe() const {
    return fmt::format("<{} at {}>", table->struct_name, object());
}

ALCHEMY_INLINE void free_group(instance_base* root) noexcept {
    if (root->group_size == 1) {  // the common case: an object linked to nothing
        delete root;
        return;
    }
    std::vector<instance_base*> members;
    members.reserve(root->group_size);
    auto* m = root;
    do {
        members.push_back(m);
        m = m->group_next;
    } while (m != root);
    for (auto* member : members) delete member;
}

}  // namespace alchemy::detail
