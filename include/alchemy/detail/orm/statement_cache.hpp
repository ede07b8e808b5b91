// alchemy/detail/orm/statement_cache.hpp — the SQL text a session runs again
// and again (by key, per INSERT shape, per relationship, per query shape),
// rendered once per session (detail/sql/statements.hpp renders it).
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/mapping.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace alchemy::detail {

// The column indices of an INSERT shape: two bytes per index, the encoding
// the unit of work builds (shape_of) and the cache keys INSERTs by.
std::vector<std::size_t> shape_columns(const std::string& shape);

class statement_cache {
public:
    // The dialect outlives the cache: the session that owns both holds its engine.
    explicit statement_cache(const dialect& d) noexcept : dialect_(&d) {}

    /// SELECT <columns> FROM t WHERE <key> = ?
    const std::string& select_by_key(const table_info& table) { return by_key(table).select; }
    /// DELETE FROM t WHERE <key> = ?
    const std::string& delete_by_key(const table_info& table) { return by_key(table).delete_; }

    /// The INSERT of `table` for the columns listed in `shape` (see
    /// shape_columns); `generated_key`: the database generates the row's key
    /// (read back with RETURNING if the dialect says so).
    const std::string& insert(const table_info& table, const std::string& shape, bool generated_key);

    /// The lazy load of the relationship `info` of an `owner` row.
    const std::string& relationship_load(const relationship_info& info, const table_info& owner);

    /// The SQL text rendered for a query shape (select.hpp), if cached.
    const std::string* compiled_query(const std::string& shape) const;
    void remember_compiled_query(std::string shape, std::string sql);
    std::size_t compiled_query_count() const noexcept { return compiled_.size(); }

private:
    // Both rendered together: a session that reads or deletes a table by key
    // mostly does the other too.
    struct key_statements {
        std::string select;
        std::string delete_;
    };
    const key_statements& by_key(const table_info& table);

    const dialect* dialect_;
    boost::unordered_flat_map<const table_info*, key_statements> by_key_;
    boost::unordered_flat_map<std::string, std::string> insert_;  // table address + shape + key kind -> SQL
    boost::unordered_flat_map<const relationship_info*, std::string> relationship_load_;
    boost::unordered_flat_map<std::string, std::string> compiled_;  // query shape -> SQL text
};

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/statement_cache.ipp>
#endif
