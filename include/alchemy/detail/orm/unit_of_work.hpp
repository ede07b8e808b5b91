// alchemy/detail/orm/unit_of_work.hpp — flush: the INSERTs, UPDATEs and DELETEs
// that bring the database in line with the session, in one transaction.
//
// Order (as SQLAlchemy's flush writes them): tables in foreign-key dependency order; within a
// table first the UPDATEs (rows sorted by key), then the INSERTs (in the order
// the objects were added); DELETEs afterwards, tables in reverse order.
// Consecutive INSERTs with the same column list whose keys are known, and
// consecutive UPDATEs of the same columns, run as one batch through one
// prepared statement; an INSERT whose key the database generates runs alone
// and its key is written back into the object. Only objects touched since the
// last flush are compared, so the cost follows what was touched.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/orm/identity_map.hpp>
#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/detail/orm/relationship_base.hpp>
#include <alchemy/detail/sql/statements.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/types.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace alchemy {
class connection;
}

namespace alchemy::detail {

class session_core;

// Orders values of one column type: SQLAlchemy sorts rows by key.
bool value_less(const value& a, const value& b);

// Orders rows by their key values (`key_of(row)`, a std::vector<value>): the
// order SQLAlchemy's flush writes them in. A single INTEGER key, the common
// case, compares directly instead of through value_less.
template <class Rows, class KeyOf>
void sort_by_key(Rows& rows, KeyOf key_of) {
    const bool integer_keys = std::all_of(rows.begin(), rows.end(), [&](const auto& r) {
        const auto& k = key_of(r);
        return k.size() == 1 && k.front().type() == sql_type::integer;
    });
    if (integer_keys)
        std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
            return std::get<1>(key_of(a).front().get()) < std::get<1>(key_of(b).front().get());
        });
    else
        std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
            const auto &ka = key_of(a), &kb = key_of(b);
            return std::lexicographical_compare(ka.begin(), ka.end(), kb.begin(), kb.end(), value_less);
        });
}

std::vector<value> key_values(const instance_base& i, bool from_snapshot);

// What a flush writes for relationships (collected by collect_links).
struct link_assignment {            // child's foreign key := parent's key (or NULL)
    instance_base* child;
    std::size_t foreign_key;         // index into child->table()->foreign_keys
    instance_base* parent;           // null: NULL
};
struct association_change {         // a row of a many-to-many association table
    const relationship_info* info;   // the side that changed (local = its owner)
    instance_base* local;
    instance_base* remote;
    bool insert;
};
struct association_clear {          // every association row of a deleted endpoint
    const relationship_info* info;
    instance_base* owner;
};
struct flush_links {
    std::vector<link_assignment> assignments;
    std::vector<association_change> changes;
    std::vector<association_clear> clears;
    std::vector<relationship_base*> processed;  // their history is cleared after success
};

// Whether foreign key `fk` of `table` is written after the INSERTs: a
// relationship through it, on either side, is post_update (SQLAlchemy).
bool post_updated(const table_info& table, std::size_t fk);

// Keeps one assignment per (child, key): a parent wins over NULL (a child
// moved to another parent is not an orphan), otherwise the last one.
void settle(std::vector<link_assignment>& assignments);

// The foreign keys a flush still has to write, found by child and by table:
// a flush of many rows must not scan all of them for every row.
class pending_keys {
public:
    explicit pending_keys(const std::vector<link_assignment>& all);
    bool empty() const noexcept { return open_ == 0; }
    /// Whether `child` still waits for a key.
    bool waits(const instance_base* child) const;
    /// The open assignments of rows of `table`.
    std::vector<link_assignment> open_in(const table_info* table) const;
    /// Applies the open assignments of `table` (or only of `child`) whose parent is ready.
    template <class Ready, class Apply>
    void apply(const table_info* table, const instance_base* child, Ready&& ready, Apply&& apply) {
        if (open_ == 0) return;
        const auto& index = child ? by_child_ : by_table_;
        const void* key = child ? static_cast<const void*>(child) : static_cast<const void*>(table);
        auto it = index.find(key);
        if (it == index.end()) return;
        for (auto k : it->second) {
            if (done_[k] || !ready(items_[k])) continue;
            apply(items_[k]);
            done_[k] = 1;
            --open_;
        }
    }
    /// The first assignment still open, if any.
    const link_assignment* first_open() const {
        for (std::size_t k = 0; k < items_.size(); ++k)
            if (!done_[k]) return &items_[k];
        return nullptr;
    }

private:
    std::vector<link_assignment> items_;
    std::vector<char> done_;
    std::size_t open_;
    boost::unordered_flat_map<const void*, std::vector<std::size_t>> by_child_;
    boost::unordered_flat_map<const void*, std::vector<std::size_t>> by_table_;
};

// Orders new rows of a self-referential table so that a parent comes before
// the children waiting for its key; otherwise the order is kept.
void order_parents_first(std::vector<instance_base*>& rows, const std::vector<link_assignment>& waiting);

// The rows to delete from `table` in layers: in a self-referential table the
// deepest children first (by their foreign key values), else one layer.
std::vector<std::vector<const instance_base*>> children_first(const table_info& table,
                                                              const std::vector<const instance_base*>& rows);

// One flush of a session (session_core::flush runs the phases in the order
// declared here). It works on the session's own lists and bookkeeping, which
// is why it is session_core's friend; what the phases share lives here.
class unit_of_work {
public:
    explicit unit_of_work(session_core& session);
    unit_of_work(const unit_of_work&) = delete;
    unit_of_work& operator=(const unit_of_work&) = delete;

