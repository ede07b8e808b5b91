// The engine and its connections on real SQLite databases: file creation
// through relative and absolute URLs, the per-connection settings
// (foreign_keys, busy timeout, WAL, synchronous), one shared in-memory
// database per engine, and the errors of databases that cannot be opened.
// A lock released by another thread while a write waits is in
// threaded/engine_test.cpp.
// SQLite-only ([sqlite]), every test: sqlite:// URLs and files, PRAGMAs,
// SQLite's locking and its in-memory databases are what is tested here.
#include "support/support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>

#include <sqlite3.h>

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using test_support::raw_connection;
using test_support::raw_query;
using test_support::scratch_path;

namespace {

std::string file_url(const std::string& path) { return "sqlite:///" + path; }

// Makes `dir` the working directory until the scope ends (test cases run one
// at a time in a process).
class directory_change {
public:
    explicit directory_change(const fs::path& dir) : saved_(fs::current_path()) { fs::current_path(dir); }
    directory_change(const directory_change&) = delete;
    directory_change& operator=(const directory_change&) = delete;
    ~directory_change() {
        std::error_code ignored;
        fs::current_path(saved_, ignored);
    }

private:
    fs::path saved_;
};

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

// ---- file databases -------------------------------------------------------------

TEST_CASE("engine: an absolute URL (four slashes) creates the database file", "[sqlite][engine]") {
    const auto path = scratch_path("absolute.db");
    REQUIRE(fs::path(path).is_absolute());
    REQUIRE_FALSE(fs::exists(path));

    auto engine = alchemy::create_engine(file_url(path));
    CHECK(engine.url().database == path);
    CHECK_FALSE(fs::exists(path));  // connections are opened lazily
    {
        auto conn = engine.connect();
        CHECK(fs::exists(path));
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.execute("INSERT INTO t (x) VALUES (?)", 42);
        conn.commit();
    }
    CHECK(fs::is_regular_file(path));
    CHECK(raw_query(path, "SELECT x FROM t") == std::vector<std::vector<std::string>>{{"42"}});
}

TEST_CASE("engine: a relative URL (three slashes) resolves against the working directory", "[sqlite][engine]") {
    const auto path = scratch_path("relative.db");
    const auto relative = fs::relative(path);
    REQUIRE(relative.is_relative());
    REQUIRE_FALSE(fs::exists(path));

    auto engine = alchemy::create_engine(file_url(relative.string()));
    CHECK(engine.url().database == relative.string());
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (x TEXT)");
        conn.execute("INSERT INTO t (x) VALUES (?)", "hello");
        conn.commit();
    }
    // The file is where the absolute path says, not somewhere else.
    CHECK(fs::is_regular_file(path));
    CHECK(raw_query(path, "SELECT x FROM t") == std::vector<std::vector<std::string>>{{"hello"}});
}

// SQLite reads a file name that starts with "file:" as a URI (Debian's
// libsqlite3 has SQLITE_USE_URI=1), so parse_url refuses such a path; "file:"
// further on is an ordinary part of a file name (url.hpp).
TEST_CASE("engine: sqlite:///file::memory: is refused before anything is opened", "[sqlite][engine][url]") {
    const auto dir = fs::path(scratch_path("uri-refused"));
    fs::create_directory(dir);
    const directory_change cd(dir);
    for (const char* url : {"sqlite:///file::memory:", "sqlite:///file:x.db"}) {
        INFO(url);
        REQUIRE_THROWS_AS(alchemy::create_engine(url), alchemy::ArgumentError);
    }
    CHECK(fs::is_empty(dir));  // neither "file::memory:" nor "x.db" was created
}

TEST_CASE("engine: 'file:' later in the path is a file name, one database for every pooled connection",
          "[sqlite][engine][url]") {
    const auto dir = fs::path(scratch_path("data"));
    fs::create_directory(dir);
    const auto path = dir / "file:x.db";
    const auto relative = fs::relative(path);
    REQUIRE_FALSE(relative.string().starts_with("file:"));
    REQUIRE(relative.string().find("/file:x.db") != std::string::npos);

    auto engine = alchemy::create_engine(file_url(relative.string()));
    CHECK(engine.url().database == relative.string());
    auto first = engine.connect();
    auto second = engine.connect();  // checked out at the same time
    REQUIRE(alchemy::sqlite::native_handle(first) != alchemy::sqlite::native_handle(second));
    first.execute("CREATE TABLE t (x INTEGER)");
    first.execute("INSERT INTO t (x) VALUES (?)", 7);
    first.commit();
    CHECK(second.execute("SELECT x FROM t").scalar<int>() == 7);
    second.rollback();

    // The file is named "file:x.db"; read as a URI it would have been "x.db".
    CHECK(fs::is_regular_file(path));
    CHECK_FALSE(fs::exists(dir / "x.db"));
    CHECK(raw_query(path.string(), "SELECT x FROM t") == std::vector<std::vector<std::string>>{{"7"}});
}

