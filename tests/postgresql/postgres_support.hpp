// tests/postgresql/postgres_support.hpp — what the PostgreSQL tests share:
// the URL of the throwaway server ctest started (the fixture alchemy_postgres,
// tests/CMakeLists.txt), a fresh schema per test, and raw libpq read-back.
#pragma once

#include <alchemy/alchemy.hpp>
#include <alchemy/postgresql.hpp>

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <libpq-fe.h>
#include <unistd.h>

namespace postgres_support {

/// ALCHEMY_TEST_POSTGRES_URL, else the URL the fixture wrote (second line of
/// its state file).
inline std::string server_url() {
    if (const char* url = std::getenv("ALCHEMY_TEST_POSTGRES_URL"); url && *url) return url;
#ifdef ALCHEMY_TEST_POSTGRES_STATE
    std::ifstream state(ALCHEMY_TEST_POSTGRES_STATE);
    std::string dir, url;
    if (std::getline(state, dir) && std::getline(state, url) && !url.empty()) return url;
#endif
    throw std::runtime_error(
        "no PostgreSQL server: run these tests through ctest (fixture alchemy_postgres) or set ALCHEMY_TEST_POSTGRES_URL");
}

/// Runs `sql` with raw libpq on a connection of its own and returns every row
/// as text (NULL as "NULL"): the database as it really is.
inline std::vector<std::vector<std::string>> raw_query(const std::string& url, const std::string& sql) {
    // libpq reads postgresql:// URLs itself (percent-encoded host included).
    PGconn* conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("raw_query: cannot connect: " + msg);
    }
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // DROP ... IF EXISTS notices
    PGresult* res = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        std::string msg = PQerrorMessage(conn);
        PQclear(res);
        PQfinish(conn);
        throw std::runtime_error("raw_query: " + sql + ": " + msg);
    }
    std::vector<std::vector<std::string>> rows;
    for (int r = 0; r < PQntuples(res); ++r) {
        std::vector<std::string> row;
        for (int c = 0; c < PQnfields(res); ++c)
            row.emplace_back(PQgetisnull(res, r, c) ? "NULL" : std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
        rows.push_back(std::move(row));
    }
    PQclear(res);
    PQfinish(conn);
    return rows;
}

/// A schema of its own for one test (tests run in parallel against one
/// server): the URL sets search_path to it, so unqualified names land there.
struct schema {
    std::string name;
    std::string url;

    explicit schema(const std::string& label) {
        static std::atomic<int> counter{0};
        name = "t_" + label + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
        const auto base = server_url();
        raw_query(base, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
        raw_query(base, "CREATE SCHEMA " + name);
        url = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" + name;
    }
    schema(const schema&) = delete;
    schema& operator=(const schema&) = delete;
    ~schema() {
        try {
            raw_query(server_url(), "DROP SCHEMA IF EXISTS " + name + " CASCADE");
        } catch (...) {
        }
    }
    std::vector<std::vector<std::string>> rows(const std::string& sql) const { return raw_query(url, sql); }
};

}  // namespace postgres_support
