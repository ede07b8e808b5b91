// alchemy/session.hpp — the Session: identity map and unit of work.
//
//   auto Session = alchemy::sessionmaker(engine);
//   auto session = Session();
//   auto alice = session.add(User{.name = "Alice"});   // pending
//   session.commit();                                   // INSERT, COMMIT; alice->id set
//   alice->name = "Bob";                                // touched
//   session.commit();                                   // UPDATE users SET name=? WHERE id=?
//   session.remove(alice);
//   session.commit();                                   // DELETE
//
// SQLAlchemy's Session semantics (states, identity map, autoflush, unit of
// work, cascades, expiry), with these C++ choices:
//   * Objects are held through alchemy::ptr<T> (ptr.hpp): write access
//     through a non-const ptr is what marks an object as possibly changed.
//   * The session holds every object it knows strongly until close(),
//     expunge() or a commit that detaches it.
//   * If a flush fails, or COMMIT fails and takes the transaction with it (a
//     full disk, an I/O error), or any statement fails and the database rolls
//     the transaction back by itself, the database transaction is gone and the
//     session returns to the state it had when the transaction began, keeping
//     every in-memory value: objects inserted earlier in the transaction are
//     pending again, flushed deletes are marked again, flushed updates are
//     compared with the old row again, relationship changes are to be written
//     again. Correct the object (or free the disk) and commit again: each row
//     is written exactly once. (SQLAlchemy instead requires rollback(), which
//     discards pending objects.) A COMMIT that fails with the transaction
//     still open (SQLITE_BUSY: another connection holds a lock) changes
//     nothing: call commit() again, or rollback().
//     The session notices a transaction rolled back by the database at its
//     next call (flush, commit, a query, get, in_transaction, size ...).
//     Inside a savepoint (begin_nested(), nested_transaction.hpp) a failed
//     flush goes back to the savepoint's start instead, the same way.

//   * A session and its objects are used by one thread at a time.
// Leaving a session's scope (or close()) rolls back what was not committed
// and detaches every object; a session is move-only.
#pragma once

#include <alchemy/attribute.hpp>
#include <alchemy/detail/config.hpp>
#include <alchemy/detail/orm/session_core.hpp>
#include <alchemy/dml.hpp>
#include <alchemy/engine.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/inspection.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/nested_transaction.hpp>
#include <alchemy/ptr.hpp>
#include <alchemy/query.hpp>
#include <alchemy/relationship.hpp>
#include <alchemy/session_options.hpp>

#include <array>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace alchemy {

class session {
public:
    explicit session(engine e, session_options options = {})
        : core_(std::make_unique<detail::session_core>(std::move(e), std::move(options))) {
        core_->set_public(this);
    }
    session(session&& other) noexcept : core_(std::move(other.core_)) {
        if (core_) core_->set_public(this);
    }
    session& operator=(session&& other) noexcept;
    ~session() = default;  // the core's destructor closes

    // ---- adding and removing ---------------------------------------------------------

    /// Adds a new object (transient -> pending) and returns its handle.
    template <class T>
    ptr<T> add(T object) {
        static_cast<void>(table_of<T>());  // mapping diagnostics here, at the call
        auto p = ptr<T>::make(std::move(object));
        core().add(detail::instance_ref(p.instance()));
        return p;
    }

    /// Adds an object by handle: transient -> pending, detached -> persistent;
    /// cancels a remove() not flushed yet. InvalidRequestError if it belongs to
    /// another session or its DELETE was already flushed.
    template <class T>
    const ptr<T>& add(const ptr<T>& object) {
        core().add(checked(object));
        return object;
    }

    template <class... T>
    void add_all(const ptr<T>&... objects) {
        (add(objects), ...);
    }
    template <class T>
    void add_all(const std::vector<ptr<T>>& objects) {
        for (const auto& o : objects) add(o);
    }

    /// Marks a persistent object for deletion (DELETE at the next flush).
    /// InvalidRequestError for an object that is not persistent here.
    template <class T>
    void remove(const ptr<T>& object) {
        core().remove(checked(object));
    }

    /// Takes an object out of the session: persistent -> detached, pending -> transient.
    template <class T>
    void expunge(const ptr<T>& object) {
        core().expunge(checked(object));
    }
    void expunge_all() { core().expunge_all(); }

