// any() asks about the members of a collection; a one-to-one has has().
// expect: alchemy: any() is for a collection; for a one-to-one (relationship_one<T>) use has()
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
    auto condition = alchemy::any(&Account::profile, alchemy::col(&Profile::id) == 1);
    (void)condition;
}
