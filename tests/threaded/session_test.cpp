// Sessions on several threads at once, one per thread, all through one engine
// on one database file (WAL): 8 threads each run 1,000 short transactions
// that move money between two accounts and record the transfer. A transaction
// that meets "database is locked" is rolled back and run again. Afterwards the
// file, read with raw sqlite3, must hold every transfer exactly once and
// balances that add up exactly.
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <sqlite3.h>

using test_support::raw_query;
using test_support::scratch_path;

namespace bank {

struct Account {
    std::int64_t id = 0;
    std::int64_t balance = 0;
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, balance))
constexpr auto alchemy_table(Account*) { return alchemy::table("accounts"); }

struct Transfer {
    std::int64_t id = 0;
    std::int64_t from_id = 0;
    std::int64_t to_id = 0;
    std::int64_t amount = 0;
    std::int64_t thread = 0;  // which thread's transaction ...
    std::int64_t seq = 0;     // ... and which of its transactions
};
BOOST_DESCRIBE_STRUCT(Transfer, (), (id, from_id, to_id, amount, thread, seq))
constexpr auto alchemy_table(Transfer*) {
    return alchemy::table("transfers",
                          alchemy::foreign_key(&Transfer::from_id, &Account::id),
                          alchemy::foreign_key(&Transfer::to_id, &Account::id),
                          alchemy::unique(&Transfer::thread, &Transfer::seq));
}

}  // namespace bank

namespace {

using bank::Account;
using bank::Transfer;
using rows = std::vector<std::vector<std::string>>;

constexpr int threads = 8;
constexpr int per_thread = 1000;
constexpr std::int64_t accounts = 10;
constexpr std::int64_t initial_balance = 10'000;
// A transaction still locked out after this many attempts counts as a failure.
constexpr int max_attempts = 1000;

// Transaction i of thread t moves `amount` from account `from` to account
// `to` (never the same): fixed in advance, so the end state is known exactly.
struct planned_transfer {
    std::int64_t from, to, amount;
};
planned_transfer plan(int t, int i) {
    const std::int64_t from = (t * 5 + i * 3) % accounts;
    const std::int64_t to = (from + 1 + (t + i) % (accounts - 1)) % accounts;
    return {from + 1, to + 1, 1 + (t * 31 + i * 17) % 50};
}

// SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT: a deferred
// transaction's snapshot went stale before it could write; SQLITE_BUSY_RECOVERY;
// SQLITE_BUSY_TIMEOUT) all read "database is locked".
bool database_is_locked(const alchemy::OperationalError& e) {
    return std::string_view(e.what()).find("database is locked") != std::string_view::npos;
}

struct run_result {
    std::vector<int> retries;          // per thread
    std::vector<int> locked_codes;     // the extended codes of the retried errors, one per retry
    std::vector<std::string> errors;   // anything else that went wrong
    int most_attempts = 0;             // of one transaction
    std::chrono::milliseconds elapsed{};
};

// Runs the 8 x 1,000 transfers on a fresh database file at `path`, with
// transactions begun as `begin` says, and returns what happened.
run_result run_transfers(const std::string& path, alchemy::sqlite::begin_mode begin) {
    auto engine = alchemy::create_engine(
        "sqlite:///" + path, {.pool_size = threads,
                              .max_overflow = 0,
                              .backend = alchemy::sqlite::options{.synchronous = alchemy::sqlite::synchronous_mode::normal,
                                                                  .begin = begin}});
    alchemy::metadata<Account, Transfer>().create_all(engine);
    {
        auto session = alchemy::session(engine);
        for (std::int64_t id = 1; id <= accounts; ++id) session.add(Account{.id = id, .balance = initial_balance});
        session.commit();
    }

    run_result result;
    result.retries.assign(threads, 0);
    std::mutex mutex;  // guards result.errors, locked_codes and most_attempts
    auto fail = [&](std::string message) {
        std::lock_guard lock(mutex);
        result.errors.push_back(std::move(message));
    };

    const auto Session = alchemy::sessionmaker(engine);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            // Before attempt n + 1, wait a random time of up to 50 us x 2^n
            // (at most 6.4 ms), as a program retrying on SQLITE_BUSY should: a
            // deferred transaction that retries at once tends to lose again.
            std::minstd_rand random(static_cast<unsigned>(t) + 1);
            auto back_off = [&](int attempt) {
                const int most = 50 << std::min(attempt, 7);
                std::this_thread::sleep_for(std::chrono::microseconds(
                    std::uniform_int_distribution<int>(0, most)(random)));
            };
            for (int i = 0; i < per_thread; ++i) {
                const auto p = plan(t, i);
                auto session = Session();
                for (int attempt = 1;; ++attempt) {
                    try {
                        auto from = session.get<Account>(p.from);
                        auto to = session.get<Account>(p.to);
                        if (!from || !to) {
                            fail(fmt::format("thread {} transfer {}: account {} or {} not found", t, i, p.from, p.to));
                            break;
                        }
                        from->balance -= p.amount;
                        to->balance += p.amount;
                        session.add(Transfer{.from_id = p.from, .to_id = p.to, .amount = p.amount, .thread = t, .seq = i});
                        session.commit();
                        std::lock_guard lock(mutex);
                        result.most_attempts = std::max(result.most_attempts, attempt);
                        break;
                    } catch (const alchemy::OperationalError& e) {
                        // Rolled back, the objects expire: the next attempt reads the rows again.
                        try {
                            session.rollback();
                        } catch (const std::exception& r) {
                            fail(fmt::format("thread {} transfer {}: rollback after \"{}\" failed: {}", t, i,
                                             e.what(), r.what()));
                            break;
                        }
                        if (!database_is_locked(e)) {
                            fail(fmt::format("thread {} transfer {}: {}", t, i, e.what()));
                            break;
                        }
                        if (attempt == max_attempts) {
                            fail(fmt::format("thread {} transfer {}: still locked after {} attempts: {}", t, i,
                                             attempt, e.what()));
                            break;
                        }
                        ++result.retries[static_cast<std::size_t>(t)];
                        {
                            std::lock_guard lock(mutex);
                            result.locked_codes.push_back(e.code());
                        }
                        back_off(attempt);
                    } catch (const std::exception& e) {
                        fail(fmt::format("thread {} transfer {}: {}", t, i, e.what()));
                        break;
                    }
                }
            }
        });
    }
    for (auto& w : workers) w.join();
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (engine.checked_out() != 0) result.errors.push_back(fmt::format("{} connections still checked out", engine.checked_out()));
    return result;
}

