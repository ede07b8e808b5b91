// alchemy/detail/orm/evaluate.hpp — a bulk UPDATE's or DELETE's criteria and
// SET values computed in C++ over the objects of the session
// (synchronize_session::evaluate): an interpreter over the expression tree,
// with SQL's NULL logic. What it cannot compute as the database would, it
// names, so that the session can fetch instead or say why it cannot evaluate.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/detail/sql/tree.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/types.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace alchemy::detail {

/// What in `n` cannot be evaluated over an object of `table` ("a subquery",
/// "the function lower()", ...), or an empty string when all of it can.
/// `exact`: also refuse what C++ would compute differently from some
/// databases (text ordered byte by byte, where a collation may order it
/// otherwise).
std::string unevaluable_part(const sql_node& n, const table_info& table, bool exact);

/// Appends the columns of `table` that `n` reads.
void columns_read(const sql_node& n, std::vector<std::size_t>& out);

/// The value of `n` for the object of `i` (its columns must be loaded): NULL
/// for SQL's unknown, 1 or 0 for a truth value. Empty when these values
/// leave the result to the database (an integer overflow, operands of
/// different kinds compared).
std::optional<value> evaluate(const sql_node& n, const instance_base& i);

/// Whether a WHERE keeps a row for which the criteria gave `v`.
inline bool is_true(const value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v.get())) return *i != 0;
    if (const auto* d = std::get_if<double>(&v.get())) return *d != 0;
    return false;  // NULL (unknown) or not a truth value
}

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/evaluate.ipp>
#endif
