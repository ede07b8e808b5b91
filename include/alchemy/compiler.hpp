// alchemy/compiler.hpp — renders the dialect-neutral SQL tree to text and an
// ordered list of bound parameters, through a dialect.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/sql/tree.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/types.hpp>

#include <string>
#include <vector>

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

    std::string render(const sql_node& n);

    std::vector<value>& params() noexcept { return params_; }

    /// Tables of the statements that enclose the one being rendered: a
    /// nested SELECT leaves them out of its FROM list (it correlates to them).
    std::vector<const table_info*>& enclosing_tables() noexcept { return enclosing_; }
    const dialect& sql_dialect() const noexcept { return dialect_; }

private:
    static bool arithmetic(const std::string& op) { return op == "+" || op == "-" || op == "*" || op == "/"; }

    // Parenthesises a nested operator where precedence would change the
    // meaning: (a OR b) AND c, (a + b) * c, a - (b - c).
    std::string operand(const sql_node& child, const std::string& parent_op);

    const dialect& dialect_;
    std::vector<value> params_;
    std::vector<const table_info*> enclosing_;
};

}  // namespace detail

/// The SQL text and parameters of `x` rendered through `d`, with no engine,
/// session or connection involved: a query (as it would run, whatever the
/// dialect of its session), or one of the ORM's statement descriptions
/// (detail/sql/statements.hpp: INSERT, UPDATE, DELETE, DDL...). It is how the
/// golden-SQL tests pin the text of each dialect without a database.
template <class X>
compiled_sql compile(const X& x, const dialect& d) {
    if constexpr (requires { x.compile(d); })
        return x.compile(d);
    else
        return compile_statement(x, d);  // found by argument-dependent lookup, beside the statement's type
}

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/sql/impl/compiler.ipp>
#endif
