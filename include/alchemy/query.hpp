// alchemy/query.hpp — session.query<T...>() for mapped objects and
// session.query(expressions...) for values.
//
//   auto alice = session.query<User>().filter(col(&User::name) == "Alice").first();
//   for (auto& [user, post] : session.query<User, Post>().join<Post>()
//                                     .filter(col(&Post::title) == "Hello").all()) ...
//   auto n = session.query(func::count(col(&Post::id))).filter(col(&Post::user_id) == 1).scalar();
//   auto per_user = session.query(col(&User::name), func::count(col(&Post::id)).label("n"))
//                          .join<Post>().group_by(col(&User::name)).order_by(desc(...)).all();
//
// A query is a value: each method returns a new query. Executing it
// autoflushes (session_options::autoflush). Entity rows resolve through the
// identity map: an object already in the session is returned as is, its
// unflushed changes intact. sql() / compile() show the SQL and parameters.
#pragma once

#include <alchemy/compiler.hpp>
#include <alchemy/detail/config.hpp>
#include <alchemy/detail/sql/bulk_dml.hpp>
#include <alchemy/detail/sql/select.hpp>
#include <alchemy/detail/sql/statements.hpp>
#include <alchemy/detail/orm/select_item.hpp>
#include <alchemy/detail/orm/session_core.hpp>
#include <alchemy/dml.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/loading.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/named_row.hpp>
#include <alchemy/ptr.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <fmt/core.h>

namespace alchemy {

/// A query used as a table: `q.subquery("counts")` renders as
/// `(SELECT ...) AS "counts"` in FROM or JOIN. Its columns:
/// c(&Post::user_id) for a column it selects, c(labelled) for an expression
/// it selects under that label (typed as they are), c<V>("name") by name.
class subquery {
public:
    subquery(detail::select_spec spec, std::string name) : spec_(std::move(spec)), name_(std::move(name)) {}

    /// The column called `column` (its label, or the column's own name).
    template <class V>
    expression<V> c(std::string_view column) const {
        for (const auto& name : detail::result_column_names(spec_))
            if (name == column) return expression<V>(detail::alias_column_node(name_, std::string(column)));
        throw ArgumentError(fmt::format("alchemy: subquery '{}' has no column named '{}'", name_, column));
    }

    /// The subquery's column that T::member's column (of T's table or an
    /// alias of it) fills, typed as the member: subq.c(&Post::user_id);
    /// failing that, its column of the same name.
    template <class T, class M>
    expression<M> c(M T::*member) const {
        const auto& table = table_of<T>();
        const auto index = detail::column_index(member);
        for (const auto& n : spec_.columns) {
            const auto& inner = n->what == detail::sql_node::kind::label ? *n->children.front() : *n;
            if (inner.what == detail::sql_node::kind::column && inner.table == &table && inner.column == index)
                return expression<M>(detail::alias_column_node(
                    name_, n->what == detail::sql_node::kind::label ? n->op : table.columns[index].name));
        }
        // Not selected as T's column (a column of another subquery, say): the column of its name.
        for (const auto& name : detail::result_column_names(spec_))
            if (name == table.columns[index].name) return expression<M>(detail::alias_column_node(name_, name));
        throw ArgumentError(fmt::format("alchemy: subquery '{}' does not select {}::{} (column '{}')", name_,
                                        table.struct_name, table.columns[index].member, table.columns[index].name));
    }

    /// The subquery's column for an expression it selects under a label:
    ///   auto n = func::count(col(&Post::id)).label("n");
    ///   auto counts = session.query(col(&Post::user_id), n).group_by(...).subquery("counts");
    ///   counts.c(n)   // expression<std::int64_t>: "counts"."n"
    template <class V>
    expression<V> c(const expression<V>& labelled) const {
        if (labelled.node()->what != detail::sql_node::kind::label)
            throw ArgumentError(fmt::format(
                "alchemy: subquery '{}': c(expression) takes an expression labelled with .label(\"name\"), as the "
                "subquery selects it (a column: c(&T::member))",
                name_));
        return c<V>(labelled.node()->op);
    }

    const std::string& name() const noexcept { return name_; }
    /// What it reads as a FROM item: (SELECT ...) AS "name", or a CTE's name.
    detail::node_ptr from_node() const {
        return cte_ ? detail::cte_reference(name_) : detail::from_select(spec_, name_);
    }
    /// Its SELECT (a CTE's body).
    const detail::select_spec& statement() const noexcept { return spec_; }
    /// The CTE this is, or null for a subquery.
    const std::shared_ptr<const detail::cte_spec>& common_table() const noexcept { return cte_; }

protected:
    explicit subquery(std::shared_ptr<const detail::cte_spec> cte)
        : spec_(cte->body), name_(cte->name), cte_(std::move(cte)) {}

private:
    detail::select_spec spec_;
    std::string name_;
    std::shared_ptr<const detail::cte_spec> cte_{};
};

/// A common table expression: `q.cte("tree")` is read by name, the
/// statement that reads it starting `WITH "tree" AS (SELECT ...)`. Anywhere a
/// subquery goes it goes (join, select_from, aliased<T>), and union_all() of
/// a query that reads the CTE itself makes it recursive (WITH RECURSIVE):
///   auto tree = session.query<Node>().filter(col(&Node::id) == root).cte("tree");
///   tree = tree.union_all(session.query<Node>().join(tree, col(&Node::parent_id) == tree.c(&Node::id)));
///   session.query(alchemy::aliased<Node>(tree)).all();   // root and every descendant
class cte : public subquery {
public:
    /// The CTE of `body`'s rows, read by `name`.
    cte(const detail::select_spec& body, std::string name) : subquery(make(body, std::move(name))) {}

    /// This CTE's rows followed by `other`'s (UNION ALL / UNION). When
    /// `other` reads this CTE the result is recursive: the database repeats
    /// `other` over the rows it last produced until it produces none.
    template <class Q>
    cte union_all(const Q& other) const {
        return cte(detail::cte_with(*common_table(), "UNION ALL", other.statement()));
    }
    template <class Q>
    cte union_(const Q& other) const {
        return cte(detail::cte_with(*common_table(), "UNION", other.statement()));
    }

private:
    explicit cte(std::shared_ptr<const detail::cte_spec> spec) : subquery(std::move(spec)) {}