TEST_CASE("engine: sqlite:///./file:name.db is the file 'file:name.db' in the working directory",
          "[sqlite][engine][url]") {
    const auto dir = fs::path(scratch_path("dot-slash"));
    fs::create_directory(dir);
    const directory_change cd(dir);

    auto engine = alchemy::create_engine("sqlite:///./file:name.db");
    auto first = engine.connect();
    auto second = engine.connect();
    first.execute("CREATE TABLE t (x TEXT)");
    first.execute("INSERT INTO t (x) VALUES (?)", "shared");
    first.commit();
    CHECK(second.execute("SELECT x FROM t").scalar<std::string>() == "shared");
    second.rollback();

    CHECK(fs::is_regular_file(dir / "file:name.db"));
    CHECK_FALSE(fs::exists(dir / "name.db"));
    CHECK(raw_query((dir / "file:name.db").string(), "SELECT x FROM t") ==
          std::vector<std::vector<std::string>>{{"shared"}});
}

// ---- per-connection settings -----------------------------------------------------

TEST_CASE("engine: every connection has foreign_keys=ON", "[sqlite][engine]") {
    const auto path = scratch_path("fk.db");
    auto engine = alchemy::create_engine(file_url(path));
    auto a = engine.connect();
    auto b = engine.connect();  // a second, distinct connection
    REQUIRE(alchemy::sqlite::native_handle(a) != alchemy::sqlite::native_handle(b));
    CHECK(a.execute("PRAGMA foreign_keys").scalar<int>() == 1);
    CHECK(b.execute("PRAGMA foreign_keys").scalar<int>() == 1);

    // ... and it is enforced.
    a.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
    a.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))");
    a.commit();
    REQUIRE_THROWS_AS(b.execute("INSERT INTO child (parent_id) VALUES (?)", 99), alchemy::IntegrityError);
    REQUIRE_THROWS_WITH(b.execute("INSERT INTO child (parent_id) VALUES (?)", 99),
                        Catch::Contains("FOREIGN KEY constraint failed"));
    b.rollback();
    CHECK(raw_query(path, "SELECT count(*) FROM child") == std::vector<std::vector<std::string>>{{"0"}});
}

TEST_CASE("engine: foreign_keys = false leaves them off", "[sqlite][engine]") {
    auto engine = alchemy::create_engine("sqlite://", {.backend = alchemy::sqlite::options{.foreign_keys = false}});
    auto conn = engine.connect();
    CHECK(conn.execute("PRAGMA foreign_keys").scalar<int>() == 0);
}

TEST_CASE("engine: a write waits busy_timeout for another connection's lock, then fails", "[sqlite][engine]") {
    const auto path = scratch_path("busy.db");
    auto engine = alchemy::create_engine(file_url(path), {.backend = alchemy::sqlite::options{.busy_timeout = 50ms}});
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER)");
    conn.commit();

    raw_connection other(path);
    other.exec("BEGIN IMMEDIATE");  // holds the write lock

    const auto start = std::chrono::steady_clock::now();
    std::string message;
    int code = 0;
    try {
        conn.execute("INSERT INTO t (x) VALUES (?)", 1);
        FAIL("the INSERT should have failed: another connection holds the write lock");
    } catch (const alchemy::OperationalError& e) {
        message = e.what();
        code = e.code();
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK_THAT(message, Catch::Contains("database is locked"));
    CHECK_THAT(message, Catch::Contains("INSERT INTO t (x) VALUES (?)"));
    CHECK((code & 0xff) == SQLITE_BUSY);
    // Waited about busy_timeout: not instantly, and not the 5 s default.
    CHECK(elapsed >= 40ms);
    CHECK(elapsed < 2s);

    // Once the lock is gone the same connection writes again.
    other.exec("ROLLBACK");
    conn.rollback();
    conn.execute("INSERT INTO t (x) VALUES (?)", 2);
    conn.commit();
    CHECK(raw_query(path, "SELECT x FROM t") == std::vector<std::vector<std::string>>{{"2"}});
}

