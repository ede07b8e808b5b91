// tests/support/backend.cpp — the backends of tests/support/backend.hpp.
// SQLite's two: a scratch file, read back by raw sqlite3 opening the file;
// and an in-memory database, read back by raw sqlite3 opening the same memdb
// database the engine's connections share.
#include "support/backend.hpp"

#include "support/support.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <sqlite3.h>

namespace test_backend {

#ifdef ALCHEMY_TEST_POSTGRESQL
// tests/postgresql/backend_postgresql.cpp
const backend& postgresql_test_backend();
#endif

namespace {

rows sqlite_rows(sqlite3* db, const std::string& sql, const std::string& where) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
        throw std::runtime_error("test_backend read-back of " + where + ": " + sqlite3_errmsg(db) + ": " + sql);
    rows out;
    int rc = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
            if (sqlite3_column_type(stmt, i) == SQLITE_NULL) row.emplace_back("NULL");
            else row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                                  static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
        }
        out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    // A read-back that stopped early must not pass as "fewer rows".
    if (rc != SQLITE_DONE)
        throw std::runtime_error("test_backend read-back of " + where + ": " + sqlite3_errmsg(db) + ": " + sql);
    return out;
}

void sqlite_exec(sqlite3* db, const std::string& sql, const std::string& where) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errmsg(db);
        sqlite3_free(err);
        throw std::runtime_error("test_backend exec on " + where + ": " + msg + ": " + sql);
    }
}

/// sqlite3_open_v2 or an exception naming the database.
sqlite3* sqlite_open(const std::string& name, int flags) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(name.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw std::runtime_error("test_backend: cannot open " + name + ": " + msg);
    }
    return db;
}

struct sqlite_handle {
    sqlite3* db;
    explicit sqlite_handle(sqlite3* d) : db(d) {}
    sqlite_handle(const sqlite_handle&) = delete;
    sqlite_handle& operator=(const sqlite_handle&) = delete;
    ~sqlite_handle() { sqlite3_close(db); }
};

const std::string sqlite_tables = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";

std::vector<std::string> first_column(const rows& rs) {
    std::vector<std::string> out;
    for (const auto& r : rs) out.push_back(r.at(0));
    return out;
}

// ---- sqlite-file ------------------------------------------------------------------------

// Each read-back opens the file anew, read-only, as another process would:
// it sees what is committed (the file is in WAL mode, so a write transaction
// open elsewhere does not block it).
class sqlite_file_store final : public backend::store {
public:
    explicit sqlite_file_store(const std::string& hint) : path_(test_support::scratch_path(hint)) {}
    std::string url() const override { return "sqlite:///" + path_; }
    void attach(alchemy::engine&) override {}
    rows query(const std::string& sql) const override {
        sqlite_handle h(sqlite_open(path_, SQLITE_OPEN_READONLY));
        return sqlite_rows(h.db, sql, path_);
    }
    void exec(const std::string& sql) const override {
        sqlite_handle h(sqlite_open(path_, SQLITE_OPEN_READWRITE));
        sqlite3_busy_timeout(h.db, 5'000);
        sqlite_exec(h.db, sql, path_);
    }
    std::vector<std::string> table_names() const override { return first_column(query(sqlite_tables)); }

private:
    std::string path_;
};

class sqlite_file_backend final : public backend {
public:
    std::string_view name() const override { return "sqlite-file"; }
    std::string_view dialect() const override { return "sqlite"; }
    std::unique_ptr<store> create(const std::string& hint) const override {
        return std::make_unique<sqlite_file_store>(hint);
    }
    bool engines_share_database() const override { return true; }
    std::string statement(std::string_view sqlite_text) const override { return std::string(sqlite_text); }
};

// ---- sqlite-memory ------------------------------------------------------------------------

// The engine keeps its in-memory database in SQLite's memdb VFS under a name
// of its own, shared by every connection of the process that opens it. The
// store learns that name once from one of the engine's connections (its
// native handle) and opens a raw connection of its own to it: read-backs go
// through SQLite's API, not alchemy's, and see what is committed, like the
// file backend's. That connection also keeps the database alive after the
// engine is gone, as a file outlives its engine.
//
// Unlike a WAL file, memdb lets no reader in while another connection holds
// an uncommitted write: a read-back then fails at once (busy timeout 0)
// instead of waiting for a transaction the test itself holds open. Tests that
// do that are tagged [shared].
class sqlite_memory_store final : public backend::store {
public:
    std::string url() const override { return "sqlite://"; }
    void attach(alchemy::engine& engine) override {
        std::string name;
        {
            auto conn = engine.connect();
            name = sqlite3_db_filename(alchemy::sqlite::native_handle(conn), "main");
            conn.close();
        }
        // The probe's connection goes, so the pool looks as it would on a
        // fresh engine (no connection open).
        engine.dispose();
        if (name.empty()) throw std::logic_error("test_backend: the engine's database has no memdb name");
        name_ = "file:" + name + "?vfs=memdb";
        raw_ = std::make_shared<sqlite_handle>(sqlite_open(name_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI));
    }
    rows query(const std::string& sql) const override { return sqlite_rows(handle(), sql, name_); }
    void exec(const std::string& sql) const override { sqlite_exec(handle(), sql, name_); }
    std::vector<std::string> table_names() const override { return first_column(query(sqlite_tables)); }

private:
    sqlite3* handle() const {
        if (!raw_) throw std::logic_error("test_backend: read-back of a :memory: database before its engine exists");
        return raw_->db;
    }
    std::string name_;
    std::shared_ptr<sqlite_handle> raw_;
};

class sqlite_memory_backend final : public backend {
public:
    std::string_view name() const override { return "sqlite-memory"; }
    std::string_view dialect() const override { return "sqlite"; }
    std::unique_ptr<store> create(const std::string&) const override {
        return std::make_unique<sqlite_memory_store>();
    }
    bool engines_share_database() const override { return false; }
    std::string statement(std::string_view sqlite_text) const override { return std::string(sqlite_text); }
};

const backend& choose() {
    static const sqlite_file_backend file;
    static const sqlite_memory_backend memory;
    const char* env = std::getenv("ALCHEMY_TEST_BACKEND");
    std::string_view wanted = env && *env ? env : "sqlite-file";
    std::vector<const backend*> known{&file, &memory};
#ifdef ALCHEMY_TEST_POSTGRESQL
    known.push_back(&postgresql_test_backend());
#endif
    std::string names;
    for (const backend* b : known) {
        if (b->name() == wanted) return *b;
        names += names.empty() ? "" : ", ";
        names += b->name();
    }
    throw std::runtime_error("ALCHEMY_TEST_BACKEND=" + std::string(wanted) + ": unknown backend (" + names +
                             " in this build)");
}

}  // namespace

const backend& current() {
    static const backend& chosen = choose();
    return chosen;
}

}  // namespace test_backend