    static std::shared_ptr<const detail::cte_spec> make(const detail::select_spec& body, std::string name) {
        if (name.empty()) throw ArgumentError("alchemy: cte() needs a name");
        auto spec = std::make_shared<detail::cte_spec>();
        spec->name = std::move(name);
        spec->body = body;
        spec->reads = std::move(spec->body.ctes);  // hoisted into the statement that reads this one
        spec->body.ctes.clear();
        return spec;
    }
};

template <class T>
aliased<T>::aliased(const subquery& source) : name_(source.name()), source_(source.from_node()), cte_(source.common_table()) {
    const auto& table = table_of<T>();
    const auto names = detail::result_column_names(source.statement());
    for (const auto& column : table.columns)
        if (std::find(names.begin(), names.end(), column.name) == names.end())
            throw ArgumentError(fmt::format(
                "alchemy: aliased<{}>(subquery '{}'): the subquery has no column named '{}' ({}::{}); an aliased "
                "entity reads each of its columns from the subquery column of the same name",
                table.struct_name, source.name(), column.name, table.struct_name, column.member));
}

/// Raw SQL with bound parameters: session.execute(text("..."), args...) or
/// session.query<User>().from_statement(text("..."), args...).
struct text {
    std::string sql;
    explicit text(std::string s) : sql(std::move(s)) {}
};

namespace detail {

/// Builds a query that belongs to no session (alchemy::select).
struct unbound_t {
    explicit unbound_t() = default;
};

// What query<...> and query(expressions...) share: building the select_spec.
template <class Derived>
class query_base {
public:
    /// Adds a condition; several filters are ANDed.
    Derived filter(const predicate& condition) const {
        auto q = before_set_operation("filter()");
        q.spec_.where.push_back(condition.node());
        return q;
    }

    /// Joins T's table; the ON clause comes from the one foreign key between
    /// T and a table already in the query (InvalidRequestError for none or
    /// several), or is given explicitly.
    template <class T>
    Derived join() const {
        return add_join(table_of<T>(), nullptr, false);
    }
    template <class T>
    Derived join(const predicate& on) const {
        return add_join(table_of<T>(), on.node(), false);
    }
    /// LEFT OUTER JOIN. In a values query, T's columns become std::optional
    /// in the row type: where no row matched they are NULL.
    template <class T>
    auto outerjoin() const {
        return Derived::template after_outer_join<T>(add_join(table_of<T>(), nullptr, true));
    }
    template <class T>
    auto outerjoin(const predicate& on) const {
        return Derived::template after_outer_join<T>(add_join(table_of<T>(), on.node(), true));
    }

    /// Joins along a relationship: join(&User::posts) joins posts ON the
    /// relationship's foreign key; a many-to-many joins its association
    /// table and then the target.
    template <class C, class M>
    Derived join(M C::*relationship_member) const {
        return add_relationship_join(relationship_of(relationship_member), false);
    }
    template <class C, class M>
    auto outerjoin(M C::*relationship_member) const {
        return Derived::template after_outer_join<typename joined_struct<M>::type>(
            add_relationship_join(relationship_of(relationship_member), true));
    }

    /// Joins a subquery / an aliased table, on an explicit condition.
    Derived join(const alchemy::subquery& sq, const predicate& on) const { return add_join_node(sq, on, false); }
    Derived outerjoin(const alchemy::subquery& sq, const predicate& on) const { return add_join_node(sq, on, true); }
    template <class T>
    Derived join(const aliased<T>& alias, const predicate& on) const {
        return add_alias_join(alias, on, false);
    }
    /// The alias's columns (alias.c(...)) become optional, not T's own.
    template <class T>
    auto outerjoin(const aliased<T>& alias, const predicate& on) const {
        return Derived::template after_outer_join<alias_origin<T>>(add_alias_join(alias, on, true));
    }

    /// Adds a subquery to the FROM list.
    Derived select_from(const alchemy::subquery& sq) const {
        auto q = before_set_operation("select_from()");
        q.spec_.extra_from.push_back(sq.from_node());
        if (sq.common_table()) add_cte(q.spec_, sq.common_table());
        return q;
    }

    /// This query as a named subquery, for FROM and JOIN.
    alchemy::subquery subquery(std::string name = "anon_1") const { return alchemy::subquery(spec_, std::move(name)); }

    /// This query as a common table expression (alchemy::cte): the
    /// statements that read it start WITH "name" AS (<this query>).
    alchemy::cte cte(std::string name) const { return alchemy::cte(spec_, std::move(name)); }

    /// This query nested in another: "(SELECT ...)", correlated to the
    /// enclosing query's tables (for in_() and scalar subqueries) ...
    node_ptr nested_select() const { return correlated_select(spec_); }
    /// ... and without the parentheses (for exists()).
    node_ptr nested_select_body() const {
        return nested_node([spec = spec_](sql_compiler& c) { return render_select(spec, c); });
    }

    /// ORDER BY: expressions (ascending) or order items (.desc(), desc(x), nulls_last()).
    template <class... O>
    Derived order_by(const O&... items) const {
        auto q = self();
        (q.spec_.order.push_back(to_order(items)), ...);
        return q;
    }

    /// GROUP BY the expressions.
    template <class... X>
    Derived group_by(const X&... items) const {
        auto q = before_set_operation("group_by()");
        (q.spec_.group_by.push_back(items.node()), ...);
        return q;
    }

    /// A condition on the groups.
    Derived having(const predicate& condition) const {
        auto q = before_set_operation("having()");
        q.spec_.having.push_back(condition.node());
        return q;
    }

    Derived limit(std::int64_t n) const {
        auto q = self();
        q.spec_.limit = n;
        return q;
    }
    Derived offset(std::int64_t n) const {
        auto q = self();
        q.spec_.offset = n;
        return q;
    }
    Derived distinct() const {
        auto q = before_set_operation("distinct()");
        q.spec_.distinct = true;
        return q;
    }

    /// The SQL this query runs and its parameters (SQLAlchemy's str(query)),
    /// through the session's dialect or through `d` (alchemy::compile(q, d)).
    compiled_sql compile() const { return compile(bound().bound_engine().dialect()); }
    compiled_sql compile(const dialect& d) const { return compile_select(self().effective_spec(), d); }
    std::string sql() const { return compile().sql; }

