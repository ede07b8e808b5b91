// post_update on a many-to-many relationship, whose association rows are
// written after both ends exist anyway: one error naming the member.
// expect: alchemy: post_update in relation() is for a relationship through a foreign key
// expect: post_update_of_many_to_many<Student,
#include <alchemy/alchemy.hpp>

struct Course {
    std::int64_t id = 0;
};
BOOST_DESCRIBE_STRUCT(Course, (), (id))

struct Enrollment;
struct Student {
    std::int64_t id = 0;
    alchemy::relationship<Course, Enrollment> courses;
};
BOOST_DESCRIBE_STRUCT(Student, (), (id, courses))

struct Enrollment {
    std::int64_t student_id = 0;
    std::int64_t course_id = 0;
};
BOOST_DESCRIBE_STRUCT(Enrollment, (), (student_id, course_id))

constexpr auto alchemy_table(Course*) { return alchemy::table("courses"); }
constexpr auto alchemy_table(Student*) {
    return alchemy::table("students", alchemy::relation(&Student::courses, {.post_update = true}));
}
constexpr auto alchemy_table(Enrollment*) {
    return alchemy::table("enrollments", alchemy::primary_key(&Enrollment::student_id, &Enrollment::course_id),
                          alchemy::foreign_key(&Enrollment::student_id, &Student::id),
                          alchemy::foreign_key(&Enrollment::course_id, &Course::id));
}

int main() { (void)alchemy::table_of<Student>(); }
