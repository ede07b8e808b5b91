// alchemy/detail/sql/tree.hpp — the dialect-neutral middle layer of the SQL
// expression language: typed expressions (expression.hpp) build these nodes,
// the compiler (compiler.hpp) renders them through a dialect.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/types.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace alchemy::detail {

struct sql_node;
using node_ptr = std::shared_ptr<const sql_node>;
class sql_compiler;

/// Renders a nested SELECT into the compiler of the enclosing statement (so
/// that its parameters take their place in the one parameter list).
using nested_renderer = std::function<std::string(sql_compiler&)>;

/// The value of a parameter read only when the statement is rendered, after
/// the query's autoflush (an object's key in relationship_criteria.hpp).
using deferred_value = std::function<value()>;

struct sql_node {
    enum class kind {
        column,    ///< table.column
        bind,      ///< a bound parameter
        binary,    ///< lhs <op> rhs
        prefix,    ///< <op> operand (NOT)
        postfix,   ///< operand <op> (IS NULL)
        list,      ///< (a, b, c)
        function,  ///< name(args...)
        pattern,   ///< SQL text in which each "{}" is the next child, left to right
        text,      ///< SQL text as written, no children (literal_sql: its braces are the user's)
        label,     ///< child AS "name"
        cast,      ///< CAST(child AS <type>)
        nested,    ///< (SELECT ...), rendered by `nested`
        alias_column,  ///< "alias"."column" of a subquery or aliased table
        ilike,     ///< case-insensitive LIKE of its two children, spelled by the dialect
        deferred_bind,  ///< a bound parameter whose value is read when the statement is built
        json_extract,  ///< the value at a path in a JSON document, spelled by the dialect
    };
    kind what;
    const table_info* table = nullptr;  // column
    std::size_t column = 0;             // column
    value bound{};                      // bind
    std::string op{};                   // binary / prefix / postfix operator, function name
    std::vector<node_ptr> children{};   // operands, list items, arguments
    sql_type cast_to = sql_type::null;  // cast: the storage class
    column_type cast_type = column_type::blob;  // cast, json_extract: the logical type
    std::shared_ptr<const nested_renderer> nested_sql{};  // nested
    /// column: the alias of the table it is read from; alias_column: the
    /// subquery's name; prefix EXISTS of a self-referential any()/has(): the
    /// alias its subquery reads the table under (a nested one must not reuse it).
    std::string alias{};
    std::shared_ptr<const deferred_value> deferred{};  // deferred_bind
};

// The node makers (defined in the .ipp: make_shared<sql_node> and the
// node's destructor are compiled once with ALCHEMY_SEPARATE_COMPILATION).
node_ptr column_node(const table_info& table, std::size_t column, std::string alias = {});
node_ptr alias_column_node(std::string alias, std::string column);
node_ptr nested_node(nested_renderer render);
node_ptr bind_node(value v);
node_ptr deferred_bind_node(deferred_value read);
node_ptr binary_node(std::string op, node_ptr lhs, node_ptr rhs);
node_ptr prefix_node(std::string op, node_ptr operand);
node_ptr postfix_node(std::string op, node_ptr operand);
node_ptr list_node(std::vector<node_ptr> items);
node_ptr function_node(std::string name, std::vector<node_ptr> args);
/// `pattern` is SQL text in which each "{}" stands for the next child.
node_ptr pattern_node(std::string pattern, std::vector<node_ptr> children = {});
/// `sql` is rendered as written ("{}" in it is text, not a child).
node_ptr text_node(std::string sql);
node_ptr label_node(std::string name, node_ptr child);
node_ptr cast_node(column_type type, sql_type storage, node_ptr child);
/// `operand` matches `pattern` ignoring case: its spelling is the dialect's
/// (dialect::ilike), so the expression layer never writes it.
node_ptr ilike_node(node_ptr operand, node_ptr pattern);
/// The value at `path` (keys as text, array indices as integers) in the JSON
/// `document`, read as `result`: dialect::json_extract spells it, with the
/// path as one parameter (dialect::json_path).
node_ptr json_extract_node(node_ptr document, std::vector<value> path, column_type result);

/// Calls f(table) for every (unaliased) table a column in the tree belongs
/// to, in order; nested SELECTs keep their own tables.
template <class F>
void for_each_table(const sql_node& n, F&& f) {
    if (n.what == sql_node::kind::column && n.alias.empty()) f(*n.table);
    for (const auto& c : n.children)
        if (c) for_each_table(*c, f);
}

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/sql/impl/tree.ipp>
#endif