    /// The rows of this query and of `other` (a query of the same entities,
    /// or of as many columns of compatible types): UNION (without
    /// duplicates), UNION ALL, INTERSECT, EXCEPT. order_by(), limit() and
    /// offset() called afterwards sort and cut the combined rows; called
    /// before, on either query, they are an ArgumentError. A values query's
    /// column is optional in the result when it is in either query.
    template <class Other>
    auto union_(const Other& other) const {
        return combine("UNION", other);
    }
    template <class Other>
    auto union_all(const Other& other) const {
        return combine("UNION ALL", other);
    }
    template <class Other>
    auto intersect(const Other& other) const {
        return combine("INTERSECT", other);
    }
    template <class Other>
    auto except_(const Other& other) const {
        return combine("EXCEPT", other);
    }

    /// The SELECT as built so far (for set operations and nesting).
    const select_spec& statement() const noexcept { return spec_; }

    /// The number of rows: SELECT count(*) FROM (<query>) AS anon_1.
    std::int64_t count() const { return scalar_around<count_stmt>(); }

    /// Whether any row matches: SELECT EXISTS (<query>).
    bool exists() const { return scalar_around<exists_stmt>() != 0; }

protected:
    explicit query_base(session_core& core) : core_(&core) {}
    query_base(session_core* core, select_spec spec) : core_(core), spec_(std::move(spec)) {}

    // Selects every column of `table`, for one object per row.
    void select_entity(const table_info& table) {
        spec_.entities.push_back(&table);
        for (std::size_t i = 0; i < table.columns.size(); ++i) spec_.columns.push_back(column_node(table, i));
    }

    // Selects every column of T from an alias (of T's table, or of a
    // subquery or CTE), for one object per row.
    template <class T>
    void select_entity(const aliased<T>& alias) {
        const auto& table = alias.table();
        spec_.entity_aliases.resize(spec_.entities.size());  // "" for the entities before it
        spec_.entities.push_back(&table);
        spec_.entity_aliases.push_back(alias.name());
        for (std::size_t i = 0; i < table.columns.size(); ++i)
            spec_.columns.push_back(column_node(table, i, alias.name()));
        spec_.extra_from.push_back(alias.source() ? alias.source() : aliased_table(table, alias.name()));
        if (alias.common_table()) add_cte(spec_, alias.common_table());
    }

    // Runs this query wrapped in Wrapper (count_stmt, exists_stmt) after an
    // autoflush, and reads the single integer it selects.
    template <class Wrapper>
    std::int64_t scalar_around() const {
        auto& core = bound();
        core.autoflush();
        const auto& d = core.bound_engine().dialect();
        auto inner = compile(d);
        return core.conn()
            .execute_values(render_statement(Wrapper{std::move(inner.sql)}, d), inner.params)
            .template scalar<std::int64_t>();
    }
    explicit query_base(unbound_t) : core_(nullptr) {}

    // The session that runs the query. One built by alchemy::select() has
    // none: it is for compile(q, dialect), and running it is an error.
    session_core& bound() const {
        if (!core_)
            throw InvalidRequestError(
                "alchemy: this query was built by alchemy::select() and belongs to no session: it can be compiled "
                "(alchemy::compile(q, dialect)) but not run; build it with session.query() to run it");
        return *core_;
    }

    // Runs the SELECT; its SQL text is rendered once per shape and session.
    result execute(const select_spec& spec) const {
        bound().autoflush();
        const auto& d = core_->bound_engine().dialect();
        std::string shape;
        std::vector<value> params;
        if (select_shape(spec, shape, params, d)) {
            if (const auto* sql = core_->statements().compiled_query(shape)) return core_->conn().execute_values(*sql, params);
            auto compiled = compile_select(spec, d);
            core_->statements().remember_compiled_query(std::move(shape), compiled.sql);
            return core_->conn().execute_values(compiled.sql, compiled.params);
        }
        const auto compiled = compile_select(spec, d);
        return core_->conn().execute_values(compiled.sql, compiled.params);
    }

    select_spec limited(std::int64_t n) const {
        auto s = spec_;
        s.limit = n;
        return s;
    }

    /// The SELECT as it runs (an entity query adds its joined eager loads).
    const select_spec& effective_spec() const { return spec_; }

    session_core* core_;
    select_spec spec_;

private:
    const Derived& self() const { return static_cast<const Derived&>(*this); }

    // A copy to refine with `what`, which would change only the first
    // SELECT of a compound (SQLAlchemy wraps the compound in a subquery
    // first; alchemy does not yet): refused once a set operation is made.
    Derived before_set_operation(const char* what) const {
        if (!spec_.compound.empty())
            throw ArgumentError(fmt::format(
                "alchemy: {} after union_/union_all/intersect/except_ would apply to the first query only: "
                "refine each query before the set operation (after it, only order_by(), limit() and offset())",
                what));
        return self();
    }

    template <class Other>
    auto combine(const char* op, const Other& other) const {
        const auto& theirs = other.statement();
        if (!theirs.compound.empty())
            throw ArgumentError(fmt::format(
                "alchemy: {} with a query that is itself a set operation would not keep its grouping "
                "(a EXCEPT (b UNION c)): combine left to right instead, a.union_(b).union_(c)",
                op));
        // PostgreSQL binds INTERSECT tighter than UNION and EXCEPT, SQLite
        // reads them left to right: mixed, one compound means two things.
        const bool intersecting = std::string_view(op) == "INTERSECT";
        for (const auto& [earlier, part] : spec_.compound)
            if ((earlier == "INTERSECT") != intersecting)
                throw ArgumentError(fmt::format(
                    "alchemy: {} after {} in one compound: PostgreSQL binds INTERSECT tighter than UNION and EXCEPT, "
                    "SQLite reads them left to right; make one of them a subquery",
                    op, earlier));
        const auto ordered = [](const select_spec& s) { return !s.order.empty() || s.limit || s.offset; };
        if (ordered(spec_) || ordered(theirs))
            throw ArgumentError(fmt::format(
                "alchemy: {} of queries with order_by(), limit() or offset(): those apply to the combined rows, "
                "so call them after the set operation",
                op));
        auto q = self();
        // A WITH clause opens the whole statement: the CTEs the other query reads go there.
        auto part = std::make_shared<select_spec>(theirs);
        for (const auto& read : part->ctes) add_cte(q.spec_, read);
        part->ctes.clear();
        q.spec_.compound.emplace_back(op, std::move(part));
        return Derived::template combined_with<Other>(std::move(q));
    }

