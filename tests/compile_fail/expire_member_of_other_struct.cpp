// session.expire(user, {...}) naming a member of another struct.
// expect: alchemy: expire() and refresh() name members of the object's own struct
// expect: attribute_of_other_struct<User, Post>
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name;
};
struct Post {
    std::int64_t id = 0;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))
BOOST_DESCRIBE_STRUCT(Post, (), (id, title))
constexpr auto alchemy_table(User*) { return alchemy::table("users"); }
constexpr auto alchemy_table(Post*) { return alchemy::table("posts"); }

int main() {
    auto session = alchemy::session(alchemy::create_engine("sqlite://"));
    auto user = session.add(User{.name = "a"});
    session.expire(user, {&User::name, &Post::title});
}