    // ---- loading ----------------------------------------------------------------------

    /// A query for mapped objects: query<User>() gives ptr<User> rows,
    /// query<User, Post>() tuples (see query.hpp).
    template <class... T>
        requires(sizeof...(T) > 0)
    alchemy::query<T...> query() {
        return alchemy::query<T...>(core());
    }

    /// A query for values, and objects beside them: query(col(&User::name),
    /// func::count(col(&Post::id))), query(entity<User>, col(&Post::title)).
    template <class... X>
        requires(sizeof...(X) > 0 && (detail::select_argument<X> && ...))
    values_query<detail::select_item_t<X>...> query(const X&... selected) {
        return values_query<detail::select_item_t<X>...>(core(), selected...);
    }

    /// A query of T's objects read from an alias: of a subquery or CTE that
    /// selects T's columns (SQLAlchemy's query(aliased(User, subq))), or of
    /// T's table. Rows are ptr<T>, through the identity map.
    template <class T>
    alchemy::query<T> query(const aliased<T>& alias) {
        return alchemy::query<T>(core(), alias);
    }

    /// The object with this primary key: from the identity map without SQL
    /// when present and not expired, else SELECT by key (after autoflush).
    /// An empty ptr when there is no such row. Composite keys: one argument
    /// per key column, in key order.
    template <class T, class... K>
    ptr<T> get(const K&... key) {
        const auto& table = table_of<T>();
        std::array<value, sizeof...(K)> values;  // (no allocation for a lookup by integer)
        std::size_t next = 0;
        const auto record = [&]<class P>(const P& part) {
            detail::bound_value bound;
            type_traits<detail::parameter_type<P>>::bind(bound, part);
            values[next++] = std::move(bound.out);
        };
        (record(key), ...);
        (void)record;  // (get<T>() with no key: refused below)
        auto inst = core().get(table, values, &detail::make_instance<T>);
        return ptr<T>(static_cast<detail::instance<T>*>(inst.get()));
    }

    /// This session's hooks (events.hpp), to add to:
    /// `session.events().after_commit.push_back([](alchemy::session& s) { ... });`
    session_events& events() { return core().events(); }

    /// INSERT of plain rows (SQLAlchemy 2.0's session.execute(insert(User),
    /// rows)): one executemany per run of rows that write the same columns
    /// (a key left 0 or NULL is generated, not written), after an autoflush,
    /// in the session's transaction. The rows become no objects of the
    /// session and the generated keys are not read back: that is what makes
    /// it as fast as the driver. Client-side defaults and first versions are
    /// written; events are not run. With insert<T>().on_conflict(...), the
    /// upsert: objects in the session that it updates keep their values
    /// until they expire. Returns the rows inserted or updated.
    template <class T>
    std::int64_t execute(const insert_statement<T>& statement, std::span<const T> rows) {
        return core().bulk_insert(statement.spec(), rows.data(), rows.size(), sizeof(T), &detail::default_of<T>);
    }
    template <class T>
    std::int64_t execute(const insert_statement<T>& statement, const std::vector<T>& rows) {
        return execute(statement, std::span<const T>(rows));
    }
    template <class T>
    std::int64_t execute(const insert_statement<T>& statement, const T& row) {
        return execute(statement, std::span<const T>(&row, 1));
    }

    /// Runs raw SQL through the session's connection and transaction, with
    /// bound parameters; no autoflush (as SQLAlchemy's execute(text(...))).
    template <class... A>
    result execute(const text& statement, const A&... args) {
        return core().conn().execute(statement.sql, args...);
    }

