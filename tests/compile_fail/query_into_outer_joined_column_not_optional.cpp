// into<S>() after an outer join: the joined table's columns can be NULL, so
// their members must be std::optional.
// expect: alchemy: into<S>(): this member of S cannot hold the values of its column
// expect: into_member<UserAndTitle,
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <optional>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))

struct Post {
    std::int64_t id = 0;
    std::string title{};
    std::optional<std::int64_t> user_id{};
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, title, user_id))
constexpr auto alchemy_table(Post*) { return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id)); }

struct UserAndTitle {
    std::string name;
    std::string title;  // NULL for a user without posts: needs std::optional<std::string>
};

int main() {
    auto q = alchemy::select(alchemy::col(&User::name), alchemy::col(&Post::title)).outerjoin<Post>().into<UserAndTitle>();
    (void)q;
}
