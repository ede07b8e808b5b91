// col() of a collection: there is no one value to compare; any() and
// contains() ask about its members.
// expect: alchemy: col() of a collection relationship: ask about its members with
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <optional>

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
    auto column = alchemy::col(&User::posts);
    (void)column;
}
