// tests/bench/bench_main.cpp — the benchmark harness (issue #7).
//
//   alchemy_bench [--n N] [--graph-users U] [--rounds R] [--mode file|memory|both|postgresql] [--url URL]
//                 [--dir DIR] [--clock wall|cpu] [--verbose] [--no-rss] [--no-sql]
//
// Runs W1..W5 and W6a..W6d once through alchemy (bench_alchemy.cpp) and once
// through raw sqlite3 (bench_raw.cpp) per round, alternating which side goes
// first, each side on its own fresh database per round (both databases go
// through the same sequence W1 -> W5, so each workload starts from identical
// contents), then on a second fresh database per side and round for W6a ->
// W6d (W6a writes the users/posts graph, W6b..W6d only read it), and on a
// third for W7 (the bulk insert of plain rows).
// Prints per mode the median time of each side and the ratio, then the peak
// RSS of W2 for each side, measured in a fresh child process per side. Fails
// (exit 1) if the two sides' check values or stored data ever differ.
//
// --mode postgresql (a build with ALCHEMY_BENCH_POSTGRESQL) runs the same on
// the PostgreSQL server of --url (or $ALCHEMY_BENCH_POSTGRES_URL) against raw
// libpq (bench_raw_postgresql.cpp): a "database" is then a schema of its own
// per side and round, created empty, named in the URL's search_path, and
// dropped at the end.
#include "bench.hpp"

#include <malloc.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace bench;

constexpr int workloads = 10;
constexpr int w6a = 5, w6b = 6, w6c = 7, w6d = 8;  // W6a..W6d: the graph database
constexpr int w7 = 9;                               // W7: a third fresh database
constexpr int alchemy = 0, raw = 1;
constexpr const char* short_names[workloads] = {"W1", "W2", "W3", "W4", "W5", "W6a", "W6b", "W6c", "W6d", "W7"};

enum class mode_kind { file, memory, postgresql };
const char* mode_name(mode_kind m) {
    switch (m) {
        case mode_kind::file: return "file";
        case mode_kind::memory: return "memory";
        case mode_kind::postgresql: return "postgresql";
    }
    return "?";
}

struct options {
    std::int64_t n = 100000;
    std::int64_t graph_users = bench::graph_users;  // W6
    int rounds = 5;
    bool file = true;
    bool memory = true;
    bool postgresql = false;  // --mode postgresql: on the server of `url`
    std::string url;
    std::string dir = ".";
    bool verbose = false;
    bool cpu_clock = false;
    bool rss = true;       // --no-rss: skip the W2 RSS children (e.g. under valgrind)
    bool show_sql = true;  // --no-sql: skip the traced run
};

// Milliseconds on the wall clock, or of this process's CPU time (less
// sensitive to other processes on a shared machine; blind to I/O waits).
double now_ms(bool cpu) {
    if (cpu) {
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    }
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c + " (1/5/15 min)";
}

// The parameters every workload takes, the same for both sides.
struct plan {
    std::int64_t n = 0;
    std::int64_t k = 0;                     // rows touched by W3, W4, W5
    std::vector<std::int64_t> lookup_ids;   // W3: distinct, random order
    std::int64_t lo = 0, hi = 0;            // W4: ids in [lo, hi)
    std::vector<std::int64_t> delete_ids;   // W5: distinct, random order, none of W3's
    std::int64_t graph_users = 0;           // W6: users, each with posts_per_user posts
    std::int64_t posts_per_user = 0;
};

plan make_plan(std::int64_t n, std::int64_t graph_users) {
    plan p;
    p.n = n;
    p.k = std::min<std::int64_t>(10000, n / 10);
    std::vector<std::int64_t> ids(static_cast<std::size_t>(n));
    std::iota(ids.begin(), ids.end(), 1);
    std::mt19937_64 rng(7);
    std::shuffle(ids.begin(), ids.end(), rng);
    p.lookup_ids.assign(ids.begin(), ids.begin() + p.k);
    p.delete_ids.assign(ids.begin() + p.k, ids.begin() + 2 * p.k);
    p.lo = n / 3 + 1;
    p.hi = p.lo + p.k;
    p.graph_users = graph_users;  // W6 does not depend on N
    p.posts_per_user = bench::posts_per_user;
    return p;
}

