// A misspelt cascade ("delete-orphans"): cascade::parse throws during
// constant evaluation, so the relation() call is not a constant expression.
// g++ prints the message only on the quoted source line of the throw, under the
// error "expression '<throw-expression>' is not a constant expression", hence
// the order of the lines below (the first must stand on an error line).
// expect: is not a constant expression
// expect: alchemy: unknown cascade
// expect: alchemy::cascade::parse(
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