    /// Copies `object`'s state onto the persistent object with the same key
    /// (loaded by key if needed) and returns that one; without a key or row, a
    /// new pending copy is returned. `object` itself is not attached.
    /// Relationships with the merge cascade (the default) are merged too,
    /// those `object` has (loaded, or of a plain T given a value; a
    /// default-constructed one is "not set" and leaves the target's alone):
    /// each related object is merged in turn and the result linked.
    /// Autoflushes once, before anything is merged, and not again while it
    /// merges (SQLAlchemy's merge): the target's changes are flushed at
    /// commit, not between the SELECTs of the merge. A target's collection is
    /// loaded before the objects merged into it, which are then found in the
    /// identity map (no SELECT each).
    /// With `{.load = false}` (merge_options): no SQL at all, for an object
    /// known to match its row; InvalidRequestError for an object without a
    /// key.
    template <class T>
    ptr<T> merge(const T& object, merge_options options = {}) {
        merge_memo memo;
        if (!options.load) {
            const auto guard = no_autoflush();
            return merge_one_without_load(object, memo);
        }
        core().autoflush();
        const auto guard = no_autoflush();
        return merge_one(object, memo);
    }
    /// ... of a ptr's object; with `{.load = false}`, InvalidRequestError for
    /// an object that is pending or has changes not flushed (SQLAlchemy's
    /// rule: they would be lost).
    template <class T>
    ptr<T> merge(const ptr<T>& object, merge_options options = {}) {
        if (!options.load && object) {
            const auto& i = *object.instance();
            if (!i.has_identity)
                throw InvalidRequestError(fmt::format(
                    "alchemy: merge() with load = false does not take a transient or pending {}: flush it first",
                    table_of<T>().struct_name));
            if (detail::session_core::is_modified(i))
                throw InvalidRequestError(fmt::format(
                    "alchemy: merge() with load = false does not take a {} with changes not flushed: flush them "
                    "first",
                    table_of<T>().struct_name));
        }
        return merge(*std::as_const(object), options);
    }

    /// Reloads every column now (after autoflush); ObjectDeletedError if the
    /// row is gone. Unflushed changes to the object are discarded.
    template <class T>
    void refresh(const ptr<T>& object) {
        core().refresh(*checked(object));
    }

    /// Reloads only the named columns and relationships now (after
    /// autoflush): the columns with one SELECT by key, each relationship with
    /// the SELECT a lazy load runs. Unflushed changes to them are discarded.
    ///   session.refresh(user, {&User::name, &User::posts});
    template <class T>
    void refresh(const ptr<T>& object, std::type_identity_t<std::initializer_list<attribute<T>>> attributes) {
        const auto [columns, relationships] = split(attributes);
        core().refresh(*checked(object), columns, relationships);
    }

    /// Marks the object's columns (or only the named ones, by SQL column
    /// name) to be reloaded on next access; unflushed changes to them are
    /// discarded. Expiring the whole object also unloads its relationships.
    template <class T>
    void expire(const ptr<T>& object, std::initializer_list<std::string_view> columns = {}) {
        core().expire(*checked(object), std::span<const std::string_view>(columns.begin(), columns.size()));
    }
    /// Expires only the named members, columns and relationships alike:
    ///   session.expire(post, {&Post::user, &Post::title});
    /// An expired column reloads on next access (one SELECT by key); an
    /// expired relationship loads again on its own, with no column SELECT.
    template <class T>
    void expire(const ptr<T>& object, std::type_identity_t<std::initializer_list<attribute<T>>> attributes) {
        const auto [columns, relationships] = split(attributes);
        core().expire(*checked(object), columns, relationships);
    }
    void expire_all() { core().expire_all(); }

    // ---- the transaction ----------------------------------------------------------------

    /// Writes pending changes (INSERT / UPDATE / DELETE) inside the
    /// transaction, beginning it if needed; a no-op emits nothing.
    void flush() { core().flush(); }
    /// flush(), COMMIT, then (expire_on_commit) expire every object. A session
    /// that never began emits nothing. On failure see the top of this file:
    /// either the session is back at the start of the transaction (commit()
    /// again writes everything once), or, when the error says the transaction
    /// is still open, nothing changed (commit() again, or rollback()).
    void commit() { core().commit(); }
    /// ROLLBACK; pending and newly inserted objects become transient, objects
    /// deleted in the transaction persistent again, the rest expire.
    void rollback() { core().rollback(); }
    /// SQLAlchemy's begin_nested(): flushes, then opens a SAVEPOINT (beginning
    /// the transaction if none is open). Roll it back and the rows and the
    /// objects go back to it; a flush that fails inside it rolls back to it
    /// only. See nested_transaction.hpp.
    [[nodiscard]] nested_transaction begin_nested() {
        auto& c = core();
        const auto id = c.begin_nested();
        return nested_transaction(c, c.lifetime(), id);
    }
    /// Rolls back and detaches every object. The session can be used again.
    void close() noexcept {
        if (core_) core_->close();
    }

