// AUTOINCREMENT on a composite key.
// expect: alchemy: autoincrement needs a single integer primary key
// expect: autoincrement_without_integer_key<Enrollment>
#include <alchemy/alchemy.hpp>

struct Enrollment {
    std::int64_t student_id = 0;
    std::int64_t course_id = 0;
};
constexpr auto alchemy_table(Enrollment*) {
    return alchemy::table("enrollments", alchemy::primary_key(&Enrollment::student_id, &Enrollment::course_id),
                          alchemy::autoincrement);
}

int main() { (void)alchemy::table_of<Enrollment>(); }
