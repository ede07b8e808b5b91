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
#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/detail/orm/relationship_base.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/types.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace alchemy::detail {

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
    std::size_t foreign_key;         // index into child->table->foreign_keys
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

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/unit_of_work.ipp>
#endif