TEST_CASE("engine: file databases use WAL unless wal = false", "[sqlite][engine]") {
    SECTION("default: WAL") {
        const auto path = scratch_path("wal.db");
        auto engine = alchemy::create_engine(file_url(path));
        auto conn = engine.connect();
        CHECK(conn.execute("PRAGMA journal_mode").scalar<std::string>() == "wal");
        conn.rollback();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.commit();
        CHECK(fs::exists(path + "-wal"));
        // WAL is recorded in the file itself.
        CHECK(raw_query(path, "PRAGMA journal_mode") == std::vector<std::vector<std::string>>{{"wal"}});
    }
    SECTION("wal = false: SQLite's rollback journal") {
        const auto path = scratch_path("nowal.db");
        auto engine = alchemy::create_engine(file_url(path), {.backend = alchemy::sqlite::options{.wal = false}});
        auto conn = engine.connect();
        CHECK(conn.execute("PRAGMA journal_mode").scalar<std::string>() == "delete");
        conn.rollback();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.commit();
        CHECK_FALSE(fs::exists(path + "-wal"));
        CHECK(raw_query(path, "PRAGMA journal_mode") == std::vector<std::vector<std::string>>{{"delete"}});
    }
    SECTION("in-memory databases have no WAL") {
        auto engine = alchemy::create_engine("sqlite://");
        auto conn = engine.connect();
        CHECK(conn.execute("PRAGMA journal_mode").scalar<std::string>() != "wal");
    }
}

TEST_CASE("engine: the synchronous option sets PRAGMA synchronous on every connection", "[sqlite][engine]") {
    using alchemy::sqlite::synchronous_mode;
    const auto [setting, expected] = GENERATE(table<synchronous_mode, int>({
        {synchronous_mode::off, 0},
        {synchronous_mode::normal, 1},
        {synchronous_mode::full, 2},
        {synchronous_mode::extra, 3},
    }));
    INFO("expected PRAGMA synchronous = " << expected);
    const auto path = scratch_path("sync.db");
    auto engine = alchemy::create_engine(file_url(path), {.backend = alchemy::sqlite::options{.synchronous = setting}});
    auto a = engine.connect();
    auto b = engine.connect();
    CHECK(a.execute("PRAGMA synchronous").scalar<int>() == expected);
    CHECK(b.execute("PRAGMA synchronous").scalar<int>() == expected);
}

TEST_CASE("engine: synchronous = unchanged keeps SQLite's default", "[sqlite][engine]") {
    const auto path = scratch_path("sync-default.db");
    auto engine = alchemy::create_engine(file_url(path));
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (x INTEGER)");
    conn.commit();
    // A fresh raw connection reports the library default (it is not stored in the file).
    const auto raw_default = raw_query(path, "PRAGMA synchronous").at(0).at(0);
    CHECK(std::to_string(conn.execute("PRAGMA synchronous").scalar<int>()) == raw_default);
}

// ---- in-memory databases ----------------------------------------------------------

TEST_CASE("engine: an in-memory engine is one database for every connection", "[sqlite][engine][memory]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto first = engine.connect();
    auto second = engine.connect();  // checked out at the same time
    REQUIRE(alchemy::sqlite::native_handle(first) != alchemy::sqlite::native_handle(second));

    first.execute("CREATE TABLE t (x INTEGER)");
    first.execute("INSERT INTO t (x) VALUES (?)", 7);
    first.commit();

    CHECK(second.execute("SELECT x FROM t").scalar<int>() == 7);
    second.rollback();
    {
        auto tx = engine.begin();
        CHECK(tx.execute("SELECT x FROM t").scalar<int>() == 7);
    }
}

// SQLite's memdb VFS (behind alchemy's shared in-memory database) locks the
// whole database for a writer: while one connection's write transaction is
// open, other connections' reads wait busy_timeout and then fail with
// "database is locked" (README, "In-memory databases"). File databases in WAL
// mode let readers go on reading the last committed state.
TEST_CASE("engine: in an in-memory database an open write transaction holds off other readers",
          "[sqlite][engine][memory]") {
    auto engine = alchemy::create_engine("sqlite://", {.backend = alchemy::sqlite::options{.busy_timeout = 50ms}});
    auto writer = engine.connect();
    auto reader = engine.connect();
    writer.execute("CREATE TABLE t (x INTEGER)");
    writer.commit();
    CHECK(reader.execute("SELECT count(*) FROM t").scalar<int>() == 0);
    reader.rollback();

    writer.execute("INSERT INTO t (x) VALUES (?)", 7);  // write transaction left open
    const auto start = std::chrono::steady_clock::now();
    REQUIRE_THROWS_AS(reader.execute("SELECT count(*) FROM t"), alchemy::OperationalError);
    CHECK(std::chrono::steady_clock::now() - start >= 40ms);
    reader.rollback();
    REQUIRE_THROWS_WITH(reader.execute("SELECT count(*) FROM t"), Catch::Contains("database is locked"));
    reader.rollback();

    writer.commit();
    CHECK(reader.execute("SELECT count(*) FROM t").scalar<int>() == 1);
}

TEST_CASE("engine: an in-memory database lives as long as the engine", "[sqlite][engine][memory]") {
    auto engine = alchemy::create_engine("sqlite:///:memory:");
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.execute("INSERT INTO t (x) VALUES (1)");
        conn.commit();
    }
    engine.dispose();  // every pooled connection closed
    CHECK(engine.open_connections() == 0);
    auto conn = engine.connect();
    CHECK(conn.execute("SELECT x FROM t").scalar<int>() == 1);
}