std::string label(int w, const plan& p) {
    const auto n = std::to_string(p.n), k = std::to_string(p.k);
    switch (w) {
        case 0: return "W1 insert " + n + " users, 1 txn, ids back";
        case 1: return "W2 load all " + n + " users";
        case 2: return "W3 " + k + " gets by key, no txn";
        case 3: return "W4 load " + k + " by range, age+1, commit";
        case 4: return "W5 delete " + k + " by key, 1 txn";
        case 5:
            return "W6a insert " + std::to_string(p.graph_users) + " users x " + std::to_string(p.posts_per_user) +
                   " posts, 1 txn";
        case 6: return "W6b N+1 loop: users, then posts lazily";
        case 7: return "W6c users with posts, joinedload";
        case 8: return "W6d users with posts, selectinload";
        case 9: return "W7 bulk insert " + n + " rows, no objects";
    }
    return "?";
}

// The objects a workload builds, loads or touches: what its allocations are counted per.
std::int64_t objects_of(int w, const plan& p) {
    switch (w) {
        case 0:
        case 1: return p.n;
        case 2:
        case 3:
        case 4: return p.k;
        case 9: return p.n;
    }
    return p.graph_users * (1 + p.posts_per_user);  // W6: users and their posts
}

std::uint64_t run_workload(side& s, int w, const plan& p) {
    switch (w) {
        case 0: return s.w1_insert(p.n);
        case 1: return s.w2_load_all(p.n, nullptr);
        case 2: return s.w3_get(p.lookup_ids);
        case 3: return s.w4_update_range(p.lo, p.hi);
        case 4: return s.w5_delete(p.delete_ids);
        case 5: return s.w6a_insert_graph(p.graph_users, p.posts_per_user);
        case 6: return s.w6b_lazy_loop(p.graph_users);
        case 7: return s.w6c_joined(p.graph_users);
        case 8: return s.w6d_selectin(p.graph_users);
        case 9: return s.w7_bulk_insert(p.n);
    }
    throw std::logic_error("no such workload");
}

std::vector<std::string> failures;

void expect_equal(const std::string& what, std::uint64_t a, std::uint64_t r) {
    if (a == r) return;
    char buf[128];
    std::snprintf(buf, sizeof buf, ": alchemy %" PRIu64 " != raw %" PRIu64, a, r);
    failures.push_back(what + buf);
    std::fprintf(stderr, "CHECK FAILED: %s%s\n", what.c_str(), buf);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// ---- where the sides' databases are ----------------------------------------------------

// The side that reads the database at `target` (see side::open) without alchemy.
std::unique_ptr<side> make_raw_side_for(const std::string& target) {
#ifdef ALCHEMY_BENCH_POSTGRESQL
    if (is_postgresql_url(target)) return make_raw_postgresql_side();
#endif
    if (is_postgresql_url(target)) throw std::runtime_error("this alchemy_bench was built without PostgreSQL");
    return make_raw_side();
}

// PostgreSQL: the schemas this process uses on the server, each created empty
// by fresh() (dropping what an earlier round left) and all dropped at the
// end, also when a run throws. The URL of a schema sets its search_path.
class pg_schemas {
public:
    explicit pg_schemas(std::string server_url) : server_url_(std::move(server_url)) {}
    pg_schemas(const pg_schemas&) = delete;
    pg_schemas& operator=(const pg_schemas&) = delete;
    ~pg_schemas() {
#ifdef ALCHEMY_BENCH_POSTGRESQL
        for (const auto& schema : used_) pg_drop_schema(server_url_, schema);
#endif
    }

    std::string url(const std::string& what) const {
#ifdef ALCHEMY_BENCH_POSTGRESQL
        return pg_schema_url(server_url_, name(what));
#else
        (void)what;
        throw std::runtime_error("this alchemy_bench was built without PostgreSQL");
#endif
    }
    // Creates the schema of `what` empty; returns its URL.
    std::string fresh(const std::string& what) {
#ifdef ALCHEMY_BENCH_POSTGRESQL
        const auto schema = name(what);
        pg_create_schema(server_url_, schema);
        if (std::find(used_.begin(), used_.end(), schema) == used_.end()) used_.push_back(schema);
#endif
        return url(what);
    }

private:
    static std::string name(const std::string& what) { return "alchemy_bench_" + std::to_string(getpid()) + "_" + what; }
    std::string server_url_;
    std::vector<std::string> used_;
};

// ---- the statements alchemy sends (an untimed, traced run) ------------------------------

std::string shorten(const std::string& sql) {
    if (sql.size() <= 100) return sql;
    return sql.substr(0, 80) + "... (" + std::to_string(sql.size()) + " chars)";
}

// PostgreSQL's $1, $2 ... as ?, so that one set of checks reads both dialects' SQL.
std::string question_marks(const std::string& sql) {
    std::string out;
    out.reserve(sql.size());
    for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql[i] == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            out += '?';
            while (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') ++i;
        } else {
            out += sql[i];
        }
    }
    return out;
}

