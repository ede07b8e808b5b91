// alchemy/detail/sql/impl/compiler.ipp — definitions of compiler.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/compiler.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE std::string sql_compiler::render(const sql_node& n) {
    switch (n.what) {
        case sql_node::kind::column:
            if (!n.alias.empty())
                return dialect_.quote_identifier(n.alias) + "." +
                       dialect_.quote_identifier(n.table->columns[n.column].name);
            return column(*n.table, n.column);
        case sql_node::kind::alias_column:
            return dialect_.quote_identifier(n.alias) + "." + dialect_.quote_identifier(n.op);
        case sql_node::kind::nested: return (*n.nested_sql)(*this);
        case sql_node::kind::bind: return bind(n.bound);
        case sql_node::kind::deferred_bind: return bind((*n.deferred)());
        case sql_node::kind::binary: {
            // Operands render left to right: placeholders are numbered in text order.
            auto lhs = operand(*n.children[0], n.op);
            auto rhs = operand(*n.children[1], n.op);
            return fmt::format("{} {} {}", lhs, n.op, rhs);
        }
        case sql_node::kind::prefix: return fmt::format("{} ({})", n.op, render(*n.children[0]));
        case sql_node::kind::postfix: return fmt::format("{} {}", operand(*n.children[0], n.op), n.op);
        case sql_node::kind::list: {
            std::string out = "(";
            for (std::size_t i = 0; i < n.children.size(); ++i) {
                if (i) out += ", ";
                out += render(*n.children[i]);
            }
            return out + ")";
        }
        case sql_node::kind::pattern: {
            std::string out;
            std::size_t child = 0;
            for (std::size_t i = 0; i < n.op.size(); ++i) {
                if (n.op[i] == '{' && i + 1 < n.op.size() && n.op[i + 1] == '}') {
                    out += render(*n.children.at(child++));
                    ++i;
                } else {
                    out += n.op[i];
                }
            }
            return out;
        }
        case sql_node::kind::text: return n.op;
        case sql_node::kind::label: {
            auto inner = render(*n.children[0]);
            return inner + " AS " + dialect_.quote_identifier(n.op);
        }
        case sql_node::kind::cast: {
            auto inner = render(*n.children[0]);
            return fmt::format("CAST({} AS {})", inner, dialect_.type_name(n.cast_type, n.cast_to));
        }
        case sql_node::kind::ilike: {
            auto lhs = render(*n.children[0]);  // (left to right, like every operand)
            auto rhs = render(*n.children[1]);
            return dialect_.ilike(lhs, rhs);
        }
        case sql_node::kind::json_extract: {
            auto document = render(*n.children[0]);
            std::vector<value> steps;
            for (std::size_t i = 1; i < n.children.size(); ++i) steps.push_back(n.children[i]->bound);
            return dialect_.json_extract(document, bind(dialect_.json_path(steps)), n.cast_type);
        }
        case sql_node::kind::function: {
            std::string out = n.op + "(";
            for (std::size_t i = 0; i < n.children.size(); ++i) {
                if (i) out += ", ";
                out += render(*n.children[i]);
            }
            return out + ")";
        }
    }
    return {};
}

ALCHEMY_INLINE std::string sql_compiler::operand(const sql_node& child, const std::string& parent_op) {
    auto text = render(child);
    if (child.what != sql_node::kind::binary) return text;
    const bool logical = child.op == "AND" || child.op == "OR";
    if (logical && child.op != parent_op) return "(" + text + ")";
    if (arithmetic(child.op) && arithmetic(parent_op) &&
        !(child.op == parent_op && (parent_op == "+" || parent_op == "*")))
        return "(" + text + ")";
    return text;
}

}  // namespace alchemy::detail
