// The seed's tour in C++, as far as alchemy goes today.
//
// §1 Engine: pooled SQLite connections to a database file, every statement
// echoed with its parameters, transactions that commit at scope end.
// §2-3 Mapped classes: plain structs, their tables created from the mapping.
// (The Session, queries and relationships join this tour as they land.)

#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

// §3 Mapped classes are plain structs. One Boost.Describe line lists the members.
struct User {
    std::int64_t id = 0;  // a member named id is the primary key
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
constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::autoincrement, alchemy::unique(&User::name)); }
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::autoincrement, alchemy::foreign_key(&Post::user_id, &User::id));
}

int main() {
    std::filesystem::remove("walkthrough.db");

    // §1 Engine: binds to a SQLite file; echo prints every statement.
    auto engine = alchemy::create_engine("sqlite:///walkthrough.db", {.echo = true});

    // §2 The declarative base's metadata: every table, referenced tables first.
    alchemy::metadata<User, Post>().create_all(engine);

    // A connection "commits as you go": the first statement begins a
    // transaction, commit() ends it. Every value is a bound parameter.
    auto conn = engine.connect();
    const auto alice = conn.execute("INSERT INTO users (name) VALUES (?)", "Alice").last_insert_rowid();
    conn.execute("INSERT INTO posts (title, user_id) VALUES (:title, :user)",
                 alchemy::param("title", "Hello"), alchemy::param("user", alice));
    conn.commit();

    // Rows stream out of the statement, read by name or index into C++ types.
    for (alchemy::row row : conn.execute(R"(SELECT users.name, posts.title FROM users
                                            JOIN posts ON users.id = posts.user_id
                                            WHERE posts.title = ?)",
                                         "Hello"))
        std::cout << row.get<std::string>("name") << " wrote " << row.get<std::string>(1) << '\n';

    const auto posts = conn.execute("SELECT count(posts.id) FROM posts WHERE posts.user_id = ?", alice)
                           .scalar<std::int64_t>();
    std::cout << "Alice has " << posts << " post(s)\n";

    // Constraint violations are IntegrityError, naming the statement and values.
    try {
        conn.execute("INSERT INTO users (name) VALUES (?)", "Alice");
    } catch (const alchemy::IntegrityError& e) {
        std::cout << "refused: " << e.driver_message() << '\n';
        conn.rollback();
    }

    // A transaction that commits when the scope ends (and rolls back if the
    // scope is left by an exception); savepoints roll back part of it.
    {
        auto tx = conn.begin();
        conn.execute("INSERT INTO users (name) VALUES (?)", "Bob");
        {
            auto savepoint = tx.begin_nested();
            conn.execute("INSERT INTO users (name) VALUES (?)", "Carol");
            savepoint.rollback();  // Carol is gone, Bob stays
        }
    }  // commits Bob
    const auto users = conn.execute("SELECT name FROM users ORDER BY id").all<std::string>();
    std::cout << "users:";
    for (const auto& name : users) std::cout << ' ' << name;
    std::cout << '\n';
    return users.size() == 2 ? 0 : 1;
}
