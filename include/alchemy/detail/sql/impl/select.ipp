// alchemy/detail/sql/impl/select.ipp — definitions of detail/sql/select.hpp's non-template functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/sql/select.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy::detail {

ALCHEMY_INLINE select_spec::select_spec(const select_spec&) = default;
ALCHEMY_INLINE select_spec::select_spec(select_spec&&) noexcept = default;
ALCHEMY_INLINE select_spec& select_spec::operator=(const select_spec&) = default;
ALCHEMY_INLINE select_spec& select_spec::operator=(select_spec&&) noexcept = default;
ALCHEMY_INLINE select_spec::~select_spec() = default;

ALCHEMY_INLINE compiled_sql compile_select(const select_spec& s, const dialect& d) {
    sql_compiler c(d);
    auto sql = render_select(s, c);
    return {std::move(sql), std::move(c.params())};
}

ALCHEMY_INLINE std::vector<const table_info*> select_spec::from(const std::vector<const table_info*>& enclosing) const {
    std::vector<const table_info*> out;
    std::vector<const table_info*> correlated;
    const auto add = [&](const table_info& t) {
        const bool joined = std::any_of(joins.begin(), joins.end(),
                                        [&](const join_spec& j) { return j.table == &t && j.alias.empty(); });
        if (joined || std::find(out.begin(), out.end(), &t) != out.end()) return;
        if (std::find(enclosing.begin(), enclosing.end(), &t) != enclosing.end()) {
            correlated.push_back(&t);
            return;
        }
        out.push_back(&t);
    };
    for (std::size_t i = 0; i < entities.size(); ++i)
        if (entity_alias(i).empty()) add(*entities[i]);
    for (const auto& c : columns) for_each_table(*c, add);
    for (const auto& w : where) for_each_table(*w, add);
    // Correlating everything away would leave no FROM: keep the tables then.
    if (out.empty() && joins.empty() && extra_from.empty()) return correlated;
    return out;
}

ALCHEMY_INLINE void add_cte(select_spec& s, const std::shared_ptr<const cte_spec>& cte) {
    for (const auto& inner : cte->reads) add_cte(s, inner);
    for (const auto& present : s.ctes) {
        if (present->name != cte->name) continue;
        if (present == cte) return;
        throw ArgumentError(fmt::format(
            "alchemy: two different common table expressions named '{}' in one statement; give them distinct names",
            cte->name));
    }
    s.ctes.push_back(cte);
}

ALCHEMY_INLINE std::shared_ptr<const cte_spec> cte_with(const cte_spec& cte, const char* op, const select_spec& other) {
    const auto refuse = [&](const std::string& why) {
        throw ArgumentError(fmt::format("alchemy: cte '{}'.{}(): {}", cte.name,
                                        std::string_view(op) == "UNION" ? "union_" : "union_all", why));
    };
    if (!other.compound.empty()) refuse("the query is itself a set operation; combine one query at a time");
    if (!cte.body.order.empty() || cte.body.limit || cte.body.offset)
        refuse("the CTE's query has order_by(), limit() or offset(), which would end the first SELECT of the compound");
    if (!other.order.empty() || other.limit || other.offset)
        refuse("the query has order_by(), limit() or offset(), which a SELECT of a compound cannot have");
    if (other.columns.size() != cte.body.columns.size())
        refuse(fmt::format("the CTE selects {} columns and the query {}", cte.body.columns.size(), other.columns.size()));
    auto out = std::make_shared<cte_spec>(cte);
    select_spec reads;  // the CTEs the result reads, hoisted, without itself
    reads.ctes = cte.reads;
    for (const auto& read : other.ctes) {
        if (read->name == cte.name) out->recursive = true;  // `other` reads this CTE: its rows so far
        else add_cte(reads, read);
    }
    out->reads = std::move(reads.ctes);
    auto part = std::make_shared<select_spec>(other);
    part->ctes.clear();
    out->body.compound.emplace_back(op, std::move(part));
    return out;
}

ALCHEMY_INLINE node_ptr cte_reference(std::string name) {
    return nested_node([name = std::move(name)](sql_compiler& c) { return c.sql_dialect().quote_identifier(name); });
}

ALCHEMY_INLINE node_ptr aliased_table(const table_info& table, std::string alias) {
    return nested_node([&table, alias = std::move(alias)](sql_compiler& c) {
        return c.table(table) + " AS " + c.sql_dialect().quote_identifier(alias);
    });
}

ALCHEMY_INLINE std::vector<std::string> result_column_names(const select_spec& s) {
    std::vector<std::string> out;
    out.reserve(s.columns.size());
    for (const auto& n : s.columns) {
        switch (n->what) {
            case sql_node::kind::label:
            case sql_node::kind::alias_column: out.push_back(n->op); break;
            case sql_node::kind::column: out.push_back(n->table->columns[n->column].name); break;
            default: out.emplace_back(); break;
        }
    }
    return out;
}

