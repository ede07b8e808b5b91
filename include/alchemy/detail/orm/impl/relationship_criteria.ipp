// alchemy/detail/orm/impl/relationship_criteria.ipp — definitions of relationship_criteria.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/relationship_criteria.hpp>

#include <alchemy/detail/sql/select.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/object_state.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <fmt/core.h>

namespace alchemy::detail {

namespace criteria {

ALCHEMY_INLINE node_ptr equals(node_ptr a, node_ptr b) { return binary_node("=", std::move(a), std::move(b)); }

// EXISTS (SELECT 1 FROM ... WHERE <conditions>), correlated to the enclosing
// statement's tables. `related` is the related table under an alias (a
// relationship of a table to itself), or null; the EXISTS then carries the
// alias's name, so that a nested one can be recognised.
ALCHEMY_INLINE node_ptr exists_where(std::vector<node_ptr> conditions, node_ptr related = nullptr,
                                     const std::string& alias = {}) {
    select_spec spec;
    spec.columns.push_back(text_node("1"));
    if (related) spec.extra_from.push_back(std::move(related));
    for (auto& c : conditions)
        if (c) spec.where.push_back(std::move(c));
    auto exists =
        prefix_node("EXISTS", nested_node([spec = std::move(spec)](sql_compiler& c) { return render_select(spec, c); }));
    if (alias.empty()) return exists;
    sql_node marked = *exists;
    marked.alias = alias;
    return std::make_shared<const sql_node>(std::move(marked));
}

// `n` with the columns of `table` read from `alias`: the criterion of a
// self-referential any()/has() names the related row (SQLAlchemy adapts it
// the same way). Nested SELECTs keep their own columns; a nested
// self-referential any()/has() of the same table would reuse the alias, so
// it is refused.
ALCHEMY_INLINE node_ptr aliased_columns(const node_ptr& n, const table_info& table, const std::string& alias,
                                        const char* function) {
    if (n->what == sql_node::kind::column && n->table == &table && n->alias.empty())
        return column_node(table, n->column, alias);
    if (n->what == sql_node::kind::prefix && n->alias == alias)
        throw ArgumentError(fmt::format(
            "alchemy: {}() along a relationship of table '{}' to itself, inside another one: both would read the "
            "related rows as \"{}\"; write the inner condition with an alchemy::aliased<{}> and a subquery instead",
            function, table.name, alias, table.struct_name));
    std::vector<node_ptr> children;
    bool changed = false;
    for (const auto& c : n->children) {
        children.push_back(c ? aliased_columns(c, table, alias, function) : c);
        changed = changed || children.back() != c;
    }
    if (!changed) return n;
    sql_node copy = *n;
    copy.children = std::move(children);
    return std::make_shared<const sql_node>(std::move(copy));
}

}  // namespace criteria

using criteria::equals;
using criteria::exists_where;

ALCHEMY_INLINE node_ptr object_column_node(instance_ref object, std::size_t column, std::string context) {
    auto read = [object = std::move(object), column, context = std::move(context)]() -> value {
        auto& i = *object;
        if (!i.has_identity)
            throw InvalidRequestError(fmt::format(
                "alchemy: {} compares with {}, which has no row yet ({}): add it to the session and flush "
                "(a query's autoflush does) before the query runs",
                context, i.describe(), to_string(i.state())));
        if (i.expired)
            if (auto* owner = i.owner()) owner->ensure_loaded(i);
        return i.column_value_of(column);
    };
    return deferred_bind_node(std::move(read));
}

ALCHEMY_INLINE predicate related_exists(const relationship_info& info, const table_info& owner,
                                        const node_ptr& criterion, const char* function) {
    const auto& target = info.target();
    // A relationship of a table to itself reads the related rows under an
    // alias (SQLAlchemy's "nodes_1"); else the inner table would correlate
    // away to the outer one.
    const bool self = &target == &owner;
    const std::string alias = self ? target.name + "_1" : std::string();
    const auto related = [&](std::size_t column) { return column_node(target, column, alias); };
    node_ptr condition = criterion && self ? criteria::aliased_columns(criterion, target, alias, function) : criterion;
    node_ptr from = self ? aliased_table(target, alias) : nullptr;
    if (info.kind == relationship_kind::many_to_many) {
        const auto& association = info.secondary();
        const auto& local = association.foreign_keys[info.foreign_key];
        const auto& remote = association.foreign_keys[info.remote_foreign_key];
        return predicate(exists_where(
            {equals(column_node(owner, local.target_columns.front()), column_node(association, local.columns.front())),
             equals(related(remote.target_columns.front()), column_node(association, remote.columns.front())),
             std::move(condition)},
            std::move(from), alias));
    }
    if (info.kind == relationship_kind::one_to_many) {
        const auto& fk = target.foreign_keys[info.foreign_key];
        return predicate(exists_where(
            {equals(column_node(owner, fk.target_columns.front()), related(fk.columns.front())), std::move(condition)},
            std::move(from), alias));
    }
    const auto& fk = owner.foreign_keys[info.foreign_key];
    return predicate(exists_where(
        {equals(related(fk.target_columns.front()), column_node(owner, fk.columns.front())), std::move(condition)},
        std::move(from), alias));
}

ALCHEMY_INLINE predicate relates_to(const relationship_info& info, const table_info& owner, instance_ref item) {
    const auto context = fmt::format("contains(&{}::{}, ...)", owner.struct_name, info.member);
    if (!item) throw ArgumentError(fmt::format("alchemy: {} was given an empty ptr", context));
    const auto& target = info.target();
    if (info.kind == relationship_kind::many_to_many) {
        // EXISTS (SELECT 1 FROM <association> WHERE owner.key = association.local AND association.remote = ?)
        const auto& association = info.secondary();
        const auto& local = association.foreign_keys[info.foreign_key];
        const auto& remote = association.foreign_keys[info.remote_foreign_key];
        return predicate(exists_where(
            {equals(column_node(owner, local.target_columns.front()), column_node(association, local.columns.front())),
             equals(column_node(association, remote.columns.front()),
                    object_column_node(std::move(item), remote.target_columns.front(), context))}));
    }
    // One-to-many: the owner whose key the item's foreign key holds.
    const auto& fk = target.foreign_keys[info.foreign_key];
    return predicate(equals(column_node(owner, fk.target_columns.front()),
                            object_column_node(std::move(item), fk.columns.front(), context)));
}

ALCHEMY_INLINE predicate related_to_parent(const relationship_info& info, const table_info& owner, instance_ref parent) {
    const auto context = fmt::format("with_parent(..., &{}::{})", owner.struct_name, info.member);
    if (!parent) throw ArgumentError(fmt::format("alchemy: {} was given an empty ptr", context));
    const auto& target = info.target();
    if (info.kind == relationship_kind::many_to_many) {
        const auto& association = info.secondary();
        const auto& local = association.foreign_keys[info.foreign_key];
        const auto& remote = association.foreign_keys[info.remote_foreign_key];
        return predicate(exists_where(
            {equals(column_node(target, remote.target_columns.front()), column_node(association, remote.columns.front())),
             equals(column_node(association, local.columns.front()),
                    object_column_node(std::move(parent), local.target_columns.front(), context))}));
    }
    if (info.kind == relationship_kind::one_to_many) {
        // The parent's children: their foreign key holds its key.
        const auto& fk = target.foreign_keys[info.foreign_key];
        return predicate(equals(column_node(target, fk.columns.front()),
                                object_column_node(std::move(parent), fk.target_columns.front(), context)));
    }
    // Many-to-one: the one object the parent's foreign key refers to.
    const auto& fk = owner.foreign_keys[info.foreign_key];
    return predicate(equals(column_node(target, fk.target_columns.front()),
                            object_column_node(std::move(parent), fk.columns.front(), context)));
}

ALCHEMY_INLINE predicate reference_equals(const relationship_info& info, const table_info& owner, instance_ref target,
                                          bool equal) {
    const auto& fk = owner.foreign_keys[info.foreign_key];
    auto column = column_node(owner, fk.columns.front());
    if (!target) return predicate(postfix_node(equal ? "IS NULL" : "IS NOT NULL", std::move(column)));
    auto key = object_column_node(std::move(target), fk.target_columns.front(),
                                  fmt::format("{}::{}", owner.struct_name, info.member));
    if (equal) return predicate(equals(std::move(column), std::move(key)));
    // NULL differs from every object: SQLAlchemy's "x != :param OR x IS NULL".
    return predicate(binary_node("OR", binary_node("!=", column, std::move(key)), postfix_node("IS NULL", column)));
}

}  // namespace alchemy::detail
