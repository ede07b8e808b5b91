// tests/models/relationship_models.hpp — the seed's models with their
// relationships (seed §6 and §8): User.posts / Post.user, Student.courses /
// Course.students through Enrollment, and a self-referential Node tree.
// Described and plain (Boost.PFR) structs are mixed on purpose.
#pragma once

#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace rel {

struct Post;

struct User {
    std::int64_t id = 0;
    std::string name{};
    alchemy::relationship<Post> posts{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, posts))

struct Post {
    std::int64_t id = 0;
    std::string title{};
    std::optional<std::int64_t> user_id{};
    alchemy::backref<User> user{};
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, title, user_id, user))

constexpr auto alchemy_table(User*) { return alchemy::table("users"); }
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id), alchemy::index(&Post::user_id));
}

// Many-to-many through a mapped association class (plain aggregates: PFR).
struct Course;
struct Enrollment {
    std::int64_t student_id = 0;
    std::int64_t course_id = 0;
    std::optional<std::string> enrolled_on{};
};
struct Student {
    std::int64_t id = 0;
    std::string name{};
    alchemy::relationship<Course, Enrollment> courses{};
};
struct Course {
    std::int64_t id = 0;
    std::string name{};
    alchemy::relationship<Student, Enrollment> students{};
};
constexpr auto alchemy_table(Student*) { return alchemy::table("students"); }
constexpr auto alchemy_table(Course*) { return alchemy::table("courses"); }
constexpr auto alchemy_table(Enrollment*) {
    return alchemy::table("enrollments", alchemy::primary_key(&Enrollment::student_id, &Enrollment::course_id),
                          alchemy::foreign_key(&Enrollment::student_id, &Student::id),
                          alchemy::foreign_key(&Enrollment::course_id, &Course::id));
}

// A self-referential tree, with cascades.
struct Node {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::int64_t> parent_id{};
    alchemy::backref<Node> parent{};
    alchemy::relationship<Node> children{};
};
BOOST_DESCRIBE_STRUCT(Node, (), (id, name, parent_id, parent, children))
constexpr auto alchemy_table(Node*) {
    return alchemy::table("nodes", alchemy::foreign_key(&Node::parent_id, &Node::id),
                          alchemy::relation(&Node::children, {.cascade = "all, delete-orphan"}));
}

}  // namespace rel