// On an in-memory SQLite database, or on PostgreSQL when that is the mode.
void show_alchemy_sql(std::int64_t graph_users, pg_schemas* postgresql) {
    sql_trace trace;
    auto s = make_alchemy_side(&trace);
    s->open(postgresql ? postgresql->fresh("trace") : "", true);
    const plan p = make_plan(1000, graph_users);
    std::printf("alchemy's statements per workload (untimed traced run%s, N=%" PRId64 ", K=%" PRId64
                ", W6: %" PRId64 " users x %" PRId64 " posts):\n",
                postgresql ? " on PostgreSQL" : "", p.n, p.k, p.graph_users, p.posts_per_user);
    for (int w = 0; w < workloads; ++w) {
        if (w == w6a) s->open(postgresql ? postgresql->fresh("trace_graph") : "", true);  // W6 on its own fresh database
        if (w == w7) s->open(postgresql ? postgresql->fresh("trace_bulk") : "", true);    // and W7
        trace.entries.clear();
        run_workload(*s, w, p);
        // Consecutive executions of one statement are shown once, with a count.
        std::vector<sql_trace::entry> grouped;
        for (const auto& e : trace.entries) {
            if (!grouped.empty() && grouped.back().sql == e.sql) grouped.back().executions += e.executions;
            else grouped.push_back(e);
        }
        std::printf("  %-4s", short_names[w]);
        for (std::size_t i = 0; i < grouped.size(); ++i)
            std::printf("%s%zux %s\n", i ? "        " : "  ", grouped[i].executions, shorten(grouped[i].sql).c_str());
        if (w == 3) {  // W4 must write only `age`, once per row
            std::size_t updates = 0, other = 0;
            for (const auto& e : trace.entries) {
                if (question_marks(e.sql) == R"(UPDATE "users" SET "age" = ? WHERE "id" = ?)") updates += e.executions;
                else if (e.sql.starts_with("UPDATE")) ++other;
            }
            if (updates != static_cast<std::size_t>(p.k) || other != 0)
                failures.push_back("W4: alchemy's UPDATEs are not exactly K x UPDATE \"users\" SET \"age\" = ? WHERE \"id\" = ?");
        }
        // W6b..W6d: the SELECTs loading.hpp promises, with IN lists as long as the raw side's.
        if (w > w6a && w <= w6d) {
            const auto in_statements = static_cast<std::size_t>((p.graph_users + in_chunk - 1) / in_chunk);
            // joined: 1; lazy (batched) and select-IN: the users, then the IN statements
            const std::size_t expected = w == w6c ? 1 : 1 + in_statements;
            const auto expected_in = w == w6c ? 0 : static_cast<std::size_t>(std::min(in_chunk, p.graph_users));
            std::size_t selects = 0, widest_in = 0;
            for (const auto& e : trace.entries) {
                if (!e.sql.starts_with("SELECT")) continue;
                selects += e.executions;
                if (e.sql.find(" IN (") != std::string::npos) {
                    const auto sql = question_marks(e.sql);
                    widest_in = std::max<std::size_t>(widest_in, std::count(sql.begin(), sql.end(), '?'));
                } else if (e.sql.find(" = ANY(") != std::string::npos) {
                    // PostgreSQL: the keys are one array parameter; the number of
                    // statements (checked below) shows how many went into each.
                    widest_in = expected_in;
                }
            }
            if (selects != expected || widest_in != expected_in)
                failures.push_back(std::string(short_names[w]) + ": alchemy ran " + std::to_string(selects) +
                                   " SELECTs (longest IN list: " + std::to_string(widest_in) + " keys), expected " +
                                   std::to_string(expected) + " (" + std::to_string(expected_in) +
                                   " keys: bench::in_chunk, which the raw side uses too)");
        }
    }
    std::printf("\n");
}

// ---- W2 peak RSS, in a fresh child process per side --------------------------------------