    Derived add_relationship_join(const relationship_info& info, bool outer) const {
        auto q = before_set_operation("a join");
        const table_info* owner = nullptr;
        for (const auto* t : q.spec_.tables())
            if (!t->relationships.empty() && &info >= t->relationships.data() &&
                &info < t->relationships.data() + t->relationships.size())
                owner = t;
        if (!owner)
            throw InvalidRequestError(fmt::format(
                "alchemy: cannot join along {}: its table is not in the query", info.member));
        const auto& target = info.target();
        const auto push = [&](const table_info& table, node_ptr on) {
            join_spec j;
            j.table = &table;
            j.on = std::move(on);
            j.outer = outer;
            q.spec_.joins.push_back(std::move(j));
        };
        if (info.kind == relationship_kind::many_to_many) {
            const auto& association = info.secondary();
            const auto& local = association.foreign_keys[info.foreign_key];
            const auto& remote = association.foreign_keys[info.remote_foreign_key];
            push(association, binary_node("=", column_node(*owner, local.target_columns.front()),
                                          column_node(association, local.columns.front())));
            push(target, binary_node("=", column_node(target, remote.target_columns.front()),
                                     column_node(association, remote.columns.front())));
        } else if (info.kind == relationship_kind::one_to_many) {
            const auto& fk = target.foreign_keys[info.foreign_key];
            push(target, binary_node("=", column_node(*owner, fk.target_columns.front()), column_node(target, fk.columns.front())));
        } else {
            const auto& fk = owner->foreign_keys[info.foreign_key];
            push(target, binary_node("=", column_node(target, fk.target_columns.front()), column_node(*owner, fk.columns.front())));
        }
        return q;
    }

    Derived add_join(const table_info& table, node_ptr on, bool outer) const {
        auto q = before_set_operation("a join");
        if (!on) on = infer_join(q.spec_.tables(), table);
        join_spec j;
        j.table = &table;
        j.on = std::move(on);
        j.outer = outer;
        q.spec_.joins.push_back(std::move(j));
        return q;
    }

    Derived add_join_node(const alchemy::subquery& sq, const predicate& on, bool outer) const {
        auto q = before_set_operation("a join");
        join_spec j;
        j.subquery = sq.from_node();
        j.on = on.node();
        j.outer = outer;
        q.spec_.joins.push_back(std::move(j));
        if (sq.common_table()) add_cte(q.spec_, sq.common_table());
        return q;
    }

    template <class T>
    Derived add_alias_join(const aliased<T>& alias, const predicate& on, bool outer) const {
        auto q = before_set_operation("a join");
        join_spec j;
        if (alias.source()) {
            j.subquery = alias.source();
        } else {
            j.table = &alias.table();
            j.alias = alias.name();
        }
        j.on = on.node();
        j.outer = outer;
        q.spec_.joins.push_back(std::move(j));
        if (alias.common_table()) add_cte(q.spec_, alias.common_table());
        return q;
    }

    static order_item to_order(const order_item& item) { return item; }
    template <class X>
        requires is_expression_v<X>
    static order_item to_order(const X& x) {
        return {x.node(), false};
    }
};

// The object whose columns start at `first` in the row, through the
// identity map; an empty ptr where an outer join found no row (NULL keys).
template <class U>
ptr<U> adopt_entity(session_core& core, const row& r, std::size_t first) {
    const auto& table = table_of<U>();
    bool all_null = true;
    for (auto k : table.primary_key) all_null = all_null && r[first + k].is_null();
    if (all_null) return ptr<U>();
    auto inst = core.adopt(table, r, &make_instance<U>, first);
    return ptr<U>(static_cast<instance<U>*>(inst.get()));
}

// Presents a row whose columns come in another order as table order.
struct reordered_row {
    const row& r;
    const std::vector<std::size_t>& positions;
    column_value operator[](std::size_t i) const { return r[positions[i]]; }
};

// A joinedload() being read from the rows of a query.
struct joined_load {
    const relationship_info* info;
    std::size_t first;  // the position of the target's first column in each row
    boost::unordered_flat_map<instance_base*, bool> owners{};  // true: this query fills its relationship
    // The previous row's owner and its entry in `owners`: rows of one owner
    // usually follow each other, and then need no lookup.
    instance_base* last_owner = nullptr;
    bool last_filling = false;
};

// The joinedload()s of one query. Its functions are out of line (compiled
// once with ALCHEMY_SEPARATE_COMPILATION), not in every query<T...>.
class joined_loads {
public:
    joined_loads();
    joined_loads(const joined_loads&) = delete;
    joined_loads& operator=(const joined_loads&) = delete;
    ~joined_loads();

    /// Adds the LEFT OUTER JOINs and columns of a joinedload() of `info`
    /// (a relationship of `owner`) to `spec`.
    void add(select_spec& spec, const relationship_info& info, const table_info& owner, bool inner = false);
    /// Reads each joined target in row `r` into `owner`'s relationships.
    void take(session_core& core, instance_base* owner, const row& r);
    /// Marks the relationships this query filled as loaded (and gives each
    /// the links the session queued for it: session_core::apply_queued_links).
    void finish(session_core& core);

private:
    std::vector<joined_load> loads_;
};

// ---- loader options (loading.hpp), out of line for the same reason ----

/// The table among `tables` that `r` is a relationship of, or null.
const table_info* owner_among(const std::vector<const table_info*>& tables, const relationship_info& r);
/// A query's options and the mapping's eager defaults (relation_settings::lazy)
/// of its entities' relationships that no option names.
std::vector<load_option> loader_options(const std::vector<load_option>& options,
                                        const std::vector<const table_info*>& entities);
/// The joins and columns of the options' joined first steps.
void add_joined_loads(joined_loads& joined, select_spec& spec, const std::vector<load_option>& options,
                      const std::vector<const table_info*>& entities);
/// After the rows: the select-IN loads of the options that apply to
/// `table`'s objects (and the paths they start), and the objects as one
/// batch for lazy loads, with what lazyload/noload/raiseload say.
void apply_loader_options(session_core& core, const table_info& table, std::vector<instance_base*> objects,
                          const std::vector<load_option>& options, bool joined_in_query);

// A set of objects (which rows a query has returned already), out of line
// for the same reason.
class pointer_set {
public:
    pointer_set();
    pointer_set(const pointer_set&) = delete;
    pointer_set& operator=(const pointer_set&) = delete;
    ~pointer_set();
    /// Adds p; false when it was in the set already.
    bool insert(const void* p);

private:
    boost::unordered_flat_set<const void*> set_;
};

}  // namespace detail

/// A query for mapped objects: one type gives ptr<T> rows, several give
/// tuples of ptrs (an empty ptr where an outer join found no row).
template <class... T>
class query : public detail::query_base<query<T...>> {
    using base = detail::query_base<query<T...>>;
    friend base;

public:
    using row_type = std::conditional_t<sizeof...(T) == 1, std::tuple_element_t<0, std::tuple<ptr<T>...>>,
                                        std::tuple<ptr<T>...>>;
    /// What scalar() returns: the first entity's ptr.
    using first_object = std::tuple_element_t<0, std::tuple<ptr<T>...>>;

