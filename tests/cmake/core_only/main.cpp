// Mapped structs, relationships and the engine API without any backend: no
// SQLite header is seen, and create_engine names the header that is missing.
#include <alchemy/core.hpp>

#include <cstdio>
#include <string>

#if defined(SQLITE_VERSION)
#error "alchemy's core includes <sqlite3.h>"
#endif

struct Author;
struct Book {
    int id = 0;
    std::string title;
    int author_id = 0;
    alchemy::backref<Author> author;
};
struct Author {
    int id = 0;
    std::string name;
    alchemy::relationship<Book> books;
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id, author))
BOOST_DESCRIBE_STRUCT(Author, (), (id, name, books))
constexpr auto alchemy_table(Book*) { return alchemy::table("books", alchemy::foreign_key(&Book::author_id, &Author::id)); }
constexpr auto alchemy_table(Author*) { return alchemy::table("authors"); }

int main() {
    const auto& books = alchemy::table_of<Book>();
    if (books.name != "books" || books.columns.size() != 3) return 1;
    try {
        alchemy::create_engine("sqlite://");
    } catch (const alchemy::ArgumentError& e) {
        const std::string what = e.what();
        std::printf("core_only: %s\n", what.c_str());
        return what.find("<alchemy/sqlite.hpp>") != std::string::npos ? 0 : 1;
    }
    return 1;
}
