// alchemy/detail/orm/impl/instance.ipp — definitions of instance.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/instance.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE std::string instance_base::describe() const {
    return fmt::format("<{} at {}>", table->struct_name, object());
}


ALCHEMY_INLINE void* instance_arena::allocate(std::size_t size, std::size_t align, std::uint8_t& shift) {
    const auto offset_for = [&](std::size_t used) { return (used + align - 1) / align * align; };
    if (size > (std::size_t{1} << last_shift) / 4) return nullptr;  // a large struct: its own allocation
    if (!chunk_ || offset_for(used_) + size > (std::size_t{1} << shift_)) {
        const std::uint8_t next = chunk_ ? std::min<std::uint8_t>(shift_ + 1, last_shift) : first_shift;
        const std::size_t bytes = std::size_t{1} << next;
        void* memory = std::aligned_alloc(bytes, bytes);
        if (!memory) throw std::bad_alloc();
        close();
        chunk_ = static_cast<std::byte*>(memory);
        ::new (memory) arena_chunk_header{{1}};  // the arena's own count
        shift_ = next;
        used_ = sizeof(arena_chunk_header);
    }
    const auto at = offset_for(used_);
    used_ = at + size;
    reinterpret_cast<arena_chunk_header*>(chunk_)->live.fetch_add(1, std::memory_order_relaxed);
    shift = shift_;
    return chunk_ + at;
}

ALCHEMY_INLINE void instance_arena::close() noexcept {
    if (!chunk_) return;
    release(chunk_, shift_);
    chunk_ = nullptr;
}

ALCHEMY_INLINE void instance_arena::release(const void* p, std::uint8_t shift) noexcept {
    const auto mask = (std::uintptr_t{1} << shift) - 1;
    auto* header = reinterpret_cast<arena_chunk_header*>(reinterpret_cast<std::uintptr_t>(p) & ~mask);
    if (header->live.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        header->~arena_chunk_header();
        std::free(header);
    }
}

ALCHEMY_INLINE void free_group(instance_base* root) noexcept {
    if (root->group_size == 1) {  // the common case: an object linked to nothing
        destroy_instance(root);
        return;
    }
    std::vector<instance_base*> members;
    members.reserve(root->group_size);
    auto* m = root;
    do {
        members.push_back(m);
        m = m->group_next;
    } while (m != root);
    for (auto* member : members) destroy_instance(member);
}

}  // namespace alchemy::detail
