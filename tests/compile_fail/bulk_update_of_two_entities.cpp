// update() of a query that selects two mapped structs: which table's rows?
// expect: alchemy: update() and delete_() change the rows of one table
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))

struct Post {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, user_id))

int main() {
    auto engine = alchemy::create_engine("sqlite://");
    alchemy::session session(engine);
    (void)session.query<User, Post>().update(alchemy::set(&User::name, "x"));
}