    // ---- inspection ----------------------------------------------------------------------

    /// Whether the object is pending or persistent in this session (`obj in session`).
    template <class T>
    bool contains(const ptr<T>& object) const {
        if (core_) core_->follow_database();
        const auto* i = object.instance();
        return i && core_ && i->owner() == core_.get() && !i->deleted;  // marked for deletion: still persistent
    }
    /// SQLAlchemy's is_modified(): a net change since load or the last flush
    /// (a column that differs from its loaded value, a many-to-one assigned,
    /// a collection appended to or removed from on the side that was
    /// changed). An object written through a non-const ptr with its values
    /// unchanged is not modified (it is in dirty_objects()). False for a new
    /// object. Loads and touches nothing.
    template <class T>
    bool is_modified(const ptr<T>& object) const {
        return detail::session_core::is_modified(*checked(object));
    }

    /// The pending objects (SQLAlchemy's `session.new`; `new` is a C++
    /// keyword), in the order they were added; new_objects<User>() only the
    /// User ones. A copy: later changes to the session do not show in it.
    object_set new_objects() const { return view(&detail::session_core::new_objects); }
    template <class T>
    std::vector<ptr<T>> new_objects() const {
        return new_objects().template of<T>();
    }
    /// The persistent objects written to through a non-const ptr since the
    /// last flush (SQLAlchemy's optimistic `session.dirty`: is_modified() is
    /// the exact test), in the order they were first written.
    object_set dirty_objects() const { return view(&detail::session_core::dirty_objects); }
    template <class T>
    std::vector<ptr<T>> dirty_objects() const {
        return dirty_objects().template of<T>();
    }
    /// The objects remove()d and not flushed yet (SQLAlchemy's `session.deleted`).
    object_set deleted_objects() const { return view(&detail::session_core::deleted_objects); }
    template <class T>
    std::vector<ptr<T>> deleted_objects() const {
        return deleted_objects().template of<T>();
    }

    /// The identity of T's row with primary key `key`, as alchemy::identity_key<T>().
    template <class T, class... K>
    alchemy::identity identity_key(const K&... key) const {
        return alchemy::identity_key<T>(key...);
    }

    /// Turns autoflush off until the returned guard leaves its scope, then
    /// back to what it was (SQLAlchemy's `with session.no_autoflush:`):
    ///   { auto guard = session.no_autoflush(); ... queries see no flush ... }
    /// The guard must not outlive the session.
    class [[nodiscard]] no_autoflush_guard {
    public:
        no_autoflush_guard(const no_autoflush_guard&) = delete;
        no_autoflush_guard& operator=(const no_autoflush_guard&) = delete;
        ~no_autoflush_guard() { core_.set_autoflush(was_on_); }

    private:
        friend class session;
        explicit no_autoflush_guard(detail::session_core& core) noexcept
            : core_(core), was_on_(core.autoflush_enabled()) {
            core_.set_autoflush(false);
        }
        detail::session_core& core_;
        bool was_on_;
    };
    no_autoflush_guard no_autoflush() { return no_autoflush_guard(core()); }
    /// Objects in the identity map.
    std::size_t size() const { return core_ ? (core_->follow_database(), core_->identity_size()) : 0; }
    std::size_t pending_count() const { return core_ ? (core_->follow_database(), core_->pending_count()) : 0; }
    /// Query shapes whose SQL text this session has rendered (and reuses).
    std::size_t compiled_query_count() const { return core_ ? core_->statements().compiled_query_count() : 0; }
    std::size_t deleted_count() const { return core_ ? (core_->follow_database(), core_->deleted_count()) : 0; }
    bool in_transaction() const { return core_ && core_->in_transaction(); }

    /// Autoflush on or off for the rest of this session.
    void set_autoflush(bool on) { core().set_autoflush(on); }

    /// The session's connection (checked out on first use; its transaction
    /// begins with the first statement). Valid until commit/rollback/close.
    alchemy::connection& connection() { return core().conn(); }

private:
    friend struct detail::session_access;

