// A misspelt cascade ("delete-orphans") in relation(): one error naming the member.
// expect: alchemy: unknown cascade in relation()
// expect: unknown_cascade<User,
// expect(GNU): fixed_string<5>{"posts"}>
// expect(Clang): {{112, 111, 115, 116, 115, 0}}>
#include <alchemy/alchemy.hpp>

struct Post;
struct User {
    std::int64_t id = 0;
    alchemy::relationship<Post> posts;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, posts))

struct Post {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, user_id))

constexpr auto alchemy_table(User*) {
    return alchemy::table("users", alchemy::relation(&User::posts, {.cascade = "all, delete-orphans"}));
}
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id));
}

int main() { (void)alchemy::table_of<User>(); }
