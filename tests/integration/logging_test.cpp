// The engine's event stream: what the log sink receives (every statement with
// its parameters and every transaction-control statement, in order), how the
// sink is replaced or removed, and what `echo` prints on stdout. Every test
// runs on the current test backend (support/backend.hpp).
#include "support/backend.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

using alchemy::log_kind;
using alchemy::value;
using Catch::Contains;
using rows_t = std::vector<std::vector<std::string>>;

namespace {

// Redirects the process's stdout (file descriptor 1, so C stdio, iostreams
// and fmt::print alike) into a scratch file until finish().
class stdout_capture {
public:
    stdout_capture() : path_(test_support::scratch_path("stdout.txt")) {
        std::fflush(stdout);
        const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        REQUIRE(fd >= 0);
        saved_ = ::dup(STDOUT_FILENO);
        ::dup2(fd, STDOUT_FILENO);
        ::close(fd);
    }
    stdout_capture(const stdout_capture&) = delete;
    stdout_capture& operator=(const stdout_capture&) = delete;
    ~stdout_capture() { restore(); }

    std::string finish() {
        restore();
        std::ifstream in(path_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(stdout);
        ::dup2(saved_, STDOUT_FILENO);
        ::close(saved_);
        saved_ = -1;
    }

    std::string path_;
    int saved_ = -1;
};

std::vector<value> row(std::vector<value> values) { return values; }

}  // namespace

TEST_CASE("the sink receives every event in order with its kind, SQL and parameters", "[backend][logging]") {
    test_backend::database db("logging_events.db");
    test_support::log_capture log;
    {
        auto engine = db.engine({.sink = log.sink()});
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (x INTEGER, s TEXT)");
        conn.execute("INSERT INTO t (x, s) VALUES (?, ?)", 1, "one");
        conn.commit();
        {
            auto sp = conn.begin_nested();
            conn.execute("INSERT INTO t (x, s) VALUES (?, ?)", 2, std::string("two"));
            sp.commit();
        }
        {
            auto sp = conn.begin_nested();
            conn.execute("INSERT INTO t (x, s) VALUES (:x, :s)", alchemy::param("x", 3), alchemy::param("s", nullptr));
            sp.rollback();
        }
        conn.rollback();
    }
    const auto events = log.take();
    REQUIRE(events.size() == 13);

    std::vector<log_kind> kinds;
    for (const auto& e : events) kinds.push_back(e.kind);
    CHECK(kinds == std::vector<log_kind>{log_kind::begin, log_kind::statement, log_kind::statement, log_kind::commit,
                                         log_kind::begin, log_kind::savepoint, log_kind::statement, log_kind::release,
                                         log_kind::savepoint, log_kind::statement, log_kind::rollback_to,
                                         log_kind::release, log_kind::rollback});

    CHECK(events[0].sql == "BEGIN");
    CHECK(events[1].sql == "CREATE TABLE t (x INTEGER, s TEXT)");
    CHECK(events[1].parameters.empty());
    CHECK(events[2].sql == "INSERT INTO t (x, s) VALUES (?, ?)");
    CHECK(events[2].parameters ==
          std::vector<std::vector<value>>{row({value(std::int64_t{1}), value(std::string("one"))})});
    CHECK(events[3].sql == "COMMIT");
    CHECK(events[4].sql == "BEGIN");
    CHECK(events[6].parameters ==
          std::vector<std::vector<value>>{row({value(std::int64_t{2}), value(std::string("two"))})});
    CHECK(events[9].sql == "INSERT INTO t (x, s) VALUES (:x, :s)");
    CHECK(events[9].parameters == std::vector<std::vector<value>>{row({value(std::int64_t{3}), value()})});
    CHECK(events[12].sql == "ROLLBACK");

    // transaction control carries no parameters
    for (std::size_t i : {0, 3, 4, 5, 7, 8, 10, 11, 12}) CHECK(events[i].parameters.empty());

    // SAVEPOINT, RELEASE and ROLLBACK TO name the same savepoint
    REQUIRE(events[5].sql.starts_with("SAVEPOINT "));
    const std::string first_name = events[5].sql.substr(10);
    CHECK(events[7].sql == "RELEASE SAVEPOINT " + first_name);
    REQUIRE(events[8].sql.starts_with("SAVEPOINT "));
    const std::string second_name = events[8].sql.substr(10);
    CHECK(events[10].sql == "ROLLBACK TO SAVEPOINT " + second_name);
    CHECK(events[11].sql == "RELEASE SAVEPOINT " + second_name);

    // the log tells the truth: only the first transaction's row was committed
    CHECK(db.query("SELECT x, s FROM t") == rows_t{{"1", "one"}});
}

TEST_CASE("connection set-up is not logged and SQL is logged exactly as written", "[backend][logging]") {
    test_support::log_capture log;
    test_backend::database db("logging_setup.db");
    auto engine = db.engine({.sink = log.sink()});
    auto conn = engine.connect();
    CHECK(log.take().empty());  // no PRAGMA or probe reported

    const std::string sql = "select  ?  as  answer /* keep me */";
    CHECK(conn.execute(sql, "42").scalar<std::string>() == "42");
    CHECK(log.sql() == std::vector<std::string>{"BEGIN", sql});
}

TEST_CASE("a failing statement is logged before it fails", "[backend][logging]") {
    test_backend::database db;
    test_support::log_capture log;
    auto engine = db.engine({.sink = log.sink()});
    auto conn = engine.connect();
    conn.execute("CREATE TABLE t (name TEXT UNIQUE)");
    conn.execute("INSERT INTO t (name) VALUES (?)", "Alice");
    log.clear();

    REQUIRE_THROWS_AS(conn.execute("INSERT INTO t (name) VALUES (?)", "Alice"), alchemy::IntegrityError);
    const auto events = log.take();
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == log_kind::statement);
    CHECK(events[0].sql == "INSERT INTO t (name) VALUES (?)");
    CHECK(events[0].parameters == std::vector<std::vector<value>>{row({value(std::string("Alice"))})});
}