    explicit query(detail::session_core& core) : base(core) {
        (this->select_entity(table_of<T>()), ...);
    }
    /// A query of no session (alchemy::select<T...>()).
    explicit query(detail::unbound_t unbound) : base(unbound) {
        (this->select_entity(table_of<T>()), ...);
    }
    /// A query of T's objects read from an alias: session.query(alias).
    template <class Core, class U>
        requires(std::is_same_v<std::tuple<U>, std::tuple<T...>>)
    query(Core&& core, const aliased<U>& alias) : base(core) {
        this->select_entity(alias);
    }

    /// Every row. A query for one entity returns each object once, even when
    /// a join repeats it (SQLAlchemy's de-duplication of entity queries).
    std::vector<row_type> all() const { return run(this->spec_); }

    /// How relationships load: selectinload(&User::posts), joinedload(&Post::user),
    /// raiseload(...), noload(...), lazyload(...), raiseload_all() (loading.hpp).
    template <class... O>
        requires(std::same_as<O, load_option> && ...)
    query options(const O&... eager) const {
        auto q = *this;
        (q.add_eager(eager), ...);
        return q;
    }

    /// UPDATE the rows this query selects: one statement, SET `sets` WHERE
    /// the query's filters, after an autoflush; returns the number of rows
    /// it matched. `sync` says what the session's objects learn of it
    /// (dml.hpp). The query must be of one entity, with filters only:
    /// ArgumentError for joins, ordering, limits, grouping, DISTINCT, set
    /// operations or criteria on other tables' columns.
    ///   session.query<User>().filter(col(&User::age) < 18).update(set(&User::age, col(&User::age) + 1));
    std::int64_t update(const assignment& set, synchronize_session sync = synchronize_session::automatic) const {
        return update({set}, sync);
    }
    std::int64_t update(std::initializer_list<assignment> sets,
                        synchronize_session sync = synchronize_session::automatic) const {
        return bulk(std::vector<assignment>(sets), false, sync);
    }

    /// DELETE the rows this query selects (same rules as update()); the
    /// session's matched objects become deleted, detached at commit.
    std::int64_t delete_(synchronize_session sync = synchronize_session::automatic) const {
        return bulk({}, true, sync);
    }

    /// Rows overwrite the objects already in the session, unflushed changes
    /// and loaded relationships included (SQLAlchemy's populate_existing()):
    /// by default an object in the identity map is returned as it is.
    query populate_existing() const {
        auto q = *this;
        q.populate_existing_ = true;
        return q;
    }

    /// The SELECT as it runs, with the joins of joinedload() options.
    detail::select_spec effective_spec() const {
        auto spec = this->spec_;
        detail::joined_loads joined;
        add_joined_loads(joined, spec);
        return spec;
    }

    /// The rows one at a time, straight from the statement, without building
    /// a vector: `for (auto user : q.stream()) ...`. Each row resolves
    /// through the identity map as it is read (no de-duplication). The range
    /// must be consumed before the session commits or closes.
    class stream_range {
    public:
        class iterator {
        public:
            using iterator_category = std::input_iterator_tag;
            using value_type = row_type;
            using difference_type = std::ptrdiff_t;
            iterator() = default;
            explicit iterator(stream_range* r) : r_(r && r->result_.has_row() ? r : nullptr) {}
            value_type operator*() const { return r_->current(); }
            iterator& operator++() {
                r_->result_.next();
                if (!r_->result_.has_row()) r_ = nullptr;
                return *this;
            }
            void operator++(int) { ++*this; }
            friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.r_ == b.r_; }

        private:
            stream_range* r_ = nullptr;
        };

        iterator begin() { return iterator(this); }
        iterator end() { return iterator(); }

    private:
        friend class query;
        stream_range(const query& q, result r) : query_(q), result_(std::move(r)) {}
        row_type current() const {
            const auto r = result_.current();
            if constexpr (sizeof...(T) == 1) {
                return query_.template adopt<T...>(r, 0);
            } else {
                std::size_t first = 0;
                return row_type{query_.template next_entity<T>(r, first)...};
            }
        }
        query query_;
        result result_;
    };

    stream_range stream() const {
        if (!eager_.empty())
            throw InvalidRequestError("alchemy: stream() reads rows one at a time and cannot load relationships "
                                      "eagerly: use all(), or drop the options()");
        return stream_range(*this, this->execute(this->spec_));
    }

    /// Objects from raw SQL: the statement's columns are matched to T's by
    /// name (every column of T must be there; ArgumentError names a missing
    /// one) and each row resolves through the identity map.
    template <class... A>
    auto from_statement(const text& statement, const A&... args) const
        requires(sizeof...(T) == 1)
    {
        using U = std::tuple_element_t<0, std::tuple<T...>>;
        const auto& table = table_of<U>();
        this->bound().autoflush();
        auto result = this->core_->conn().execute(statement.sql, args...);
        std::vector<ptr<U>> out;
        if (!result.has_row()) return out;
        std::vector<std::size_t> positions;
        {
            const auto r = result.current();
            for (const auto& c : table.columns) {
                std::size_t found = r.size();
                for (std::size_t i = 0; i < r.size(); ++i)
                    if (r.name(i) == c.name) found = i;
                if (found == r.size())
                    throw ArgumentError(fmt::format("alchemy: the statement's rows have no column '{}' for {} (table '{}'): `{}`",
                                                    c.name, table.struct_name, table.name, statement.sql));
                positions.push_back(found);
            }
        }
        for (; result.has_row(); result.next()) {
            const auto r = result.current();
            auto inst = this->core_->adopt(table, detail::reordered_row{r, positions}, &detail::make_instance<U>);
            out.emplace_back(static_cast<detail::instance<U>*>(inst.get()));
        }
        return out;
    }

