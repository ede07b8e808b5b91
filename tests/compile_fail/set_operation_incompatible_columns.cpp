// A set operation of queries whose columns have incompatible types.
// expect: alchemy: a set operation (union_, union_all, intersect, except_) combines columns of incompatible types
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))

int main() {
    auto q = alchemy::select(alchemy::col(&User::name)).union_(alchemy::select(alchemy::col(&User::id)));
    (void)q;
}
