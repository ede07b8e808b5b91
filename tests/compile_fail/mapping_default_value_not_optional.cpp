// default_value on a member that always has a value.
// expect: alchemy: default_value() is for std::optional members
// expect: build_table<User>
#include <alchemy/alchemy.hpp>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string role;
};
constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::default_value(&User::role, "member")); }

int main() { (void)alchemy::table_of<User>(); }
