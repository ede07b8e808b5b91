// A text member referencing an integer key.
// expect: alchemy: foreign key type mismatch
// expect: foreign_key_type_mismatch<Post,
// expect(GNU): fixed_string<7>{"user_id"}
// expect(Clang): {{117, 115, 101, 114, 95, 105, 100, 0}}
#include <alchemy/alchemy.hpp>
#include <string>

struct User {
    std::int64_t id = 0;
};
struct Post {
    std::int64_t id = 0;
    std::string user_id;
};
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id));
}

int main() { (void)alchemy::table_of<Post>(); }
