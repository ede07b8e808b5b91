// A relationship<Post> whose target declares no foreign_key() to the owner.
// expect: alchemy: no foreign key links this relationship
// expect: relationship_without_foreign_key<User,
// expect(GNU): fixed_string<5>{"posts"}, Post>
// expect(Clang): {{112, 111, 115, 116, 115, 0}}, Post>
#include <alchemy/alchemy.hpp>

struct Post;
struct User {
    std::int64_t id = 0;
    alchemy::relationship<Post> posts;
};
BOOST_DESCRIBE_STRUCT(User, (), (id, posts))

struct Post {
    std::int64_t id = 0;
    std::int64_t user_id = 0;  // no alchemy::foreign_key(&Post::user_id, &User::id)
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, user_id))

int main() { (void)alchemy::table_of<User>(); }