TEST_CASE("engine.begin() logs BEGIN ... COMMIT, or ROLLBACK when left by an exception", "[backend][logging]") {
    test_backend::database db;
    test_support::log_capture log;
    auto engine = db.engine({.sink = log.sink()});
    engine.connect().execute("CREATE TABLE t (x INTEGER)");  // rolled back on close
    CHECK(log.kinds() == std::vector<log_kind>{log_kind::begin, log_kind::statement, log_kind::rollback});
    log.clear();

    {
        auto tx = engine.begin();
        tx.execute("CREATE TABLE t (x INTEGER)");
    }
    CHECK(log.kinds() == std::vector<log_kind>{log_kind::begin, log_kind::statement, log_kind::commit});
    log.clear();

    try {
        auto tx = engine.begin();
        tx.execute("INSERT INTO t (x) VALUES (?)", 1);
        throw std::runtime_error("boom");
    } catch (const std::runtime_error&) {
    }
    CHECK(log.kinds() == std::vector<log_kind>{log_kind::begin, log_kind::statement, log_kind::rollback});
    CHECK(log.sql().back() == "ROLLBACK");
    log.clear();

    auto conn = engine.connect();
    CHECK(conn.execute("SELECT count(*) FROM t").scalar<int>() == 0);
}

TEST_CASE("events of every connection of the engine go to its one sink", "[backend][logging]") {
    test_backend::database db;
    test_support::log_capture log;
    auto engine = db.engine({.sink = log.sink()});
    auto a = engine.connect();
    auto b = engine.connect();
    a.execute("SELECT 1");
    b.execute("SELECT 2");
    a.commit();
    b.commit();
    CHECK(log.sql() == std::vector<std::string>{"BEGIN", "SELECT 1", "BEGIN", "SELECT 2", "COMMIT", "COMMIT"});
}

TEST_CASE("set_log_sink replaces and removes the sink", "[backend][logging]") {
    test_backend::database db;
    test_support::log_capture first, second;
    auto engine = db.engine({.sink = first.sink()});
    auto conn = engine.connect();
    conn.execute("SELECT 1");

    engine.set_log_sink(second.sink());
    conn.execute("SELECT 2");
    conn.commit();

    engine.set_log_sink({});
    conn.execute("SELECT 3");
    conn.commit();

    CHECK(first.sql() == std::vector<std::string>{"BEGIN", "SELECT 1"});
    CHECK(second.sql() == std::vector<std::string>{"SELECT 2", "COMMIT"});

    // an engine made without a sink starts reporting once one is set
    test_support::log_capture late;
    test_backend::database quiet_db("quiet.db");
    auto quiet = quiet_db.engine();
    auto c = quiet.connect();
    c.execute("SELECT 1");
    quiet.set_log_sink(late.sink());
    c.execute("SELECT ?", 5);
    c.commit();
    const auto events = late.take();
    REQUIRE(events.size() == 2);
    CHECK(events[0].sql == "SELECT ?");
    CHECK(events[0].parameters == std::vector<std::vector<value>>{row({value(std::int64_t{5})})});
    CHECK(events[1].kind == log_kind::commit);
}

TEST_CASE("echo prints every event to stdout", "[backend][logging]") {
    test_backend::database db;
    test_support::log_capture log;
    std::string out;
    {
        auto engine = db.engine({.echo = true, .sink = log.sink()});
        stdout_capture capture;
        {
            auto conn = engine.connect();
            CHECK(conn.execute("SELECT CAST(? AS INTEGER), ?", 1, "it's").one<int, std::string>() ==
                  std::tuple<int, std::string>{1, "it's"});
            conn.execute("SELECT 2\nFROM (SELECT 1) AS s");
            conn.commit();
        }
        out = capture.finish();
    }
    CHECK_THAT(out, Contains("[alchemy] SELECT"));
    CHECK_THAT(out, Contains("[parameters: ("));
    CHECK(out ==
          "[alchemy] BEGIN\n"
          "[alchemy] SELECT CAST(? AS INTEGER), ?\n"
          "[alchemy] [parameters: (1, 'it''s')]\n"
          "[alchemy] SELECT 2\n"
          "[alchemy] FROM (SELECT 1) AS s\n"
          "[alchemy] COMMIT\n");
    // echo does not replace the sink
    CHECK(log.sql() == std::vector<std::string>{"BEGIN", "SELECT CAST(? AS INTEGER), ?", "SELECT 2\nFROM (SELECT 1) AS s", "COMMIT"});
}

TEST_CASE("without echo nothing is printed", "[backend][logging]") {
    test_backend::database db;
    std::string out;
    {
        test_support::log_capture log;
        auto engine = db.engine({.sink = log.sink()});
        stdout_capture capture;
        auto conn = engine.connect();
        conn.execute("SELECT ?", 1);
        conn.commit();
        out = capture.finish();
        CHECK(log.take().size() == 3);
    }
    CHECK(out.empty());
}
