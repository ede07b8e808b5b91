// An option names a member that BOOST_DESCRIBE_STRUCT leaves out.
// expect: alchemy: an option in alchemy_table() names a member that BOOST_DESCRIBE_STRUCT does not list
// expect: option_member_not_listed<User, 0>
#include <alchemy/alchemy.hpp>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name;
    std::string email;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))
constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::unique(&User::email)); }

int main() { (void)alchemy::table_of<User>(); }
