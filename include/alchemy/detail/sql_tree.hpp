// alchemy/detail/sql_tree.hpp — the dialect-neutral middle layer of the SQL
// expression language: typed expressions (expression.hpp) build these nodes,
// the compiler (compiler.hpp) renders them through a dialect.
#pragma once

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
        label,     ///< child AS "name"
        cast,      ///< CAST(child AS <type>)
        nested,    ///< (SELECT ...), rendered by `nested`
        alias_column,  ///< "alias"."column" of a subquery or aliased table
    };
    kind what;
    const table_info* table = nullptr;  // column
    std::size_t column = 0;             // column
    value bound{};                      // bind
    std::string op{};                   // binary / prefix / postfix operator, function name
    std::vector<node_ptr> children{};   // operands, list items, arguments
    sql_type cast_to = sql_type::null;  // cast
    std::shared_ptr<const nested_renderer> nested_sql{};  // nested
    std::string alias{};                // column of an aliased table; alias_column
};

inline node_ptr column_node(const table_info& table, std::size_t column, std::string alias = {}) {
    sql_node n{sql_node::kind::column, &table, column};
    n.alias = std::move(alias);
    return std::make_shared<const sql_node>(std::move(n));
}
inline node_ptr alias_column_node(std::string alias, std::string column) {
    sql_node n{sql_node::kind::alias_column};
    n.alias = std::move(alias);
    n.op = std::move(column);
    return std::make_shared<const sql_node>(std::move(n));
}
inline node_ptr nested_node(nested_renderer render) {
    sql_node n{sql_node::kind::nested};
    n.nested_sql = std::make_shared<const nested_renderer>(std::move(render));
    return std::make_shared<const sql_node>(std::move(n));
}
inline node_ptr bind_node(value v) {
    sql_node n{sql_node::kind::bind};
    n.bound = std::move(v);
    return std::make_shared<const sql_node>(std::move(n));
}
inline node_ptr binary_node(std::string op, node_ptr lhs, node_ptr rhs) {
    sql_node n{sql_node::kind::binary};
    n.op = std::move(op);
    n.children = {std::move(lhs), std::move(rhs)};
    return std::make_shared<const sql_node>(std::move(n));
}
inline node_ptr prefix_node(std::string op, node_ptr operand) {
    sql_node n{sql_node::kind::prefix};
    n.op = std::move(op);
    n.children = {std::move(operand)};
    return std::make_shared<const sql_node>(std::move(n));
}
inline node_ptr postfix_node(std::string op, node_ptr operand) {
    sql_node n{sql_node::kind::postfix};
    n.op = std::move(op);
    n.children = {std::move(operand)};
    return std::make_shared<const sql_node>(std::move(n));
}

inline node_ptr list_node(std::vector<node_ptr> items) {
    sql_node n{sql_node::kind::list};
    n.children = std::move(items);
    return std::make_shared<const sql_node>(std::move(n));
}
inline node_ptr function_node(std::string name, std::vector<node_ptr> args) {
    sql_node n{sql_node::kind::function};
    n.op = std::move(name);
    n.children = std::move(args);
    return std::make_shared<const sql_node>(std::move(n));
}
/// `pattern` is SQL text in which each "{}" stands for the next child.
inline node_ptr pattern_node(std::string pattern, std::vector<node_ptr> children = {}) {
    sql_node n{sql_node::kind::pattern};
    n.op = std::move(pattern);
    n.children = std::move(children);
    return std::make_shared<const sql_node>(std::move(n));
}
inline node_ptr label_node(std::string name, node_ptr child) {
    sql_node n{sql_node::kind::label};
    n.op = std::move(name);
    n.children = {std::move(child)};
    return std::make_shared<const sql_node>(std::move(n));
}
inline node_ptr cast_node(sql_type to, node_ptr child) {
    sql_node n{sql_node::kind::cast};
    n.cast_to = to;
    n.children = {std::move(child)};
    return std::make_shared<const sql_node>(std::move(n));
}

/// Calls f(table) for every (unaliased) table a column in the tree belongs
/// to, in order; nested SELECTs keep their own tables.
template <class F>
void for_each_table(const sql_node& n, F&& f) {
    if (n.what == sql_node::kind::column && n.alias.empty()) f(*n.table);
    for (const auto& c : n.children)
        if (c) for_each_table(*c, f);
}

}  // namespace alchemy::detail
