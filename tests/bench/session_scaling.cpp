// tests/bench/session_scaling.cpp — the cost of a flush follows what was
// touched, not what the session holds (issue 4).
//
// Q autoflushing queries (session.get() of keys not in the identity map, so
// each one autoflushes and then SELECTs) run in a session that holds
//   a) nothing,
//   b) H loaded objects, none touched,
//   c) H loaded objects, one of them touched (written) before each query.
// If a flush compared every object the session holds, (b) would cost H
// comparisons per query; it costs what (a) costs. (c) adds one UPDATE per query.
//
// It also times appending A new objects to one collection and then clearing
// it, and the same for A/2: append() refuses duplicates through an index once
// a collection is large, and clear() takes the objects out from the back, so
// doubling A about doubles both times (a scan per object would quadruple them).
//
//   session_scaling [--held H] [--queries Q] [--appends A]   (defaults 100000, 10000, 20000)
#include <alchemy/alchemy.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace {

struct User {
    std::int64_t id = 0;
    std::string name{};
    std::int64_t age = 0;
};
constexpr auto alchemy_table(User*) { return alchemy::table("users"); }

struct Item;
struct Owner {
    std::int64_t id = 0;
    alchemy::relationship<Item> items{};
};
constexpr auto alchemy_table(Owner*) { return alchemy::table("owners", alchemy::autoincrement); }
struct Item {
    std::int64_t id = 0;
    std::int64_t owner_id = 0;
    alchemy::backref<Owner> owner{};
};
constexpr auto alchemy_table(Item*) {
    return alchemy::table("items", alchemy::autoincrement, alchemy::foreign_key(&Item::owner_id, &Owner::id));
}

struct collection_times {
    double append_ms;  // `count` append()s of new objects to one pending owner's collection
    double clear_ms;   // then clear() of that collection
};

collection_times fill_and_clear_one_collection(alchemy::engine& engine, std::int64_t count) {
    alchemy::session session(engine);
    auto owner = session.add(Owner{});
    std::vector<alchemy::ptr<Item>> items;
    for (std::int64_t i = 0; i < count; ++i) items.push_back(alchemy::make(Item{}));
    const auto ms_since = [](auto start) {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    auto start = std::chrono::steady_clock::now();
    for (const auto& item : items) owner->items.append(item);
    const double appended = ms_since(start);
    if (static_cast<std::int64_t>(std::as_const(owner)->items.size()) != count) std::exit(4);
    start = std::chrono::steady_clock::now();
    owner->items.clear();
    const double cleared = ms_since(start);
    if (!std::as_const(owner)->items.empty()) std::exit(5);
    return {appended, cleared};
}

double run(alchemy::engine& engine, std::int64_t held, std::int64_t queries, bool touch) {
    alchemy::session session(engine);
    std::vector<alchemy::ptr<User>> objects;
    if (held > 0) objects = session.query<User>().filter(alchemy::col(&User::id) <= held).all();
    if (static_cast<std::int64_t>(session.size()) != held) std::exit(2);
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t q = 0; q < queries; ++q) {
        if (touch) objects[static_cast<std::size_t>(q % held)]->age += 1;
        if (!session.get<User>(held + 1 + q)) std::exit(3);  // a miss: autoflush, then SELECT
    }
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    session.rollback();
    return ms;
}

}  // namespace

int main(int argc, char** argv) {
    std::int64_t held = 100'000;
    std::int64_t queries = 10'000;
    std::int64_t appends = 20'000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--held") held = std::atoll(argv[i + 1]);
        else if (arg == "--queries") queries = std::atoll(argv[i + 1]);
        else if (arg == "--appends") appends = std::atoll(argv[i + 1]);
    }
    const std::string path = "session_scaling.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    auto engine = alchemy::create_engine("sqlite:///" + path, {.backend = alchemy::sqlite::options{.synchronous = alchemy::sqlite::synchronous_mode::normal}});
    alchemy::metadata<User, Owner, Item>().create_all(engine);
    {
        auto tx = engine.begin();
        tx.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                   "INSERT INTO users (id, name, age) SELECT i, 'user_' || i, 18 + i % 60 FROM n",
                   held + queries);
    }
    const double empty = run(engine, 0, queries, false);
    const double untouched = run(engine, held, queries, false);
    const double touched = run(engine, held, queries, true);
    std::printf("%lld autoflushing queries (get() misses) in a session that holds:\n", static_cast<long long>(queries));
    std::printf("  nothing                                     %9.2f ms\n", empty);
    std::printf("  %lld loaded objects, none touched         %9.2f ms  (%.2fx the empty session)\n",
                static_cast<long long>(held), untouched, untouched / empty);
    std::printf("  %lld loaded objects, one touched per query %9.2f ms  (one UPDATE per query)\n",
                static_cast<long long>(held), touched);
    const auto half = fill_and_clear_one_collection(engine, appends / 2);
    const auto full = fill_and_clear_one_collection(engine, appends);
    std::printf("append() of new objects to one collection, then clear() of it (twice as many objects should\n"
                "take twice as long; a scan per object would take four times as long):\n");
    std::printf("  %6lld objects: append %9.2f ms, clear %9.2f ms\n", static_cast<long long>(appends / 2),
                half.append_ms, half.clear_ms);
    std::printf("  %6lld objects: append %9.2f ms, clear %9.2f ms  (%.2fx, %.2fx)\n", static_cast<long long>(appends),
                full.append_ms, full.clear_ms, full.append_ms / half.append_ms, full.clear_ms / half.clear_ms);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return 0;
}
