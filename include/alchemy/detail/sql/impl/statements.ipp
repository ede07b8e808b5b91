// alchemy/detail/sql/impl/statements.ipp — definitions of detail/sql/statements.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/sql/statements.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace alchemy::detail {

ALCHEMY_INLINE insert_stmt insert_of(const table_info& table, std::vector<std::size_t> columns, bool generated_key,
                                     const dialect& d) {
    insert_stmt s{&table, std::move(columns), {}};
    if (generated_key && d.generated_key_strategy() == key_fetch::returning) s.returning = table.primary_key;
    return s;
}

ALCHEMY_INLINE relationship_load_stmt relationship_load(const relationship_info& info, const table_info& owner,
                                                       std::size_t in_count) {
    relationship_load_stmt s;
    s.target = &info.target();
    s.key_table = s.target;
    s.in_count = in_count;
    switch (info.kind) {
        case relationship_kind::one_to_many:  // the target's foreign key holds the owner's key
            s.key_column = info.target().foreign_keys[info.foreign_key].columns.front();
            break;
        case relationship_kind::many_to_one:  // the owner's foreign key holds the target's key
            s.key_column = owner.foreign_keys[info.foreign_key].target_columns.front();
            break;
        case relationship_kind::many_to_many: {  // through the association table, keyed by its local column
            const auto& association = info.secondary();
            const auto& local = association.foreign_keys[info.foreign_key];
            const auto& remote = association.foreign_keys[info.remote_foreign_key];
            s.via = &association;
            s.join_target_column = remote.target_columns.front();
            s.join_via_column = remote.columns.front();
            s.key_table = &association;
            s.key_column = local.columns.front();
            s.select_key_first = in_count > 0;
            break;
        }
    }
    return s;
}

ALCHEMY_INLINE std::string statement_renderer::names(const table_info& table,
                                                      const std::vector<std::size_t>& columns) const {
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) out += ", ";
        out += d_.quote_identifier(table.columns[columns[i]].name);
    }
    return out;
}

ALCHEMY_INLINE std::string statement_renderer::qualified(const table_info& table, std::size_t column) const {
    return d_.quote_identifier(table.name) + "." + d_.quote_identifier(table.columns[column].name);
}

ALCHEMY_INLINE std::string statement_renderer::equal_params(const table_info& table,
                                                             const std::vector<std::size_t>& columns,
                                                             std::size_t first, const char* separator) const {
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) out += separator;
        out += d_.quote_identifier(table.columns[columns[i]].name);
        out += " = ";
        out += d_.placeholder(first + i);
    }
    return out;
}

// ---- rows ------------------------------------------------------------------------------

ALCHEMY_INLINE std::string statement_renderer::render(const insert_stmt& s) const {
    std::string sql = "INSERT INTO " + d_.quote_identifier(s.table->name);
    if (s.columns.empty()) {
        sql += " DEFAULT VALUES";
    } else {
        sql += " (" + names(*s.table, s.columns) + ") VALUES (";
        for (std::size_t i = 0; i < s.columns.size(); ++i) {
            if (i) sql += ", ";
            sql += d_.placeholder(i + 1);
        }
        sql += ')';
    }
    if (!s.returning.empty()) sql += " RETURNING " + names(*s.table, s.returning);
    return sql;
}

ALCHEMY_INLINE std::string statement_renderer::render(const update_stmt& s) const {
    return "UPDATE " + d_.quote_identifier(s.table->name) + " SET " + equal_params(*s.table, s.set, 1, ", ") +
           " WHERE " + equal_params(*s.table, s.where, s.set.size() + 1, " AND ");
}

ALCHEMY_INLINE std::string statement_renderer::render(const delete_stmt& s) const {
    return "DELETE FROM " + d_.quote_identifier(s.table->name) + " WHERE " +
           equal_params(*s.table, s.where, 1, " AND ");
}

// ---- selects the ORM runs itself -------------------------------------------------------

ALCHEMY_INLINE std::string statement_renderer::render(const select_by_key_stmt& s) const {
    const auto& table = *s.table;
    std::string sql = "SELECT ";
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (c) sql += ", ";
        sql += d_.quote_identifier(table.columns[c].name);
    }
    return sql + " FROM " + d_.quote_identifier(table.name) + " WHERE " +
           equal_params(table, table.primary_key, 1, " AND ");
}

