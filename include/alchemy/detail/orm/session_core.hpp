// alchemy/detail/orm/session_core.hpp — the session's machinery: identity map,
// change tracking and the unit of work. The public face is session.hpp.
#pragma once

#include <alchemy/connection.hpp>
#include <alchemy/detail/config.hpp>
#include <alchemy/detail/orm/identity_map.hpp>
#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/detail/orm/links.hpp>
#include <alchemy/detail/orm/statement_cache.hpp>
#include <alchemy/detail/sql/bulk_dml.hpp>
#include <alchemy/detail/sql/statements.hpp>
#include <alchemy/dml.hpp>
#include <alchemy/engine.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/session_options.hpp>
#include <alchemy/types.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <fmt/core.h>

namespace alchemy {
namespace detail {

/// The session's machinery behind alchemy::session, for alchemy's own code
/// and its tests (session::core() is private): `session_access::core(s)`.
class session_core;
struct session_access {
    static session_core& core(session& s);
};

class session_core final : public instance_owner {
public:
    session_core(engine e, session_options options);
    session_core(const session_core&) = delete;
    session_core& operator=(const session_core&) = delete;
    ~session_core();  // out of line: it destroys every hash map the session holds

    const session_options& options() const noexcept { return options_; }
    /// The session-level hooks (events.hpp), and the session they are given.
    session_events& events() noexcept { return options_.events; }
    void set_public(session* s) noexcept { public_ = s; }

    /// While it lives, the objects the session loads share the chunks of
    /// one instance_arena (the rows of one query or relationship load).
    class arena_scope {
    public:
        explicit arena_scope(session_core& s) noexcept : session_(s), previous_(std::exchange(s.arena_, &arena_)) {}
        arena_scope(const arena_scope&) = delete;
        arena_scope& operator=(const arena_scope&) = delete;
        ~arena_scope() { session_.arena_ = previous_; }

    private:
        session_core& session_;
        instance_arena arena_;
        instance_arena* previous_;
    };
    engine& bound_engine() noexcept { return engine_; }

    /// The session's connection, checked out (and its transaction begun by
    /// the first statement) on first use.
    connection& conn() {
        follow_database();
        if (!conn_) conn_.emplace(engine_.connect());
        return *conn_;
    }
    bool in_transaction() {
        follow_database();
        return conn_ && conn_->in_transaction();
    }

    /// If the database rolled the session's transaction back by itself (a
    /// statement failed on a full disk, an I/O error ...), the session
    /// returns to the state it had when the transaction began, as after a
    /// failed flush. Called before anything the session does with its
    /// connection, so that nothing runs on, or is believed of, a transaction
    /// that is gone.
    void follow_database() {
        if (conn_ && conn_->needs_rollback()) restore_transaction_start({});
    }

    // ---- adding and removing --------------------------------------------------------

    /// Adds `inst` and what it reaches through save-update cascades.
    void add(const instance_ref& inst);

    void remove(const instance_ref& inst);

    void expunge(const instance_ref& inst);

    void expunge_all();

    // ---- identity map ----------------------------------------------------------------

    /// One table's objects in this session: the identity map, and the home
    /// its instances point at (instance_base::set_home), at a fixed address.
    struct table_objects {
        table_objects(const table_info& table, instance_owner& owner) : home{&table, &owner} {}
        instance_home home;
        identity_map map;
    };
    /// `table`'s objects in this session, made on first use.
    table_objects& objects_of(const table_info& table) {
        if (last_objects_ && last_objects_->home.table == &table) return *last_objects_;  // a run of one table's rows
        return find_objects_of(table);
    }
    /// The identity map of `table`'s objects, made on first use.
    identity_map& identity_of(const table_info& table) { return objects_of(table).map; }

    instance_ref lookup(const table_info& table, const identity_key& key) const {
        auto t = identity_.find(&table);
        if (t == identity_.end()) return nullptr;
        const auto* held = t->second->map.find(key);
        return held ? *held : instance_ref();
    }

