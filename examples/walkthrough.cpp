// The seed's tour in C++, as far as alchemy goes today.
//
// §1 Engine: pooled SQLite connections to a database file, every statement
// echoed with its parameters, transactions that commit at scope end.
// (Mapped classes, the Session and queries join this tour as they land.)

#include <alchemy/alchemy.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>

int main() {
    std::filesystem::remove("walkthrough.db");

    // §1 Engine: binds to a SQLite file; echo prints every statement.
    auto engine = alchemy::create_engine("sqlite:///walkthrough.db", {.echo = true});

    // A transaction that commits when the scope ends (and rolls back if the
    // scope is left by an exception).
    {
        auto tx = engine.begin();
        tx.execute(R"(CREATE TABLE users (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          name TEXT NOT NULL UNIQUE))");
        tx.execute(R"(CREATE TABLE posts (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          title TEXT NOT NULL,
                          user_id INTEGER REFERENCES users(id)))");
    }

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

    // Savepoints: roll back part of a transaction.
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
