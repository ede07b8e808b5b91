// create_all / drop_all: the DDL checked by reading the real database back.
// Tests tagged [sqlite] stay SQLite-only: they read the schema through
// SQLite's catalog (PRAGMA table_info, foreign_key_list, index_list,
// sqlite_master) or check its DDL (AUTOINCREMENT, PRAGMA defer_foreign_keys).
#include "models/seed_models.hpp"
#include "support/backend.hpp"
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using test_support::raw_query;
using Rows = std::vector<std::vector<std::string>>;

namespace {

struct Account {
    std::int64_t id = 0;
    std::string owner{};
    std::optional<std::string> email{};
    std::optional<std::string> created{};
    double balance = 0;
    std::vector<std::byte> avatar{};
};
constexpr auto alchemy_table(Account*) {
    return alchemy::table("accounts", alchemy::autoincrement, alchemy::column_name(&Account::email, "email_address"),
                          alchemy::unique(&Account::owner, &Account::email), alchemy::index(&Account::balance),
                          alchemy::index(&Account::created).unique().named("ux_created"),
                          alchemy::check("balance >= 0").named("ck_balance"),
                          alchemy::server_default(&Account::created, "'never'"));
}

struct Node {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::int64_t> parent_id{};
};
constexpr auto alchemy_table(Node*) {
    return alchemy::table("nodes", alchemy::foreign_key(&Node::parent_id, &Node::id)
                                       .on_delete(alchemy::fk_action::set_null)
                                       .on_update(alchemy::fk_action::cascade));
}

// Identifiers made to break out of their quotes.
struct Hostile {
    std::int64_t id = 0;
    std::string value{};
    std::optional<std::int64_t> parent{};
};
constexpr auto alchemy_table(Hostile*) {
    return alchemy::table("odd \"table\"; DROP TABLE victims; --",
                          alchemy::column_name(&Hostile::value, "va\"lue'); DROP TABLE victims; --"),
                          alchemy::foreign_key(&Hostile::parent, &Hostile::id), alchemy::index(&Hostile::value));
}

std::vector<std::string> names(const Rows& rows, std::size_t column = 0) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.at(column));
    return out;
}

}  // namespace

