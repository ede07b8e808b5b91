// A class with a constructor and private members, and no description.
// expect: alchemy: cannot map this struct
// expect: not_reflectable<Widget>
#include <alchemy/alchemy.hpp>

class Widget {
public:
    explicit Widget(int id) : id_(id) {}

private:
    std::int64_t id_;
};

int main() { (void)alchemy::table_of<Widget>(); }
