// set() of a bulk UPDATE giving a text member a number.
// expect: alchemy: set(&T::member, v): v is neither a value the member can hold
// expect: User
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))

int main() {
    auto assignment = alchemy::set(&User::name, 42);
    (void)assignment;
}