    detail::session_core& core() {
        if (!core_) throw InvalidRequestError("alchemy: this session was moved from");
        return *core_;
    }

    // Objects merged so far in one merge(), by the address of the source object.
    using merge_memo = boost::unordered_flat_map<const void*, detail::instance_base*>;

    // The key `probe` (a copy of an object given to merge()) has; false when
    // it has none (NULL, or an integer key of 0: "let the database assign it").
    static bool merge_key(const detail::instance_base& probe, std::vector<value>& key) {
        const auto& table = *probe.table();
        bool has_key = true;
        for (auto k : table.primary_key) {
            key.push_back(probe.column_value_of(k));
            if (key.back().is_null() || (table.has_integer_key() && key.back() == value(std::int64_t{0})))
                has_key = false;
        }
        return has_key;
    }

    template <class T>
    ptr<T> merge_one(const T& object, merge_memo& memo) {
        if (auto it = memo.find(&object); it != memo.end()) return ptr<T>(static_cast<detail::instance<T>*>(it->second));
        const auto& table = table_of<T>();
        const detail::instance_ref probe_ref(detail::new_instance<T>(object));
        const auto* probe = probe_ref.get();
        std::vector<value> key;
        ptr<T> target;
        if (merge_key(*probe, key)) {
            if (auto inst = core().get(table, key, &detail::make_instance<T>))
                target = ptr<T>(static_cast<detail::instance<T>*>(inst.get()));
        }
        if (target) {
            *target = object;  // a write: touched, compared at flush; its links stay (relationship.hpp)
        } else {
            T copy(object);
            detail::for_each_index<detail::reflect<T>::count>([&](auto i) {
                using M = typename detail::reflect<T>::template type<i>;
                if constexpr (detail::is_relationship<M>::value) detail::reflect<T>::template get<i>(copy) = M{};
            });
            target = add(std::move(copy));
        }
        memo.emplace(&object, target.instance());
        if constexpr (detail::has_relationships<T>) merge_related(object, target, memo);
        return target;
    }

    // merge(object, {.load = false}): the identity-mapped object with
    // `object`'s key, or a new persistent copy; either way unmodified, with no SQL.
    template <class T>
    ptr<T> merge_one_without_load(const T& object, merge_memo& memo) {
        if (auto it = memo.find(&object); it != memo.end()) return ptr<T>(static_cast<detail::instance<T>*>(it->second));
        const auto& table = table_of<T>();
        T copy(object);
        if constexpr (detail::has_relationships<T>)
            detail::for_each_index<detail::reflect<T>::count>([&](auto i) {
                using M = typename detail::reflect<T>::template type<i>;
                if constexpr (detail::is_relationship<M>::value) detail::reflect<T>::template get<i>(copy) = M{};
            });
        auto made = ptr<T>::make(std::move(copy));
        std::vector<value> key;
        if (!merge_key(*made.instance(), key))
            throw InvalidRequestError(fmt::format(
                "alchemy: merge() with load = false needs the primary key of the {} (it has none): flush it first",
                table.struct_name));
        const auto inst = core().merge_without_load(detail::instance_ref(made.instance()),
                                                    [&](void* existing) {
            if (existing != static_cast<const void*>(&object)) *static_cast<T*>(existing) = object;
        });
        ptr<T> target(static_cast<detail::instance<T>*>(inst.get()));
        memo.emplace(&object, target.instance());
        if constexpr (detail::has_relationships<T>) merge_related_without_load(object, target, memo);
        return target;
    }

    // The relationships `source` has, merged without load and set on
    // `target` as if loaded: no change to write.
    template <class T>
    void merge_related_without_load(const T& source, ptr<T>& target, merge_memo& memo) {
        std::size_t position = 0;
        detail::for_each_index<detail::reflect<T>::count>([&](auto i) {
            using M = typename detail::reflect<T>::template type<i>;
            if constexpr (detail::is_relationship<M>::value) {
                const auto& info = table_of<T>().relationships[position++];
                const auto& from = detail::reflect<T>::template get<i>(source);
                if (!info.cascades(cascade::merge) || !from.is_set()) return;
                std::vector<detail::instance_ref> merged;
                if constexpr (!detail::relationship_traits<M>::uselist) {  // backref<>, relationship_one<>
                    if (const auto related = from.get())
                        merged.emplace_back(merge_one_without_load(*related, memo).instance());
                } else {
                    for (const auto& item : from) merged.emplace_back(merge_one_without_load(*item, memo).instance());
                }
                core().set_loaded(*target.instance(), info, merged);
            }
        });
    }

