// A foreign key to a class that cannot be mapped (private members, no description).
// expect: alchemy: foreign key to an unmapped struct
// expect: foreign_key_to_unmapped<Payment,
// expect(GNU): fixed_string<10>{"account_id"}, Account>
// expect(Clang): {{97, 99, 99, 111, 117, 110, 116, 95, 105, 100, ...}}, Account>
#include <alchemy/alchemy.hpp>

class Account {
public:
    std::int64_t id = 0;

private:
    int secret_ = 0;
};

struct Payment {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
};
constexpr auto alchemy_table(Payment*) {
    return alchemy::table("payments", alchemy::foreign_key(&Payment::account_id, &Account::id));
}

int main() { (void)alchemy::table_of<Payment>(); }
