// A foreign key to a member that is neither the primary key nor unique.
// expect: alchemy: foreign key must reference a primary key or unique member
// expect: foreign_key_to_non_key<Post,
// expect(GNU): fixed_string<6>{"author"}, User>
// expect(Clang): {{97, 117, 116, 104, 111, 114, 0}}, User>
#include <alchemy/alchemy.hpp>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name;
};
struct Post {
    std::int64_t id = 0;
    std::string author;
};
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::foreign_key(&Post::author, &User::name));
}

int main() { (void)alchemy::table_of<Post>(); }