    std::size_t identity_size() const noexcept {
        std::size_t n = 0;
        for (const auto& [table, objects] : identity_) n += objects->map.size();
        return n;
    }

    static identity_key key_of_values(std::span<const value> values) {
        if (values.size() == 1) return identity_key::of(values.front().view());
        std::string key;
        for (const auto& v : values) encode_key_part(key, v);
        return identity_key::from_encoded(std::move(key));
    }

    static identity_key key_of(const instance_base& i) {
        if (i.table()->primary_key.size() == 1) {  // most keys: one integer, no encoding
            struct integer_probe final : binder {
                std::optional<std::int64_t> integer;
                void bind_null() override {}
                void bind_integer(std::int64_t v) override { integer = v; }
                void bind_real(double) override {}
                void bind_text(std::string_view) override {}
                void bind_blob(std::span<const std::byte>) override {}
            } probe;
            i.table()->columns[i.table()->primary_key.front()].bind(probe, i.object());
            if (probe.integer) return identity_key(*probe.integer);
        }
        std::string key;
        key_encoder encoder(key);
        for (auto k : i.table()->primary_key) i.table()->columns[k].bind(encoder, i.object());
        return identity_key::from_encoded(std::move(key));
    }


    /// Loads the row with primary key `key` of `table` into a new instance
    /// made by `make`, or returns the identity-mapped one; nullptr if no row.
    instance_ref get(const table_info& table, std::span<const value> key, instance_ref (*make)(instance_arena*));

    /// The identity-mapped instance for the row `row` (columns in table
    /// order from `first`): the existing one (its loaded values kept), or a
    /// new one made by `make` and filled from the row (then `*made`, if
    /// given, is set: a new object is in no collection yet). Out of line for
    /// a plain row, which nearly every caller has; the template serves rows
    /// read through a column mapping (detail::reordered_row).
    instance_ref adopt(const table_info& table, const row& r, instance_ref (*make)(instance_arena*),
                       std::size_t first = 0, bool* made = nullptr);
    template <class Row>
    instance_ref adopt(const table_info& table, const Row& row, instance_ref (*make)(instance_arena*),
                       std::size_t first = 0, bool* made = nullptr) {
        identity_key key;  // straight from the row: no copies of the key values
        if (table.primary_key.size() == 1) {
            key = identity_key::of(row[first + table.primary_key.front()]);
        } else {
            std::string encoded;
            for (auto k : table.primary_key) encode_key_part(encoded, row[first + k]);
            key = identity_key::from_encoded(std::move(encoded));
        }
        auto& objects = objects_of(table);
        auto& map = objects.map;
        auto& held = map.slot(key);  // one hash lookup for a hit or a new entry
        if (held) {
            if (populate_existing_) overwrite(*held, row, first);
            else if (held->expired) fill_expired(*held, row, first);  // only expired values are filled in
            return held;
        }
        try {  // (nothing below touches the map, so `held` stays valid)
            instance_ref inst = make(arena_);
            load_object(table, row, inst->object(), first);
            inst->set_home(objects.home);
            inst->has_identity = true;
            inst->key = std::move(key);
            held = inst;
            if (made) *made = true;
            return inst;
        } catch (...) {
            map.erase(key, nullptr);  // the empty entry made above
            throw;
        }
    }

    // ---- loading, expiry, touching ------------------------------------------------------

    /// Reloads an expired (or refreshed) instance: one SELECT by key; false
    /// when the row is gone.
    bool load(instance_base& i);

    /// Fills an expired instance from `row` (columns in table order from
    /// `first`): every column, or after a partial expiry only the expired
    /// ones, whose loaded values become the ones a flush compares with.
    template <class Row>
    static void fill_expired(instance_base& i, const Row& row, std::size_t first = 0) {
        if (!i.has_expired_columns()) {
            load_object(*i.table(), row, i.object(), first);
        } else {  // partial expiry: only those columns
            for (std::size_t c = 0; c < i.table()->columns.size(); ++c) {
                if (!i.column_expired(c)) continue;
                i.table()->columns[c].read(row[first + c], i.object());
                // Its unflushed change is discarded.
                if (auto* snapshot = i.snapshot()) i.table()->ops->update(*snapshot, i.object(), c);
            }
        }
        i.expired = false;
        i.clear_expired_columns();
    }

