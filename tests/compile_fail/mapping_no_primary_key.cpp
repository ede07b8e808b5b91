// No member named id and no primary_key option.
// expect: alchemy: the struct has no primary key
// expect: no_primary_key<Note>
#include <alchemy/alchemy.hpp>
#include <string>

struct Note {
    std::int64_t number = 0;
    std::string text;
};

int main() { (void)alchemy::table_of<Note>(); }
