// any() asks about the members of a collection; a many-to-one has has().
// expect: alchemy: any() is for a collection; for a many-to-one (backref<T>) use has()
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <optional>
#include <string>

struct Post;
struct User {
    std::int64_t id = 0;
    alchemy::relationship<Post> posts{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, posts))

struct Post {
    std::int64_t id = 0;
    std::optional<std::int64_t> user_id{};
    alchemy::backref<User> user{};
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, user_id, user))
constexpr auto alchemy_table(Post*) { return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id)); }

int main() {
    auto condition = alchemy::any(&Post::user, alchemy::col(&User::id) == 1);
    (void)condition;
}