    /// Overwrites an object with `row`, as if loaded anew: its unflushed
    /// changes and loaded relationships are dropped (populate_existing()).
    template <class Row>
    void overwrite(instance_base& i, const Row& row, std::size_t first = 0) {
        discard_changes(i);
        load_object(*i.table(), row, i.object(), first);
        i.expired = false;
    }
    void discard_changes(instance_base& i);

    /// Called before any access through a ptr: reloads expired columns.
    ALCHEMY_INLINE void ensure_loaded(instance_base& i) override;

    /// Called on write access through a ptr: remembers the object for the
    /// next flush, with the values it had (its snapshot).
    void touch(instance_base& i) {
        if (!i.touched) touch_first(i);
    }
    ALCHEMY_INLINE void touch_first(instance_base& i) override;  // out of line: it copies the values

    void expire(instance_base& i, std::span<const std::string_view> columns = {});
    /// Expires the columns and unloads the relationships given by index (into
    /// the table's columns and relationships): a column reloads on next
    /// access (one SELECT by key), a relationship loads again on its own, with
    /// no column SELECT. Unflushed changes to them are discarded.
    void expire(instance_base& i, std::span<const std::size_t> columns, std::span<const std::size_t> relationships);

    void expire_all();

    void refresh(instance_base& i);
    /// expire(i, columns, relationships), then loads them now: the columns
    /// with one SELECT by key, each relationship as a lazy load would.
    void refresh(instance_base& i, std::span<const std::size_t> columns, std::span<const std::size_t> relationships);

    /// Net change since load or the last flush (SQLAlchemy's is_modified): a
    /// column that differs from its loaded value, a many-to-one assigned, or
    /// a collection appended to or removed from. False for a new object.
    static bool is_modified(const instance_base& i) {
        if (!i.has_identity) return false;
        if (i.touched && i.snapshot()) {
            std::vector<std::size_t> changed;
            i.table()->ops->diff(i.object(), *i.snapshot(), changed);
            if (!changed.empty()) return true;
        }
        auto& object = const_cast<instance_base&>(i);  // member_of() only reads the member here
        for (const auto& r : i.table()->relationships)
            if (member_of(object, r).has_changes()) return true;
        return false;
    }

    // The session's views (session::new_objects(), dirty_objects(),
    // deleted_objects()): copies of its lists, in their order.
    std::vector<instance_ref> new_objects() const {
        std::vector<instance_ref> out;
        for (const auto& i : pending_)
            if (i->owner() == this && !i->has_identity) out.push_back(i);
        return out;
    }
    /// Persistent objects written to since the last flush (SQLAlchemy's
    /// optimistic `dirty`: touched, whether or not a value changed).
    std::vector<instance_ref> dirty_objects() const {
        std::vector<instance_ref> out;
        for (const auto& i : touched_)
            if (i->owner() == this && i->has_identity && !i->marked_for_delete && !i->deleted) out.push_back(i);
        return out;
    }
    std::vector<instance_ref> deleted_objects() const {
        std::vector<instance_ref> out;
        for (const auto& i : to_delete_)
            if (i->owner() == this && i->marked_for_delete) out.push_back(i);
        return out;
    }
    bool autoflush_enabled() const noexcept { return !no_autoflush_; }

