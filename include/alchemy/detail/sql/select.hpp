// alchemy/detail/sql/select.hpp — a SELECT as data, and its rendering through the
// compiler. Entity queries and column queries (query.hpp) both build one.
#pragma once

#include <alchemy/compiler.hpp>
#include <alchemy/detail/config.hpp>
#include <alchemy/detail/sql/tree.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/mapping.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace alchemy::detail {

struct join_spec {
    const table_info* table = nullptr;  // a mapped table (possibly under `alias`) ...
    std::string alias{};
    node_ptr subquery{};                // ... or a subquery: (SELECT ...) AS name
    node_ptr on{};
    bool outer = false;
};

struct cte_spec;

struct select_spec {
    // Declared here, defaulted in the .ipp: with ALCHEMY_SEPARATE_COMPILATION
    // the copies and destruction of the nine containers are compiled once.
    select_spec() = default;
    select_spec(const select_spec&);
    select_spec(select_spec&&) noexcept;
    select_spec& operator=(const select_spec&);
    select_spec& operator=(select_spec&&) noexcept;
    ~select_spec();

    std::vector<node_ptr> columns;             // the select list
    std::vector<const table_info*> entities;   // tables selected whole, in order
    /// Per entity: the alias it is read from (an aliased<T>, of a table or
    /// of a subquery, whose FROM item is in extra_from), or "" for its table.
    /// Empty (and shorter than `entities`) until an entity is aliased: most
    /// queries have none, and pay no allocation for it. Read through entity_alias().
    std::vector<std::string> entity_aliases;
    /// The alias entity `i` is read from, or "" for its table.
    std::string_view entity_alias(std::size_t i) const noexcept {
        return i < entity_aliases.size() ? std::string_view(entity_aliases[i]) : std::string_view();
    }
    std::vector<join_spec> joins;
    std::vector<node_ptr> where;
    std::vector<node_ptr> group_by;
    std::vector<node_ptr> having;
    std::vector<order_item> order;
    std::optional<std::int64_t> limit;
    std::optional<std::int64_t> offset;
    bool distinct = false;

    /// Every table the query reads from so far (FROM list and joins).
    std::vector<node_ptr> extra_from;          // select_from(subquery)
    /// UNION / UNION ALL / INTERSECT / EXCEPT and the SELECTs that follow
    /// this one; ORDER BY and LIMIT then apply to the whole compound.
    std::vector<std::pair<std::string, std::shared_ptr<const select_spec>>> compound;
    /// The common table expressions the statement reads, rendered as its
    /// WITH clause: each after those its own body reads.
    std::vector<std::shared_ptr<const cte_spec>> ctes;

    std::vector<const table_info*> tables(const std::vector<const table_info*>& enclosing = {}) const {
        std::vector<const table_info*> out = from(enclosing);
        for (const auto& j : joins)
            if (j.table && j.alias.empty()) out.push_back(j.table);
        return out;
    }

    /// The FROM list: tables of the selected entities and columns, in order,
    /// that are not joined, nor (when nested) tables of the enclosing
    /// statement, to which a nested SELECT correlates.
    std::vector<const table_info*> from(const std::vector<const table_info*>& enclosing = {}) const;
};

/// A common table expression: WITH "name" AS (body). Recursive when its
/// body reads the CTE itself (a UNION [ALL] whose second part joins it).
struct cte_spec {
    std::string name;
    select_spec body;  // without a WITH clause: ...
    std::vector<std::shared_ptr<const cte_spec>> reads;  // ... the CTEs it reads go in the enclosing statement's
    bool recursive = false;
};

/// Makes `s` read `cte` (and what `cte` reads) in its WITH clause; two
/// different CTEs of one name are an ArgumentError.
void add_cte(select_spec& s, const std::shared_ptr<const cte_spec>& cte);

/// `cte` followed by `other` ("UNION ALL" / "UNION"): recursive when
/// `other` reads `cte` itself; the CTEs `other` reads join cte.reads.
std::shared_ptr<const cte_spec> cte_with(const cte_spec& cte, const char* op, const select_spec& other);

/// A FROM item that reads a CTE: its quoted name.
node_ptr cte_reference(std::string name);

/// A FROM item that reads `table` under another name: "nodes" AS "parent".
node_ptr aliased_table(const table_info& table, std::string alias);

/// The names of a SELECT's result columns: a label's, a column's own, or
/// an alias column's; "" for an unlabelled expression.
std::vector<std::string> result_column_names(const select_spec& s);

/// The ON clause joining `target` to one of `present`, from the one foreign
/// key between them; InvalidRequestError when there is none or several.
node_ptr infer_join(const std::vector<const table_info*>& present, const table_info& target);

/// Renders a SELECT into `c` (sharing its parameter list).
std::string render_select(const select_spec& s, sql_compiler& c);

compiled_sql compile_select(const select_spec& s, const dialect& d);

// alchemy::compile(spec, d) (compiler.hpp).
inline compiled_sql compile_statement(const select_spec& s, const dialect& d) { return compile_select(s, d); }

// ---- the shape of a SELECT ---------------------------------------------------------
// Two SELECTs with the same shape render to the same SQL text and differ only
// in their parameter values. The key is built by a walk much cheaper than
// rendering (no quoting, no formatting), so a session renders each shape once.

inline void append_raw(std::string& key, const void* data, std::size_t n) {
    key.append(static_cast<const char*>(data), n);
}
inline void append_text(std::string& key, const std::string& text) {
    const auto n = text.size();
    append_raw(key, &n, sizeof n);
    key += text;
}

// Appends n's shape to `key` and its bound values to `params`, in rendering
// order; false for a nested SELECT (not cached).
bool append_shape(const sql_node& n, std::string& key, std::vector<value>& params);

/// The shape key of `s` and its parameters in rendering order, or false
/// when it cannot be cached (it nests a SELECT).
bool select_shape(const select_spec& s, std::string& key, std::vector<value>& params, const dialect& d);

/// A nested SELECT correlated to its enclosing statement: "(SELECT ...)".
inline node_ptr correlated_select(select_spec spec) {
    return nested_node([spec = std::move(spec)](sql_compiler& c) { return "(" + render_select(spec, c) + ")"; });
}

/// A subquery in FROM or JOIN: "(SELECT ...) AS name", not correlated.
node_ptr from_select(select_spec spec, std::string name);

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/sql/impl/select.ipp>
#endif