TEST_CASE("create_all builds the seed's schema on a SQLite file, referenced tables first", "[sqlite][schema]") {
    const auto path = test_support::scratch_path("schema.db");
    test_support::log_capture log;
    auto engine = alchemy::create_engine("sqlite:///" + path, {.sink = log.sink()});
    auto schema = alchemy::metadata<plain::Enrollment, plain::Post>();  // users, students, courses come along

    schema.create_all(engine);

    CHECK(names(raw_query(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) ==
          std::vector<std::string>{"courses", "enrollments", "posts", "students", "users"});

    // One transaction; every table after the tables it references.
    const auto sql = log.sql();
    REQUIRE(sql.front() == "BEGIN");
    REQUIRE(sql.back() == "COMMIT");
    const auto position = [&](std::string_view table) {
        return std::find_if(sql.begin(), sql.end(), [&](const std::string& s) {
                   return s.starts_with(fmt::format("CREATE TABLE IF NOT EXISTS \"{}\"", table));
               }) - sql.begin();
    };
    CHECK(position("students") < position("enrollments"));
    CHECK(position("courses") < position("enrollments"));
    CHECK(position("users") < position("posts"));

    // Columns: name, declared type, NOT NULL, primary key position.
    CHECK(raw_query(path, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('users')") ==
          Rows{{"id", "INTEGER", "1", "1"}, {"name", "TEXT", "1", "0"}, {"email", "TEXT", "0", "0"}});
    CHECK(raw_query(path, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('enrollments')") ==
          Rows{{"student_id", "INTEGER", "1", "1"}, {"course_id", "INTEGER", "1", "2"}});

    // Foreign keys with their actions.
    CHECK(raw_query(path, "SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('posts')") ==
          Rows{{"users", "user_id", "id", "CASCADE"}});
    auto fks = raw_query(path, "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('enrollments')");
    std::sort(fks.begin(), fks.end());
    CHECK(fks == Rows{{"courses", "course_id", "id"}, {"students", "student_id", "id"}});

    // Unique constraint on users.name and the index on posts.user_id.
    CHECK(raw_query(path, "SELECT il.\"unique\", ii.name FROM pragma_index_list('users') AS il, "
                          "pragma_index_info(il.name) AS ii") == Rows{{"1", "name"}});
    CHECK(raw_query(path, "SELECT name, \"unique\" FROM pragma_index_list('posts')") == Rows{{"ix_posts_user_id", "0"}});

    // The composite primary key is enforced.
    auto conn = engine.connect();
    conn.execute("INSERT INTO students (name) VALUES ('s')");
    conn.execute("INSERT INTO courses (name) VALUES ('c')");
    conn.execute("INSERT INTO enrollments VALUES (1, 1)");
    REQUIRE_THROWS_AS(conn.execute("INSERT INTO enrollments VALUES (1, 1)"), alchemy::IntegrityError);
    REQUIRE_THROWS_AS(conn.execute("INSERT INTO enrollments VALUES (1, 2)"), alchemy::IntegrityError);  // no course 2
    conn.rollback();
}

TEST_CASE("create_all is idempotent and drop_all removes every table, referencing tables first", "[sqlite][schema]") {
    const auto path = test_support::scratch_path("drop.db");
    test_support::log_capture log;
    auto engine = alchemy::create_engine("sqlite:///" + path, {.sink = log.sink()});
    auto schema = alchemy::metadata<plain::User, plain::Post>();
    schema.create_all(engine);
    schema.create_all(engine);  // IF NOT EXISTS

    {  // rows that reference each other must not stop the drop
        auto tx = engine.begin();
        tx.execute("INSERT INTO users (id, name) VALUES (1, 'Alice')");
        tx.execute("INSERT INTO posts (title, user_id) VALUES ('Hello', 1)");
    }
    log.clear();
    schema.drop_all(engine);
    CHECK(log.sql() == std::vector<std::string>{"BEGIN", "PRAGMA defer_foreign_keys = ON", "DROP TABLE IF EXISTS \"posts\"",
                                                "DROP TABLE IF EXISTS \"users\"", "COMMIT"});
    CHECK(raw_query(path, "SELECT name FROM sqlite_master").empty());
    schema.drop_all(engine);  // IF EXISTS
}

TEST_CASE("column names, constraints, checks, defaults and AUTOINCREMENT reach the database", "[sqlite][schema]") {
    const auto path = test_support::scratch_path("options.db");
    auto engine = alchemy::create_engine("sqlite:///" + path);
    alchemy::metadata<Account>().create_all(engine);

    CHECK(raw_query(path, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('accounts')") ==
          Rows{{"id", "INTEGER", "1", "NULL", "1"},
               {"owner", "TEXT", "1", "NULL", "0"},
               {"email_address", "TEXT", "0", "NULL", "0"},
               {"created", "TEXT", "0", "'never'", "0"},
               {"balance", "REAL", "1", "NULL", "0"},
               {"avatar", "BLOB", "1", "NULL", "0"}});
    // AUTOINCREMENT keeps sqlite_sequence.
    CHECK(raw_query(path, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'") == Rows{{"1"}});
    auto indexes = raw_query(path, "SELECT name, \"unique\", origin FROM pragma_index_list('accounts')");
    std::sort(indexes.begin(), indexes.end());
    CHECK(indexes == Rows{{"ix_accounts_balance", "0", "c"}, {"sqlite_autoindex_accounts_1", "1", "u"}, {"ux_created", "1", "c"}});

    auto conn = engine.connect();
    conn.execute("INSERT INTO accounts (owner, balance, avatar) VALUES ('a', 1, x'')");
    CHECK(conn.execute("SELECT created FROM accounts").scalar<std::string>() == "never");
    REQUIRE_THROWS_AS(conn.execute("INSERT INTO accounts (owner, balance, avatar) VALUES ('b', -1, x'')"),
                      alchemy::IntegrityError);
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO accounts (owner, balance, avatar) VALUES ('b', -1, x'')"),
                        Catch::Contains("CHECK constraint failed: ck_balance"));
    // (owner, email) NULLs are distinct, but the unique index on created ('never' twice) is not.
    REQUIRE_THROWS_WITH(conn.execute("INSERT INTO accounts (owner, balance, avatar) VALUES ('a', 1, x'')"),
                        Catch::Contains("UNIQUE constraint failed: accounts.created"));
    conn.execute("INSERT INTO accounts (owner, email_address, balance, avatar, created) VALUES ('a', 'x', 1, x'', 'c')");
    REQUIRE_THROWS_WITH(
        conn.execute("INSERT INTO accounts (owner, email_address, balance, avatar, created) VALUES ('a', 'x', 1, x'', 'd')"),
        Catch::Contains("UNIQUE constraint failed: accounts.owner, accounts.email_address"));
}

TEST_CASE("a self-referential table with ON DELETE / ON UPDATE actions", "[sqlite][schema]") {
    const auto path = test_support::scratch_path("nodes.db");
    auto engine = alchemy::create_engine("sqlite:///" + path);
    alchemy::metadata<Node>().create_all(engine);
    CHECK(raw_query(path, "SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list('nodes')") ==
          Rows{{"nodes", "parent_id", "id", "CASCADE", "SET NULL"}});
    {
        auto tx = engine.begin();
        tx.execute("INSERT INTO nodes (id, name) VALUES (1, 'root')");
        tx.execute("INSERT INTO nodes (id, name, parent_id) VALUES (2, 'child', 1)");
        tx.execute("DELETE FROM nodes WHERE id = 1");
    }
    CHECK(raw_query(path, "SELECT id, parent_id FROM nodes") == Rows{{"2", "NULL"}});
}

TEST_CASE("the same table mapped by two structs is refused", "[schema]") {
    alchemy::schema s;
    s.add<plain::User>();
    REQUIRE_THROWS_AS(s.add<described::User>(), alchemy::ArgumentError);
    REQUIRE_THROWS_WITH(s.add<described::User>(), Catch::Contains("table 'users' is mapped twice"));
}

TEST_CASE("identifiers with quotes and SQL in them are quoted in DDL, INSERT, UPDATE, SELECT and DELETE",
          "[backend][schema][identifiers]") {
    test_backend::database db("hostile-identifiers.db");
    auto engine = db.engine();
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE victims (x INTEGER)");
        conn.commit();
    }
    alchemy::metadata<Hostile>().create_all(engine);
    {
        alchemy::session s(engine);
        auto a = s.add(Hostile{.value = "a"});
        auto b = s.add(Hostile{.value = "b"});
        s.commit();
        b->parent = a->id;
        s.commit();
        auto found = s.query<Hostile>().filter(alchemy::col(&Hostile::value) == "b").one();
        CHECK(found == b);
        CHECK(found->parent == std::optional<std::int64_t>(a->id));
        s.remove(b);
        s.commit();
    }
    CHECK(db.table_names() == std::vector<std::string>{"odd \"table\"; DROP TABLE victims; --", "victims"});
    CHECK(db.query("SELECT id, \"va\"\"lue'); DROP TABLE victims; --\", parent "
                          "FROM \"odd \"\"table\"\"; DROP TABLE victims; --\"") == Rows{{"1", "a", "NULL"}});
    alchemy::metadata<Hostile>().drop_all(engine);
    CHECK(db.table_names() == std::vector<std::string>{"victims"});
}