    /// merge(..., {.load = false}): `made` (a new object with a key) becomes
    /// persistent and unmodified without SQL; or, if the identity map holds
    /// an object with its key, `assign` overwrites that one's columns and it
    /// becomes unmodified (its changes not flushed are forgotten, as in
    /// SQLAlchemy). Returns the object now in the session.
    template <class Assign>
    instance_ref merge_without_load(const instance_ref& made, Assign&& assign) {
        const auto key = key_of(*made);
        if (auto existing = lookup(*made->table(), key)) {
            assign(existing->object());  // every column: nothing is left expired
            existing->expired = false;
            existing->clear_expired_columns();
            if (existing->snapshot()) existing->set_snapshot(existing->take_snapshot());
            return existing;
        }
        for (const auto& r : made->table()->relationships) member_of(*made, r).unload();
        auto& objects = objects_of(*made->table());
        made->key = key;
        made->has_identity = true;
        made->set_home(objects.home);
        objects.map.put(made->key, made);
        return made;
    }
    /// Sets relationship `info` of `owner` to `items` as a load would: loaded,
    /// with no change to write (merge without load).
    void set_loaded(instance_base& owner, const relationship_info& info, const std::vector<instance_ref>& items) {
        auto& m = member_of(owner, info);
        m.unload();
        const auto* reverse = info.kind == relationship_kind::one_to_many ? reverse_side(info) : nullptr;
        for (const auto& item : items) {
            if (reverse) member_of(*item, *reverse).unload();  // each child's parent is `owner` now
            attach_loaded(owner, info, *item, false);
        }
        m.set_loaded(true);
    }

    std::size_t pending_count() const noexcept { return pending_.size(); }
    std::size_t deleted_count() const noexcept { return to_delete_.size(); }
    std::size_t touched_count() const noexcept { return touched_.size(); }

    // ---- transactions -------------------------------------------------------------------

    void autoflush() {
        if (options_.autoflush && !no_autoflush_ && !flushing_) flush();
    }

    /// Autoflush on or off for the rest of the session (session::set_autoflush).
    void set_autoflush(bool on) noexcept { no_autoflush_ = !on; }

    void flush();
    /// flush(), COMMIT, end_transaction(). A COMMIT that fails and takes the
    /// transaction with it (a full disk, an I/O error) is a failed flush: the
    /// session returns to the start of the transaction, so that commit() can
    /// be called again. A COMMIT that fails with the transaction still open
    /// (SQLITE_BUSY) leaves everything as it was: commit() again or rollback().
    void commit();

    void rollback();

    void close() noexcept;

    // ---- savepoints (session::begin_nested, nested_transaction.hpp) ---------------------

    /// Flushes, then opens a SAVEPOINT (beginning the transaction if none is
    /// open); returns the savepoint's id.
    std::uint64_t begin_nested();
    /// Whether savepoint `id` is still open.
    bool nested_active(std::uint64_t id) const noexcept;
    /// Flushes, then releases savepoint `id` and those begun inside it.
    void commit_nested(std::uint64_t id);
    /// Rolls back to savepoint `id` (dropping those begun inside it): objects
    /// added inside it become transient, deleted ones persistent again,
    /// changed ones expire. No-op when it is not open.
    void rollback_nested(std::uint64_t id);
    /// Expires when this session_core is destroyed: what a
    /// nested_transaction checks before it uses the session.
    std::weak_ptr<void> lifetime() {
        if (!lifetime_) lifetime_ = std::make_shared<char>();
        return lifetime_;
    }

    // ---- bulk UPDATE / DELETE (impl/bulk_dml.ipp) ---------------------------------------

    /// Runs `spec` (query::update(), query::delete_()) after an autoflush and
    /// tells the table's objects what it did as `sync` says; returns the
    /// number of rows it matched.
    std::int64_t bulk_dml(bulk_dml_spec spec, synchronize_session sync);

    /// session.execute(insert<T>(), rows) (impl/bulk_insert.ipp): `count`
    /// rows of `spec.table`'s struct from `rows`, `stride` bytes apart, written
    /// with one executemany per run of rows with the same columns, after an
    /// autoflush; no object is made. `default_of(c)` is column c's
    /// client-side default. Returns the rows inserted (or updated by the
    /// upsert clause).
    std::int64_t bulk_insert(const insert_spec& spec, const void* rows, std::size_t count, std::size_t stride,
                             value (*default_of)(std::size_t column));

