// alchemy/detail/sql/impl/tree.ipp — definitions of detail/sql/tree.hpp's non-template functions (see
// detail/config.hpp).
#pragma once

#include <alchemy/detail/sql/tree.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace alchemy::detail {

ALCHEMY_INLINE node_ptr column_node(const table_info& table, std::size_t column, std::string alias) {
    sql_node n{sql_node::kind::column, &table, column};
    n.alias = std::move(alias);
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr alias_column_node(std::string alias, std::string column) {
    sql_node n{sql_node::kind::alias_column};
    n.alias = std::move(alias);
    n.op = std::move(column);
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr nested_node(nested_renderer render) {
    sql_node n{sql_node::kind::nested};
    n.nested_sql = std::make_shared<const nested_renderer>(std::move(render));
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr bind_node(value v) {
    sql_node n{sql_node::kind::bind};
    n.bound = std::move(v);
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr binary_node(std::string op, node_ptr lhs, node_ptr rhs) {
    sql_node n{sql_node::kind::binary};
    n.op = std::move(op);
    n.children = {std::move(lhs), std::move(rhs)};
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr deferred_bind_node(deferred_value read) {
    sql_node n{sql_node::kind::deferred_bind};
    n.deferred = std::make_shared<const deferred_value>(std::move(read));
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr prefix_node(std::string op, node_ptr operand) {
    sql_node n{sql_node::kind::prefix};
    n.op = std::move(op);
    n.children = {std::move(operand)};
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr postfix_node(std::string op, node_ptr operand) {
    sql_node n{sql_node::kind::postfix};
    n.op = std::move(op);
    n.children = {std::move(operand)};
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr list_node(std::vector<node_ptr> items) {
    sql_node n{sql_node::kind::list};
    n.children = std::move(items);
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr function_node(std::string name, std::vector<node_ptr> args) {
    sql_node n{sql_node::kind::function};
    n.op = std::move(name);
    n.children = std::move(args);
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr pattern_node(std::string pattern, std::vector<node_ptr> children) {
    sql_node n{sql_node::kind::pattern};
    n.op = std::move(pattern);
    n.children = std::move(children);
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr text_node(std::string sql) {
    sql_node n{sql_node::kind::text};
    n.op = std::move(sql);
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr label_node(std::string name, node_ptr child) {
    sql_node n{sql_node::kind::label};
    n.op = std::move(name);
    n.children = {std::move(child)};
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr cast_node(column_type type, sql_type storage, node_ptr child) {
    sql_node n{sql_node::kind::cast};
    n.cast_to = storage;
    n.cast_type = type;
    n.children = {std::move(child)};
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr json_extract_node(node_ptr document, std::vector<value> path, column_type result) {
    sql_node n{sql_node::kind::json_extract};
    n.cast_type = result;
    n.children.reserve(path.size() + 1);
    n.children.push_back(std::move(document));
    for (auto& step : path) n.children.push_back(bind_node(std::move(step)));  // the steps, rendered as one path
    return std::make_shared<const sql_node>(std::move(n));
}

ALCHEMY_INLINE node_ptr ilike_node(node_ptr operand, node_ptr pattern) {
    sql_node n{sql_node::kind::ilike};
    n.children = {std::move(operand), std::move(pattern)};
    return std::make_shared<const sql_node>(std::move(n));
}

}  // namespace alchemy::detail
