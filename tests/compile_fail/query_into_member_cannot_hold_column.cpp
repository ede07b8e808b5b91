// into<S>() with a member whose type cannot hold its column's values (text
// into an integer): one message, with the struct named in the instantiation.
// expect: alchemy: into<S>(): this member of S cannot hold the values of its column
// expect: into_member<NameAndCount,
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))

struct NameAndCount {
    std::int64_t name;  // the column is text
    std::int64_t count;
};

int main() {
    auto q = alchemy::select(alchemy::col(&User::name), alchemy::func::count()).into<NameAndCount>();
    (void)q;
}
