// sqlite::options::vfs: file databases opened through a named VFS.
// SQLite-only ([sqlite]): the VFS is a SQLite option.
#include "support/fault_vfs.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

using Catch::Matchers::Contains;

TEST_CASE("engine: sqlite::options::vfs opens file databases through the named VFS", "[sqlite][engine][vfs]") {
    auto& vfs = test_support::fault_vfs::get();
    const auto path = test_support::scratch_path("through-vfs.db");
    auto engine = alchemy::create_engine("sqlite:///" + path, {.backend = alchemy::sqlite::options{.vfs = test_support::fault_vfs::name}});
    vfs.arm(test_support::io::all, 1'000'000, test_support::fault::io_error);  // counts, never fails
    {
        auto conn = engine.connect();
        conn.execute("CREATE TABLE t (x INTEGER)");
        conn.execute("INSERT INTO t VALUES (1)");
        conn.commit();
    }
    const auto seen = vfs.seen();
    vfs.disarm();
    CHECK(seen > 0);
    CHECK(test_support::raw_query(path, "SELECT x FROM t") == std::vector<std::vector<std::string>>{{"1"}});
}

TEST_CASE("engine: an unknown sqlite::options::vfs fails at connect() naming it", "[sqlite][engine][vfs][errors]") {
    const auto path = test_support::scratch_path("no-such-vfs.db");
    auto engine = alchemy::create_engine("sqlite:///" + path, {.backend = alchemy::sqlite::options{.vfs = "no-such-vfs"}});
    try {
        engine.connect();
        FAIL("connect() succeeded");
    } catch (const alchemy::OperationalError& e) {
        CHECK_THAT(std::string(e.what()), Contains("no such vfs: no-such-vfs"));
    }
}