    // The merge cascade: the loaded relationships of `source`, merged and
    // linked to `target`.
    template <class T>
    void merge_related(const T& source, ptr<T>& target, merge_memo& memo) {
        std::size_t position = 0;
        detail::for_each_index<detail::reflect<T>::count>([&](auto i) {
            using M = typename detail::reflect<T>::template type<i>;
            if constexpr (detail::is_relationship<M>::value) {
                const auto& info = table_of<T>().relationships[position++];
                const auto& from = detail::reflect<T>::template get<i>(source);
                // Only what `source` was given: a default-constructed member of a new
                // object is "not set" and leaves the target's relationship alone.
                if (!info.cascades(cascade::merge) || !from.is_set()) return;
                using Target = typename detail::relationship_traits<M>::target;
                if constexpr (!detail::relationship_traits<M>::uselist) {  // backref<>, relationship_one<>
                    const auto related = from.get();
                    ptr<Target> merged = related ? merge_one(*related, memo) : ptr<Target>();
                    detail::reflect<T>::template get<i>(*target) = merged;
                } else {
                    // The target's collection first (SQLAlchemy's merge): the
                    // objects merged into it are then found in the identity map.
                    if (target.instance()->has_identity)
                        (void)std::as_const(detail::reflect<T>::template get<i>(*std::as_const(target))).size();
                    std::vector<ptr<Target>> merged;
                    for (const auto& item : from) merged.push_back(merge_one(*item, memo));
                    detail::reflect<T>::template get<i>(*target) = merged;
                }
            }
        });
    }

    // The column and relationship indices of a list of attributes.
    template <class T>
    static std::pair<std::vector<std::size_t>, std::vector<std::size_t>> split(
        std::initializer_list<attribute<T>> attributes) {
        std::pair<std::vector<std::size_t>, std::vector<std::size_t>> out;
        for (const auto& a : attributes) (a.is_relationship() ? out.second : out.first).push_back(a.index());
        return out;
    }

    object_set view(std::vector<detail::instance_ref> (detail::session_core::*list)() const) const {
        if (!core_) return {};
        core_->follow_database();
        auto refs = ((*core_).*list)();
        std::vector<any_ptr> objects;
        objects.reserve(refs.size());
        for (auto& r : refs) objects.emplace_back(std::move(r));
        return object_set(std::move(objects));
    }

    template <class T>
    static detail::instance_ref checked(const ptr<T>& object) {
        if (!object) throw InvalidRequestError("alchemy: an empty alchemy::ptr was passed to the session");
        return detail::instance_ref(object.instance());
    }

    std::unique_ptr<detail::session_core> core_;
};

/// The state of an object: transient, pending, persistent, deleted, detached.
template <class T>
object_state state_of(const ptr<T>& object) noexcept {
    return object.state();
}

/// Sends a detached or deleted object back to the transient state: a later
/// add() INSERTs it again, its key unchanged.
template <class T>
void make_transient(const ptr<T>& object) {
    auto& i = *object.instance();
    if (i.owner()) throw InvalidRequestError("alchemy: make_transient() needs an object that is in no session; expunge it first");
    i.has_identity = false;
    i.deleted = false;
    i.expired = false;
    i.touched = false;
    i.reset_snapshot();
}

/// A session factory, as sqlalchemy.orm.sessionmaker.
class session_factory {
public:
    session_factory(engine e, session_options options) : engine_(std::move(e)), options_(options) {}
    session operator()() const { return session(engine_, options_); }
    session operator()(session_options options) const { return session(engine_, options); }

private:
    engine engine_;
    session_options options_;
};

inline session_factory sessionmaker(engine e, session_options options = {}) {
    return session_factory(std::move(e), options);
}

inline detail::session_core& detail::session_access::core(session& s) { return s.core(); }

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/session.ipp>
#endif