ALCHEMY_INLINE node_ptr infer_join(const std::vector<const table_info*>& present, const table_info& target) {
    std::vector<node_ptr> found;
    const auto condition = [](const table_info& child, const foreign_key_info& fk) {
        const auto& parent = fk.target();
        node_ptr on;
        for (std::size_t i = 0; i < fk.columns.size(); ++i) {
            auto eq = binary_node("=", column_node(parent, fk.target_columns[i]), column_node(child, fk.columns[i]));
            on = on ? binary_node("AND", on, eq) : eq;
        }
        return on;
    };
    for (const auto* p : present) {
        if (p == &target) continue;
        for (const auto& fk : target.foreign_keys)
            if (&fk.target() == p) found.push_back(condition(target, fk));
        for (const auto& fk : p->foreign_keys)
            if (&fk.target() == &target) found.push_back(condition(*p, fk));
    }
    if (found.empty())
        throw InvalidRequestError(fmt::format(
            "alchemy: Don't know how to join to {} (table '{}'): no foreign key links it to the tables of the "
            "query; give the ON condition explicitly",
            target.struct_name, target.name));
    if (found.size() > 1)
        throw InvalidRequestError(fmt::format(
            "alchemy: Can't determine the join to {} (table '{}'): there are {} foreign key paths; give the ON "
            "condition explicitly",
            target.struct_name, target.name, found.size()));
    return found.front();
}

ALCHEMY_INLINE std::string render_select(const select_spec& s, sql_compiler& c) {
    const auto& d = c.sql_dialect();
    const auto from = s.from(c.enclosing_tables());
    // Nested SELECTs inside this one correlate to its tables.
    const auto saved = c.enclosing_tables();
    for (const auto* t : s.tables(saved)) c.enclosing_tables().push_back(t);
    for (const auto* t : from) c.enclosing_tables().push_back(t);
    struct restore {
        sql_compiler& c;
        std::vector<const table_info*> saved;
        ~restore() { c.enclosing_tables() = std::move(saved); }
    } restore_enclosing{c, saved};

    std::string sql;
    for (std::size_t i = 0; i < s.ctes.size(); ++i) {
        if (i == 0) {
            const bool recursive =
                std::any_of(s.ctes.begin(), s.ctes.end(), [](const auto& cte) { return cte->recursive; });
            sql += recursive ? "WITH RECURSIVE " : "WITH ";
        } else {
            sql += ", ";
        }
        // A CTE is a statement of its own: it correlates to nothing.
        auto own = std::exchange(c.enclosing_tables(), {});
        sql += d.quote_identifier(s.ctes[i]->name) + " AS (" + render_select(s.ctes[i]->body, c) + ")";
        c.enclosing_tables() = std::move(own);
    }
    if (!s.ctes.empty()) sql += ' ';
    sql += s.distinct ? "SELECT DISTINCT " : "SELECT ";
    for (std::size_t i = 0; i < s.columns.size(); ++i) {
        if (i) sql += ", ";
        sql += c.render(*s.columns[i]);
    }
    if (from.empty() && s.extra_from.empty() && s.joins.empty())
        throw ArgumentError("alchemy: the query selects nothing that names a table");
    std::size_t from_items = 0;
    for (const auto* t : from) sql += (from_items++ ? ", " : " FROM ") + c.table(*t);
    for (const auto& f : s.extra_from) sql += (from_items++ ? ", " : " FROM ") + c.render(*f);
    for (const auto& j : s.joins) {
        sql += j.outer ? " LEFT OUTER JOIN " : " JOIN ";
        if (j.subquery) sql += c.render(*j.subquery);
        else if (!j.alias.empty()) sql += c.table(*j.table) + " AS " + d.quote_identifier(j.alias);
        else sql += c.table(*j.table);
        sql += " ON " + c.render(*j.on);
    }
    const auto conditions = [&](const char* keyword, const std::vector<node_ptr>& items) {
        for (std::size_t i = 0; i < items.size(); ++i) {
            sql += i ? " AND " : keyword;
            const bool wrap = items.size() > 1 && items[i]->what == sql_node::kind::binary && items[i]->op == "OR";
            sql += wrap ? "(" + c.render(*items[i]) + ")" : c.render(*items[i]);
        }
    };
    conditions(" WHERE ", s.where);
    for (std::size_t i = 0; i < s.group_by.size(); ++i) sql += (i ? ", " : " GROUP BY ") + c.render(*s.group_by[i]);
    conditions(" HAVING ", s.having);
    for (const auto& [op, part] : s.compound) {
        // The next SELECT is a statement of its own: it correlates to what
        // encloses the compound, not to this SELECT's tables.
        auto own = std::exchange(c.enclosing_tables(), restore_enclosing.saved);
        sql += " " + op + " " + render_select(*part, c);
        c.enclosing_tables() = std::move(own);
    }
    for (std::size_t i = 0; i < s.order.size(); ++i) {
        sql += i ? ", " : " ORDER BY ";
        const auto& item = s.order[i];
        // A labelled expression is ordered by its name, and so is a column
        // when the ORDER BY sorts a compound's rows (PostgreSQL accepts only
        // result column names there).
        if (item.node->what == sql_node::kind::label)
            sql += d.quote_identifier(item.node->op);
        else if (!s.compound.empty() && item.node->what == sql_node::kind::column)
            sql += d.quote_identifier(item.node->table->columns[item.node->column].name);
        else if (!s.compound.empty() && item.node->what == sql_node::kind::alias_column)
            sql += d.quote_identifier(item.node->op);
        else
            sql += c.render(*item.node);
        if (item.descending) sql += " DESC";
        if (item.nulls_order == order_item::nulls::first) sql += " NULLS FIRST";
        if (item.nulls_order == order_item::nulls::last) sql += " NULLS LAST";
    }
    if (s.limit || s.offset) {
        sql += " LIMIT " + c.bind(value(s.limit.value_or(d.unlimited())));
        sql += " OFFSET " + c.bind(value(s.offset.value_or(0)));
    }
    return sql;
}

