// alchemy/schema.hpp — a set of mapped tables, and their DDL.
//
//   auto schema = alchemy::metadata<User, Post, Student, Course, Enrollment>();
//   schema.create_all(engine);   // CREATE TABLE IF NOT EXISTS ..., referenced tables first
//   schema.drop_all(engine);     // DROP TABLE IF EXISTS ..., referencing tables first
//
// Tables referenced by a foreign key are included even when not listed. The
// DDL is rendered through the engine's dialect; create_all and drop_all each
// run in one transaction.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/sql/statements.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/engine.hpp>
#include <alchemy/mapping.hpp>

#include <string>
#include <vector>

namespace alchemy {

/// A collection of mapped tables (SQLAlchemy's MetaData).
class schema {
public:
    schema() = default;

    /// Adds T's table (and every table its foreign keys reference).
    template <class T>
    schema& add() {
        add(table_of<T>());
        return *this;
    }

    /// Adds a table (and every table its foreign keys reference).
    schema& add(const table_info& table);

    /// The tables in the order they were added.
    const std::vector<const table_info*>& tables() const noexcept { return tables_; }

    /// The tables in dependency order: each after the tables it references
    /// (self-references and cycles aside; a cycle keeps the added order).
    std::vector<const table_info*> sorted_tables() const { return sort_by_dependency(tables_); }

    /// The statements create_all runs, in order.
    std::vector<std::string> create_statements(const dialect& d) const;

    /// The statements drop_all runs, in order.
    std::vector<std::string> drop_statements(const dialect& d) const;

    /// Creates every table and index that does not exist yet, in one transaction.
    void create_all(engine& e) const;

    /// Drops every table that exists, in one transaction. Foreign keys are
    /// checked at commit, so the order of rows and tables cannot fail it.
    void drop_all(engine& e) const;

    /// CREATE TABLE IF NOT EXISTS for one table.
    static std::string create_table_sql(const table_info& table, const dialect& d);

    /// CREATE INDEX IF NOT EXISTS for one index.
    static std::string create_index_sql(const table_info& table, const index_info& ix, const dialect& d);

private:
    std::vector<const table_info*> tables_;
};

/// The schema of the listed mapped structs (and the tables they reference).
template <class... T>
schema metadata() {
    schema s;
    (s.add<T>(), ...);
    return s;
}

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/schema.ipp>
#endif
