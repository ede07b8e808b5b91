// A tour of the query API past the walkthrough: the row types queries give,
// conditions along relationships, loader options, set operations and window
// functions, subqueries and CTEs (a tree walked to any depth), and bulk
// statements. Each step checks what it printed, so the program fails (exit
// code 1) if a result is not what the comment says.
//
//   ./queries                                  a SQLite file, queries.db
//   ./queries postgresql://user@host/dbname    a PostgreSQL database

#include <alchemy/alchemy.hpp>
#ifdef ALCHEMY_HAS_POSTGRESQL  // alchemy was built with libpq: postgresql:// URLs work too
#include <alchemy/postgresql.hpp>
#endif

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct Post;
struct User {
    std::int64_t id = 0;
    std::string name{};
    std::int64_t karma = 0;
    alchemy::relationship<Post> posts{};
};
BOOST_DESCRIBE_STRUCT(User, (), (id, name, karma, posts))

struct Post {
    std::int64_t id = 0;
    std::string title{};
    std::optional<std::int64_t> user_id{};
    alchemy::backref<User> user{};
};
BOOST_DESCRIBE_STRUCT(Post, (), (id, title, user_id, user))

// A category tree: each category names its parent.
struct Category {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::int64_t> parent_id{};
};
BOOST_DESCRIBE_STRUCT(Category, (), (id, name, parent_id))

constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::unique(&User::name)); }
constexpr auto alchemy_table(Post*) { return alchemy::table("posts", alchemy::foreign_key(&Post::user_id, &User::id)); }
constexpr auto alchemy_table(Category*) {
    return alchemy::table("categories", alchemy::foreign_key(&Category::parent_id, &Category::id));
}

namespace {
// Each step states what it expects; a wrong answer ends the program.
void expect(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error("unexpected result: " + what);
}
}  // namespace