TEST_CASE("engine: two in-memory engines do not share a database", "[sqlite][engine][memory]") {
    auto a = alchemy::create_engine("sqlite://");
    auto b = alchemy::create_engine("sqlite:///:memory:");
    {
        auto conn = a.connect();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.execute("INSERT INTO t (x) VALUES (1)");
        conn.commit();
    }
    auto conn = b.connect();
    CHECK(conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").scalar<int>() == 0);
    conn.execute("CREATE TABLE t (x INTEGER)");  // no clash with a's table
    conn.commit();
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
    conn.rollback();
    CHECK(a.connect().execute("SELECT count(*) FROM t").scalar<int>() == 1);
}

TEST_CASE("engine: a new in-memory engine starts empty after another was destroyed", "[sqlite][engine][memory]") {
    {
        auto old = alchemy::create_engine("sqlite://");
        auto conn = old.connect();
        conn.execute("CREATE TABLE leftover (x INTEGER)");
        conn.commit();
    }
    auto engine = alchemy::create_engine("sqlite://");
    CHECK(engine.connect().execute("SELECT count(*) FROM sqlite_master").scalar<int>() == 0);
}

TEST_CASE("engine: copies of an engine share one pool and one in-memory database", "[sqlite][engine][memory]") {
    auto engine = alchemy::create_engine("sqlite://");
    auto copy = engine;
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.commit();
        CHECK(copy.checked_out() == 1);
    }
    CHECK(copy.connect().execute("SELECT count(*) FROM t").scalar<int>() == 0);
}

// ---- databases that cannot be opened -----------------------------------------------

TEST_CASE("engine: a missing directory is an OperationalError naming the path at connect()", "[sqlite][engine][errors]") {
    SECTION("relative URL") {
        auto engine = alchemy::create_engine("sqlite:///no/such/dir/x.db");  // lazy: no error yet
        REQUIRE_THROWS_AS(engine.connect(), alchemy::OperationalError);
        REQUIRE_THROWS_WITH(engine.connect(), Catch::Contains("no/such/dir/x.db") &&
                                                  Catch::Contains("unable to open database file"));
        CHECK_FALSE(fs::exists("no"));
    }
    SECTION("absolute URL") {
        const auto dir = fs::path(scratch_path("missing-dir"));
        const auto path = (dir / "x.db").string();
        auto engine = alchemy::create_engine(file_url(path));
        REQUIRE_THROWS_AS(engine.connect(), alchemy::OperationalError);
        REQUIRE_THROWS_WITH(engine.connect(), Catch::Contains(path));
        CHECK_FALSE(fs::exists(dir));
    }
}

TEST_CASE("engine: a failed connect does not use up the pool", "[sqlite][engine][errors]") {
    auto engine = alchemy::create_engine("sqlite:///no/such/dir/x.db",
                                         {.pool_size = 1, .max_overflow = 0, .pool_timeout = 10ms});
    for (int i = 0; i < 3; ++i) {
        INFO("attempt " << i);
        // Each attempt reports the real problem, never a pool TimeoutError.
        REQUIRE_THROWS_AS(engine.connect(), alchemy::OperationalError);
    }
    CHECK(engine.checked_out() == 0);
    CHECK(engine.open_connections() == 0);
}

TEST_CASE("engine: a file that is not a database is a DatabaseError naming the file at connect()",
          "[sqlite][engine][errors]") {
    const auto path = scratch_path("garbage.db");
    std::string garbage;
    while (garbage.size() < 4096) garbage += "this is not an SQLite database, just some text. ";
    {
        std::ofstream out(path, std::ios::binary);
        out << garbage;
    }
    auto engine = alchemy::create_engine(file_url(path));
    REQUIRE_THROWS_AS(engine.connect(), alchemy::DatabaseError);
    REQUIRE_THROWS_WITH(engine.connect(), Catch::Contains(path) && Catch::Contains("file is not a database"));
    try {
        engine.connect();
    } catch (const alchemy::DatabaseError& e) {
        CHECK((e.code() & 0xff) == SQLITE_NOTADB);
    }
    // The file is left exactly as it was.
    CHECK(read_bytes(path) == garbage);
    CHECK(engine.open_connections() == 0);
}

TEST_CASE("engine: a path that is a directory is an OperationalError", "[sqlite][engine][errors]") {
    const auto dir = scratch_path("a-directory.db");
    fs::create_directory(dir);
    auto engine = alchemy::create_engine(file_url(dir));
    REQUIRE_THROWS_AS(engine.connect(), alchemy::OperationalError);
    REQUIRE_THROWS_WITH(engine.connect(), Catch::Contains(dir));
    CHECK(fs::is_directory(dir));
    fs::remove(dir);
}
