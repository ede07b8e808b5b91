// tests/support/seeded_queries.hpp — the seed's users and posts with known
// keys, for the query tests (query_test, query_rows_test, window_case_test,
// set_operations_test), on the current test backend.
#pragma once

#include "models/seed_models.hpp"
#include "support/backend.hpp"
#include "support/support.hpp"

#include <alchemy/alchemy.hpp>

#include <string>
#include <vector>

namespace test_support {

/// Alice (1, 'a@x') wrote posts 1 'Hello' and 2 '50% off'; Bob (2, no email)
/// wrote post 3 'Hello'; Carol (3, 'c@x') wrote nothing; post 4
/// 'orphan_post' has no user. The log starts empty after the set-up.
struct seeded_queries {
    test_backend::database store;
    log_capture log;
    alchemy::engine engine;
    alchemy::session session;

    explicit seeded_queries(const std::string& file)
        : store(file), engine(store.engine({.sink = log.sink()})), session(engine) {
        alchemy::metadata<plain::User, plain::Post>().create_all(engine);
        auto tx = engine.begin();
        tx.execute("INSERT INTO users (id, name, email) VALUES (1, 'Alice', 'a@x'), (2, 'Bob', NULL), (3, 'Carol', 'c@x')");
        tx.execute("INSERT INTO posts (id, title, user_id) VALUES (1, 'Hello', 1), (2, '50% off', 1), "
                   "(3, 'Hello', 2), (4, 'orphan_post', NULL)");
        tx.commit();
        store.sync_generated_keys();
        log.clear();
    }

    /// The SELECT statements that ran since the log was last cleared.
    std::vector<std::string> selects() const {
        std::vector<std::string> out;
        for (const auto& s : log.sql())
            if (s.starts_with("SELECT")) out.push_back(s);
        return out;
    }
};

}  // namespace test_support
