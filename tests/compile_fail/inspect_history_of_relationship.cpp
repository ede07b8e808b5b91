// inspect(obj).history() of a relationship member: history is kept per column.
// expect: alchemy: history() takes a column member
// expect: history_of_relationship<User, alchemy::relationship<Post>
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <optional>
#include <string>

struct Post;
struct User {
    std::int64_t id = 0;
    std::string name;
    alchemy::relationship<Post> posts;
};
struct Post {
    std::int64_t id = 0;
    std::optional<std::int64_t> user_id;
    alchemy::backref<User> user;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, posts))
BOOST_DESCRIBE_STRUCT(Post, (), (id, user_id, user))
constexpr auto alchemy_table(User*) { return alchemy::table("users"); }
constexpr auto alchemy_table(Post*) { return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id)); }

int main() {
    auto user = alchemy::make(User{.name = "a"});
    (void)alchemy::inspect(user).history(&User::posts);
}
