// The test backends themselves (support/backend.hpp): the read-back that
// every [backend] test trusts must see exactly what is committed in the
// database the test's engine uses, and nothing of another test's.
#include "support/backend.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

using test_backend::rows;

TEST_CASE("test backend: the one ALCHEMY_TEST_BACKEND names, with its engines' dialect", "[backend][test_backend]") {
    const char* env = std::getenv("ALCHEMY_TEST_BACKEND");
    CHECK(test_backend::name() == std::string(env && *env ? env : "sqlite-file"));
    test_backend::database db("backend-dialect.db");
    auto engine = db.engine();
    CHECK(engine.dialect().name() == test_backend::dialect());
}

TEST_CASE("test backend: a fresh database is empty, and the read-back sees what the engine committed, only that",
          "[backend][test_backend]") {
    test_backend::database db("backend-readback.db");
    auto engine = db.engine();
    CHECK(engine.open_connections() == 0);  // as a fresh engine: finding the database left no connection open
    {
        auto conn = engine.connect();
        // (A file database exists once its engine has connected.)
        CHECK(db.table_names().empty());
        conn.execute("CREATE TABLE t (x INTEGER, s TEXT)");
        conn.execute("INSERT INTO t (x, s) VALUES (?, ?), (?, ?)", 1, "one", 2, nullptr);
        conn.commit();
        conn.execute("INSERT INTO t (x, s) VALUES (?, ?)", 3, "rolled back");
        conn.rollback();
    }
    CHECK(db.table_names() == std::vector<std::string>{"t"});
    CHECK(db.query("SELECT x, s FROM t ORDER BY x") == rows{{"1", "one"}, {"2", "NULL"}});

    // A write behind the engine's back is what the engine reads next.
    db.exec("UPDATE t SET s = 'two' WHERE x = 2");
    auto conn = engine.connect();
    CHECK(conn.execute("SELECT s FROM t WHERE x = 2").scalar<std::string>() == "two");
    conn.close();

    // A bad read-back fails loudly instead of returning no rows.
    CHECK_THROWS_AS(db.query("SELECT nope FROM t"), std::runtime_error);
}

TEST_CASE("test backend: two databases of one test are two databases", "[backend][test_backend]") {
    test_backend::database a("backend-a.db");
    test_backend::database b("backend-b.db");
    auto ea = a.engine();
    auto eb = b.engine();
    ea.begin().execute("CREATE TABLE only_in_a (x INTEGER)");
    eb.connect().close();  // a file database exists once its engine has connected
    CHECK(a.table_names() == std::vector<std::string>{"only_in_a"});
    CHECK(b.table_names().empty());
}

TEST_CASE("test backend: the read-back outlives the engine, as a file outlives its program", "[backend][test_backend]") {
    test_backend::database db("backend-lifetime.db");
    {
        auto engine = db.engine();
        engine.begin().execute("CREATE TABLE t (x INTEGER)");
    }
    CHECK(db.query("SELECT count(*) FROM t") == rows{{"0"}});
}

// sqlite-memory only: its database lives inside one engine, so a second
// engine would silently be another, empty database; it is refused.
TEST_CASE("test backend: a second engine on one sqlite-memory database is refused", "[backend][test_backend]") {
    test_backend::database db("backend-second.db");
    auto first = db.engine();
    if (test_backend::current().engines_share_database()) {
        auto second = db.engine();
        first.begin().execute("CREATE TABLE t (x INTEGER)");
        auto conn = second.connect();
        CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);  // the same database
    } else {
        CHECK_THROWS_AS(db.engine(), std::logic_error);
    }
}
