// version_id() naming a member of the primary key.
// expect: alchemy: version_id() names a member of the primary key
// expect: version_id_in_primary_key<Doc,
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct Doc {
    std::int64_t id = 0;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(Doc, (), (id, title))
constexpr auto alchemy_table(Doc*) { return alchemy::table("docs", alchemy::version_id(&Doc::id)); }

int main() { return static_cast<int>(alchemy::table_of<Doc>().columns.size()); }