    /// The first row (LIMIT 1), or an empty ptr / nullopt.
    auto first() const {
        auto rows = run(this->limited(1));
        if constexpr (sizeof...(T) == 1) return rows.empty() ? row_type() : rows.front();
        else return rows.empty() ? std::optional<row_type>() : std::optional<row_type>(rows.front());
    }

    /// Exactly one row: NoResultFound for none, MultipleResultsFound for more.
    row_type one() const {
        auto rows = run(this->spec_);
        if (rows.empty()) throw NoResultFound();
        if (rows.size() > 1) throw MultipleResultsFound("Multiple rows were found when exactly one was required");
        return rows.front();
    }

    /// One row or none: MultipleResultsFound for more.
    auto one_or_none() const {
        auto rows = run(this->spec_);
        if (rows.size() > 1) throw MultipleResultsFound("Multiple rows were found when one or none was required");
        if constexpr (sizeof...(T) == 1) return rows.empty() ? row_type() : rows.front();
        else return rows.empty() ? std::optional<row_type>() : std::optional<row_type>(rows.front());
    }

    /// The first object of the first row, or an empty ptr when there is no
    /// row (SQLAlchemy 2.0's scalar(): more rows are no error; no LIMIT).
    first_object scalar() const {
        auto rows = run(this->spec_);
        return rows.empty() ? first_object() : first_of(rows.front());
    }
    /// The first object of exactly one row: NoResultFound for none,
    /// MultipleResultsFound for more.
    first_object scalar_one() const { return first_of(one()); }
    /// The first object of one row or none (an empty ptr): MultipleResultsFound for more.
    first_object scalar_one_or_none() const {
        auto rows = run(this->spec_);
        if (rows.size() > 1) throw MultipleResultsFound("Multiple rows were found when one or none was required");
        return rows.empty() ? first_object() : first_of(rows.front());
    }

private:
    // update() and delete_(): the query checked and turned into one statement.
    std::int64_t bulk(std::vector<assignment> sets, bool is_delete, synchronize_session sync) const {
        static_assert(sizeof...(T) == 1,
                      "alchemy: update() and delete_() change the rows of one table: use session.query<T>() of one "
                      "mapped struct");
        return this->bound().bulk_dml(detail::bulk_dml_of(this->spec_, std::move(sets), is_delete), sync);
    }

    static first_object first_of(const row_type& r) {
        if constexpr (sizeof...(T) == 1) return r;
        else return std::get<0>(r);
    }

    // A set operation of entity queries: the same entities, the same rows.
    template <class Other>
    static query combined_with(query q) {
        static_assert(std::is_same_v<Other, query>,
                      "alchemy: a set operation (union_, union_all, intersect, except_) of entity queries needs both to "
                      "select the same entities, in the same order");
        return q;
    }

    // An entity query's rows need no new type after an outer join: an
    // empty ptr stands for the missing row.
    template <class Origin>
    static query after_outer_join(query q) {
        return q;
    }

    template <class U>
    ptr<U> adopt(const row& r, std::size_t first) const {
        return detail::adopt_entity<U>(*this->core_, r, first);
    }

    void add_eager(const load_option& o) {
        const auto* first = o.path().front().relationship;
        if (first && !detail::owner_among(this->spec_.entities, *first))
            throw ArgumentError(fmt::format("alchemy: the eager load of '{}' does not apply to this query: its struct is "
                                            "not among the query's entities",
                                            first->member));
        eager_.push_back(o);
    }

    // Joined loads run in the query itself for a one-entity query without
    // LIMIT/OFFSET; otherwise as select-IN loads.
    static bool joins_in_query(const detail::select_spec& spec) {
        return sizeof...(T) == 1 && !spec.limit && !spec.offset && spec.compound.empty() &&
               spec.entity_alias(0).empty();
    }

    // The options with the mapping's defaults, their joins added to `spec`.
    std::vector<load_option> add_joined_loads(detail::joined_loads& joined, detail::select_spec& spec) const {
        auto options = detail::loader_options(eager_, spec.entities);
        if (joins_in_query(spec)) detail::add_joined_loads(joined, spec, options, spec.entities);
        return options;
    }

    std::vector<row_type> run(detail::select_spec spec) const {
        detail::joined_loads joined;
        const auto options = add_joined_loads(joined, spec);
        const bool joined_in_query = joins_in_query(spec);
        auto result = this->execute(spec);
        std::vector<row_type> out;
        detail::pointer_set seen;
        const detail::session_core::arena_scope arena(*this->core_);
        const detail::session_core::populate_existing_scope populate(*this->core_, populate_existing_);
        const bool dedupe = !spec.joins.empty();
        for (; result.has_row(); result.next()) {
            const auto r = result.current();
            if constexpr (sizeof...(T) == 1) {
                auto object = adopt<T...>(r, 0);
                joined.take(*this->core_, object.instance(), r);
                // Joined rows repeat the entity: keep the first occurrence.
                if (!dedupe || seen.insert(object.instance())) out.push_back(std::move(object));
            } else {
                std::size_t first = 0;
                out.push_back(row_type{next_entity<T>(r, first)...});
            }
        }
        joined.finish(*this->core_);
        finish_entities(out, options, joined_in_query);
        return out;
    }

