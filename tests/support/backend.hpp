// tests/support/backend.hpp — the database backend the integration tests run
// against, chosen for the whole run by the environment variable
// ALCHEMY_TEST_BACKEND:
//
//   sqlite-file     a fresh scratch file per database (the default, so running
//                   the executable by hand needs nothing set)
//   sqlite-memory   "sqlite://": one in-memory database per engine
//   postgresql      a fresh schema per database on the PostgreSQL server the
//                   tests started (tests/postgresql/backend_postgresql.cpp;
//                   built when the PostgreSQL tests are)
//
// A test written against this header runs unchanged on every backend: it
// asks for a fresh database, creates its engines from it, and reads back what
// is stored with the backend's own client (raw sqlite3 here), never through
// alchemy's session or query layer. Another database is one more
// implementation of `backend` and `backend::store`; the tests do not change.
// What a test writes in SQL itself it writes as SQLite would, and adapts with
// sql() (statements as alchemy renders them) or ddl() (CREATE TABLE).
//
// Catch2 tags (tests/CMakeLists.txt runs the tagged tests once per backend):
//   [backend]  runs on every backend; without it a test is SQLite-file-only
//              (it carries [sqlite] and a comment saying why)
//   [shared]   with [backend]: needs one database open to several engines,
//              or a reader beside a writer (a read-back while a write
//              transaction is open, a COMMIT while another connection's read
//              transaction is open), which a :memory: database refuses;
//              skipped on sqlite-memory only
#pragma once

#include <alchemy/alchemy.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace test_backend {

/// Rows as text, NULL as "NULL": what the backend's own client reads.
using rows = std::vector<std::vector<std::string>>;

class backend {
public:
    /// The database of one test on this backend; see test_backend::database.
    class store {
    public:
        virtual ~store() = default;
        virtual std::string url() const = 0;
        /// Called with every engine created on url(); a backend whose
        /// database lives inside the engine finds it here.
        virtual void attach(alchemy::engine& engine) = 0;
        virtual rows query(const std::string& sql) const = 0;
        virtual void exec(const std::string& sql) const = 0;
        /// The names of the tables, sorted, from the backend's catalog.
        virtual std::vector<std::string> table_names() const = 0;
        /// After rows with explicit keys were written: the next generated
        /// key follows the largest one stored (see database::sync_generated_keys).
        virtual void sync_generated_keys() const {}
    };

    virtual ~backend() = default;
    /// "sqlite-file", "sqlite-memory", "postgresql": the value of ALCHEMY_TEST_BACKEND.
    virtual std::string_view name() const = 0;
    /// The dialect's name, as alchemy::dialect::name() gives it.
    virtual std::string_view dialect() const = 0;
    /// A fresh, empty database; `hint` names it where names show (a file).
    virtual std::unique_ptr<store> create(const std::string& hint) const = 0;
    /// Whether two engines created on one database's URL share it.
    virtual bool engines_share_database() const = 0;
    /// A statement as this backend's dialect renders it, given as SQLite
    /// renders it: the one place expected SQL text is adapted per dialect
    /// (placeholders, RETURNING ...). SQLite: unchanged.
    virtual std::string statement(std::string_view sqlite_text) const = 0;
    /// A CREATE TABLE written for SQLite, in this backend's types: an
    /// "INTEGER PRIMARY KEY" (SQLite's rowid alias, which numbers rows) is a
    /// generated key, BLOB the binary type. SQLite: unchanged.
    virtual std::string ddl(std::string_view sqlite_ddl) const { return std::string(sqlite_ddl); }
};

/// The backend of this run (ALCHEMY_TEST_BACKEND; an unknown name throws).
const backend& current();

/// Shorthands for current().
inline std::string_view name() { return current().name(); }
inline std::string_view dialect() { return current().dialect(); }
/// Expected SQL text, written as SQLite renders it, in the current dialect.
inline std::string sql(std::string_view sqlite_text) { return current().statement(sqlite_text); }
/// A CREATE TABLE written for SQLite, in the current backend's types.
inline std::string ddl(std::string_view sqlite_ddl) { return current().ddl(sqlite_ddl); }

/// A fresh, empty database of the current backend for one test. Create every
/// engine of the test through engine(); read back with query().
class database {
public:
    explicit database(const std::string& hint = "test.db") : store_(current().create(hint)) {}

    /// The URL engines of this database are created with.
    std::string url() const { return store_->url(); }

    /// An engine on url(). On a backend whose engines do not share a
    /// database (sqlite-memory) a second engine is refused: it would be
    /// another, empty database.
    alchemy::engine engine(alchemy::engine_options options = {}) {
        if (engines_ > 0 && !current().engines_share_database())
            throw std::logic_error("test_backend: a second engine on one " + std::string(name()) +
                                   " database would be another database; tag the test [shared]");
        auto e = alchemy::create_engine(url(), std::move(options));
        store_->attach(e);
        ++engines_;
        return e;
    }

    /// Runs `sql` with the backend's own client (not alchemy) and returns
    /// every row as text: what is committed, as another client sees it.
    rows query(const std::string& sql) const { return store_->query(sql); }
    /// Runs statements with the backend's own client, committed: a change
    /// made behind alchemy's back.
    void exec(const std::string& sql) const { store_->exec(sql); }
    /// The names of the tables in the database, sorted, read from the
    /// backend's catalog with its own client (SQLite: sqlite_master, every
    /// table including SQLite's own).
    std::vector<std::string> table_names() const { return store_->table_names(); }
    /// After rows were written with explicit keys (a test's seed rows): the
    /// database's next generated key follows the largest one stored. SQLite's
    /// rowid always does; a PostgreSQL identity column does not (its sequence
    /// knows nothing of explicit keys), so its sequence is set forward here.
    void sync_generated_keys() const { store_->sync_generated_keys(); }

private:
    std::unique_ptr<backend::store> store_;
    int engines_ = 0;
};

}  // namespace test_backend