long status_kb(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const auto n = std::strlen(field);
    while (std::getline(in, line))
        if (line.compare(0, n, field) == 0) return std::strtol(line.c_str() + n, nullptr, 10);
    return -1;
}

long peak_kb = -1;

// The child: open (and for :memory: populate) the database, then reset the
// high-water mark and load. Prints "<peak kB> <baseline kB> <hwm reset?> <check>".
int rss_child(const std::string& which, std::int64_t n, const std::string& path) {
    auto s = which == "alchemy" ? make_alchemy_side() : make_raw_side_for(path);
    s->open(path, path.empty());
    if (path.empty()) s->populate(n);
    malloc_trim(0);
    bool reset = false;
    if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {  // "5": reset VmHWM to the current RSS
        reset = std::fputs("5", f) >= 0;
        reset = std::fclose(f) == 0 && reset;
    }
    const long baseline = status_kb("VmRSS:");
    const auto check = s->w2_load_all(n, [] { peak_kb = status_kb("VmHWM:"); });
    std::printf("%ld %ld %d %" PRIu64 "\n", peak_kb, baseline, reset ? 1 : 0, check);
    return 0;
}

struct rss_result {
    double mib = 0;
    bool reset = false;
    std::uint64_t check = 0;
};

rss_result measure_rss(const char* which, std::int64_t n, const std::string& path) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    const std::string n_text = std::to_string(n);
    const std::string path_arg = path.empty() ? "-" : path;
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        const char* argv[] = {"alchemy_bench", "--w2-rss-child", which, n_text.c_str(), path_arg.c_str(), nullptr};
        execv("/proc/self/exe", const_cast<char* const*>(argv));
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[256];
    ssize_t got;
    while ((got = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(got));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    long peak = 0, base = 0;
    int reset = 0;
    unsigned long long check = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        std::sscanf(out.c_str(), "%ld %ld %d %llu", &peak, &base, &reset, &check) != 4)
        throw std::runtime_error(std::string("the W2 RSS child for ") + which + " failed: " + out);
    return {static_cast<double>(peak - base) / 1024.0, reset != 0, check};
}

// ---- one mode ---------------------------------------------------------------------------