    // After the rows: select-IN loads, and the batch for lazy loads.
    void finish_entities(const std::vector<row_type>& rows, const std::vector<load_option>& options,
                         bool joined_in_query) const {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (finish_entity<I>(rows, options, joined_in_query), ...);
        }(std::index_sequence_for<T...>{});
    }

    template <std::size_t I>
    void finish_entity(const std::vector<row_type>& rows, const std::vector<load_option>& options,
                       bool joined_in_query) const {
        using U = std::tuple_element_t<I, std::tuple<T...>>;
        const auto& table = table_of<U>();
        if (table.relationships.empty()) return;
        std::vector<detail::instance_base*> objects;
        objects.reserve(rows.size());
        if constexpr (sizeof...(T) == 1) {
            // One entity per row, each object once: run() drops the repeats joins make.
            for (const auto& row : rows) objects.push_back(row.instance());
        } else {
            detail::pointer_set seen;
            for (const auto& row : rows) {
                detail::instance_base* object = std::get<I>(row).instance();
                if (object && seen.insert(object)) objects.push_back(object);
            }
        }
        detail::apply_loader_options(*this->core_, table, std::move(objects), options, joined_in_query);
    }

    template <class U>
    ptr<U> next_entity(const row& r, std::size_t& first) const {
        auto p = adopt<U>(r, first);
        first += table_of<U>().columns.size();
        return p;
    }

    std::vector<load_option> eager_;
    bool populate_existing_ = false;
};

/// A query for values, and objects beside them: session.query(col(...),
/// func::count(...)) or session.query(entity<User>, col(...)). Each row is
/// one value, or a tuple of them; into<S>() reads rows into a plain struct S
/// instead. The row type follows from the query: after outerjoin<T>(), T's
/// columns are std::optional. `Into` is S, or void for the tuple;
/// `Items` are the select list as types (detail/orm/select_item.hpp).
template <class Into, class... Items>
class basic_values_query : public detail::query_base<basic_values_query<Into, Items...>> {
    using base = detail::query_base<basic_values_query<Into, Items...>>;
    friend base;
    template <class, class...>
    friend class basic_values_query;
    using first_item = std::tuple_element_t<0, std::tuple<Items...>>;
    using first_type = typename first_item::row_value;
    using scalar_type = detail::scalar_value_t<first_item>;
    // Rows that know their columns' labels (.label<"name">()): named_row.
    static constexpr bool labelled = sizeof...(Items) > 1 && (!std::is_void_v<typename Items::label> || ...);
    // Rows of values only, read into a tuple: result.all<V...>() reads them.
    static constexpr bool plain_values =
        std::is_void_v<Into> && !labelled && !(detail::is_entity_item_v<Items> || ...);

public:
    using row_type = std::conditional_t<
        !std::is_void_v<Into>, Into,
        std::conditional_t<labelled,
                           named_row<detail::row_labels<typename Items::label...>, typename Items::row_value...>,
                           detail::row_tuple<typename Items::row_value...>>>;

    template <class... X>
    explicit basic_values_query(detail::session_core& core, const X&... selected) : base(core) {
        (select(selected), ...);
    }
    /// A query of no session (alchemy::select(expressions...)).
    template <class... X>
    explicit basic_values_query(detail::unbound_t unbound, const X&... selected) : base(unbound) {
        (select(selected), ...);
    }

    /// The same query, its rows read into S by position: member K of S
    /// holds column K. S is a plain struct with one member per column, each
    /// able to hold its column's values (checked at compile time).
    ///   struct per_user { std::string name; std::int64_t posts; };
    ///   for (const auto& [name, posts] : q.into<per_user>().all()) ...
    template <class S>
    basic_values_query<S, Items...> into() const {
        detail::into_fits<S, Items...>();  // its static_asserts explain a mismatch
        return basic_values_query<S, Items...>(this->core_, this->spec_);
    }

    std::vector<row_type> all() const {
        if constexpr (plain_values) {
            return this->execute(this->spec_).template all<typename Items::row_value...>();
        } else {
            auto result = this->execute(this->spec_);
            std::vector<row_type> out;
            const detail::session_core::arena_scope arena(*this->core_);
            const auto at = positions();
            for (; result.has_row(); result.next()) out.push_back(read_row(result.current(), at));
            finish_entities(out);
            return out;
        }
    }

    /// This one-column query as a value inside another query: "(SELECT ...)",
    /// correlated to the enclosing query's tables.
    auto scalar_subquery() const
        requires(sizeof...(Items) == 1 && !(detail::is_entity_item_v<Items> || ...))
    {
        return expression<typename Items::row_value...>(this->nested_select());
    }

    std::optional<row_type> first() const { return at_most_one(this->execute(this->limited(1)), nullptr); }
    /// Exactly one row: NoResultFound for none, MultipleResultsFound for more.
    row_type one() const {
        auto row = at_most_one(this->execute(this->spec_), "Multiple rows were found when exactly one was required");
        if (!row) throw NoResultFound();
        return std::move(*row);
    }
    /// One row or none: MultipleResultsFound for more.
    std::optional<row_type> one_or_none() const {
        return at_most_one(this->execute(this->spec_), "Multiple rows were found when one or none was required");
    }

    /// The first column of the first row (SQLAlchemy 2.0's scalar()): an
    /// empty optional (an empty ptr for entity<T>) when there is no row or
    /// the value is NULL. More rows are no error, and no LIMIT is added.
    scalar_type scalar() const {
        auto result = this->execute(this->spec_);
        if (!result.has_row()) return scalar_type();
        return first_column<scalar_type>(result.current());
    }
    /// The first column of exactly one row: NoResultFound for none,
    /// MultipleResultsFound for more.
    first_type scalar_one() const {
        auto result = this->execute(this->spec_);
        if (!result.has_row()) throw NoResultFound();
        auto value = first_column<first_type>(result.current());
        result.next();
        if (result.has_row()) throw MultipleResultsFound("Multiple rows were found when exactly one was required");
        return value;
    }
    /// The first column of one row, or empty for none: MultipleResultsFound for more.
    scalar_type scalar_one_or_none() const {
        auto result = this->execute(this->spec_);
        if (!result.has_row()) return scalar_type();
        auto value = first_column<scalar_type>(result.current());
        result.next();
        if (result.has_row()) throw MultipleResultsFound("Multiple rows were found when one or none was required");
        return value;
    }

private:

    basic_values_query(detail::session_core* core, detail::select_spec spec) : base(core, std::move(spec)) {}

    // A set operation with another values query: as many columns, of
    // compatible types; optional where either is.
    template <class Other>
    static auto combined_with(basic_values_query q) {
        return combine_items(std::move(q), std::type_identity<Other>{});
    }
    template <class OtherInto, class... OtherItems>
    static auto combine_items(basic_values_query q, std::type_identity<basic_values_query<OtherInto, OtherItems...>>) {
        if constexpr (sizeof...(OtherItems) != sizeof...(Items)) {
            static_assert(sizeof...(OtherItems) == sizeof...(Items),
                          "alchemy: a set operation (union_, union_all, intersect, except_) needs both queries to "
                          "select the same number of columns");
            return q;
        } else {
            using result = basic_values_query<Into, detail::combined_item_t<Items, OtherItems>...>;
            detail::into_fits<Into, detail::combined_item_t<Items, OtherItems>...>();  // S's members must take NULL now
            return result(q.core_, std::move(q.spec_));
        }
    }

