// tests/bench/alloc_count.cpp — counts the program's C++ heap allocations, so
// the benchmark can report allocations per object beside its times.
//
// Replaces the global allocation functions (the replaceable ones of
// [new.delete]): each counts one allocation and forwards to malloc. Only
// `operator new` is counted, on both sides alike: SQLite's and libpq's own
// malloc calls are not (they are the database's work, the same per row on
// both sides, and not what an object representation costs).
#include "bench.hpp"

#include <cstdlib>
#include <new>

namespace {

std::uint64_t count = 0;  // the benchmark is single-threaded; a plain counter keeps the cost to one add

void* allocate(std::size_t size) {
    ++count;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}

void* allocate_aligned(std::size_t size, std::align_val_t align) {
    ++count;
    const auto a = static_cast<std::size_t>(align);
    // aligned_alloc wants a size that is a multiple of the alignment.
    if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
    throw std::bad_alloc();
}

}  // namespace

std::uint64_t bench::allocations() noexcept { return count; }

// The other forms (arrays, nothrow) call these by default ([new.delete]), so
// they are counted too; the sized deletes are defined because GCC asks for them
// once the unsized ones are.
void* operator new(std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, std::align_val_t align) { return allocate_aligned(size, align); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
