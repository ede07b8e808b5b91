// Two version_id() options in one table.
// expect: alchemy: a table has one version_id() column
// expect: version_id_twice<Doc>
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct Doc {
    std::int64_t id = 0;
    std::int64_t version = 0;
    std::int64_t revision = 0;
};
BOOST_DESCRIBE_STRUCT(Doc, (), (id, version, revision))
constexpr auto alchemy_table(Doc*) {
    return alchemy::table("docs", alchemy::version_id(&Doc::version), alchemy::version_id(&Doc::revision));
}

int main() { return static_cast<int>(alchemy::table_of<Doc>().columns.size()); }
