// alchemy/query.hpp — session.query<T>(): SELECTs that return mapped objects.
//
//   auto alice = session.query<User>().filter(col(&User::name) == "Alice").first();
//   auto adults = session.query<User>().filter(col(&User::age) >= 18)
//                        .order_by(col(&User::name).desc()).limit(10).all();
//
// A query is a value: each method returns a new query, the original is
// unchanged. Executing it autoflushes (session_options::autoflush), and every
// row resolves through the identity map: an object already in the session is
// returned as is, its unflushed changes intact.
#pragma once

#include <alchemy/compiler.hpp>
#include <alchemy/detail/session_core.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/ptr.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

template <class T>
class query {
public:
    explicit query(detail::session_core& core) : core_(&core), table_(&table_of<T>()) {}

    /// Adds a condition; several filters are ANDed.
    query filter(const predicate& condition) const {
        auto q = *this;
        q.where_.push_back(condition.node());
        return q;
    }

    /// Sets the ORDER BY items (columns sort ascending; use .desc() / desc()).
    template <class... O>
    query order_by(const O&... items) const {
        auto q = *this;
        (q.order_.push_back(to_order(items)), ...);
        return q;
    }

    query limit(std::int64_t n) const {
        auto q = *this;
        q.limit_ = n;
        return q;
    }
    query offset(std::int64_t n) const {
        auto q = *this;
        q.offset_ = n;
        return q;
    }
    query distinct() const {
        auto q = *this;
        q.distinct_ = true;
        return q;
    }

    /// The SQL this query runs and its parameters (SQLAlchemy's str(query)).
    compiled_sql compile() const { return compile_with(limit_, offset_); }
    std::string sql() const { return compile().sql; }

    /// Every row, as identity-mapped objects.
    std::vector<ptr<T>> all() const { return run(compile()); }

    /// The first row (LIMIT 1), or an empty ptr.
    ptr<T> first() const {
        auto rows = run(compile_with(1, offset_));
        return rows.empty() ? ptr<T>() : rows.front();
    }

    /// Exactly one row: NoResultFound for none, MultipleResultsFound for more.
    ptr<T> one() const {
        auto rows = run(compile());
        if (rows.empty()) throw NoResultFound();
        if (rows.size() > 1) throw MultipleResultsFound("Multiple rows were found when exactly one was required");
        return rows.front();
    }

    /// One row or an empty ptr: MultipleResultsFound for more.
    ptr<T> one_or_none() const {
        auto rows = run(compile());
        if (rows.size() > 1) throw MultipleResultsFound("Multiple rows were found when one or none was required");
        return rows.empty() ? ptr<T>() : rows.front();
    }

    /// The number of rows: SELECT count(*) FROM (<query>) AS anon_1.
    std::int64_t count() const {
        core_->autoflush();
        auto inner = compile();
        return core_->conn()
            .execute_values(fmt::format("SELECT count(*) AS count_1 FROM ({}) AS anon_1", inner.sql), inner.params)
            .template scalar<std::int64_t>();
    }

private:
    static order_item to_order(const order_item& item) { return item; }
    template <class X>
        requires detail::is_expression_v<X>
    static order_item to_order(const X& x) {
        return {x.node(), false};
    }

    compiled_sql compile_with(std::optional<std::int64_t> limit, std::optional<std::int64_t> offset) const {
        detail::sql_compiler c(core_->bound_engine().dialect());
        std::string sql = distinct_ ? "SELECT DISTINCT " : "SELECT ";
        for (std::size_t i = 0; i < table_->columns.size(); ++i) {
            if (i) sql += ", ";
            sql += c.column(*table_, i);
        }
        sql += " FROM " + c.table(*table_);
        for (std::size_t i = 0; i < where_.size(); ++i) {
            sql += i ? " AND " : " WHERE ";
            const bool wrap = where_.size() > 1 && where_[i]->what == detail::sql_node::kind::binary && where_[i]->op == "OR";
            sql += wrap ? "(" + c.render(*where_[i]) + ")" : c.render(*where_[i]);
        }
        for (std::size_t i = 0; i < order_.size(); ++i) {
            sql += i ? ", " : " ORDER BY ";
            sql += c.render(*order_[i].node);
            if (order_[i].descending) sql += " DESC";
            if (order_[i].nulls_order == order_item::nulls::first) sql += " NULLS FIRST";
            if (order_[i].nulls_order == order_item::nulls::last) sql += " NULLS LAST";
        }
        if (limit || offset) {
            sql += " LIMIT " + c.bind(value(limit.value_or(c.sql_dialect().unlimited())));
            sql += " OFFSET " + c.bind(value(offset.value_or(0)));
        }
        return {std::move(sql), std::move(c.params())};
    }

    std::vector<ptr<T>> run(const compiled_sql& compiled) const {
        core_->autoflush();
        auto result = core_->conn().execute_values(compiled.sql, compiled.params);
        std::vector<ptr<T>> out;
        for (; result.has_row(); result.next()) {
            auto inst = core_->adopt(*table_, result.current(), [] { return std::make_shared<detail::instance<T>>(); });
            out.emplace_back(std::static_pointer_cast<detail::instance<T>>(std::move(inst)));
        }
        return out;
    }

    detail::session_core* core_;
    const table_info* table_;
    std::vector<detail::node_ptr> where_;
    std::vector<order_item> order_;
    std::optional<std::int64_t> limit_;
    std::optional<std::int64_t> offset_;
    bool distinct_ = false;
};

}  // namespace alchemy
