// Two columns of incompatible types compared with each other.
// expect: alchemy: cannot compare a column with a value of an incompatible type
// expect: alchemy::column<Event, double>
#include <alchemy/alchemy.hpp>
#include <chrono>
#include <string>

struct Event {
    std::int64_t id = 0;
    std::chrono::sys_days day{};
    double score = 0;
};

int main() {
    auto predicate = alchemy::col(&Event::day) < alchemy::col(&Event::score);
    (void)predicate;
}
