// relation() on a column (std::string), not on a relationship<> or backref<>.
// expect: alchemy: relation() names a member that is not
// expect: relation_of_non_relationship<User,
// expect(GNU): fixed_string<4>{"name"}>
// expect(Clang): {{110, 97, 109, 101, 0}}>
#include <alchemy/alchemy.hpp>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))
constexpr auto alchemy_table(User*) {
    return alchemy::table("users", alchemy::relation(&User::name, {.cascade = "all"}));
}

int main() { (void)alchemy::table_of<User>(); }