ALCHEMY_INLINE std::string statement_renderer::render(const relationship_load_stmt& s) const {
    const auto& target = *s.target;
    std::string sql = "SELECT ";
    if (s.select_key_first) sql += qualified(*s.key_table, s.key_column) + ", ";
    for (std::size_t c = 0; c < target.columns.size(); ++c) {
        if (c) sql += ", ";
        sql += qualified(target, c);
    }
    sql += " FROM " + d_.quote_identifier(target.name);
    if (s.via)
        sql += " JOIN " + d_.quote_identifier(s.via->name) + " ON " + qualified(target, s.join_target_column) +
               " = " + qualified(*s.via, s.join_via_column);
    sql += " WHERE " + qualified(*s.key_table, s.key_column);
    if (s.in_count == 0) return sql + " = " + d_.placeholder(1);
    if (d_.binds_key_arrays()) return sql + " = ANY(" + d_.placeholder(1) + ")";
    sql += " IN (";
    for (std::size_t i = 0; i < s.in_count; ++i) {
        if (i) sql += ", ";
        sql += d_.placeholder(i + 1);
    }
    return sql + ")";
}

// The labels are SQLAlchemy's (count_1, anon_1), unquoted like its own.
ALCHEMY_INLINE std::string statement_renderer::render(const count_stmt& s) const {
    return "SELECT count(*) AS count_1 FROM (" + s.inner + ") AS anon_1";
}

ALCHEMY_INLINE std::string statement_renderer::render(const exists_stmt& s) const {
    return "SELECT EXISTS (" + s.inner + ") AS anon_1";
}

// ---- DDL -------------------------------------------------------------------------------

ALCHEMY_INLINE std::string statement_renderer::render(const create_table_stmt& s) const {
    const auto& table = *s.table;
    const auto q = [&](std::string_view name) { return d_.quote_identifier(name); };
    // A single integer key is declared on its column, where the dialect can
    // make it the generated key (SQLite's rowid alias); others as a constraint.
    const bool inline_key = table.has_integer_key();
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const auto& c = table.columns[i];
        std::string part = q(c.name);
        if (const auto type = d_.type_name(c.logical_type, c.type); !type.empty()) (part += ' ') += type;
        if (!c.nullable) part += " NOT NULL";
        if (inline_key && c.primary_key) part += " " + d_.integer_key_clause(table.autoincrement);
        if (c.server_default) part += " DEFAULT (" + *c.server_default + ")";
        parts.push_back(std::move(part));
    }
    if (!inline_key) parts.push_back("PRIMARY KEY (" + names(table, table.primary_key) + ")");
    for (const auto& u : table.uniques) parts.push_back("UNIQUE (" + names(table, u.columns) + ")");
    for (std::size_t k = 0; k < table.foreign_keys.size(); ++k)
        if (std::find(s.omitted_foreign_keys.begin(), s.omitted_foreign_keys.end(), k) == s.omitted_foreign_keys.end())
            parts.push_back(foreign_key_clause(table, table.foreign_keys[k]));
    for (const auto& ck : table.checks) {
        if (ck.name.empty()) parts.push_back("CHECK (" + ck.sql + ")");
        else parts.push_back("CONSTRAINT " + q(ck.name) + " CHECK (" + ck.sql + ")");
    }
    std::string sql = "CREATE TABLE IF NOT EXISTS " + q(table.name) + " (";
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) sql += ", ";
        sql += parts[i];
    }
    sql += ')';
    return sql;
}

ALCHEMY_INLINE std::string statement_renderer::render(const create_index_stmt& s) const {
    return std::string("CREATE ") + (s.index->unique ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " +
           d_.quote_identifier(s.index->name) + " ON " + d_.quote_identifier(s.table->name) + " (" +
           names(*s.table, s.index->columns) + ")";
}

ALCHEMY_INLINE std::string statement_renderer::render(const drop_table_stmt& s) const {
    return "DROP TABLE IF EXISTS " + d_.quote_identifier(s.table->name);
}

ALCHEMY_INLINE std::string statement_renderer::foreign_key_clause(const table_info& table,
                                                                 const foreign_key_info& fk) const {
    const auto& target = fk.target();
    std::string clause = "FOREIGN KEY (" + names(table, fk.columns) + ") REFERENCES " +
                         d_.quote_identifier(target.name) + " (" + names(target, fk.target_columns) + ")";
    if (fk.on_delete != fk_action::no_action) (clause += " ON DELETE ") += to_sql(fk.on_delete);
    if (fk.on_update != fk_action::no_action) (clause += " ON UPDATE ") += to_sql(fk.on_update);
    return clause;
}

ALCHEMY_INLINE std::string statement_renderer::render(const alter_foreign_key_stmt& s) const {
    const auto& table = *s.table;
    const auto& fk = table.foreign_keys[s.foreign_key];
    std::string name = table.name;
    for (auto c : fk.columns) (name += '_') += table.columns[c].name;
    name += "_fkey";
    if (s.drop)
        return "ALTER TABLE IF EXISTS " + d_.quote_identifier(table.name) + " DROP CONSTRAINT IF EXISTS " +
               d_.quote_identifier(name);
    return "ALTER TABLE " + d_.quote_identifier(table.name) + " ADD CONSTRAINT " + d_.quote_identifier(name) + " " +
           foreign_key_clause(table, fk);
}

}  // namespace alchemy::detail