    /// The SQL this session has rendered, to run again.
    statement_cache& statements() noexcept { return statements_; }
    const statement_cache& statements() const noexcept { return statements_; }

    // ---- relationships (impl/session_relationships.ipp, the door of instance.hpp) ---------

    /// Loads the relationship `info` of `owner` (lazy load).
    ALCHEMY_INLINE void load_relationship(instance_base& owner, const relationship_info& info) override;
    /// The identity-mapped object a many-to-one's foreign key names (no SQL), or null.
    ALCHEMY_INLINE instance_base* mapped_target(instance_base& child, const relationship_info& info) override;
    /// Before `owner` is linked to `item` through `info`: save-update cascade.
    ALCHEMY_INLINE void before_link(instance_base& owner, const relationship_info& info, instance_base* item) override;
    /// After a link changed: the objects whose rows change are touched.
    ALCHEMY_INLINE void after_link(instance_base& owner, const relationship_info& info, instance_base* item) override;
    void queue_link(instance_base& parent, const relationship_info& collection, instance_base& child) override {
        queued_links_.push_back({instance_ref(&parent), &collection, instance_ref(&child)});
    }
    /// After `owner`'s collection `info` loaded: the queued links to or from
    /// it (children whose many-to-one changed while it was not loaded) are
    /// put in or taken out, as SQLAlchemy merges pending collection changes
    /// into a loaded list.
    void apply_queued_links(instance_base& owner, const relationship_info& info);
    void expunge_orphan(instance_base& item) override {
        if (item.owner() == this && !item.has_identity) expunge(instance_ref(&item));
    }
    /// Adds `inst` alone (transient -> pending, detached -> persistent);
    /// false when it was in the session already (nothing to cascade).
    bool attach(const instance_ref& inst);
    void cascade_add(instance_base& root);
    /// The loaded related objects of `i` along relationships with cascade `flag`.
    std::vector<instance_base*> related_with(instance_base& i, unsigned flag);
    void cascade_remove(instance_base& i);
    void unload_relationships(instance_base& i) noexcept;
    value referenced_value(instance_base& owner, const relationship_info& info);

    /// The objects of one query result form a batch for lazy loads.
    /// With `overrides` (a query's lazyload/noload/raiseload options), the
    /// objects form one even when batching is off or there is one object.
    void register_batch(std::vector<instance_base*> members, load_overrides overrides = {});

    /// While one lives, the session's own loads (cascades, flush) run: the
    /// raise and noload strategies refuse only the user's lazy loads.
    class internal_load_scope {
    public:
        explicit internal_load_scope(session_core& s) noexcept : session_(s), previous_(std::exchange(s.internal_load_, true)) {}
        internal_load_scope(const internal_load_scope&) = delete;
        internal_load_scope& operator=(const internal_load_scope&) = delete;
        ~internal_load_scope() { session_.internal_load_ = previous_; }

    private:
        session_core& session_;
        bool previous_;
    };

    /// While one lives, rows a query reads overwrite the objects already in
    /// the identity map, unflushed changes included (query::populate_existing()).
    class populate_existing_scope {
    public:
        explicit populate_existing_scope(session_core& s, bool on) noexcept
            : session_(s), previous_(std::exchange(s.populate_existing_, on)) {}
        populate_existing_scope(const populate_existing_scope&) = delete;
        populate_existing_scope& operator=(const populate_existing_scope&) = delete;
        ~populate_existing_scope() { session_.populate_existing_ = previous_; }

    private:
        session_core& session_;
        bool previous_;
    };
    /// Select-IN loading of `info` for many owners at once.
    void load_many(const relationship_info& info, const std::vector<instance_base*>& owners);

private:
    // A flush's phases read and settle the lists and bookkeeping below.
    friend class unit_of_work;

    void check_owned(const instance_base& i, const char* what) const;

