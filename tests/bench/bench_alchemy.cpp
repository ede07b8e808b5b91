// tests/bench/bench_alchemy.cpp — the workloads as a user of alchemy writes
// them: mapped plain structs, a Session (identity map and unit of work on,
// default session_options), no hand-written SQL. Objects are read through
// const access (`const auto& u`, std::as_const) so that reading touches
// nothing; W4 writes through `u->age`. The model has the users -> posts
// relationship in both directions (User::posts, Post::user), as a user's model
// would; W1..W5 never touch it (but W5's flush loads it, see README.md).
#include "bench.hpp"

#include <alchemy/alchemy.hpp>
#ifdef ALCHEMY_BENCH_POSTGRESQL
#include <alchemy/postgresql.hpp>  // registers the driver for postgresql:// URLs
#endif

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace bench::model {

struct Post;

struct User {
    std::int64_t id = 0;
    std::string name{};
    std::optional<std::string> email{};
    std::int64_t age = 0;
    double score = 0;
    alchemy::relationship<Post> posts{};  // the posts whose user_id is this id
};
constexpr auto alchemy_table(User*) { return alchemy::table("users", alchemy::autoincrement); }

struct Post {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string title{};
    alchemy::backref<User> user{};  // the other side of User::posts
};
constexpr auto alchemy_table(Post*) {
    return alchemy::table("posts", alchemy::autoincrement, alchemy::foreign_key(&Post::user_id, &User::id),
                          alchemy::index(&Post::user_id));
}

}  // namespace bench::model

namespace bench {
namespace {

using alchemy::col;
using model::Post;
using model::User;

std::uint64_t row_check(const User& u) { return bench::row_check(u.id, u.name, u.email, u.age, u.score); }

// W6c, W6d: a user and the posts its collection holds (through const ptrs: reads touch nothing).
std::uint64_t graph_check(const alchemy::ptr<User>& u) {
    std::uint64_t check = row_check(*u);
    for (const auto& p : u->posts) check += post_check(u->id, p->id, p->user_id, p->title);
    return check;
}

class alchemy_side final : public side {
public:
    explicit alchemy_side(sql_trace* trace) : trace_(trace) {}
    ~alchemy_side() override { close(); }
    const char* name() const override { return "alchemy"; }

    void open(const std::string& target, bool fresh) override {
        close();
        postgresql_ = is_postgresql_url(target);
        alchemy::engine_options options;
        if (!postgresql_) {
            if (!target.empty() && fresh)
                for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(target + suffix);
            options.backend = alchemy::sqlite::options{.synchronous = alchemy::sqlite::synchronous_mode::normal};  // WAL, FKs: defaults
        }
        if (trace_)
            options.sink = [trace = trace_](const alchemy::log_event& e) {
                trace->entries.push_back({e.sql, e.kind == alchemy::log_kind::batch ? e.parameters.size() : 1});
            };
        const std::string url = postgresql_ ? target : target.empty() ? std::string("sqlite://") : "sqlite:///" + target;
        engine_.emplace(alchemy::create_engine(url, options));
        if (target.empty() || fresh) alchemy::metadata<User, Post>().create_all(*engine_);
        else engine_->connect().close();  // open the pooled connection now, as create_all does
        Session_.emplace(alchemy::sessionmaker(*engine_));
    }

    void close() override {
        Session_.reset();
        engine_.reset();
    }

    // Set-up and verification only: plain sqlite3 or libpq on the engine's own connection.
    void populate(std::int64_t n) override {
#ifdef ALCHEMY_BENCH_POSTGRESQL
        if (postgresql_) {
            raw_pg_populate(alchemy::postgresql::native_handle(engine_->connect()), n);
            return;
        }
#endif
        raw_populate(alchemy::sqlite::native_handle(engine_->connect()), n);
    }
    std::uint64_t digest() override {
#ifdef ALCHEMY_BENCH_POSTGRESQL
        if (postgresql_) return raw_pg_digest(alchemy::postgresql::native_handle(engine_->connect()));
#endif
        return raw_digest(alchemy::sqlite::native_handle(engine_->connect()));
    }

    std::uint64_t w1_insert(std::int64_t n) override {
        auto session = (*Session_)();
        std::vector<alchemy::ptr<User>> users;
        users.reserve(static_cast<std::size_t>(n));
        for (std::int64_t i = 1; i <= n; ++i)
            users.push_back(session.add(User{.name = name_of(i), .email = email_of(i), .age = age_of(i), .score = score_of(i)}));
        // The INSERTs run here and write each generated id into its object;
        // read them now: after commit() (expire_on_commit) each read would reload its row.
        session.flush();
        std::uint64_t check = 0;
        for (std::size_t i = 0; i < users.size(); ++i)
            check += id_check(static_cast<std::int64_t>(i) + 1, std::as_const(users[i])->id);
        session.commit();
        return check;
    }