    // After an outer join of Origin's table, its columns read as optional.
    template <class Origin>
    static basic_values_query<Into, detail::outer_joined_item_t<Items, Origin>...> after_outer_join(
        const basic_values_query& q) {
        detail::into_fits<Into, detail::outer_joined_item_t<Items, Origin>...>();  // S's members must take NULL now
        return basic_values_query<Into, detail::outer_joined_item_t<Items, Origin>...>(q.core_, q.spec_);
    }

    template <class X>
    void select(const X& selected) {
        if constexpr (detail::is_entity_tag_v<X>) this->select_entity(table_of<typename detail::select_item_t<X>::object>());
        else this->spec_.columns.push_back(selected.node());
    }

    // Where each item's first column is in a row.
    static std::array<std::size_t, sizeof...(Items)> positions() {
        std::array<std::size_t, sizeof...(Items)> at{};
        std::size_t next = 0;
        std::size_t k = 0;
        ((at[k++] = std::exchange(next, next + width<Items>())), ...);
        return at;
    }
    template <class I>
    static std::size_t width() {
        if constexpr (detail::is_entity_item_v<I>) return table_of<typename I::object>().columns.size();
        else return 1;
    }

    // Item I, at position `at` of the row, as F (its row value, or a member of Into).
    template <class F, class I>
    F read_item(const row& r, std::size_t at) const {
        if constexpr (detail::is_entity_item_v<I>) {
            if constexpr (!std::is_same_v<F, typename I::row_value>) return F(read_item<typename I::row_value, I>(r, at));
            else return detail::adopt_entity<typename I::object>(*this->core_, r, at);
        } else {
            return r.template get<F>(at);
        }
    }

    row_type read_row(const row& r, const std::array<std::size_t, sizeof...(Items)>& at) const {
        return [&]<std::size_t... K>(std::index_sequence<K...>) {
            if constexpr (!std::is_void_v<Into>)
                return Into{read_item<boost::pfr::tuple_element_t<K, Into>, Items>(r, at[K])...};
            else if constexpr (sizeof...(Items) == 1)
                return read_item<first_type, first_item>(r, at[0]);
            else
                return row_type{read_item<typename Items::row_value, Items>(r, at[K])...};
        }(std::index_sequence_for<Items...>{});
    }

    template <class F>
    F first_column(const row& r) const {
        if constexpr (detail::is_entity_item_v<first_item>) {
            const detail::session_core::arena_scope arena(*this->core_);
            auto object = read_item<first_type, first_item>(r, 0);
            if (object) this->core_->register_batch({object.instance()});
            return object;
        } else {
            return r.template get<F>(0);
        }
    }

    // The first row of `result`, if any; with `more` set, a second row is a
    // MultipleResultsFound with that message.
    std::optional<row_type> at_most_one(result result, const char* more) const {
        if (!result.has_row()) return std::nullopt;
        std::optional<row_type> out;
        if constexpr (plain_values) {
            out.emplace(result.current().template as<typename Items::row_value...>());
        } else {
            const detail::session_core::arena_scope arena(*this->core_);
            out.emplace(read_row(result.current(), positions()));
            finish_entities(std::vector<row_type>{*out});
        }
        if (more) {
            result.next();
            if (result.has_row()) throw MultipleResultsFound(more);
        }
        return out;
    }

    // The objects the rows hold, each entity item's as one batch for lazy loads.
    void finish_entities(const std::vector<row_type>& rows) const {
        std::size_t k = 0;
        (finish_entity<Items>(rows, k++), ...);
    }
    template <class I>
    void finish_entity(const std::vector<row_type>& rows, std::size_t k) const {
        if constexpr (detail::is_entity_item_v<I>) {
            const auto& table = table_of<typename I::object>();
            if (table.relationships.empty()) return;
            std::vector<detail::instance_base*> objects;
            detail::pointer_set seen;
            for (const auto& row : rows) {
                detail::instance_base* object = item_object(row, k);
                if (object && seen.insert(object)) objects.push_back(object);
            }
            this->core_->register_batch(std::move(objects));
        }
    }
    // The object of item k in a row (k is an entity item's position).
    static detail::instance_base* item_object(const row_type& row, std::size_t k) {
        detail::instance_base* found = nullptr;
        const auto take = [&](const auto& member, std::size_t i) {
            if constexpr (requires { member.instance(); })
                if (i == k) found = member.instance();
        };
        if constexpr (!std::is_void_v<Into>) {
            std::size_t i = 0;
            boost::pfr::for_each_field(row, [&](const auto& member) { take(member, i++); });
        } else if constexpr (sizeof...(Items) == 1) {
            take(row, 0);
        } else {
            std::apply([&](const auto&... member) {
                std::size_t i = 0;
                (take(member, i++), ...);
            }, row);
        }
        return found;
    }
};

/// The query session.query(expressions...) returns: rows as tuples.
template <class... Items>
using values_query = basic_values_query<void, Items...>;

/// A query built without a session (SQLAlchemy's select(User)): it filters,
/// joins and orders like session.query<T...>() and renders through any
/// dialect with alchemy::compile(q, dialect), with no engine or database;
/// running it throws InvalidRequestError.
template <class... T>
    requires(sizeof...(T) > 0)
query<T...> select() {
    return query<T...>(detail::unbound_t{});
}

/// A query for values built without a session: select(col(&User::name)),
/// select(entity<User>, func::count(...)).
template <class... X>
    requires(sizeof...(X) > 0 && (detail::select_argument<X> && ...))
values_query<detail::select_item_t<X>...> select(const X&... selected) {
    return values_query<detail::select_item_t<X>...>(detail::unbound_t{}, selected...);
}

/// A query of T's objects read from an alias, built without a session.
template <class T>
query<T> select(const aliased<T>& alias) {
    return query<T>(detail::unbound_t{}, alias);
}

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/query.ipp>
#endif
