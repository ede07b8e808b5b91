// tests/bench/raw_rows.hpp — what the two hand-written sides (bench_raw.cpp on
// sqlite3, bench_raw_postgresql.cpp on libpq) hold rows in, and the check
// values over them: plain structs filled column by column, as a careful user
// of a C driver writes them. Standard library only, like bench.hpp.
#pragma once

#include "bench.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench::raw {

struct User {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::string> email{};
    std::int64_t age = 0;
    double score = 0;
};

struct Post {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string title{};
};

// W6: a user with its posts.
struct UserPosts {
    User user{};
    std::vector<Post> posts{};
};

inline std::uint64_t row_check(const User& u) { return bench::row_check(u.id, u.name, u.email, u.age, u.score); }

// W6b..W6d's check value over what was loaded.
inline std::uint64_t graph_check(const std::vector<UserPosts>& users) {
    std::uint64_t check = users.size();
    for (const auto& u : users) {
        check += row_check(u.user);
        for (const auto& p : u.posts) check += post_check(u.user.id, p.id, p.user_id, p.title);
    }
    return check;
}

}  // namespace bench::raw
