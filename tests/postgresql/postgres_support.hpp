// tests/postgresql/postgres_support.hpp — what the PostgreSQL tests share:
// the URL of the throwaway server ctest started (the fixture alchemy_postgres,
// tests/CMakeLists.txt), a fresh schema per test, and raw libpq read-back.
#pragma once

#include <alchemy/alchemy.hpp>
#include <alchemy/postgresql.hpp>

#include <atomic>
#include <fstream>
#include <memory>
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

/// A raw libpq connection. Tests keep one rather than open one per query: a
/// new PostgreSQL connection is a new server process, 10-20 ms, which was most
/// of a small test's time.
class raw_connection {
public:
    explicit raw_connection(std::string url) : url_(std::move(url)) {}
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;
    ~raw_connection() { close(); }

    /// Runs `sql` (autocommit: each statement sees what others committed) and
    /// returns every row as text (NULL as "NULL"): the database as it really is.
    std::vector<std::vector<std::string>> query(const std::string& sql) {
        PGconn* conn = connect();
        PGresult* res = PQexec(conn, sql.c_str());
        const auto status = PQresultStatus(res);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            std::string msg = PQerrorMessage(conn);
            PQclear(res);
            if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE) close();
            throw std::runtime_error("raw_query: " + sql + ": " + msg);
        }
        std::vector<std::vector<std::string>> rows;
        for (int r = 0; r < PQntuples(res); ++r) {
            std::vector<std::string> row;
            for (int c = 0; c < PQnfields(res); ++c)
                row.emplace_back(PQgetisnull(res, r, c) ? "NULL"
                                                        : std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
            rows.push_back(std::move(row));
        }
        PQclear(res);
        return rows;
    }

private:
    PGconn* connect() {
        // A connection the server dropped, or one a failed statement left in a
        // transaction, is replaced rather than reused.
        if (conn_ && (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE)) close();
        if (conn_) return conn_;
        // libpq reads postgresql:// URLs itself (percent-encoded host included).
        conn_ = PQconnectdb(url_.c_str());
        if (PQstatus(conn_) != CONNECTION_OK) {
            std::string msg = PQerrorMessage(conn_);
            close();
            throw std::runtime_error("raw_query: cannot connect: " + msg);
        }
        PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);  // DROP ... IF EXISTS notices
        return conn_;
    }
    void close() noexcept {
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
    }

    std::string url_;
    PGconn* conn_ = nullptr;
};

/// Runs `sql` with raw libpq on a connection of its own (see raw_connection::query).
inline std::vector<std::vector<std::string>> raw_query(const std::string& url, const std::string& sql) {
    return raw_connection(url).query(sql);
}

/// Runs `sql` on the server's own URL, on this thread's kept connection.
inline std::vector<std::vector<std::string>> server_query(const std::string& sql) {
    thread_local raw_connection server(server_url());
    return server.query(sql);
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
        server_query("DROP SCHEMA IF EXISTS " + name + " CASCADE; CREATE SCHEMA " + name);
        url = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" + name;
        reader_ = std::make_unique<raw_connection>(url);
    }
    schema(const schema&) = delete;
    schema& operator=(const schema&) = delete;
    ~schema() {
        reader_.reset();
        try {
            server_query("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        } catch (...) {
        }
    }
    /// Raw read-back (and set-up) in the schema, on the schema's own connection.
    std::vector<std::vector<std::string>> rows(const std::string& sql) const { return reader_->query(sql); }

private:
    std::unique_ptr<raw_connection> reader_;
};

}  // namespace postgres_support
