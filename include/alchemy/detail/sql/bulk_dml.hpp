// alchemy/detail/sql/bulk_dml.hpp — a bulk UPDATE or DELETE as data (what
// query::update() and query::delete_() run), and its rendering.
#pragma once

#include <alchemy/compiler.hpp>
#include <alchemy/detail/config.hpp>
#include <alchemy/detail/sql/select.hpp>
#include <alchemy/detail/sql/tree.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/dml.hpp>
#include <alchemy/mapping.hpp>

#include <cstddef>
#include <utility>
#include <vector>

namespace alchemy::detail {

/// UPDATE t SET c = <expr>, ... WHERE <criteria> [RETURNING k, ..., c, ...], or
/// DELETE FROM t WHERE <criteria> [RETURNING k, ...]. The parameters are the
/// SET values' and then the criteria's, in rendering order.
struct bulk_dml_spec {
    const table_info* table = nullptr;
    bool is_delete = false;
    std::vector<std::pair<std::size_t, node_ptr>> set{};  // column index, value (UPDATE)
    std::vector<node_ptr> where{};                        // ANDed
    std::vector<std::size_t> returning{};                 // column indices
};

/// The statement that update() (`sets`) or delete_() of the entity query
/// `query` runs: its filters as the WHERE. ArgumentError for what a bulk
/// statement cannot have (joins, ORDER BY, LIMIT, grouping, DISTINCT, set
/// operations, select_from(), criteria or SET values naming another table,
/// a SET item of another table or given twice, an update() with no SET).
bulk_dml_spec bulk_dml_of(const select_spec& query, std::vector<assignment> sets, bool is_delete);

compiled_sql compile_bulk_dml(const bulk_dml_spec& s, const dialect& d);

// alchemy::compile(spec, d) (compiler.hpp), for the golden-SQL tests.
inline compiled_sql compile_statement(const bulk_dml_spec& s, const dialect& d) { return compile_bulk_dml(s, d); }

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/sql/impl/bulk_dml.ipp>
#endif
