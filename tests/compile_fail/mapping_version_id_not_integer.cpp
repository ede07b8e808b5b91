// version_id() naming a member that is not an integer.
// expect: alchemy: version_id() needs an integer member that is not a std::optional
// expect: version_id_not_integer<Doc,
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct Doc {
    std::int64_t id = 0;
    std::string version;
};
BOOST_DESCRIBE_STRUCT(Doc, (), (id, version))
constexpr auto alchemy_table(Doc*) { return alchemy::table("docs", alchemy::version_id(&Doc::version)); }

int main() { return static_cast<int>(alchemy::table_of<Doc>().columns.size()); }