ALCHEMY_INLINE bool append_shape(const sql_node& n, std::string& key, std::vector<value>& params) {
    key += static_cast<char>(n.what);
    switch (n.what) {
        case sql_node::kind::nested:
        case sql_node::kind::json_extract: return false;  // (its path is one parameter the dialect makes)
        case sql_node::kind::bind: params.push_back(n.bound); return true;
        case sql_node::kind::deferred_bind: params.push_back((*n.deferred)()); return true;
        case sql_node::kind::column:
            append_raw(key, &n.table, sizeof n.table);
            append_raw(key, &n.column, sizeof n.column);
            append_text(key, n.alias);
            return true;
        case sql_node::kind::alias_column:
            append_text(key, n.alias);
            append_text(key, n.op);
            return true;
        case sql_node::kind::cast:
            key += static_cast<char>(n.cast_to);
            key += static_cast<char>(n.cast_type);
            break;
        default: append_text(key, n.op); break;
    }
    const auto count = n.children.size();
    append_raw(key, &count, sizeof count);
    for (const auto& c : n.children)
        if (!append_shape(*c, key, params)) return false;
    return true;
}

ALCHEMY_INLINE bool select_shape(const select_spec& s, std::string& key, std::vector<value>& params, const dialect& d) {
    key += s.distinct ? 'D' : 'S';
    const auto list = [&](char tag, const std::vector<node_ptr>& nodes) {
        key += tag;
        const auto n = nodes.size();
        append_raw(key, &n, sizeof n);
        for (const auto& node : nodes)
            if (!append_shape(*node, key, params)) return false;
        return true;
    };
    if (!list('c', s.columns) || !s.extra_from.empty() || !s.compound.empty() || !s.ctes.empty()) return false;
    for (const auto* e : s.entities) append_raw(key, &e, sizeof e);
    key += 'j';
    for (const auto& j : s.joins) {
        if (j.subquery) return false;
        append_raw(key, &j.table, sizeof j.table);
        append_text(key, j.alias);
        key += j.outer ? 'o' : 'i';
        if (!append_shape(*j.on, key, params)) return false;
    }
    if (!list('w', s.where) || !list('g', s.group_by) || !list('h', s.having)) return false;
    key += 'o';
    for (const auto& item : s.order) {
        key += static_cast<char>(item.descending) + static_cast<char>(2 * static_cast<int>(item.nulls_order));
        if (item.node->what == sql_node::kind::label) append_text(key, item.node->op);  // ordered by its name
        else if (!append_shape(*item.node, key, params)) return false;
    }
    if (s.limit || s.offset) {
        key += 'l';
        params.emplace_back(s.limit.value_or(d.unlimited()));
        params.emplace_back(s.offset.value_or(0));
    }
    return true;
}

ALCHEMY_INLINE node_ptr from_select(select_spec spec, std::string name) {
    return nested_node([spec = std::move(spec), name = std::move(name)](sql_compiler& c) {
        auto saved = std::exchange(c.enclosing_tables(), {});
        auto inner = render_select(spec, c);
        c.enclosing_tables() = std::move(saved);
        return "(" + inner + ") AS " + c.sql_dialect().quote_identifier(name);
    });
}

}  // namespace alchemy::detail
