// alchemy/detail/orm/impl/instance.ipp — definitions of instance.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/instance.hpp>

#include <algorithm>
#include <cstdint>
#include <cstddef>
#include <new>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE std::string instance_base::describe() const {
    return fmt::format("<{} at {}>", table()->struct_name, object());
}

ALCHEMY_INLINE std::string instance_base::describe_key() const {
    std::vector<value> values;
    for (auto k : table()->primary_key) values.push_back(column_value_of(k));
    return format_values(values);
}

ALCHEMY_INLINE void* instance_arena::allocate(std::size_t size, std::size_t align, arena_chunk_header*& chunk) {
    const auto offset_for = [&](std::size_t used) { return (used + align - 1) / align * align; };
    if (size > largest_chunk / 4 || align > alignof(std::max_align_t))
        return nullptr;  // a large struct: its own allocation
    if (!first_given_) {  // a single object needs no chunk
        first_given_ = true;
        return nullptr;
    }
    if (!chunk_ || offset_for(used_) + size > capacity_) {
        const std::size_t next =
            chunk_ ? std::min(capacity_ * 2, largest_chunk) : offset_for(sizeof(arena_chunk_header)) + 2 * size;
        void* memory = ::operator new(next);
        close();
        chunk_ = ::new (memory) arena_chunk_header{{1}};  // the arena's own count
        capacity_ = next;
        used_ = sizeof(arena_chunk_header);
    }
    const auto at = offset_for(used_);
    used_ = at + size;
    chunk_->live.fetch_add(1, std::memory_order_relaxed);
    chunk = chunk_;
    return reinterpret_cast<std::byte*>(chunk_) + at;
}

ALCHEMY_INLINE void instance_arena::close() noexcept {
    if (!chunk_) return;
    release(chunk_);
    chunk_ = nullptr;
}

ALCHEMY_INLINE void instance_arena::release(arena_chunk_header* chunk) noexcept {
    if (chunk->live.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        chunk->~arena_chunk_header();
        ::operator delete(static_cast<void*>(chunk));
    }
}

ALCHEMY_INLINE void free_group(instance_base* root) noexcept {
    if (root->group_size() == 1) {  // the common case: an object linked to nothing
        destroy_instance(root);
        return;
    }
    std::vector<instance_base*> members;
    members.reserve(root->group_size());
    auto* m = root;
    do {
        members.push_back(m);
        m = m->group_next;
    } while (m != root);
    for (auto* member : members) destroy_instance(member);
}

}  // namespace alchemy::detail
