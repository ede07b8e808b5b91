// Process death: a child process commits large transactions through a
// session, one after another, on a WAL file; the parent SIGKILLs it at random
// moments, most of them inside commit(), and after each kill opens the file as
// the next program would. Every transaction writes its items and one marker
// row naming how many: after any kill the file must pass integrity_check and
// every transaction must be there whole or not at all.
// SQLite-only ([sqlite]): the recovery of a SQLite WAL file after SIGKILL.
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

namespace death {

struct Batch {
    std::int64_t id = 0;
    std::int64_t items = 0;
};
BOOST_DESCRIBE_STRUCT(Batch, (), (id, items))
constexpr auto alchemy_table(Batch*) { return alchemy::table("batches"); }

struct Item {
    std::int64_t id = 0;
    std::int64_t batch = 0;
    std::string payload{};
};
BOOST_DESCRIBE_STRUCT(Item, (), (id, batch, payload))
constexpr auto alchemy_table(Item*) {
    return alchemy::table("items", alchemy::foreign_key(&Item::batch, &Batch::id), alchemy::index(&Item::batch));
}

constexpr std::int64_t items_per_batch = 2000;

// The child: commits batches until killed. Writes 'c' to `progress` before
// each commit() and 'd' after it, so the parent knows where the kill landed.
[[noreturn]] void write_forever(const std::string& path, int progress) {
    try {
        auto engine = alchemy::create_engine("sqlite:///" + path);
        alchemy::session session(engine);
        auto next = session.query<Batch>().count() + 1;
        const std::string payload(100, 'x');
        for (;; ++next) {
            session.add(Batch{.id = next, .items = items_per_batch});
            for (std::int64_t i = 0; i < items_per_batch; ++i) session.add(Item{.batch = next, .payload = payload});
            if (::write(progress, "c", 1) != 1) _exit(3);
            session.commit();
            if (::write(progress, "d", 1) != 1) _exit(3);
            session.expunge_all();
        }
    } catch (...) {
        _exit(2);
    }
}

struct findings {
    std::string integrity;
    std::int64_t batches = 0;
    std::int64_t broken = 0;  // batches not whole, or items without their batch
};

// The file as the next program sees it (opening it recovers the WAL).
findings inspect(const std::string& path) {
    findings f;
    const auto integrity = test_support::raw_query(path, "PRAGMA integrity_check");
    f.integrity = integrity.empty() ? "no answer" : integrity.front().front();
    f.batches = std::stoll(test_support::raw_query(path, "SELECT count(*) FROM batches").front().front());
    f.broken = std::stoll(test_support::raw_query(path,
                                                  "SELECT (SELECT count(*) FROM batches b WHERE b.items <> "
                                                  "(SELECT count(*) FROM items i WHERE i.batch = b.id)) + "
                                                  "(SELECT count(*) FROM items i WHERE i.batch NOT IN (SELECT id FROM batches))")
                              .front()
                              .front());
    return f;
}

}  // namespace death

TEST_CASE("process death: SIGKILL inside large commits leaves every transaction whole or absent", "[sqlite][faults][kill]") {
    using namespace death;
    const auto path = test_support::scratch_path("killed.db");
    {
        auto engine = alchemy::create_engine("sqlite:///" + path);
        alchemy::metadata<Batch, Item>().create_all(engine);
    }
    const auto seed = std::random_device{}();
    INFO("random seed " << seed);
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> delay_ms(20, 400);

    int inside_commit = 0;
    int kills = 0;
    std::int64_t last_batches = 0;
    while (inside_commit < 20) {
        REQUIRE(kills < 100);  // the child must spend most of its time committing
        int pipe_fds[2];
        REQUIRE(::pipe(pipe_fds) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(pipe_fds[0]);
            write_forever(path, pipe_fds[1]);
        }
        ::close(pipe_fds[1]);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
        REQUIRE(::kill(child, SIGKILL) == 0);
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        REQUIRE(WIFSIGNALED(status));  // killed, not failed on its own
        ++kills;
        char last = 0;
        for (char c; ::read(pipe_fds[0], &c, 1) == 1;) last = c;
        ::close(pipe_fds[0]);
        if (last == 'c') ++inside_commit;

        const auto f = inspect(path);
        INFO("kill " << kills << (last == 'c' ? " inside commit()" : " between commits"));
        REQUIRE(f.integrity == "ok");
        REQUIRE(f.broken == 0);
        CHECK(f.batches >= last_batches);  // nothing committed is ever lost
        last_batches = f.batches;
    }
    WARN(kills << " kills, " << inside_commit << " inside commit(); " << last_batches << " batches of "
               << items_per_batch << " items committed whole");
    CHECK(last_batches > 0);
}