int main(int argc, char** argv) try {
    const std::string url = argc > 1 ? argv[1] : "sqlite:///queries.db";
    if (argc == 1) std::filesystem::remove("queries.db");
    auto engine = alchemy::create_engine(url);
    const auto tables = alchemy::metadata<User, Post, Category>();
    tables.drop_all(engine);
    tables.create_all(engine);
    alchemy::session session(engine);
    using alchemy::col;
    namespace func = alchemy::func;

    // Bulk INSERT of plain rows: no objects, one executemany per run of rows.
    session.execute(alchemy::insert<User>(), std::vector<User>{{.name = "ann", .karma = 10},
                                                               {.name = "bob", .karma = 3},
                                                               {.name = "cy", .karma = 0}});
    // An upsert: bob exists, so his karma is raised instead; dee is new.
    session.execute(alchemy::insert<User>().on_conflict(&User::name).do_update(
                        alchemy::set(&User::karma, col(&User::karma) + alchemy::excluded(&User::karma))),
                    std::vector<User>{{.name = "bob", .karma = 2}, {.name = "dee", .karma = 1}});
    const auto ann = session.query<User>().filter(col(&User::name) == "ann").one();
    const auto bob = session.query<User>().filter(col(&User::name) == "bob").one();
    expect(bob->karma == 5, "bob's karma after the upsert is 3 + 2");
    for (const auto* title : {"hello", "again"}) session.add(Post{.title = title, .user = ann});
    session.add(Post{.title = "hi", .user = bob});
    session.commit();

    // Rows: an outer-joined table's columns are optional, objects sit beside
    // values, and a label written as a template argument names the column.
    const auto per_user = session.query(alchemy::entity<User>, func::count(col(&Post::id)).label<"posts">())
                              .outerjoin<Post>()
                              .group_by(col(&User::id))
                              .order_by(col(&User::id))
                              .all();
    for (const auto& row : per_user)
        std::cout << std::get<0>(row)->name << " wrote " << alchemy::get<"posts">(row) << " posts\n";
    expect(alchemy::get<"posts">(per_user[0]) == 2 && std::get<0>(per_user[0]) == ann, "ann wrote two posts");
    const auto titles = session.query(col(&User::name), col(&Post::title)).outerjoin<Post>()
                            .filter(col(&User::name) == "cy").all();   // std::optional<std::string> titles
    expect(titles.size() == 1 && !std::get<1>(titles[0]), "cy has no post: an empty title, not an error");

    // Rows into a struct of your own, and a scalar.
    struct karma_of {
        std::string name;
        std::int64_t karma;
    };
    for (const auto& [name, karma] : session.query(col(&User::name), col(&User::karma))
                                         .filter(col(&User::karma) > 2).order_by(col(&User::name)).into<karma_of>().all())
        std::cout << name << " has karma " << karma << '\n';
    expect(session.query(func::sum(col(&User::karma))).scalar_one() == 16, "the karma adds up to 10 + 5 + 0 + 1");

    // Conditions along relationships: EXISTS subqueries.
    const auto writers = session.query<User>().filter(alchemy::any(&User::posts, col(&Post::title).startswith("h"))).all();
    expect(writers.size() == 2, "ann and bob wrote a post starting with h");
    const auto by_ann = session.query<Post>().filter(alchemy::with_parent(ann, &User::posts)).count();
    expect(by_ann == 2, "two posts have ann as their parent");

    // Loader options: the posts of every user in one more SELECT; and, on a
    // hot path, raiseload() turns an accidental lazy load (N+1) into an error.
    for (const auto& u : session.query<User>().options(alchemy::selectinload(&User::posts)).all())
        std::cout << u->name << ": " << u->posts.size() << " posts loaded\n";
    {
        alchemy::session fresh(engine);
        const auto post = fresh.query<Post>().options(alchemy::raiseload(&Post::user)).first();
        try {
            std::cout << post->user->name << '\n';
            expect(false, "raiseload() lets no lazy load run");
        } catch (const alchemy::InvalidRequestError& e) {
            std::cout << "refused: " << e.what() << '\n';
        }
    }

    // A set operation, and a window function numbering each user's posts.
    const auto names = session.query(col(&User::name)).filter(col(&User::karma) > 4)
                           .union_(session.query(col(&Post::title)).filter(col(&Post::title) == "hi"))
                           .order_by(col(&User::name))
                           .all();
    expect(names == std::vector<std::string>{"ann", "bob", "hi"}, "the union of names and titles, sorted");
    const auto numbered = session.query(col(&Post::title), func::row_number().over(alchemy::partition_by(col(&Post::user_id)),
                                                                                   alchemy::order_by(col(&Post::id))))
                              .order_by(col(&Post::id))
                              .all();
    expect(std::get<1>(numbered[1]) == 2 && std::get<1>(numbered[2]) == 1, "the second post of ann, the first of bob");

    // Objects read from a subquery: the users with more than one post.
    const auto posts = func::count(col(&Post::id)).label<"n">();
    auto counts = session.query(col(&Post::user_id), posts).group_by(col(&Post::user_id)).subquery("counts");
    alchemy::aliased<User> prolific(session.query<User>()
                                        .join(counts, counts.c(&Post::user_id) == col(&User::id))
                                        .filter(counts.c(posts) > 1)
                                        .subquery("prolific"));
    const auto found = session.query(prolific).all();
    expect(found.size() == 1 && found[0] == ann, "ann, the same object the session holds");

    // A recursive CTE: every category under "books", to any depth, in one statement.
    auto root = session.add(Category{.name = "books"});
    session.flush();
    auto fiction = session.add(Category{.name = "fiction", .parent_id = root->id});
    session.add(Category{.name = "cooking", .parent_id = root->id});
    session.flush();
    auto crime = session.add(Category{.name = "crime", .parent_id = fiction->id});
    session.flush();
    session.add(Category{.name = "nordic noir", .parent_id = crime->id});
    session.add(Category{.name = "garden"});
    auto tree = session.query<Category>().filter(col(&Category::name) == "books").cte("tree");
    tree = tree.union_all(session.query<Category>().join(tree, col(&Category::parent_id) == tree.c(&Category::id)));
    alchemy::aliased<Category> under_books(tree);
    const auto books = session.query(under_books).order_by(under_books.c(&Category::id)).all();
    for (const auto& c : books) std::cout << "under books: " << c->name << '\n';
    expect(books.size() == 5, "books, fiction, cooking, crime and nordic noir; not garden");

    // Bulk UPDATE and DELETE: one statement; the session's objects follow.
    const auto raised = session.query<User>().filter(col(&User::karma) < 5).update(alchemy::set(&User::karma, col(&User::karma) + 1));
    expect(raised == 2, "cy and dee had less than 5");
    const auto cy = session.query<User>().filter(col(&User::name) == "cy").one();
    expect(cy->karma == 1, "cy's object shows the new karma without a reload");
    session.query<Post>().filter(col(&Post::title) == "again").delete_();
    session.commit();
    expect(session.query<Post>().count() == 2, "two posts remain");
    std::cout << "done\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
}
