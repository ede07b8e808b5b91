// Loader strategies (loading.hpp): raiseload / raiseload_all as the N+1
// guard, noload, lazyload, joinedload(...).innerjoin(), paths of several
// steps, the mapping's default (relation_settings::lazy) and
// populate_existing(). Each checks the statements that ran, the objects and,
// where rows change, the rows read back.
#include "models/relationship_models.hpp"
#include "support/session_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using alchemy::col;
using session_support::rows;
using session_support::strings;

namespace lazy_defaults {

struct Book;
struct Author {
    std::int64_t id = 0;
    std::string name{};
    alchemy::relationship<Book> books{};
};
BOOST_DESCRIBE_STRUCT(Author, (), (id, name, books))

struct Book {
    std::int64_t id = 0;
    std::string title{};
    std::optional<std::int64_t> author_id{};
    alchemy::backref<Author> author{};
};
BOOST_DESCRIBE_STRUCT(Book, (), (id, title, author_id, author))

// Every query of authors loads their books; a book's author is never loaded lazily.
constexpr auto alchemy_table(Author*) {
    return alchemy::table("authors", alchemy::relation(&Author::books, {.lazy = alchemy::loading::selectin}));
}
constexpr auto alchemy_table(Book*) {
    return alchemy::table("books", alchemy::foreign_key(&Book::author_id, &Author::id),
                          alchemy::relation(&Book::author, {.lazy = alchemy::loading::raise}));
}

}  // namespace lazy_defaults

namespace {

using rel::Node;
using rel::Post;
using rel::User;

// ann wrote posts 1 and 2, bob post 3, cy nothing; post 4 has no user. A
// tree: root(1) -> a(2), b(3); a -> a1(4); b -> b1(5); a1 -> a1x(6).
struct loading_db : session_support::basic_database<User, Post, Node> {
    loading_db() : basic_database("loading.db") {
        run({"INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')",
             "INSERT INTO posts (id, title, user_id) VALUES (1, 'p1', 1), (2, 'p2', 1), (3, 'p3', 2), (4, 'p4', NULL)",
             "INSERT INTO nodes (id, name, parent_id) VALUES (1, 'root', NULL), (2, 'a', 1), (3, 'b', 1), (4, 'a1', 2), "
             "(5, 'b1', 3), (6, 'a1x', 4)"});
    }
};

struct defaults_db : session_support::basic_database<lazy_defaults::Author, lazy_defaults::Book> {
    defaults_db() : basic_database("loading_defaults.db") {
        run({"INSERT INTO authors (id, name) VALUES (1, 'le guin'), (2, 'borges')",
             "INSERT INTO books (id, title, author_id) VALUES (1, 'earthsea', 1), (2, 'dispossessed', 1), (3, 'ficciones', 2)"});
    }
};

std::size_t post_count(const std::vector<alchemy::ptr<User>>& users) {
    std::size_t n = 0;
    for (const auto& u : users) n += std::as_const(u)->posts.size();
    return n;
}

}  // namespace

TEST_CASE("raiseload: touching the relationship throws instead of running a lazy load", "[backend][relationship][loading][raise]") {
    loading_db db;
    auto s = db.session();
    auto users = s.query<User>().options(alchemy::raiseload(&User::posts)).order_by(col(&User::id)).all();
    REQUIRE(users.size() == 3);
    db.clear();
    CHECK_THROWS_MATCHES(std::as_const(users[0])->posts.size(), alchemy::InvalidRequestError,
                         Catch::Matchers::Message("alchemy: 'User.posts' is not available due to lazy='raise' (raiseload): "
                                                  "load it in the query (.options(alchemy::selectinload(&User::posts)) or "
                                                  "joinedload), or allow it with lazyload()"));
    CHECK(db.count("SELECT") == 0);
    // The relationship is still unloaded, the session usable: a query that loads it eagerly fills it.
    s.query<User>().options(alchemy::selectinload(&User::posts)).all();
    CHECK(std::as_const(users[0])->posts.size() == 2);

    // The session's own loads are not refused: deleting bob loads his posts to set their key to NULL.
    auto bob = s.query<User>().options(alchemy::raiseload(&User::posts)).filter(col(&User::id) == 2).one();
    s.remove(bob);
    s.commit();
    CHECK(db.posts() == rows{{"1", "p1", "1"}, {"2", "p2", "1"}, {"3", "p3", "NULL"}, {"4", "p4", "NULL"}});
}

