// tests/models/seed_models.hpp — the seed's models (User, Post, Course,
// Student, Enrollment), declared twice: described with BOOST_DESCRIBE_STRUCT
// and as plain aggregates read by Boost.PFR. Both must map identically.
#pragma once

#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace described {

struct User {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::string> email{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, email))
constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::unique(&User::name)); }

struct Post {
    std::int64_t id = 0;
    std::string title{};
    std::optional<std::int64_t> user_id{};
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, title, user_id))
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts",
                          alchemy::foreign_key(&Post::user_id, &User::id).on_delete(alchemy::fk_action::cascade),
                          alchemy::index(&Post::user_id));
}

struct Course {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(Course, (), (id, name))
constexpr auto alchemy_table(Course*) { return alchemy::table("courses"); }

struct Student {
    std::int64_t id = 0;
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(Student, (), (id, name))
constexpr auto alchemy_table(Student*) { return alchemy::table("students"); }

struct Enrollment {
    std::int64_t student_id = 0;
    std::int64_t course_id = 0;
};
BOOST_DESCRIBE_STRUCT(Enrollment, (), (student_id, course_id))
constexpr auto alchemy_table(Enrollment*) {
    return alchemy::table("enrollments", alchemy::primary_key(&Enrollment::student_id, &Enrollment::course_id),
                          alchemy::foreign_key(&Enrollment::student_id, &Student::id),
                          alchemy::foreign_key(&Enrollment::course_id, &Course::id));
}

}  // namespace described

namespace plain {

struct User {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::string> email{};
};
constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::unique(&User::name)); }

struct Post {
    std::int64_t id = 0;
    std::string title{};
    std::optional<std::int64_t> user_id{};
};
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts",
                          alchemy::foreign_key(&Post::user_id, &User::id).on_delete(alchemy::fk_action::cascade),
                          alchemy::index(&Post::user_id));
}

struct Course {
    std::int64_t id = 0;
    std::string name{};
};
constexpr auto alchemy_table(Course*) { return alchemy::table("courses"); }

struct Student {
    std::int64_t id = 0;
    std::string name{};
};
constexpr auto alchemy_table(Student*) { return alchemy::table("students"); }

struct Enrollment {
    std::int64_t student_id = 0;
    std::int64_t course_id = 0;
};
constexpr auto alchemy_table(Enrollment*) {
    return alchemy::table("enrollments", alchemy::primary_key(&Enrollment::student_id, &Enrollment::course_id),
                          alchemy::foreign_key(&Enrollment::student_id, &Student::id),
                          alchemy::foreign_key(&Enrollment::course_id, &Course::id));
}

}  // namespace plain
