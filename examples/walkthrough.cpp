// The seed's tour in C++.
//
// §1 Engine   §2-3 mapped classes and their tables   §4 Session
// §5 CRUD through the identity map and unit of work   §6 relationships
// (one-to-many, many-to-one, many-to-many)   §7 joins and aggregates
// §8 backref: the two sides of a link kept in sync.

#include <alchemy/alchemy.hpp>
#ifdef ALCHEMY_HAS_POSTGRESQL  // alchemy was built with libpq: postgresql:// URLs work too
#include <alchemy/postgresql.hpp>
#endif

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

// §3 Mapped classes are plain structs. One Boost.Describe line lists the members.
struct Post;
struct User {
    std::int64_t id = 0;  // a member named id is the primary key; 0 = "let the database assign it"
    std::string name{};
    alchemy::relationship<Post> posts{};  // §6 one-to-many: the posts whose user_id is this id
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, posts))

// ... or no annotation at all: a plain aggregate is read by Boost.PFR.
struct Post {
    std::int64_t id = 0;
    std::string title{};
    std::optional<std::int64_t> user_id{};  // optional = NULL-able
    alchemy::backref<User> user{};          // §6/§8 many-to-one: the other side of User::posts
};

// §6 Many-to-many through an association class, which stays an ordinary mapped class.
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

// Table options stay outside the struct, found by argument-dependent lookup.
// The foreign keys are what the relationships follow.
constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::unique(&User::name)); }
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id));
}
constexpr auto alchemy_table(Student*) { return alchemy::table("students"); }
constexpr auto alchemy_table(Course*) { return alchemy::table("courses"); }
constexpr auto alchemy_table(Enrollment*) {
    return alchemy::table("enrollments", alchemy::primary_key(&Enrollment::student_id, &Enrollment::course_id),
                          alchemy::foreign_key(&Enrollment::student_id, &Student::id),
                          alchemy::foreign_key(&Enrollment::course_id, &Course::id));
}

int main(int argc, char** argv) {
    // §1 Engine: binds to a SQLite file, or to the database of the URL given
    // (./walkthrough postgresql://user@host/dbname); echo prints every statement.
    const std::string url = argc > 1 ? argv[1] : "sqlite:///walkthrough.db";
    if (argc == 1) std::filesystem::remove("walkthrough.db");
    auto engine = alchemy::create_engine(url, {.echo = true});

    // §2 The declarative base's metadata: every table, referenced tables first.
    // A rerun starts over: drop_all drops what a previous run left, dependents first.
    const auto tables = alchemy::metadata<User, Post, Student, Course, Enrollment>();
    tables.drop_all(engine);
    tables.create_all(engine);

    // §4 A session factory and a session (rolled back and closed at scope end).
    auto Session = alchemy::sessionmaker(engine);
    auto session = Session();

    // §5 Create: INSERT at commit, the generated key written back.
    auto alice = session.add(User{.name = "Alice"});
    session.commit();
    const auto id = alice->id;  // expired by the commit: reloaded on first access
    std::cout << "Alice has id " << id << '\n';

    // §5 Read: through the identity map, so this is the same object.
    using alchemy::col;
    auto user = session.query<User>().filter(col(&User::name) == "Alice").first();
    std::cout << "same object: " << std::boolalpha << (user == alice) << '\n';

    // §5 Update: the unit of work notices the change and writes only that column.
    user->name = "Bob";
    session.commit();  // UPDATE "users" SET "name" = ? WHERE "id" = ?

    // §6/§8 Relationships: appending sets the other side at once; the foreign
    // key is written at flush (INSERT INTO posts (title, user_id) ...).
    auto hello = alchemy::make(Post{.title = "Hello"});  // transient, in no session yet
    user->posts.append(hello);                          // joins the session with its user (save-update cascade)
    std::cout << "hello->user is " << hello->user->name << '\n';
    session.commit();
    for (const auto& post : user->posts)  // lazy: one SELECT on first use after the commit
        std::cout << user->name << " wrote " << post->title << " (user_id " << post->user_id.value_or(0) << ")\n";

    // Eager loading: every user with their posts in two statements.
    for (const auto& u : session.query<User>().options(alchemy::selectinload(&User::posts)).all())
        std::cout << u->name << " has " << u->posts.size() << " post(s) loaded\n";

    // §6 Many-to-many: appending inserts the association row at flush.
    auto ann = session.add(Student{.name = "Ann"});
    auto math = alchemy::make(Course{.name = "Math"});
    ann->courses.append(math);  // math joins the session (save-update cascade) ...
    session.commit();           // ... INSERT students, courses, then enrollments
    for (const auto& s : math->students) std::cout << s->name << " takes " << math->name << '\n';

    // §7 Join with the ON clause inferred from the foreign key; aggregate.
    for (const auto& [author, post] :
         session.query<User, Post>().join<Post>().filter(col(&Post::title) == "Hello").all())
        std::cout << author->name << " wrote " << post->title << '\n';
    const auto posts = session.query(alchemy::func::count(col(&Post::id)))
                           .filter(col(&Post::user_id) == user->id)
                           .scalar_one();
    std::cout << user->name << " has " << posts << " post(s)\n";

    // Constraint violations are IntegrityError; the session rolls the
    // transaction back and keeps the object, so it can be corrected.
    auto again = session.add(User{.name = "Bob"});
    try {
        session.commit();
    } catch (const alchemy::IntegrityError& e) {
        std::cout << "refused: " << e.driver_message() << '\n';
        again->name = "Carol";
        session.commit();
    }

    // §5 Delete (`delete` is a C++ keyword). Without a delete cascade the
    // user's posts stay, their user_id set to NULL first.
    session.remove(user);
    session.commit();
    std::cout << "hello's user_id after the delete: "
              << (hello->user_id ? std::to_string(*hello->user_id) : std::string("NULL")) << '\n';

    const auto left = session.query<User>().all();
    std::cout << "users left:";
    for (const auto& u : left) std::cout << ' ' << u->name;
    std::cout << '\n';
    return left.size() == 1 && left.front()->name == "Carol" ? 0 : 1;
}
