// The seed's tour in C++, as far as alchemy goes today.
//
// §1 Engine   §2-3 mapped classes and their tables   §4 Session
// §5 CRUD through the identity map and unit of work   §7 joins and aggregates.
// (Relationships and backrefs join this tour as they land.)

#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

// §3 Mapped classes are plain structs. One Boost.Describe line lists the members.
struct User {
    std::int64_t id = 0;  // a member named id is the primary key; 0 = "let the database assign it"
    std::string name{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name))

// ... or no annotation at all: a plain aggregate is read by Boost.PFR.
struct Post {
    std::int64_t id = 0;
    std::string title{};
    std::optional<std::int64_t> user_id{};  // optional = NULL-able
};

// Table options stay outside the struct, found by argument-dependent lookup.
constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::unique(&User::name)); }
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id));
}

int main() {
    std::filesystem::remove("walkthrough.db");

    // §1 Engine: binds to a SQLite file; echo prints every statement.
    auto engine = alchemy::create_engine("sqlite:///walkthrough.db", {.echo = true});

    // §2 The declarative base's metadata: every table, referenced tables first.
    alchemy::metadata<User, Post>().create_all(engine);

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

    // A post that references its author by key (relationships come later).
    auto hello = session.add(Post{.title = "Hello", .user_id = user->id});
    session.commit();

    // §7 Join with the ON clause inferred from the foreign key; aggregate.
    for (const auto& [author, post] :
         session.query<User, Post>().join<Post>().filter(col(&Post::title) == "Hello").all())
        std::cout << author->name << " wrote " << post->title << '\n';
    const auto posts = session.query(alchemy::func::count(col(&Post::id)))
                           .filter(col(&Post::user_id) == user->id)
                           .scalar();
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

    // §5 Delete (`delete` is a C++ keyword). The post goes first: it references the user.
    session.remove(hello);
    session.remove(user);
    session.commit();

    const auto left = session.query<User>().all();
    std::cout << "users left:";
    for (const auto& u : left) std::cout << ' ' << u->name;
    std::cout << '\n';
    return left.size() == 1 && left.front()->name == "Carol" ? 0 : 1;
}