TEST_CASE("raiseload_all: every relationship the query's objects have raises, unless an option loads or allows it", "[backend][relationship][loading][raise]") {
    loading_db db;
    auto s = db.session();
    auto posts = s.query<Post>().options(alchemy::raiseload_all()).order_by(col(&Post::id)).all();
    CHECK_THROWS_WITH(std::as_const(posts[0])->user.get(), Catch::Contains("'Post.user' is not available due to lazy='raise'"));
    // Another option names the relationship: it wins over the wildcard.
    s.expunge_all();
    auto allowed = s.query<Post>().options(alchemy::raiseload_all(), alchemy::lazyload(&Post::user)).order_by(col(&Post::id)).all();
    CHECK(std::as_const(allowed[0])->user->name == "ann");
    s.expunge_all();
    auto users = s.query<User>().options(alchemy::raiseload_all(), alchemy::selectinload(&User::posts)).order_by(col(&User::id)).all();
    CHECK(post_count(users) == 3);
}

TEST_CASE("noload: the relationship reads as empty, with no SQL", "[backend][relationship][loading]") {
    loading_db db;
    auto s = db.session();
    auto ann = s.query<User>().options(alchemy::noload(&User::posts)).filter(col(&User::id) == 1).one();
    db.clear();
    CHECK(std::as_const(ann)->posts.empty());
    CHECK(db.count("SELECT") == 0);
    auto post = s.query<Post>().options(alchemy::noload(&Post::user)).filter(col(&Post::id) == 1).one();
    CHECK_FALSE(std::as_const(post)->user.get());
    CHECK(db.count("SELECT") == 1);  // the posts query only
}

TEST_CASE("joinedload(...).innerjoin() joins with JOIN, dropping the rows without a match", "[backend][relationship][loading]") {
    loading_db db;
    auto s = db.session();
    auto q = s.query<Post>().options(alchemy::joinedload(&Post::user).innerjoin()).order_by(col(&Post::id));
    CHECK(q.sql() ==
          test_backend::sql(R"(SELECT "posts"."id", "posts"."title", "posts"."user_id", "users_1"."id", "users_1"."name" FROM "posts" JOIN "users" AS "users_1" ON "users_1"."id" = "posts"."user_id" ORDER BY "posts"."id")"));
    auto posts = q.all();
    REQUIRE(posts.size() == 3);  // p4 has no user
    db.clear();
    CHECK(std::as_const(posts[2])->user->name == "bob");
    CHECK(db.count("SELECT") == 0);
    CHECK_THROWS_WITH(alchemy::selectinload(&Post::user).innerjoin(), Catch::Contains("innerjoin() is for a joinedload()"));
}

TEST_CASE("a path of loader options loads level after level, each with one statement", "[backend][relationship][loading][paths]") {
    loading_db db;
    auto s = db.session();
    auto root = s.query<Node>()
                    .options(alchemy::selectinload(&Node::children).selectinload(&Node::children))
                    .filter(col(&Node::id) == 1)
                    .one();
    CHECK(db.count("SELECT") == 3);  // root, its children, their children
    db.clear();
    strings grandchildren;
    for (const auto& child : std::as_const(root)->children)
        for (const auto& g : std::as_const(child)->children) grandchildren.push_back(std::as_const(g)->name);
    CHECK(grandchildren == strings{"a1", "b1"});
    CHECK(db.count("SELECT") == 0);

    // A path ending in raiseload: the last level's objects refuse a lazy load.
    s.expunge_all();
    auto guarded = s.query<Node>()
                       .options(alchemy::selectinload(&Node::children).raiseload(&Node::children))
                       .filter(col(&Node::id) == 1)
                       .one();
    const auto& first_child = *std::as_const(guarded)->children.begin();
    CHECK_THROWS_WITH(std::as_const(first_child)->children.size(), Catch::Contains("'Node.children' is not available due to lazy='raise'"));

    // joinedload first, then select-IN.
    s.expunge_all();
    db.clear();
    auto users = s.query<User>().options(alchemy::joinedload(&User::posts).selectinload(&Post::user)).all();
    CHECK(db.count("SELECT") == 1);  // users with posts joined; the posts' user is in the identity map: no statement
    CHECK(post_count(users) == 3);

    CHECK_THROWS_WITH(alchemy::selectinload(&User::posts).selectinload(&Node::children),
                      Catch::Contains("selectinload(&Node::children) does not continue the path: 'posts' loads Post objects, not Node"));
    CHECK_THROWS_WITH(alchemy::raiseload(&User::posts).selectinload(&Post::user),
                      Catch::Contains("cannot follow raiseload('posts')"));
}

