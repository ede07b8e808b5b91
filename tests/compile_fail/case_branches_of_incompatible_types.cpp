// case_() whose branches give values of incompatible types (text and a number).
// expect: alchemy: case_(): the branches' values have incompatible types
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))

int main() {
    auto label = alchemy::case_(alchemy::when(alchemy::col(&User::id) < 10, "small"),
                                alchemy::when(alchemy::col(&User::id) < 100, 42));
    (void)label;
}