    /// First, because relationship changes add work of their own: foreign
    /// keys to write, association rows, orphans to delete (children of
    /// deleted parents may be loaded for it, hence an undo on failure).
    void collect_links();
    /// After collect_links, whose orphans and touched children it must see;
    /// checks that need no SQL, so that a wrong flush fails before it writes.
    void plan();
    /// Every statement, on `c`, in the order unit_of_work.hpp's header
    /// describes; on failure the caller runs undo().
    void write(connection& c);
    /// Only after every statement succeeded: the session takes on what the
    /// database now holds.
    void finish();
    /// After a failure in collect_links or write: nothing is half-written.
    /// The database goes back to the start of the transaction and the session
    /// to match it, keeping every value — or, inside a savepoint whose
    /// transaction is still open, back to the savepoint's start.
    void undo();

private:
    struct update {
        instance_ref inst;
        std::vector<std::size_t> columns;
        std::vector<value> old_key;
    };
    // An association row's two key columns and values, in the association
    // table's column order (whichever side changed).
    struct association_key {
        std::size_t first, second;
        std::vector<value> values;
    };
    using sql_rows = std::vector<std::pair<std::string, std::vector<value>>>;

    // plan(): tables_ in dependency order, post-updated foreign keys aside;
    // where the tables form a cycle, an order the new rows allow, else
    // CircularDependencyError before any SQL (check_insert_order).
    void order_tables(const std::vector<link_assignment>& ordered);
    // Names new rows that need each other's keys, or a row whose table the
    // order puts before the table of a new row whose key it needs.
    void check_insert_order(const std::vector<link_assignment>& ordered) const;
    // Before any table's writes: a removed object whose key a new object takes
    // ("row switch") must be gone before that INSERT.
    void write_row_switch_deletes();
    // Before the table's INSERTs (SQLAlchemy's order), after its parents'
    // tables, whose keys the foreign keys written here may take.
    void write_updates(const table_info& table);
    // After the table's UPDATEs; then the rows that waited for a parent's key
    // inserted just now, and the association rows whose ends now have keys.
    void write_inserts(const table_info& table);
    // After every INSERT and UPDATE: the post-updated foreign keys (all rows
    // exist now), per table in dependency order.
    void write_post_updates();
    // Before the DELETEs: a deleted row's post-updated foreign keys go NULL,
    // so the rows it references can be deleted first.
    void write_pre_delete_updates();
    // UPDATE <table> SET <fk column> = ? of `rows` (object, new value), by
    // key. After the INSERTs the value goes into each object too, and rows
    // that hold it already are left out; `before_delete`, into the rows only.
    void write_key_updates(const table_info& table, std::size_t column,
                           std::vector<std::pair<instance_base*, value>> rows, bool before_delete);
    // Last, tables in reverse dependency order: rows referring to a row are
    // gone before it is.
    void write_deletes();
    /// The DELETEs of a table with a version column (write_deletes).
    void write_versioned_deletes(const table_info& table, const std::vector<const instance_base*>& gone);
    /// The DELETEs of a table without one: children first, batched by layer.
    void write_deletes_by_key(const table_info& table, const std::vector<const instance_base*>& gone);

    static bool generates_key(const instance_base& i);
    bool parent_ready(const link_assignment& a) const;
    void write_link_key(const link_assignment& a);
    void write_ready_link_keys(const table_info& table, const instance_base* only = nullptr);
    // The UPDATEs of `table` for the touched objects `candidates`, sorted by
    // key, runs of equal column sets batched.
    void run_updates(const table_info& table, const std::vector<instance_base*>& candidates);
    // Each row's column list as a short string of column indices (its
    // "shape"): rows of one shape share a statement, rendered once per session.
    static std::string shape_of(const table_info& table, const instance_base& i, bool generated_key);
    void prepare_insert(const table_info& table, instance_base* row);
    association_key association_row(const association_change& change) const;
    // The INSERT / DELETE of association rows keyed by some of `table`'s
    // columns, rendered once per flush for each table and column set, not per row.
    const std::string& association_statement(bool insert, const table_info& table, std::vector<std::size_t> columns);
    // Runs one statement per distinct SQL over its rows (a batch for several).
    void run_rows(sql_rows& work);
    bool deleted_by_row_switch(const instance_base* i) const;

    session_core& session_;
    const statement_renderer render_;
    connection* conn_ = nullptr;  // write()'s: the session checks it out once the plan holds
    flush_links links_;
    key_map<const instance_base*> new_keys_;  // explicit keys of new objects (table name, NUL, encoded key)
    std::vector<const table_info*> tables_;   // in dependency order
    std::vector<const instance_base*> row_switch_deletes_;  // removed objects whose keys new objects take
    // Foreign keys from links, written once the parent's key is known (a
    // parent inserted by this flush has it after its INSERT).
    pending_keys waiting_{std::vector<link_assignment>{}};
    std::vector<link_assignment> post_updates_;  // post_update keys, written after the INSERTs
    // Deleted rows' post-updated foreign keys (object, column) that are not NULL in the row.
    std::vector<std::pair<instance_base*, std::size_t>> pre_delete_nulls_;
    boost::unordered_flat_map<const instance_base*, bool> compared_;  // touched objects already compared
    std::vector<update> updates_;          // written: finish() re-keys them and keeps their snapshots
    std::vector<instance_ref> generated_;  // keys written by this flush, which undo() resets
    // New rows whose NULL columns the database filled in (server defaults): finish() expires them.
    std::vector<std::pair<instance_ref, std::vector<std::size_t>>> server_defaulted_;
    std::map<std::pair<const table_info*, std::vector<std::size_t>>, std::string> association_sql_[2];
};

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/unit_of_work.ipp>
#endif
