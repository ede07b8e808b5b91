// alchemy/detail/sql_tree.hpp — the dialect-neutral middle layer of the SQL
// expression language: typed expressions (expression.hpp) build these nodes,
// the compiler (compiler.hpp) renders them through a dialect.
#pragma once

#include <alchemy/mapping.hpp>
#include <alchemy/types.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace alchemy::detail {

struct sql_node;
using node_ptr = std::shared_ptr<const sql_node>;

struct sql_node {
    enum class kind {
        column,    ///< table.column
        bind,      ///< a bound parameter
        binary,    ///< lhs <op> rhs
        prefix,    ///< <op> operand (NOT)
        postfix,   ///< operand <op> (IS NULL)
        list,      ///< (a, b, c)
        function,  ///< name(args...)
    };
    kind what;
    const table_info* table = nullptr;  // column
    std::size_t column = 0;             // column
    value bound{};                      // bind
    std::string op{};                   // binary / prefix / postfix operator, function name
    std::vector<node_ptr> children{};   // operands, list items, arguments
};

inline node_ptr column_node(const table_info& table, std::size_t column) {
    return std::make_shared<const sql_node>(sql_node{sql_node::kind::column, &table, column});
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

}  // namespace alchemy::detail
