// col() of a one-to-one names no column: compare the side that holds the key.
// expect: alchemy: col() of a one-to-one (relationship_one<T>)
#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <optional>
#include <string>

struct Profile;
struct Account {
    std::int64_t id = 0;
    alchemy::relationship_one<Profile> profile{};
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, profile))

struct Profile {
    std::int64_t id = 0;
    std::optional<std::int64_t> account_id{};
};
BOOST_DESCRIBE_STRUCT(Profile, (), (id, account_id))
constexpr auto alchemy_table(Profile*) {
    return alchemy::table("profiles", alchemy::foreign_key(&Profile::account_id, &Account::id));
}

int main() {
    auto condition = alchemy::col(&Account::profile) == nullptr;
    (void)condition;
}
