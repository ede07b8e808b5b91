// A text column compared with a number.
// expect: alchemy: cannot compare a column with a value of an incompatible type
// expect(GNU): [with L = alchemy::column<User, std::__cxx11::basic_string<char> >; R = int;
// expect(Clang): compare<alchemy::column<User, std::basic_string<char>>, int>
#include <alchemy/alchemy.hpp>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name{};
};

int main() {
    auto predicate = alchemy::col(&User::name) == 42;
    (void)predicate;
}