// The rows of `got` that differ from those of `want` at the same position
// (the first few, each followed by the one wanted), or that have no partner.
rows first_differences(const rows& got, const rows& want, std::size_t most = 5) {
    rows out;
    for (std::size_t i = 0; i < std::max(got.size(), want.size()) && out.size() < 2 * most; ++i) {
        if (i < got.size() && i < want.size() && got[i] == want[i]) continue;
        out.push_back(i < got.size() ? got[i] : rows::value_type{"(none)"});
        out.push_back(i < want.size() ? want[i] : rows::value_type{"(none)"});
    }
    return out;
}

// The database file, read with raw sqlite3, holds exactly the planned
// transfers and the balances they imply.
void check_books(const std::string& path) {
    CHECK(raw_query(path, "PRAGMA journal_mode") == rows{{"wal"}});

    // Every transaction committed once: 8,000 transfers, 1,000 per thread,
    // each the one planned.
    CHECK(raw_query(path, "SELECT count(*) FROM transfers") == rows{{std::to_string(threads * per_thread)}});
    rows planned;
    std::vector<std::int64_t> balance(accounts + 1, initial_balance);
    for (int t = 0; t < threads; ++t) {
        for (int i = 0; i < per_thread; ++i) {
            const auto p = plan(t, i);
            planned.push_back({std::to_string(t), std::to_string(i), std::to_string(p.from), std::to_string(p.to),
                               std::to_string(p.amount)});
            balance[static_cast<std::size_t>(p.from)] -= p.amount;
            balance[static_cast<std::size_t>(p.to)] += p.amount;
        }
    }
    const auto stored = raw_query(path, "SELECT thread, seq, from_id, to_id, amount FROM transfers ORDER BY thread, seq");
    CHECK(stored.size() == planned.size());
    CHECK(first_differences(stored, planned) == rows{});

    // Money moved, none made or lost.
    CHECK(raw_query(path, "SELECT sum(balance) FROM accounts") ==
          rows{{std::to_string(accounts * initial_balance)}});

    // Each balance is the initial one plus the transfers in, minus the
    // transfers out, as the transfers table records them ...
    CHECK(raw_query(path, fmt::format(
                              "SELECT a.id, a.balance, {0}"
                              " + coalesce((SELECT sum(amount) FROM transfers WHERE to_id = a.id), 0)"
                              " - coalesce((SELECT sum(amount) FROM transfers WHERE from_id = a.id), 0) AS expected"
                              " FROM accounts a WHERE a.balance <> expected ORDER BY a.id",
                              initial_balance)) == rows{});
    // ... and as the plan says (no update was lost to a stale read).
    rows expected_balances;
    for (std::int64_t id = 1; id <= accounts; ++id)
        expected_balances.push_back({std::to_string(id), std::to_string(balance[static_cast<std::size_t>(id)])});
    CHECK(raw_query(path, "SELECT id, balance FROM accounts ORDER BY id") == expected_balances);
}

