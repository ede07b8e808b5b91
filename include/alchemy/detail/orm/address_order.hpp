// alchemy/detail/orm/address_order.hpp — sorts pointers by address in linear
// time, for the session's teardown.
//
// A session frees the objects it holds in address order: objects allocated
// one after another are then freed one after another, and the allocator
// merges each with the neighbour it just freed, still in cache. std::sort of
// 20,000 pointers costs about 270 instructions each, more than freeing them;
// a least-significant-digit radix sort over the address bits that differ
// costs a few dozen. (Boost.Sort's spreadsort would do, but its header alone
// adds 0.7 s to every translation unit that compiles the session.)
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <utility>
#include <vector>

namespace alchemy::detail {

/// Sorts `items` by address, lowest first. Falls back to std::sort for short
/// inputs or when there is no memory for the scratch buffer.
template <class T>
void sort_by_address(std::vector<T*>& items) {
    constexpr std::size_t digit_bits = 11;
    constexpr std::size_t buckets = std::size_t{1} << digit_bits;
    const std::size_t n = items.size();
    if (n < 512) {
        std::sort(items.begin(), items.end(), std::less<>{});
        return;
    }
    const auto address = [](const T* p) { return reinterpret_cast<std::uintptr_t>(p); };
    std::uintptr_t differ = 0;  // bits in which some address differs from the first
    for (const T* p : items) differ |= address(p) ^ address(items.front());
    if (differ == 0) return;  // all equal
    // Only the bits from the lowest that differs to the highest that differs
    // decide the order; the alignment's zero bits and the shared high bits do
    // not (where the last pass reaches into them, they are the same for all).
    const unsigned first_bit = static_cast<unsigned>(std::countr_zero(differ));
    const unsigned last_bit = static_cast<unsigned>(std::bit_width(differ));  // one past
    std::vector<T*> scratch;
    try {
        scratch.resize(n);
    } catch (const std::bad_alloc&) {
        std::sort(items.begin(), items.end(), std::less<>{});
        return;
    }
    std::array<std::size_t, buckets> count;
    std::vector<T*>* from = &items;
    std::vector<T*>* to = &scratch;
    for (unsigned shift = first_bit; shift < last_bit; shift += digit_bits) {
        const auto digit = [&](const T* p) { return (address(p) >> shift) & (buckets - 1); };
        count.fill(0);
        for (const T* p : *from) ++count[digit(p)];
        std::size_t offset = 0;
        for (auto& c : count) offset += std::exchange(c, offset);
        for (T* p : *from) (*to)[count[digit(p)]++] = p;
        std::swap(from, to);
    }
    if (from != &items) items.swap(scratch);
}

}  // namespace alchemy::detail
