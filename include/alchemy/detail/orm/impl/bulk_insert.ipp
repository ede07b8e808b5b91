// alchemy/detail/orm/impl/bulk_insert.ipp — session_core::bulk_insert():
// session.execute(insert<T>(), rows), plain rows written with executemany and
// no object made, and the upsert clause (ON CONFLICT ... DO NOTHING / DO
// UPDATE), which SQLite and PostgreSQL spell alike.
#pragma once

#include <alchemy/compiler.hpp>
#include <alchemy/detail/orm/session_core.hpp>
#include <alchemy/detail/sql/statements.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

namespace bulk_insertion {

// Whether column `c` of `object` binds as NULL (or, for an integer key, 0:
// "not set", as the unit of work reads a key).
inline bool binds_unset(const column_info& c, const void* object, bool zero_too) {
    struct probe final : binder {
        bool zero_too = false;
        bool unset = false;
        void bind_null() override { unset = true; }
        void bind_integer(std::int64_t v) override { unset = zero_too && v == 0; }
        void bind_real(double) override {}
        void bind_text(std::string_view) override {}
        void bind_blob(std::span<const std::byte>) override {}
    } p;
    p.zero_too = zero_too;
    c.bind(p, object);
    return p.unset;
}

// " ON CONFLICT ..." for `spec`, its SET parameters numbered after the
// `values` parameters of each row's VALUES.
inline compiled_sql conflict_clause(const insert_spec& spec, std::size_t values, const dialect& d) {
    const auto& table = *spec.table;
    std::string sql = " ON CONFLICT";
    if (!spec.conflict_target.empty()) {
        sql += " (";
        for (std::size_t i = 0; i < spec.conflict_target.size(); ++i)
            sql += (i ? ", " : "") + d.quote_identifier(table.columns[spec.conflict_target[i]].name);
        sql += ")";
    }
    if (!spec.do_update) return {sql + " DO NOTHING", {}};
    sql_compiler c(d);
    c.params().resize(values);  // the VALUES placeholders come first
    c.enclosing_tables().push_back(&table);
    for (std::size_t i = 0; i < spec.set.size(); ++i) {
        sql += i ? ", " : " DO UPDATE SET ";
        sql += d.quote_identifier(table.columns[spec.set[i].column()].name) + " = " + c.render(*spec.set[i].value_node());
    }
    std::vector<value> constants(c.params().begin() + static_cast<std::ptrdiff_t>(values), c.params().end());
    return {std::move(sql), std::move(constants)};
}

// ArgumentError for an upsert neither database would accept, or that sets
// what it cannot.
inline void check_conflict(const insert_spec& spec) {
    const auto& table = *spec.table;
    if (!spec.on_conflict) return;
    const auto names = [&](const std::vector<std::size_t>& columns) {
        std::string out;
        for (auto c : columns) out += (out.empty() ? "" : ", ") + table.columns[c].name;
        return out;
    };
    if (spec.conflict_target.empty()) {
        if (spec.do_update)
            throw ArgumentError(fmt::format(
                "alchemy: insert<{}>().on_conflict().do_update(...): DO UPDATE needs the conflict target, the "
                "columns of a unique constraint: on_conflict(&{}::member, ...)",
                table.struct_name, table.struct_name));
    } else {
        auto sorted = spec.conflict_target;
        std::sort(sorted.begin(), sorted.end());
        const auto same = [&](std::vector<std::size_t> columns) {
            std::sort(columns.begin(), columns.end());
            return columns == sorted;
        };
        bool unique = same(table.primary_key);
        for (const auto& u : table.uniques) unique = unique || same(u.columns);
        for (const auto& i : table.indexes) unique = unique || (i.unique && same(i.columns));
        if (!unique)
            throw ArgumentError(fmt::format(
                "alchemy: insert<{}>().on_conflict({}): these columns of table '{}' are not its primary key nor "
                "a unique constraint or index, so no conflict can arise on them",
                table.struct_name, names(spec.conflict_target), table.name));
    }
    if (spec.do_update && spec.set.empty())
        throw ArgumentError(fmt::format("alchemy: insert<{}>().on_conflict(...).do_update(): no set() given",
                                        table.struct_name));
    for (std::size_t i = 0; i < spec.set.size(); ++i) {
        const auto& a = spec.set[i];
        if (&a.table() != &table)
            throw ArgumentError(fmt::format("alchemy: insert<{}>() ... do_update(): set() of a column of {} (table '{}')",
                                            table.struct_name, a.table().struct_name, a.table().name));
        for (std::size_t j = 0; j < i; ++j)
            if (spec.set[j].column() == a.column())
                throw ArgumentError(fmt::format("alchemy: insert<{}>() ... do_update(): column '{}' is set twice",
                                                table.struct_name, table.columns[a.column()].name));
        for_each_table(*a.value_node(), [&](const table_info& t) {
            if (&t != &table)
                throw ArgumentError(fmt::format(
                    "alchemy: insert<{}>() ... do_update(): a SET value names table '{}'; it can read the row in "
                    "the table (col(&{}::member)) and the row proposed (excluded(&{}::member))",
                    table.struct_name, t.name, table.struct_name, table.struct_name));
        });
    }
}

}  // namespace bulk_insertion

