// alchemy/compiler.hpp — renders the dialect-neutral SQL tree to text and an
// ordered list of bound parameters, through a dialect.
#pragma once

#include <alchemy/detail/sql_tree.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/types.hpp>

#include <string>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

/// SQL text with its parameters, in placeholder order.
struct compiled_sql {
    std::string sql;
    std::vector<value> params;
};

namespace detail {

class sql_compiler {
public:
    explicit sql_compiler(const dialect& d) : dialect_(d) {}

    std::string column(const table_info& table, std::size_t column) const {
        return dialect_.quote_identifier(table.name) + "." + dialect_.quote_identifier(table.columns[column].name);
    }

    std::string table(const table_info& t) const { return dialect_.quote_identifier(t.name); }

    /// Appends a parameter and returns its placeholder.
    std::string bind(value v) {
        params_.push_back(std::move(v));
        return dialect_.placeholder(params_.size());
    }

    std::string render(const sql_node& n) {
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
            case sql_node::kind::label: {
                auto inner = render(*n.children[0]);
                return inner + " AS " + dialect_.quote_identifier(n.op);
            }
            case sql_node::kind::cast: {
                auto inner = render(*n.children[0]);
                return fmt::format("CAST({} AS {})", inner, dialect_.type_name(n.cast_to));
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

    std::vector<value>& params() noexcept { return params_; }

    /// Tables of the statements that enclose the one being rendered: a
    /// nested SELECT leaves them out of its FROM list (it correlates to them).
    std::vector<const table_info*>& enclosing_tables() noexcept { return enclosing_; }
    const dialect& sql_dialect() const noexcept { return dialect_; }

private:
    static bool arithmetic(const std::string& op) { return op == "+" || op == "-" || op == "*" || op == "/"; }

    // Parenthesises a nested operator where precedence would change the
    // meaning: (a OR b) AND c, (a + b) * c, a - (b - c).
    std::string operand(const sql_node& child, const std::string& parent_op) {
        auto text = render(child);
        if (child.what != sql_node::kind::binary) return text;
        const bool logical = child.op == "AND" || child.op == "OR";
        if (logical && child.op != parent_op) return "(" + text + ")";
        if (arithmetic(child.op) && arithmetic(parent_op) &&
            !(child.op == parent_op && (parent_op == "+" || parent_op == "*")))
            return "(" + text + ")";
        return text;
    }

    const dialect& dialect_;
    std::vector<value> params_;
    std::vector<const table_info*> enclosing_;
};

}  // namespace detail
}  // namespace alchemy