    void detach(instance_base& i) noexcept {
        i.clear_owner();
        i.marked_for_delete = false;
        i.expired = i.expired && i.has_identity;
    }

    void remove_from_identity(instance_base& i) {  // only if the entry is i (another may hold its key now)
        if (auto t = identity_.find(i.table()); t != identity_.end())
            t->second->map.erase(i.key, &i);
    }

    // Ends the transaction after COMMIT: flushed deletes become detached,
    // objects expire (expire_on_commit) or keep their values as committed.
    void end_transaction();

    // Puts the session back as it was before the transaction began (after a
    // failed flush or COMMIT, or a statement after which the database rolled
    // the transaction back): every in-memory value is kept, so the user can
    // correct an object and commit again. `generated`: keys the failed flush
    // wrote into objects. Ends the connection's transaction and returns it.
    void restore_transaction_start(const std::vector<instance_ref>& generated);

    // What a savepoint must undo in the session (begin_nested). Nothing is
    // pending, touched or marked for deletion when one begins (it flushes
    // first), so what it changed is what its flushes wrote, recorded by
    // unit_of_work::finish, and what is pending, touched or marked since.
    struct savepoint_state {
        std::uint64_t id = 0;
        std::optional<transaction> tx;  // the connection's SAVEPOINT
        // transaction_, written_links_, written_keys_ and bulk_log_ sizes when
        // it began: what lies past them was written inside it.
        std::size_t listed = 0, written_links = 0, written_keys = 0, bulk = 0;
        boost::unordered_flat_set<const instance_base*> listed_inside;  // transaction_ entries past `listed`
        // Objects listed before it began and UPDATEd inside it, with the
        // values their rows had when it began; and those DELETEd inside it.
        boost::unordered_flat_set<const instance_base*> captured;
        std::vector<std::pair<instance_ref, snapshot_ptr>> rewritten;
        std::vector<instance_ref> deleted_before;
    };
    // After a failed flush inside a savepoint, with the transaction still
    // open: ROLLBACK TO the innermost savepoint, which is opened again, and
    // the session back to its start keeping every value. False (nothing
    // done) when there is no savepoint, or the transaction is gone.
    bool restore_savepoint_start(const std::vector<instance_ref>& generated);
    // The session's side of going back to `sp`'s start: written objects
    // pending, marked or touched again with the values they began with.
    void restore_savepoint_objects(savepoint_state& sp, const std::vector<instance_ref>& generated);
    // transaction_ entries from `from` (and the written links and keys from
    // the given positions) undone in the session, keeping every value.
    void restore_listed(std::size_t from, std::size_t links_from, std::size_t keys_from,
                        const std::vector<instance_ref>& generated);
    // Folds the innermost savepoint's record into the one it was begun in.
    void fold_savepoint_into_parent();
    // Forgets every savepoint (the transaction ended), without SQL.
    void drop_savepoints() noexcept;
    std::size_t savepoint_index(std::uint64_t id) const noexcept;

    static void reset_generated_key(instance_base& i) {
        const auto& column = i.table()->columns[i.table()->primary_key.front()];
        column.read(column.nullable ? column_value::null() : column_value::integer(0), i.object());
        i.key_generated = false;
    }

    // What this transaction's flushes wrote that a retry must write again
    // after the database transaction is lost (restore_transaction_start puts
    // it back; the transaction's end forgets it): the relationship changes
    // they consumed, and the foreign keys they wrote into objects (to be
    // reverted, since they may name keys generated by the lost transaction).
    struct written_link {
        instance_ref owner;
        relationship_base* member;
        bool changed;
        std::unique_ptr<collection_changes> changes;
    };
    struct written_key {
        instance_ref child;
        std::size_t column;
        value before;
        value written;
    };
    void forget_written() noexcept {
        written_links_.clear();
        written_keys_.clear();
        queued_links_.clear();
    }
    // Out of line: called per link from the flush, whose inlining they would upset.
    void remember_written_key(instance_base& child, std::size_t column, const value& written);
    // Takes the changes of the flushed relationship members (clearing them).
    void remember_written_links(const std::vector<relationship_base*>& members);
    // Puts back what restore_transaction_start must write again (the entries
    // from the given positions), and forgets those entries.
    void restore_written(std::size_t links_from = 0, std::size_t keys_from = 0);

