// [] walks into a JSON document; on a text column it is a mistake.
// expect: alchemy: [] is a path into a JSON column
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct Doc {
    std::int64_t id = 0;
    std::string data{};
};
BOOST_DESCRIBE_STRUCT(Doc, (), (id, data))

int main() {
    auto condition = alchemy::col(&Doc::data)["author"].as_string() == "Ann";
    (void)condition;
}
