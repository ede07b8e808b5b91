// A member whose type alchemy cannot store.
// expect: alchemy: unsupported member type
// expect: unsupported_member_type<Tagged,
// expect(GNU): fixed_string<4>{"tags"}, std::vector<int> >
// expect(Clang): {{116, 97, 103, 115, 0}}, std::vector<int>>
#include <alchemy/alchemy.hpp>
#include <vector>

struct Tagged {
    std::int64_t id = 0;
    std::vector<int> tags;
};

int main() { (void)alchemy::table_of<Tagged>(); }
