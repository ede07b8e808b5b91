// alchemy/detail/sql/statements.hpp — every statement the ORM sends that is
// not a query built as a select_spec: INSERT, UPDATE, DELETE, the select by
// key, the association rows, the relationship loads (lazy and select-IN), the
// count/exists wrappers around a query, and the DDL.
//
// Each is a small description of *what* runs (this table, these columns, keyed
// by those), rendered through the dialect in one place, statements.ipp. The
// session and the unit of work never spell SQL: a second dialect changes the
// dialect, not them, and compile() (compiler.hpp) renders the same descriptions
// without an engine, which is what the golden-SQL tests check.
//
// Rendering is not free (quoting, one string per column), so callers render a
// description once per table and column shape and keep the text
// (detail/orm/statement_cache.hpp); nothing here
// runs per row.
#pragma once

#include <alchemy/compiler.hpp>
#include <alchemy/detail/config.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/mapping.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace alchemy::detail {

/// INSERT INTO t (c, ...) VALUES (?, ...), or INSERT INTO t DEFAULT VALUES
/// when no column is given; RETURNING <returning> when that is not empty.
struct insert_stmt {
    const table_info* table = nullptr;
    std::vector<std::size_t> columns{};    // in placeholder order
    std::vector<std::size_t> returning{};  // generated keys read back (key_fetch::returning)
};

/// The INSERT of `columns` into `table`; a row whose key the database
/// generates reads it back with RETURNING when the dialect prefers that
/// (key_fetch::returning), else the connection asks for it afterwards
/// (SQLite's last_insert_rowid), and the statement has no RETURNING.
insert_stmt insert_of(const table_info& table, std::vector<std::size_t> columns, bool generated_key,
                      const dialect& d);

/// UPDATE t SET s = ?, ... WHERE w = ? AND ...: the SET values come first in
/// the parameters, then the WHERE values.
struct update_stmt {
    const table_info* table = nullptr;
    std::vector<std::size_t> set{};
    std::vector<std::size_t> where{};
};

/// DELETE FROM t WHERE w = ? AND ... (the row of a key, or association rows).
struct delete_stmt {
    const table_info* table = nullptr;
    std::vector<std::size_t> where{};
};

/// SELECT <every column, unqualified> FROM t WHERE <primary key> = ? AND ...:
/// get() and refreshing one object.
struct select_by_key_stmt {
    const table_info* table = nullptr;
};

/// A relationship load: SELECT [key,] <target's columns> FROM target
/// [JOIN via ON target.c = via.c] WHERE <key> = ? (lazy load of one owner) or
/// WHERE <key> IN (?, ...) (select-IN load of `in_count` owners). Columns are
/// qualified by their table.
struct relationship_load_stmt {
    const table_info* target = nullptr;
    const table_info* via = nullptr;        // many-to-many: the association table, joined
    std::size_t join_target_column = 0;     // ON target.<join_target_column> = via.<join_via_column>
    std::size_t join_via_column = 0;
    const table_info* key_table = nullptr;  // the column compared with the owners' keys
    std::size_t key_column = 0;
    bool select_key_first = false;          // select the key column before the target's (which owner a row is for)
    std::size_t in_count = 0;               // 0: "= ?"; n: "IN (n placeholders)"
};

/// The load of relationship `info` of an object of table `owner`: by one
/// owner's key (in_count 0, the lazy load) or by `in_count` owners' keys (the
/// select-IN load, which for a many-to-many selects the association's key
/// column first, to tell the owners' rows apart).
relationship_load_stmt relationship_load(const relationship_info& info, const table_info& owner, std::size_t in_count);

/// SELECT count(*) AS count_1 FROM (<inner>) AS anon_1: query::count().
struct count_stmt {
    std::string inner;
};

/// SELECT EXISTS (<inner>) AS anon_1: query::exists().
struct exists_stmt {
    std::string inner;
};

/// CREATE TABLE IF NOT EXISTS with the columns, keys, uniques, foreign keys
/// and checks of `table`.
struct create_table_stmt {
    const table_info* table = nullptr;
    /// Foreign keys (indices into table->foreign_keys) left out, to be added
    /// by alter_foreign_key_stmt once the tables they reference exist.
    std::vector<std::size_t> omitted_foreign_keys{};
};

/// ALTER TABLE ... ADD CONSTRAINT <name> FOREIGN KEY ..., or (drop) ALTER
/// TABLE IF EXISTS ... DROP CONSTRAINT IF EXISTS <name>: a foreign key of
/// tables that reference each other, on a database that cannot create a
/// table referencing one that does not exist yet. The name is PostgreSQL's
/// default, <table>_<columns>_fkey.
struct alter_foreign_key_stmt {
    const table_info* table = nullptr;
    std::size_t foreign_key = 0;
    bool drop = false;
};

/// CREATE [UNIQUE] INDEX IF NOT EXISTS.
struct create_index_stmt {
    const table_info* table = nullptr;
    const index_info* index = nullptr;
};

/// DROP TABLE IF EXISTS.
struct drop_table_stmt {
    const table_info* table = nullptr;
};

/// The one place these descriptions become SQL text, through a dialect.
class statement_renderer {
public:
    explicit statement_renderer(const dialect& d) : d_(d) {}

    std::string render(const insert_stmt& s) const;
    std::string render(const update_stmt& s) const;
    std::string render(const delete_stmt& s) const;
    std::string render(const select_by_key_stmt& s) const;
    std::string render(const relationship_load_stmt& s) const;
    std::string render(const count_stmt& s) const;
    std::string render(const exists_stmt& s) const;
    std::string render(const create_table_stmt& s) const;
    std::string render(const create_index_stmt& s) const;
    std::string render(const drop_table_stmt& s) const;
    std::string render(const alter_foreign_key_stmt& s) const;

private:
    // FOREIGN KEY (...) REFERENCES ... [ON DELETE ...] [ON UPDATE ...]
    std::string foreign_key_clause(const table_info& table, const foreign_key_info& fk) const;
    // "a", "b" (unqualified) for the given columns of `table`.
    std::string names(const table_info& table, const std::vector<std::size_t>& columns) const;
    // "t"."c"
    std::string qualified(const table_info& table, std::size_t column) const;
    // "a" = ? AND "b" = ?, placeholders numbered from `first`.
    std::string equal_params(const table_info& table, const std::vector<std::size_t>& columns, std::size_t first,
                             const char* separator) const;

    const dialect& d_;
};

template <class S>
std::string render_statement(const S& s, const dialect& d) {
    return statement_renderer(d).render(s);
}

// compile(x, dialect) of a statement description (found by argument-dependent
// lookup from compiler.hpp's compile): its text, no parameters (they are bound
// per row by the caller).
template <class S>
    requires requires(const statement_renderer& r, const S& s) { r.render(s); }
compiled_sql compile_statement(const S& s, const dialect& d) {
    return {statement_renderer(d).render(s), {}};
}

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/sql/impl/statements.ipp>
#endif
