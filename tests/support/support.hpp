// tests/support/support.hpp — what the tests share: a log capture, raw
// sqlite3 read-back of a database file, a raw sqlite3 connection, and scratch
// file names.
#pragma once

#include <alchemy/alchemy.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>
#include <unistd.h>

namespace test_support {

/// Collects every event of an engine (thread-safe).
struct log_capture {
    std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
    std::shared_ptr<std::vector<alchemy::log_event>> events =
        std::make_shared<std::vector<alchemy::log_event>>();

    alchemy::log_sink sink() const {
        return [m = mutex, e = events](const alchemy::log_event& ev) {
            std::lock_guard lock(*m);
            e->push_back(ev);
        };
    }
    std::vector<alchemy::log_event> take() const {
        std::lock_guard lock(*mutex);
        return std::exchange(*events, {});
    }
    /// The SQL of every event, in order.
    std::vector<std::string> sql() const {
        std::lock_guard lock(*mutex);
        std::vector<std::string> out;
        for (const auto& e : *events) out.push_back(e.sql);
        return out;
    }
    std::vector<alchemy::log_kind> kinds() const {
        std::lock_guard lock(*mutex);
        std::vector<alchemy::log_kind> out;
        for (const auto& e : *events) out.push_back(e.kind);
        return out;
    }
    void clear() const {
        std::lock_guard lock(*mutex);
        events->clear();
    }
    /// Each event as "<kind> <sql>" followed by " <- (params)" for every
    /// parameter row: kind, text, order, count and values in one vector.
    std::vector<std::string> trace() const {
        std::lock_guard lock(*mutex);
        std::vector<std::string> out;
        for (const auto& e : *events) {
            std::string line = std::string(alchemy::to_string(e.kind)) + " " + e.sql;
            for (const auto& row : e.parameters) line += " <- " + alchemy::format_values(row);
            out.push_back(std::move(line));
        }
        return out;
    }
    /// Number of events whose SQL starts with `prefix`.
    std::size_t count(std::string_view prefix) const {
        std::size_t n = 0;
        for (const auto& s : sql())
            if (s.starts_with(prefix)) ++n;
        return n;
    }
};

/// A fresh path in the test scratch directory; any old file of that name
/// (and its -wal / -shm companions) is removed.
inline std::string scratch_path(const std::string& name) {
    static std::atomic<int> counter{0};
#ifdef ALCHEMY_TEST_TMPDIR
    std::filesystem::path dir = ALCHEMY_TEST_TMPDIR;
#else
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "alchemy-tests";
#endif
    std::filesystem::create_directories(dir);
    auto path = dir / (std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + name);
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        std::filesystem::remove(path.string() + suffix);
    return path.string();
}

/// Runs `sql` with raw sqlite3 on the database file and returns every row as
/// text (NULL as "NULL"): the database as it really is, not as alchemy sees it.
inline std::vector<std::vector<std::string>> raw_query(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("raw_query: cannot open " + path);
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
        std::string msg = sqlite3_errmsg(db);
        sqlite3_close(db);
        throw std::runtime_error("raw_query: " + msg);
    }
    std::vector<std::vector<std::string>> rows;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
            if (sqlite3_column_type(stmt, i) == SQLITE_NULL) row.emplace_back("NULL");
            else row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                                  static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
        }
        rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
}

/// A raw sqlite3 connection to a database file: another process, as far as
/// alchemy can tell.
class raw_connection {
public:
    explicit raw_connection(const std::string& path) {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
            std::string msg = sqlite3_errmsg(db_);
            sqlite3_close(db_);
            throw std::runtime_error("raw_connection: cannot open " + path + ": " + msg);
        }
    }
    raw_connection(const raw_connection&) = delete;
    raw_connection& operator=(const raw_connection&) = delete;
    ~raw_connection() { sqlite3_close(db_); }

    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "?";
            sqlite3_free(err);
            throw std::runtime_error("raw_connection: " + sql + ": " + msg);
        }
    }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace test_support
