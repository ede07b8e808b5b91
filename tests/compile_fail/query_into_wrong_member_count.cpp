// into<S>() with a struct that has fewer members than the query has columns.
// expect: alchemy: into<S>() needs S to have one member per selected column, in the same order
// expect: JustTheName
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))

struct JustTheName {
    std::string name;
};

int main() {
    auto q = alchemy::select(alchemy::col(&User::name), alchemy::col(&User::id)).into<JustTheName>();
    (void)q;
}
