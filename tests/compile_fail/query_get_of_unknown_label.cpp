// alchemy::get<"label">(row) with a label the query does not select.
// expect: alchemy: get(row) by label: the query selects no column with this label
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <string>

struct User {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))

int main() {
    auto engine = alchemy::create_engine("sqlite://");
    alchemy::session session(engine);
    for (const auto& row : session.query(alchemy::col(&User::id).label<"id">(), alchemy::col(&User::name)).all())
        (void)alchemy::get<"nmae">(row);
}