void report(const char* mode, const run_result& r) {
    const int total = std::accumulate(r.retries.begin(), r.retries.end(), 0);
    std::map<int, int> by_code;  // SQLite extended result code -> retries
    for (int code : r.locked_codes) ++by_code[code];
    WARN(fmt::format("{}: {} transactions in {} ms; {} retries on \"database is locked\" (by SQLite result code "
                     "{}; {} is SQLITE_BUSY_SNAPSHOT), per thread {}; at most {} attempts for one transaction",
                     mode, threads * per_thread, r.elapsed.count(), total, by_code, SQLITE_BUSY_SNAPSHOT, r.retries,
                     r.most_attempts));
}

}  // namespace

TEST_CASE("sessions: 8 threads x 1,000 transfers with BEGIN IMMEDIATE keep every balance exact",
          "[session][stress]") {
    // BEGIN IMMEDIATE takes the write lock when the transaction starts, and a
    // transaction that finds it taken waits (busy_timeout, 5 s): retries are
    // rare to none.
    const auto path = scratch_path("bank-immediate.db");
    const auto result = run_transfers(path, alchemy::sqlite::begin_mode::immediate);
    report("BEGIN IMMEDIATE", result);
    for (std::size_t i = 0; i < result.errors.size() && i < 5; ++i) UNSCOPED_INFO(result.errors[i]);
    CHECK(result.errors.size() == 0);
    check_books(path);
}

TEST_CASE("sessions: 8 threads x 1,000 transfers with deferred BEGIN, retried when locked, keep every balance exact",
          "[session][stress]") {
    // The default. A transaction reads first (get) and writes at commit. Its
    // first write fails at once with "database is locked" if another
    // transaction holds the write lock (SQLITE_BUSY: SQLite does not wait
    // busy_timeout to turn a read transaction into a write one) or committed
    // since this one began reading (SQLITE_BUSY_SNAPSHOT), so many
    // transactions are run again.
    const auto path = scratch_path("bank-deferred.db");
    const auto result = run_transfers(path, alchemy::sqlite::begin_mode::deferred);
    report("deferred BEGIN", result);
    for (std::size_t i = 0; i < result.errors.size() && i < 5; ++i) UNSCOPED_INFO(result.errors[i]);
    CHECK(result.errors.size() == 0);
    check_books(path);
}

TEST_CASE("sessions: the objects one query loaded can be dropped on several threads at once after the session closed",
          "[session][stress]") {
    // Objects a query loads share blocks of memory that count their live
    // objects; once the session is closed, each object (a group of its own)
    // may go to another thread, and the counts must survive concurrent drops.
    auto engine = alchemy::create_engine("sqlite:///" + scratch_path("drop-threads.db"));
    alchemy::metadata<bank::Account, bank::Transfer>().create_all(engine);
    {
        auto session = alchemy::session(engine);
        for (std::int64_t i = 1; i <= 4000; ++i) session.add(bank::Account{.balance = i});
        session.commit();
    }
    constexpr std::size_t dropping_threads = 4;
    for (int round = 0; round < 5; ++round) {
        std::vector<std::vector<alchemy::ptr<bank::Account>>> shares(dropping_threads);
        {
            auto session = alchemy::session(engine);
            auto all = session.query<bank::Account>().all();
            REQUIRE(all.size() == 4000);
            for (std::size_t i = 0; i < all.size(); ++i) shares[i % dropping_threads].push_back(std::move(all[i]));
        }
        std::vector<std::thread> workers;
        std::vector<std::int64_t> sums(dropping_threads);
        for (std::size_t t = 0; t < dropping_threads; ++t)
            workers.emplace_back([&, t] {
                for (const auto& a : std::as_const(shares[t])) sums[t] += a->balance;
                shares[t].clear();
            });
        for (auto& w : workers) w.join();
        CHECK(std::accumulate(sums.begin(), sums.end(), std::int64_t{0}) == 4000 * 4001 / 2);
    }
}