void run_mode(mode_kind m, const options& o, const plan& p, const std::filesystem::path& dir) {
    const bool file = m == mode_kind::file;
    const char* mode = mode_name(m);
    // Where a side's database `what` is (side::open's target), created fresh:
    // a file, "" for :memory:, or the URL of an empty schema of its own.
    pg_schemas schemas(o.url);
    const auto fresh = [&](const char* what) -> std::string {
        if (m == mode_kind::postgresql) return schemas.fresh(what);
        return file ? (dir / (std::string(what) + ".db")).string() : "";
    };
    if (file)
        std::printf("mode file: %s, journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON\n", dir.string().c_str());
    else if (m == mode_kind::memory)
        std::printf("mode memory: alchemy \"sqlite://\" (memdb VFS, shared by the engine's connections); raw \":memory:\"\n");
#ifdef ALCHEMY_BENCH_POSTGRESQL
    else
        std::printf("mode postgresql: %s; a fresh schema per side and round (search_path in the URL); raw: libpq\n",
                    pg_versions(o.url).c_str());
#endif
    std::printf("load average before: %s\n", load_average().c_str());
    std::fflush(stdout);
    auto a = make_alchemy_side();
    auto r = m == mode_kind::postgresql ? make_raw_side_for(schemas.url("raw")) : make_raw_side();
    side* sides[2] = {a.get(), r.get()};
    std::array<std::array<std::vector<double>, workloads>, 2> ms;
    std::array<std::array<std::uint64_t, workloads>, 2> allocs{};  // round 1's operator new calls
    std::uint64_t w2_check = 0;

    for (int round = 0; round < o.rounds; ++round) {
        a->open(fresh("alchemy"), true);
        r->open(fresh("raw"), true);
        for (int w = 0; w < workloads; ++w) {
            if (w == w6a) {                            // W6a..W6d: a second pair of fresh databases
                a->open(fresh("alchemy_graph"), true);  // (open() closes the W1..W5 database)
                r->open(fresh("raw_graph"), true);
            }
            if (w == w7) {  // W7: a third pair
                a->open(fresh("alchemy_bulk"), true);
                r->open(fresh("raw_bulk"), true);
            }
            std::uint64_t check[2] = {0, 0};
            for (int j = 0; j < 2; ++j) {
                const int who = round % 2 == 0 ? j : 1 - j;  // alternate who goes first
                const std::uint64_t a0 = allocations();
                const double t0 = now_ms(o.cpu_clock);
                check[who] = run_workload(*sides[who], w, p);
                ms[who][w].push_back(now_ms(o.cpu_clock) - t0);
                if (round == 0) allocs[who][w] = allocations() - a0;
            }
            const std::string what = std::string(mode) + " round " + std::to_string(round + 1) + " " + short_names[w];
            expect_equal(what + " check value", check[alchemy], check[raw]);
            expect_equal(what + " stored rows", a->digest(), r->digest());
            if (w == 1) w2_check = check[raw];
        }
        a->close();
        r->close();
        if (o.verbose) {
            std::printf("  [%s round %d]", mode, round + 1);
            for (int w = 0; w < workloads; ++w)
                std::printf("  %s %.2f/%.2f", short_names[w], ms[alchemy][w].back(), ms[raw][w].back());
            std::printf("  (alchemy/raw ms)\n");
        }
    }

    // W2 peak RSS: the same rows (the raw side writes them, untimed), one child per side.
    rss_result rss_a, rss_r;
    if (o.rss) {
        std::string rss_path;
        if (m != mode_kind::memory) {
            rss_path = fresh("rss");
            auto s = make_raw_side_for(rss_path);
            s->open(rss_path, true);
            s->populate(p.n);
            s->close();
        }
        rss_a = measure_rss("alchemy", p.n, rss_path);
        rss_r = measure_rss("raw", p.n, rss_path);
        expect_equal(std::string(mode) + " W2 RSS run check value", rss_a.check, rss_r.check);
        expect_equal(std::string(mode) + " W2 RSS run check value vs timed W2", rss_r.check, w2_check);
    }

    std::printf("load average after:  %s\n", load_average().c_str());
    if (o.cpu_clock) std::printf("times are CPU time of the process (--clock cpu), not wall time\n");
    std::printf("%-42s | %19s | %15s | %6s\n", "workload", "alchemy ms (median)", "raw ms (median)", "ratio");
    std::printf("%s-+-%s-+-%s-+-%s\n", std::string(42, '-').c_str(), std::string(19, '-').c_str(),
                std::string(15, '-').c_str(), std::string(6, '-').c_str());
    for (int w = 0; w < workloads; ++w) {
        const double ma = median(ms[alchemy][w]), mr = median(ms[raw][w]);
        const double ratio = ma / mr;
        const char* missed = "";
        if (w == w6b) missed = file && ratio >= 1.0 ? "  (target < 1x, beat raw's N+1 loop: missed)" : "";
        else missed = file && ratio > 1.2 ? "  (target <= 1.2x: missed)" : "";
        std::printf("%-42s | %19.2f | %15.2f | %5.2fx%s\n", label(w, p).c_str(), ma, mr, ratio, missed);
    }
    if (o.rss) {
        const double rss_ratio = rss_a.mib / rss_r.mib;
        std::printf("%-42s | %15.1f MiB | %11.1f MiB | %5.2fx%s\n",
                    ("W2 peak RSS, " + std::to_string(p.n) + " users held").c_str(), rss_a.mib, rss_r.mib,
                    rss_ratio, file && rss_ratio > 1.5 ? "  (target <= 1.5x: missed)" : "");
        if (!rss_a.reset || !rss_r.reset)
            std::printf("  (VmHWM could not be reset: the RSS figures are peak-since-exec minus the baseline)\n");
    }
    std::printf("\nC++ allocations (operator new calls, round 1) per object built, loaded or touched\n"
                "(the database library's own mallocs are not counted):\n");
    std::printf("%-42s | %19s | %15s\n", "workload", "alchemy per object", "raw per object");
    for (int w = 0; w < workloads; ++w) {
        const auto objects = static_cast<double>(objects_of(w, p));
        std::printf("%-42s | %19.2f | %15.2f\n", label(w, p).c_str(),
                    static_cast<double>(allocs[alchemy][w]) / objects, static_cast<double>(allocs[raw][w]) / objects);
    }
    std::printf("\n");
}