TEST_CASE("the mapping's lazy= default: selectin loads with every query, raise refuses every lazy load", "[backend][relationship][loading][defaults]") {
    using lazy_defaults::Author;
    using lazy_defaults::Book;
    defaults_db db;
    auto s = db.session();
    auto authors = s.query<Author>().order_by(col(&Author::id)).all();
    CHECK(db.count("SELECT") == 2);  // the authors, then their books
    CHECK(std::as_const(authors[0])->books.size() == 2);
    CHECK(db.count("SELECT") == 2);
    // lazyload() in a query turns the default off; raiseload_all() too.
    s.expunge_all();
    db.clear();
    auto lazy = s.query<Author>().options(alchemy::lazyload(&Author::books)).all();
    CHECK(db.count("SELECT") == 1);
    s.expunge_all();
    auto guarded = s.query<Author>().options(alchemy::raiseload_all()).all();
    CHECK_THROWS_WITH(std::as_const(guarded[0])->books.size(), Catch::Contains("'Author.books' is not available"));

    // Book::author is raise however the book was loaded ...
    s.expunge_all();
    auto book = s.get<Book>(1);
    CHECK_THROWS_WITH(std::as_const(book)->author.get(), Catch::Contains("'Book.author' is not available due to lazy='raise'"));
    // ... unless a query loads it or allows it.
    auto loaded = s.query<Book>().options(alchemy::joinedload(&Book::author)).filter(col(&Book::id) == 3).one();
    CHECK(std::as_const(loaded)->author->name == "borges");
    s.expunge_all();
    auto allowed = s.query<Book>().options(alchemy::lazyload(&Book::author)).filter(col(&Book::id) == 1).one();
    CHECK(std::as_const(allowed)->author->name == "le guin");
    // Writing through the relationship needs no load and flushes as usual.
    auto borges = s.get<Author>(2);
    auto again = s.get<Book>(2);
    again->author = borges;
    s.commit();
    CHECK(db.stored("SELECT id, author_id FROM books ORDER BY id") == rows{{"1", "1"}, {"2", "2"}, {"3", "2"}});
}

TEST_CASE("populate_existing() overwrites objects in the session with the rows, unflushed changes included", "[backend][query][loading]") {
    loading_db db;
    auto s = db.session({.autoflush = false});
    auto ann = s.get<User>(1);
    ann->name = "ann (unflushed)";
    // The row changes behind the object's back, in the session's transaction.
    s.execute(alchemy::text("UPDATE users SET name = 'ann (elsewhere)' WHERE id = 1"));
    // A plain query returns the object as it is ...
    CHECK(s.query<User>().filter(col(&User::id) == 1).one()->name == "ann (unflushed)");
    // ... populate_existing() overwrites it from the row and drops the change.
    auto same = s.query<User>().populate_existing().filter(col(&User::id) == 1).one();
    CHECK(same == ann);
    CHECK(std::as_const(ann)->name == "ann (elsewhere)");
    db.clear();
    s.commit();
    CHECK(db.count("UPDATE") == 0);  // nothing left to flush
    CHECK(db.stored("SELECT name FROM users WHERE id = 1") == rows{{"ann (elsewhere)"}});
}
