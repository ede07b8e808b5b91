// detail::sort_by_address, the radix sort a session's teardown uses to free
// its objects in address order: it must give exactly std::sort's order for
// any set of addresses, short or long, clustered or spread over the address
// space, with repeats.
#include <alchemy/detail/orm/address_order.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

namespace {

struct item {
    std::int64_t payload[3];
};

// Sorts a copy both ways and compares.
void check_sorts_like_std_sort(std::vector<item*> items) {
    auto expected = items;
    std::sort(expected.begin(), expected.end(), std::less<>{});
    alchemy::detail::sort_by_address(items);
    REQUIRE(items == expected);
}

}  // namespace

TEST_CASE("sort_by_address: pointers into one block, shuffled, every size around the radix threshold") {
    std::vector<item> block(4000);
    std::mt19937_64 rng(7);
    for (std::size_t n : {0u, 1u, 2u, 511u, 512u, 513u, 2048u, 4000u}) {
        std::vector<item*> items;
        for (std::size_t i = 0; i < n; ++i) items.push_back(&block[i]);
        std::shuffle(items.begin(), items.end(), rng);
        INFO("n = " << n);
        check_sorts_like_std_sort(items);
    }
}

TEST_CASE("sort_by_address: separately allocated objects, stack addresses and repeats together") {
    std::vector<std::unique_ptr<item>> small;
    std::vector<std::unique_ptr<item[]>> large;  // big enough for a mapping of their own
    std::vector<item*> items;
    std::mt19937_64 rng(11);
    for (int i = 0; i < 3000; ++i) {
        if (i % 500 == 0) {
            large.push_back(std::make_unique<item[]>(20000));
            items.push_back(large.back().get());
        } else {
            small.push_back(std::make_unique<item>());
            items.push_back(small.back().get());
        }
    }
    item on_stack[4];
    for (auto& s : on_stack) items.push_back(&s);
    for (int i = 0; i < 700; ++i) items.push_back(items[rng() % items.size()]);  // the same address twice
    std::shuffle(items.begin(), items.end(), rng);
    check_sorts_like_std_sort(items);
}

TEST_CASE("sort_by_address: all the same address, or addresses differing only in the highest digits") {
    item one;
    std::vector<item*> same(1000, &one);
    alchemy::detail::sort_by_address(same);
    REQUIRE(std::all_of(same.begin(), same.end(), [&](item* p) { return p == &one; }));

    // Addresses 2^40 apart: only bits far above the alignment differ. They are
    // never dereferenced.
    std::vector<item*> far;
    std::mt19937_64 rng(3);
    for (std::uintptr_t i = 0; i < 1500; ++i)
        far.push_back(reinterpret_cast<item*>(((rng() % 64) << 40) | (std::uintptr_t{1} << 12)));
    check_sorts_like_std_sort(far);
}