    std::uint64_t w2_load_all(std::int64_t, void (*while_held)()) override {
        auto session = (*Session_)();
        const auto users = session.query<User>().all();
        std::uint64_t check = users.size();
        for (const auto& u : users) check += row_check(*u);
        if (while_held) while_held();
        return check;
    }

    std::uint64_t w3_get(std::span<const std::int64_t> ids) override {
        auto session = (*Session_)();
        std::uint64_t check = 0;
        for (auto id : ids)
            if (const auto u = session.get<User>(id)) check += row_check(*u);
        return check;
    }

    std::uint64_t w4_update_range(std::int64_t lo, std::int64_t hi) override {
        auto session = (*Session_)();
        auto users = session.query<User>().filter(col(&User::id) >= lo && col(&User::id) < hi).all();
        std::uint64_t check = users.size();
        for (auto& u : users) {
            u->age += 1;
            check += row_check(*std::as_const(u));
        }
        session.commit();
        return check;
    }

    std::uint64_t w5_delete(std::span<const std::int64_t> ids) override {
        auto session = (*Session_)();
        // The objects are loaded by one query (WHERE id IN (...)), then deleted.
        const auto users =
            session.query<User>().filter(col(&User::id).in_(std::vector<std::int64_t>(ids.begin(), ids.end()))).all();
        std::uint64_t check = 0;
        for (const auto& u : users) {
            check += mix(static_cast<std::uint64_t>(u->id), 5);
            session.remove(u);
        }
        session.commit();
        return check;
    }

    std::uint64_t w6a_insert_graph(std::int64_t n, std::int64_t per_user) override {
        auto session = (*Session_)();
        std::vector<alchemy::ptr<User>> users;
        users.reserve(static_cast<std::size_t>(n));
        for (std::int64_t i = 1; i <= n; ++i) {
            auto u = session.add(User{.name = name_of(i), .email = email_of(i), .age = age_of(i), .score = score_of(i)});
            for (std::int64_t j = 0; j < per_user; ++j) u->posts.append(alchemy::make(Post{.title = title_of(i, j)}));
            users.push_back(std::move(u));
        }
        // As in W1: the INSERTs run here (each post's user_id from its user's
        // generated key) and the ids are read before commit() expires them.
        session.flush();
        std::uint64_t check = 0;
        for (std::size_t i = 0; i < users.size(); ++i) {
            const auto& u = *std::as_const(users[i]);
            check += id_check(static_cast<std::int64_t>(i) + 1, u.id);
            for (const auto& p : u.posts) check += post_check(u.id, p->id, p->user_id, p->title);
        }
        session.commit();
        return check;
    }

    std::uint64_t w6b_lazy_loop(std::int64_t) override {
        auto session = (*Session_)();
        std::uint64_t check = 0;
        // The N+1 loop as written; batch_lazy_loads (default) turns the first
        // access to a user's posts into one select-IN load for all the users.
        for (auto& u : session.query<User>().all()) {
            check += 1 + row_check(*std::as_const(u));
            for (const auto& p : std::as_const(u)->posts)
                check += post_check(std::as_const(u)->id, p->id, p->user_id, p->title);
        }
        return check;
    }

    std::uint64_t w6c_joined(std::int64_t) override { return load_graph(alchemy::joinedload(&User::posts)); }

    std::uint64_t w6d_selectin(std::int64_t) override { return load_graph(alchemy::selectinload(&User::posts)); }

    std::uint64_t w7_bulk_insert(std::int64_t n) override {
        std::vector<User> users;
        users.reserve(static_cast<std::size_t>(n));
        for (std::int64_t i = 1; i <= n; ++i)
            users.push_back(User{.name = name_of(i), .email = email_of(i), .age = age_of(i), .score = score_of(i)});
        auto session = (*Session_)();
        const auto inserted = session.execute(alchemy::insert<User>(), users);
        session.commit();
        return static_cast<std::uint64_t>(inserted);
    }

    // Every user with its posts, eagerly loaded by `option`, in a fresh session.
    std::uint64_t load_graph(const alchemy::load_option& option) {
        auto session = (*Session_)();
        const auto users = session.query<User>().options(option).all();
        std::uint64_t check = users.size();
        for (const auto& u : users) check += graph_check(u);
        return check;
    }

private:
    sql_trace* trace_;
    bool postgresql_ = false;  // open() was given a postgresql:// URL
    std::optional<alchemy::engine> engine_;
    std::optional<alchemy::session_factory> Session_;
};

}  // namespace

std::unique_ptr<side> make_alchemy_side(sql_trace* trace) { return std::make_unique<alchemy_side>(trace); }

}  // namespace bench