void usage() {
    std::fprintf(stderr,
                 "usage: alchemy_bench [--n N] [--graph-users U] [--rounds R] [--mode file|memory|both|postgresql]\n"
                 "                     [--url URL] [--dir DIR] [--clock wall|cpu] [--verbose] [--no-rss] [--no-sql]\n"
                 "  --n N        users in the table (default 100000; W3/W4/W5 touch min(10000, N/10))\n"
                 "  --graph-users U  W6's users, each with 10 posts, on a database of their own (default 2000)\n"
                 "  --rounds R   rounds per mode; medians are reported (default 5)\n"
                 "  --mode M     file, memory or both (default both): SQLite; or postgresql: the server of --url\n"
                 "  --url URL    postgresql://... (default $ALCHEMY_BENCH_POSTGRES_URL); each side and round gets a\n"
                 "               schema of its own there, dropped at the end\n"
                 "  --dir DIR    where the file databases go, in a fresh subdirectory (default .)\n"
                 "  --clock C    wall (default) or cpu: this process's CPU time, for a busy machine\n"
                 "  --verbose    print every round's times\n"
                 "  --no-rss     skip the W2 peak RSS measurement (it re-executes /proc/self/exe)\n"
                 "  --no-sql     skip the traced run that lists alchemy's statements\n"
                 "               (both for profiling: valgrind --tool=callgrind --toggle-collect=...)\n");
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 5 && std::string_view(argv[1]) == "--w2-rss-child")
            return rss_child(argv[2], std::stoll(argv[3]), std::string_view(argv[4]) == "-" ? "" : argv[4]);

        options o;
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            const auto next = [&]() -> std::string {
                if (i + 1 >= argc) {
                    usage();
                    std::exit(2);
                }
                return argv[++i];
            };
            if (arg == "--n") o.n = std::stoll(next());
            else if (arg == "--graph-users") o.graph_users = std::stoll(next());
            else if (arg == "--rounds") o.rounds = std::stoi(next());
            else if (arg == "--dir") o.dir = next();
            else if (arg == "--url") o.url = next();
            else if (arg == "--verbose") o.verbose = true;
            else if (arg == "--no-rss") o.rss = false;
            else if (arg == "--no-sql") o.show_sql = false;
            else if (arg == "--clock") {
                const auto c = next();
                if (c != "wall" && c != "cpu") {
                    usage();
                    return 2;
                }
                o.cpu_clock = c == "cpu";
            }
            else if (arg == "--mode") {
                const auto m = next();
                o.file = m == "file" || m == "both";
                o.memory = m == "memory" || m == "both";
                o.postgresql = m == "postgresql";
                if (!o.file && !o.memory && !o.postgresql) {
                    usage();
                    return 2;
                }
            } else {
                usage();
                return arg == "--help" || arg == "-h" ? 0 : 2;
            }
        }
        if (o.postgresql) {
#ifndef ALCHEMY_BENCH_POSTGRESQL
            std::fprintf(stderr, "alchemy_bench: built without PostgreSQL (ALCHEMY_WITH_POSTGRESQL=OFF)\n");
            return 2;
#endif
            if (o.url.empty())
                if (const char* url = std::getenv("ALCHEMY_BENCH_POSTGRES_URL")) o.url = url;
            if (!is_postgresql_url(o.url)) {
                std::fprintf(stderr, "alchemy_bench: --mode postgresql needs --url postgresql://... "
                                     "(or ALCHEMY_BENCH_POSTGRES_URL)\n");
                return 2;
            }
        }
        if (o.n < 20 || o.rounds < 1 || o.graph_users < 2) {
            std::fprintf(stderr, "alchemy_bench: need --n >= 20, --graph-users >= 2 and --rounds >= 1\n");
            return 2;
        }

        const plan p = make_plan(o.n, o.graph_users);
        std::printf("alchemy_bench: N=%" PRId64 ", K=%" PRId64 ", W6: %" PRId64 " users x %" PRId64
                    " posts, %d round(s), SQLite %s, %s%s\n",
                    p.n, p.k, p.graph_users, p.posts_per_user, o.rounds, sqlite_version(), "g++ " __VERSION__,
#if defined(__SANITIZE_ADDRESS__)
                    ", ASan build: times and RSS are meaningless"
#elif !defined(NDEBUG)
                    ", assertions on (not a Release build)"
#else
                    ""
#endif
        );
        std::printf(
            "The alchemy side is written as a user would (public API, default session_options: autoflush and\n"
            "expire_on_commit on, objects read through const ptrs; each workload opens a fresh session):\n"
            "  W1  session.add(User{...}) per row; session.flush(); ids read via std::as_const(p)->id; session.commit()\n"
            "      (reading them after commit() would reload every row: expire_on_commit)\n"
            "  W2  session.query<User>().all()\n"
            "  W3  session.get<User>(id) per id (the session's connection autobegins ONE deferred transaction for all\n"
            "      of them; the raw side runs each SELECT in autocommit)\n"
            "  W4  session.query<User>().filter(col(&User::id) >= lo && col(&User::id) < hi).all(); u->age += 1;\n"
            "      session.commit()   (raw: BEGIN, the same SELECT, one UPDATE per row, COMMIT)\n"
            "  W5  objects loaded by ONE query .filter(col(&User::id).in_(ids)).all(), session.remove(u) each,\n"
            "      session.commit()   (raw: BEGIN, DELETE ... WHERE id = ? per id in key order (flush sorts them\n"
            "      too), COMMIT; loads nothing)\n"
            "  W6  on a second fresh database: User has relationship<Post> posts, Post has backref<User> user\n"
            "  W6a u = session.add(User{...}); u->posts.append(alchemy::make(Post{...})) x10; session.flush(); ids read;\n"
            "      session.commit()   (raw: BEGIN, INSERT user + last_insert_rowid, INSERT its posts, ..., COMMIT)\n"
            "  W6b for (auto& u : session.query<User>().all()) for (const auto& p : std::as_const(u)->posts) ...\n"
            "      (batch_lazy_loads, default: the first access loads every user's posts, IN lists of %" PRId64 ";\n"
            "      raw: SELECT users, then SELECT posts WHERE user_id = ? per user, autocommit)\n"
            "  W6c session.query<User>().options(alchemy::joinedload(&User::posts)).all()\n"
            "      (raw: one SELECT users LEFT OUTER JOIN posts ORDER BY users.id)\n"
            "  W6d session.query<User>().options(alchemy::selectinload(&User::posts)).all()\n"
            "      (raw: SELECT users, then SELECT posts WHERE user_id IN (?, ...) per %" PRId64 " users)\n"
            "  W7  on a third fresh database: session.execute(alchemy::insert<User>(), users) of a std::vector<User>;\n"
            "      session.commit()   (raw: BEGIN, INSERT per row with no id read back, COMMIT)\n"
            "Raw side: sqlite3 C API, statements prepared once per database, rows into std::vector<User>.\n"
            "PostgreSQL (--mode postgresql): raw libpq, PQprepare once per connection, PQexecPrepared per row with\n"
            "text parameters, INSERT ... RETURNING id for W1/W6a, W6c without ORDER BY and W6d's = ANY($1)\n"
            "as alchemy sends them; each side on a schema of its own per round.\n"
            "Timed: everything from the first object to the last one freed; medians over rounds, alternating\n"
            "which side runs first. W2 peak RSS: a fresh child process per side, VmHWM minus the RSS just\n"
            "before the load (the raw side reserves its vector for exactly N rows).\n\n",
            in_chunk, in_chunk);

        pg_schemas trace_schemas(o.url);
        if (o.show_sql) show_alchemy_sql(o.graph_users, o.postgresql ? &trace_schemas : nullptr);

        std::filesystem::path dir;
        if (o.file) {
            dir = std::filesystem::weakly_canonical(std::filesystem::absolute(o.dir)) /
                  ("alchemy_bench." + std::to_string(getpid()));
            std::filesystem::create_directories(dir);
        }
        struct remove_dir {  // also when a run throws
            std::filesystem::path dir;
            ~remove_dir() {
                std::error_code ec;
                if (!dir.empty()) std::filesystem::remove_all(dir, ec);
            }
        } cleanup{dir};
        if (o.file) run_mode(mode_kind::file, o, p, dir);
        if (o.memory) run_mode(mode_kind::memory, o, p, dir);
        if (o.postgresql) run_mode(mode_kind::postgresql, o, p, dir);

        if (!failures.empty()) {
            std::printf("FAILED: %zu check(s) differ between alchemy and the raw side:\n", failures.size());
            for (const auto& f : failures) std::printf("  %s\n", f.c_str());
            return 1;
        }
        std::printf("all check values and stored rows agree between alchemy and the raw side\n");
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "alchemy_bench: %s\n", e.what());
        return 2;
    }
}