ALCHEMY_INLINE std::int64_t session_core::bulk_insert(const insert_spec& spec, const void* rows, std::size_t count,
                                                     std::size_t stride, value (*default_of)(std::size_t)) {
    using bulk_insertion::binds_unset;
    const auto& table = *spec.table;
    bulk_insertion::check_conflict(spec);
    autoflush();
    if (count == 0) return 0;
    const auto& d = bound_engine().dialect();
    const auto row = [&](std::size_t i) { return static_cast<const std::byte*>(rows) + i * stride; };
    // The columns a row writes: all but a key the database generates (an
    // integer key left 0 or NULL) and a NULL-able column with a server default
    // left NULL, as the unit of work leaves them out.
    const bool generated_keys = table.has_integer_key();
    const auto shape_of = [&](std::size_t i, std::vector<std::size_t>& columns) {
        columns.clear();
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            const auto& column = table.columns[c];
            if (generated_keys && column.primary_key && binds_unset(column, row(i), true)) continue;
            if (column.server_default && column.nullable && binds_unset(column, row(i), false)) continue;
            columns.push_back(c);
        }
    };
    // Binds column c of row i: its first version, its client-side default when
    // it is empty (kept in `defaults` while the row is bound: a driver may
    // bind text without copying it), or the member.
    const auto bind_column = [&](std::size_t i, std::size_t c, binder& b, std::vector<value>& defaults) {
        const auto& column = table.columns[c];
        if (table.has_version() && c == table.version_column) {
            b.bind_integer(1);
        } else if (column.apply_default && binds_unset(column, row(i), false)) {
            defaults.push_back(default_of(c));
            type_traits<value>::bind(b, defaults.back());
        } else {
            column.bind(b, row(i));
        }
    };
    std::int64_t changed = 0;
    auto& c = conn();
    std::vector<std::size_t> columns, next;  // (reused: no allocation per row)
    columns.reserve(table.columns.size());
    next.reserve(table.columns.size());
    for (std::size_t start = 0; start < count;) {
        shape_of(start, columns);
        std::size_t end = start + 1;
        for (; end < count; ++end) {
            shape_of(end, next);
            if (next != columns) break;
        }
        auto sql = render_statement(insert_stmt{&table, columns, {}}, d);
        const auto conflict = spec.on_conflict ? bulk_insertion::conflict_clause(spec, columns.size(), d) : compiled_sql{};
        sql += conflict.sql;
        std::vector<value> bound_defaults;  // the current row's, for the statement
        bound_defaults.reserve(columns.size());
        const auto bind_values = [&](std::size_t i, binder& b, std::vector<value>& defaults) {
            defaults.clear();
            for (auto col : columns) bind_column(start + i, col, b, defaults);
            for (const auto& v : conflict.params) type_traits<value>::bind(b, v);
        };
        const auto bind_row = [&](std::size_t i, binder& b) { bind_values(i, b, bound_defaults); };
        const auto record_row = [&](std::size_t i) {
            std::vector<value> out, defaults;
            defaults.reserve(columns.size());
            value_recorder recorder(out);
            bind_values(i, recorder, defaults);
            return out;
        };
        if (end - start == 1)
            changed += c.execute_bound(sql, [&](binder& b) { bind_row(0, b); }, [&] { return record_row(0); })
                           .rows_affected();
        else
            changed += c.execute_many_bound(sql, end - start, bind_row, record_row);
        start = end;
    }
    return changed;
}

}  // namespace alchemy::detail