    engine engine_;
    session_options options_;
    session* public_ = nullptr;  // the session whose core this is (given to hooks)
    // Calls each of `hooks` (one of options_.events' lists) with the session.
    void run_hooks(const std::vector<session_events::hook>& hooks);
    bool no_autoflush_ = false;  // set_autoflush(false), or while a lazy load runs
    std::optional<connection> conn_;
    bool flushing_ = false;
    instance_arena* arena_ = nullptr;  // where loaded objects go (arena_scope), or null: new
    bool internal_load_ = false;       // internal_load_scope
    bool populate_existing_ = false;   // populate_existing_scope

    // (Each table's objects behind a pointer: instances point at its home.)
    boost::unordered_flat_map<const table_info*, std::unique_ptr<table_objects>> identity_;
    table_objects* last_objects_ = nullptr;  // the entry objects_of() returned last
    table_objects& find_objects_of(const table_info& table);  // (objects_of() past last_objects_)
    std::vector<instance_ref> pending_;    // in the order add() saw them (the order of their INSERTs)
    std::vector<instance_ref> touched_;    // persistent, written to since the last flush
    std::vector<instance_ref> to_delete_;  // remove()d, not flushed
    std::vector<instance_ref> deleted_;    // DELETE flushed, not committed
    // Inserted, updated or deleted in this transaction; the inserted ones in
    // the order they were added (rollback makes them pending again in it).
    std::vector<instance_ref> transaction_;
    // Links made while the parent's collection was not loaded (queue_link),
    // until it loads (apply_queued_links) or a flush writes them, after which
    // the rows say the same.
    struct queued_link {
        instance_ref parent;
        const relationship_info* collection;
        instance_ref child;
    };
    std::vector<queued_link> queued_links_;
    // What bulk_dml() told objects in this transaction, oldest first: undone
    // (undo_bulk) when the transaction or a savepoint holding it rolls back,
    // since the rows are back as they were and no flush writes them again.
    struct bulk_entry {
        instance_ref inst;
        bool deleted;                      // it became deleted; else these columns were set:
        std::vector<std::size_t> columns;  // expired on undo
    };
    std::vector<bulk_entry> bulk_log_;
    // Takes back the entries from `from`: deleted objects persistent again,
    // set columns expired.
    void undo_bulk(std::size_t from);
    // `table`'s objects, or null when the session has none (made on no account).
    table_objects* objects_if_any(const table_info& table) {
        auto t = identity_.find(&table);
        return t == identity_.end() ? nullptr : t->second.get();
    }
    std::vector<written_link> written_links_;  // oldest first
    std::vector<written_key> written_keys_;    // oldest first
    std::vector<savepoint_state> savepoints_;  // open savepoints, innermost last
    std::uint64_t last_savepoint_id_ = 0;
    std::shared_ptr<void> lifetime_;           // see lifetime()
    statement_cache statements_;
};

inline void session_core::unload_relationships(instance_base& i) noexcept {
    for (const auto& r : i.table()->relationships) member_of(i, r).unload();
}

/// The value of `owner` that rows of the other side refer to (its key, or
/// the referenced unique column), for one-to-many and many-to-many.
inline value session_core::referenced_value(instance_base& owner, const relationship_info& info) {
    return owner.column_value_of(link_key(info, *owner.table()).target_columns.front());
}

}  // namespace detail
}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/session_core.ipp>
#include <alchemy/detail/orm/impl/session_relationships.ipp>
#include <alchemy/detail/orm/impl/flush.ipp>  // after the class: the unit of work's phases need all of it
#include <alchemy/detail/orm/impl/bulk_dml.ipp>
#include <alchemy/detail/orm/impl/bulk_insert.ipp>
#endif
