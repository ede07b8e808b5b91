// alchemy/relationship.hpp — relationship<> and backref<>: links between
// mapped objects, resolved through foreign keys, loaded lazily.
//
//   struct User {
//       std::int64_t id = 0;
//       std::string name;
//       alchemy::relationship<Post> posts;       // one-to-many: the posts whose user_id is this id
//   };
//   struct Post {
//       std::int64_t id = 0;
//       std::optional<std::int64_t> user_id;
//       alchemy::backref<User> user;              // many-to-one: the user user_id references
//   };
//   struct Student { std::int64_t id = 0; alchemy::relationship<Course, Enrollment> courses; };
//                                                 // many-to-many through the association Enrollment
//   struct Account { std::int64_t id = 0; alchemy::relationship_one<Profile> profile; };
//                                                 // one-to-one: the one profile whose account_id is this id
//
// The join condition comes from the foreign_key() option between the two
// structs (or the association struct); when several could apply, name one with
// alchemy::relation(&User::posts, &Post::author_id) in alchemy_table(User*).
// A relationship<> and a backref<> over the same foreign key are the two sides
// of one link (SQLAlchemy's back_populates) and stay in sync in memory:
// appending a post to user->posts sets post->user, assigning post->user adds
// the post to the user's posts if they are loaded, and removing undoes both.
// The foreign key column itself is written at flush, from the parent's key,
// even one the same flush generates.
//
// Loading: a relationship of an object loaded from the database is loaded
// on first access (lazy "select"); a many-to-one whose target is in the
// identity map needs no SQL. Queries can load them eagerly instead
// (joinedload / selectinload, loading.hpp). A new object's relationships are
// simply empty. After commit (expire_on_commit) they load again on access.
// Accessing an unloaded relationship of an object that is in no session
// throws DetachedInstanceError.
//
// Cascades (relation(&U::posts, {.cascade = "all, delete-orphan"})):
// save-update (appending a new object to an object in a session adds it),
// merge, delete (removing the parent removes its children), delete-orphan
// (a child taken out of the collection is deleted). Without delete, deleting
// the parent sets its children's foreign key to NULL; with passive_deletes the
// database's ON DELETE does the work.
//
// C++ choices (SQLAlchemy has attribute events and a garbage collector):
//   * A collection holds each object once; appending it again does nothing.
//     Past 32 objects a hash set answers "is it there?", so append() and
//     contains() are O(1) and clear() or assigning a collection O(n);
//     remove() shifts the objects after the one removed (like vector::erase).
//   * Its elements are the collection's own ptr slots: read, dereference and
//     copy them, and change the collection through append/remove/assignment.
//   * Assigning a whole T through a ptr (`*user = other`) leaves the
//     relationships of *user as they are; assign the relationship itself to
//     replace a collection (`user->posts = {a, b}`).
//   * A T copied out of a ptr (`User u = *user;`) carries its related objects
//     as plain counted ptrs, outside any session.
//   * Linked objects share one lifetime group (instance.hpp): no leaks, and
//     no dangling links.
//   * A relationship<> is one pointer in the struct and allocates only once it
//     holds objects or changes; a backref<> or relationship_one<> is two (relationship_base.hpp).
#pragma once

#include <alchemy/detail/orm/links.hpp>
#include <alchemy/detail/orm/relationship_base.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/ptr.hpp>

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

/// A collection of related objects: one-to-many (relationship<Child>) or,
/// with an association struct, many-to-many (relationship<Other, Association>).
/// One pointer in size (see detail/orm/relationship_base.hpp).
template <class T, class Association = void>
class relationship final : public detail::relationship_base {
public:
    using value_type = ptr<T>;
    using iterator = ptr<T>*;
    using const_iterator = const ptr<T>*;
    using size_type = std::size_t;

    relationship() = default;
    /// A collection holding `items`, for a new object's designated initializer
    /// (SQLAlchemy's User(posts=[...])): User{.name = "a", .posts = {p1, p2}}.
    /// Adding the object links them. (`.posts = {}` is the default collection,
    /// "not set" for merge(); see is_set().)
    relationship(std::initializer_list<ptr<T>> items) : relationship(std::vector<ptr<T>>(items)) {}
    relationship(const std::vector<ptr<T>>& items) {  // NOLINT(google-explicit-constructor)
        set_loose_items(items);
        mark_set();
    }
    relationship(const relationship& other) : relationship_base(other) {
        set_loose_items(other.items_or_none());  // counted copies
        if (other.is_set()) mark_set();
    }
    /// Assigning a whole T keeps the links of the object assigned to (see the top).
    relationship& operator=(const relationship& other) {
        if (!is_bound() && this != &other) {
            set_loose_items(other.items_or_none());
            if (other.is_set()) mark_set();
        }
        return *this;
    }
    /// Replaces the collection: objects not in `items` are removed, new ones appended.
    relationship& operator=(const std::vector<ptr<T>>& items) {
        assign(items);
        return *this;
    }
    relationship& operator=(std::initializer_list<ptr<T>> items) {
        assign(std::vector<ptr<T>>(items));
        return *this;
    }
    ~relationship() { delete store(); }

    iterator begin() { return load().data(); }
    iterator end() { return load().data() + count(); }
    const_iterator begin() const { return load().data(); }
    const_iterator end() const { return load().data() + count(); }

    size_type size() const { return load().count(); }
    bool empty() const { return size() == 0; }

    /// The i-th object; ArgumentError past the end.
    ptr<T>& operator[](size_type i) { return checked(i); }
    const ptr<T>& operator[](size_type i) const { return const_cast<relationship&>(*this).checked(i); }

    bool contains(const ptr<T>& object) const { return load().contains_item(object.instance()); }

    /// Adds `object` (once): sets the other side, cascades it into the owner's
    /// session (save-update), and links it at the next flush.
    void append(const ptr<T>& object) {
        if (!object) throw ArgumentError(fmt::format("alchemy: cannot append an empty ptr to {}", where()));
        if (!is_bound()) {
            mark_set();
            if (contains_item(object.instance())) return;
            items().push_back(object);
            index_added(object.instance());
            return;
        }
        load();
        detail::collection_append(*this, *object.instance());
    }
    /// Takes `object` out: clears the other side; at flush its foreign key
    /// becomes NULL (or it is deleted: delete-orphan; many-to-many: its
    /// association row is deleted). ArgumentError if it is not in the collection.
    void remove(const ptr<T>& object) {
        if (!is_bound()) {
            if (auto* s = store())
                for (auto it = s->items.begin(); it != s->items.end(); ++it)
                    if (*it == object) {
                        s->items.erase(it);
                        s->index.reset();  // a loose collection may hold an object twice (assigned so)
                        mark_set();
                        return;
                    }
        } else {
            load();
            if (object && contains_item(object.instance())) {
                detail::collection_remove(*this, *object.instance());
                return;
            }
        }
        throw ArgumentError(fmt::format("alchemy: {} is not in {}", object ? object.instance()->describe() : "an empty ptr", where()));
    }
    /// Removes every object.
    void clear() { assign({}); }

    // ---- for the session, through relationship_ops (relationship_base.hpp) ----
    static void ops_bind(relationship_base& base, const relationship_info& i) {
        auto& self = static_cast<relationship&>(base);
        storage* loose = self.store();  // the loose items, linked again through the owner
        self.bind_word(i);
        if (!loose) return;
        const std::unique_ptr<storage> held(loose);
        for (const auto& p : held->items)
            if (p) detail::collection_append(self, *p.instance());
    }
    static std::size_t ops_item_count(const relationship_base& base) noexcept {
        return static_cast<const relationship&>(base).count();
    }
    static detail::instance_base* ops_item(const relationship_base& base, std::size_t i) noexcept {
        return static_cast<const relationship&>(base).store()->items[i].instance();
    }
    static bool ops_has_item(const relationship_base& base, const detail::instance_base* i) {
        return static_cast<const relationship&>(base).contains_item(i);
    }
    static void ops_put_item(relationship_base& base, detail::instance_base* i) {
        auto& self = static_cast<relationship&>(base);
        if (!self.contains_item(i)) ops_put_new_item(base, i);
    }
    static void ops_put_new_item(relationship_base& base, detail::instance_base* i) {
        auto& self = static_cast<relationship&>(base);
        auto* inst = static_cast<detail::instance<T>*>(i);
        auto& list = self.items();
        if (list.size() < list.capacity()) list.emplace_back(detail::slot_tag{}, inst);  // constructed in place
        else self.grow(list.size() * 2 + 4, inst);
        self.index_added(i);
    }
    static bool ops_take_item(relationship_base& base, detail::instance_base* i) {
        auto& self = static_cast<relationship&>(base);
        if (!self.contains_item(i)) return false;
        self.erase_slot(i);
        if (self.store()->index) self.store()->index->erase(i);
        return true;
    }
    static void ops_unload(relationship_base& base) noexcept {
        auto& self = static_cast<relationship&>(base);
        delete static_cast<storage*>(self.detach_block());
        self.set_loaded(false);
        self.set_changed(false);
    }
    static detail::relationship_block& ops_block(relationship_base& base) {
        return static_cast<relationship&>(base).make_store();
    }

private:
    // What a collection holds, behind the member's one word so that an
    // object's unloaded or empty collection costs 8 bytes (a session holds
    // many). Bound, it is the member's relationship_block (info, changes).
    struct storage : detail::relationship_block {
        std::vector<ptr<T>> items;  // bound: uncounted slots; loose: counted ptrs
        // `items` as a set, once contains_item() has seen more than
        // collection_index_threshold of them; kept in step by every change to
        // `items`, or dropped (it is a cache).
        std::unique_ptr<detail::member_index> index;
    };

    // The storage, or null (loose: the word is its address; bound: the block).
    storage* store() const noexcept {
        if (!is_bound()) return static_cast<storage*>(reinterpret_cast<detail::relationship_block*>(word_ & ~tag_mask));
        return static_cast<storage*>(bound_block());
    }
    storage& make_store() {
        if (auto* s = store()) return *s;
        auto made = std::make_unique<storage>();
        if (is_bound()) {
            made->info = info();
            attach_block(made.get());
        } else {  // (keeping the set flag)
            word_ = reinterpret_cast<std::uintptr_t>(static_cast<detail::relationship_block*>(made.get())) |
                    (word_ & set_bit);
        }
        return *made.release();
    }
    std::size_t count() const noexcept {
        const auto* s = store();
        return s ? s->items.size() : 0;
    }
    ptr<T>* data() const noexcept {
        auto* s = store();
        return s ? s->items.data() : nullptr;
    }
    std::vector<ptr<T>>& items() { return make_store().items; }
    const std::vector<ptr<T>>& items_or_none() const noexcept {
        static const std::vector<ptr<T>> none;
        const auto* s = store();
        return s ? s->items : none;
    }
    // A loose (unbound) collection's items: counted copies of `from`.
    // (The set flag is the caller's to give.)
    void set_loose_items(const std::vector<ptr<T>>& from) {
        auto copy = from;  // (may throw: nothing changed yet)
        delete store();
        word_ = 0;
        if (!copy.empty()) make_store().items = std::move(copy);
    }

    // Whether `i` is among the items: a scan up to collection_index_threshold
    // objects, a lookup in the index past it.
    bool contains_item(const detail::instance_base* i) const {
        auto* s = store();
        const auto n = count();
        if (n <= detail::collection_index_threshold) {
            for (std::size_t k = 0; k < n; ++k)
                if (s->items[k].instance() == i) return true;
            return false;
        }
        if (!s->index) {
            auto index = std::make_unique<detail::member_index>();
            index->reserve(n * 2);
            for (const auto& p : s->items) index->insert(p.instance());
            s->index = std::move(index);
        }
        return s->index->contains(i);
    }

    const relationship& load() const {
        if (!is_loaded()) detail::load_relationship(const_cast<relationship&>(*this));
        return *this;
    }
    relationship& load() {
        if (!is_loaded()) detail::load_relationship(*this);
        return *this;
    }
    // The index is a cache of the items: when it cannot follow a change, it is
    // dropped and contains_item() builds it again.
    void index_added(const detail::instance_base* i) noexcept {
        auto* s = store();
        if (!s->index) return;
        try {
            s->index->insert(i);
        } catch (...) {
            s->index.reset();
        }
    }
    ptr<T>& checked(size_type i) {
        load();
        if (i >= count())
            throw ArgumentError(fmt::format("alchemy: index {} is past the end of {} ({} objects)", i, where(), count()));
        return store()->items[i];
    }
    std::string where() const {
        const auto* i = info();
        return i ? fmt::format("{}.{}", owner()->table()->struct_name, i->member) : std::string("a relationship");
    }
    void assign(const std::vector<ptr<T>>& wanted) {
        if (!is_bound()) {
            set_loose_items(wanted);
            mark_set();
            return;
        }
        load();
        // Past a few dozen objects `wanted` is looked up through a set, and
        // the objects that go are taken out from the back, so replacing or
        // clearing a collection of n objects does not cost O(n^2).
        const bool large = wanted.size() > detail::collection_index_threshold;
        detail::member_index wanted_set;
        if (large)
            for (const auto& w : wanted) wanted_set.insert(w.instance());
        std::vector<detail::instance_base*> gone;
        for (std::size_t k = 0; k < count(); ++k) {
            auto* p = store()->items[k].instance();
            bool kept = false;
            if (large) kept = wanted_set.contains(p);
            else
                for (const auto& w : wanted) kept = kept || w.instance() == p;
            if (!kept) gone.push_back(p);
        }
        for (auto g = gone.rbegin(); g != gone.rend(); ++g) detail::collection_remove(*this, **g);
        for (const auto& w : wanted) append(w);
    }

    // Slots are never moved or assigned (a moved slot would count): the
    // vector grows by building a new one, and erasing re-makes the slots
    // that follow in place.
    void grow(std::size_t capacity, detail::instance<T>* extra) {
        auto& list = items();
        std::vector<ptr<T>> fresh;
        fresh.reserve(capacity);
        for (const auto& p : list) fresh.emplace_back(detail::slot_tag{}, p.instance());
        fresh.emplace_back(detail::slot_tag{}, extra);
        list.swap(fresh);
    }
    // `i` must be there. Searched from the back, so taking out the last item
    // (clear(), or assign() taking out a tail) costs O(1), not O(n).
    void erase_slot(const detail::instance_base* i) noexcept {
        auto& list = store()->items;
        std::size_t k = list.size();
        while (k > 0 && list[k - 1].instance() != i) --k;
        if (k == 0) return;
        for (--k; k + 1 < list.size(); ++k) {
            list[k].~ptr();  // a slot: releases nothing
            new (&list[k]) ptr<T>(detail::slot_tag{}, list[k + 1].instance());
        }
        list.pop_back();
    }
};

namespace detail {

/// What backref<T> and relationship_one<T> share: a member that refers to at
/// most one object. Bound, it points to the related object (uncounted, same
/// lifetime group); loose (a member of a T not behind a ptr), it holds a
/// counted handle. Reading loads it on first access. The two differ in how
/// assigning links (reference_assign: the key is on this side;
/// scalar_collection_assign: on the other) and in what they record for the
/// flush (a one-to-one keeps a collection's block).
template <class T>
class reference_member : public relationship_base {
public:
    /// The related object (loaded on first access), or an empty ptr.
    ptr<T> get() { return current(); }
    const ptr<T> get() const { return current(); }
    operator ptr<T>() const { return current(); }

    /// Member access on the related object; InvalidRequestError when there is none.
    ptr<T> operator->() { return required(); }
    const ptr<T> operator->() const { return required(); }

    explicit operator bool() const { return static_cast<bool>(current()); }
    friend bool operator==(const reference_member& a, const ptr<T>& b) { return a.current() == b; }
    friend bool operator==(const reference_member& a, std::nullptr_t) { return !a.current(); }

    // ---- for the session, through relationship_ops (relationship_base.hpp) ----
    static std::size_t ops_item_count(const relationship_base& base) noexcept {
        return static_cast<const reference_member&>(base).target_ ? 1 : 0;
    }
    static instance_base* ops_item(const relationship_base& base, std::size_t) noexcept {
        return static_cast<const reference_member&>(base).target_;
    }
    static bool ops_has_item(const relationship_base& base, const instance_base* i) noexcept {
        return i && static_cast<const reference_member&>(base).target_ == i;
    }
    /// Replaces the target (loading refuses a second object of a one-to-one
    /// before this: attach_loaded).
    static void ops_put_item(relationship_base& base, instance_base* i) {
        static_cast<reference_member&>(base).target_ = static_cast<instance<T>*>(i);
    }
    static void ops_put_new_item(relationship_base& base, instance_base* i) { ops_put_item(base, i); }
    static bool ops_take_item(relationship_base& base, instance_base* i) {
        auto& self = static_cast<reference_member&>(base);
        if (!i || self.target_ != i) return false;
        self.target_ = nullptr;
        return true;
    }

protected:
    reference_member() = default;
    /// A reference to `target`, for a new object's designated initializer.
    reference_member(const ptr<T>& target) noexcept {  // NOLINT(google-explicit-constructor)
        set_loose(target);
        mark_set();
    }
    reference_member(std::nullptr_t) noexcept { mark_set(); }  // NOLINT(google-explicit-constructor)
    /// A copy (of a T copied out of a ptr) holds what was loaded; it never loads.
    reference_member(const reference_member& other) : relationship_base(other) {
        set_loose(other.peek());
        if (other.is_set()) mark_set();
    }
    /// Assigning a whole T keeps the link of the object assigned to (see relationship.hpp).
    reference_member& operator=(const reference_member& other) {
        if (!is_bound() && this != &other) {
            set_loose(other.peek());
            word_ &= ~set_bit;  // set as `other` is
            if (other.is_set()) mark_set();
        }
        return *this;
    }
    ~reference_member() {
        if (!is_bound() && target_) release(target_);
    }

    // A loose member's target: counted (its handle is released here).
    void set_loose(const ptr<T>& target) noexcept {
        auto* next = target.instance();
        if (next) retain(next);
        if (target_) release(target_);
        target_ = next;
    }
    /// Binds the member; the loose target, if any, is handed to `link` (which
    /// links it with the usual sync) and its count dropped afterwards.
    template <class Link>
    void bind_loose(const relationship_info& i, Link&& link) {
        auto* loose = std::exchange(target_, nullptr);  // counted: the handle is ours until released
        bind_word(i);
        if (!loose) return;
        struct handle {  // the loose count, dropped once the link holds the object
            instance_base* p;
            ~handle() { release(p); }
        } held{loose};
        link(held.p);
    }
    ptr<T> peek() const {
        if (!is_bound()) return ptr<T>(target_);
        return is_loaded() ? ptr<T>(target_) : ptr<T>();
    }
    void load() const {
        if (is_bound() && !is_loaded()) load_relationship(const_cast<reference_member&>(*this));
    }
    ptr<T> current() const {
        load();
        return ptr<T>(target_);
    }
    ptr<T> required() const {
        auto p = current();
        if (!p) {
            const auto* i = info();
            throw InvalidRequestError(fmt::format("alchemy: {}.{} is empty (no related object)",
                                                  i ? owner()->table()->struct_name : "?", i ? i->member : "?"));
        }
        return p;
    }
    void forget_target() noexcept { target_ = nullptr; }

private:
    instance<T>* target_ = nullptr;
};

}  // namespace detail

/// The scalar side of a one-to-many (many-to-one): the object this one's
/// foreign key references, or empty. Two pointers in size: the member's word
/// (relationship_base.hpp) and the object it points to.
template <class T>
class backref final : public detail::reference_member<T> {
    using base = detail::reference_member<T>;

public:
    backref() = default;
    /// A reference to `target`, for a new object's designated initializer
    /// (SQLAlchemy's Post(user=u)): Post{.title = "x", .user = u}. Adding the
    /// object links it (u's loaded collection gains it). `.user = nullptr`
    /// says "no parent" explicitly (merge() then empties the target's).
    backref(const ptr<T>& target) noexcept : base(target) {}  // NOLINT(google-explicit-constructor)
    backref(std::nullptr_t) noexcept : base(nullptr) {}       // NOLINT(google-explicit-constructor)
    backref(const backref&) = default;
    backref& operator=(const backref&) = default;
    /// Links to `target` (or unlinks with an empty ptr / nullptr): the old
    /// parent's loaded collection loses this object, the new one's gains it;
    /// the foreign key is written at flush.
    backref& operator=(const ptr<T>& target) {
        if (!this->is_bound()) {
            this->set_loose(target);
            this->mark_set();
        } else {
            detail::reference_assign(*this, target.instance());
        }
        return *this;
    }
    backref& operator=(std::nullptr_t) { return *this = ptr<T>(); }

    // ---- for the session, through relationship_ops (relationship_base.hpp) ----
    static void ops_bind(detail::relationship_base& m, const relationship_info& i) {
        auto& self = static_cast<backref&>(m);
        self.bind_loose(i, [&](detail::instance_base* p) { detail::reference_assign(self, p); });
    }
    static void ops_unload(detail::relationship_base& m) noexcept {
        auto& self = static_cast<backref&>(m);
        self.forget_target();
        self.set_loaded(false);
        self.set_changed(false);
    }
    static detail::relationship_block& ops_block(detail::relationship_base&) {
        throw std::logic_error("alchemy: a many-to-one member records no collection changes");
    }
};

/// The scalar side of a one-to-one: the one object whose foreign key refers
/// to this one, or empty (SQLAlchemy's relationship(uselist=False)). It sits
/// where a relationship<T> would, on the side that does not hold the key, and
/// pairs with a backref<> on the side that does:
///
///   struct Account { std::int64_t id = 0; alchemy::relationship_one<Profile> profile; };
///   struct Profile { std::int64_t id = 0; std::optional<std::int64_t> account_id;
///                    alchemy::backref<Account> account; };
///
/// It loads, cascades and flushes as a one-to-many holding at most one object:
/// assigning another object unlinks the one it held (its key becomes NULL at
/// flush, or it is deleted with delete-orphan); assigning the backref of a
/// profile to an account unlinks the account's profile, which is loaded first
/// when it is not (one SELECT) so that it is not left pointing at the account
/// as well. When the database holds two rows for one object, loading it
/// (lazily, selectinload or joinedload) throws MultipleResultsFound; SQLAlchemy
/// warns and keeps one of them. Two pointers in size, as a backref<>.
template <class T>
class relationship_one final : public detail::reference_member<T> {
    using base = detail::reference_member<T>;

public:
    relationship_one() = default;
    /// The object, for a new object's designated initializer:
    /// Account{.name = "a", .profile = p}. Adding the owner links it.
    relationship_one(const ptr<T>& target) noexcept : base(target) {}  // NOLINT(google-explicit-constructor)
    relationship_one(std::nullptr_t) noexcept : base(nullptr) {}       // NOLINT(google-explicit-constructor)
    relationship_one(const relationship_one&) = default;
    relationship_one& operator=(const relationship_one&) = default;
    /// Links `target` (or unlinks with an empty ptr / nullptr): the object held
    /// before is unlinked, `target` leaves the object it belonged to, and the
    /// foreign keys are written at flush.
    relationship_one& operator=(const ptr<T>& target) {
        if (!this->is_bound()) {
            this->set_loose(target);
            this->mark_set();
        } else {
            this->load();
            detail::scalar_collection_assign(*this, target.instance());
        }
        return *this;
    }
    relationship_one& operator=(std::nullptr_t) { return *this = ptr<T>(); }
    ~relationship_one() {
        if (this->is_bound()) delete this->detach_block();
    }

    // ---- for the session, through relationship_ops (relationship_base.hpp) ----
    static void ops_bind(detail::relationship_base& m, const relationship_info& i) {
        auto& self = static_cast<relationship_one&>(m);
        self.bind_loose(i, [&](detail::instance_base* p) { detail::collection_append(self, *p); });
    }
    static void ops_unload(detail::relationship_base& m) noexcept {
        auto& self = static_cast<relationship_one&>(m);
        self.forget_target();
        delete self.detach_block();
        self.set_loaded(false);
        self.set_changed(false);
    }
    /// The block that records what was linked and unlinked since the last flush.
    static detail::relationship_block& ops_block(detail::relationship_base& m) {
        auto& self = static_cast<relationship_one&>(m);
        if (auto* b = self.bound_block()) return *b;
        auto made = std::make_unique<detail::relationship_block>();
        made->info = self.info();
        self.attach_block(made.get());
        return *made.release();
    }
};

namespace detail {

template <class T, class Association>
struct relationship_traits<relationship<T, Association>> {
    static constexpr bool is_relationship = true;
    static constexpr relationship_kind kind =
        std::is_void_v<Association> ? relationship_kind::one_to_many : relationship_kind::many_to_many;
    static constexpr bool uselist = true;
    using target = T;
    using secondary = Association;
};

template <class T>
struct relationship_traits<backref<T>> {
    static constexpr bool is_relationship = true;
    static constexpr relationship_kind kind = relationship_kind::many_to_one;
    static constexpr bool uselist = false;
    using target = T;
    using secondary = void;
};

template <class T>
struct relationship_traits<relationship_one<T>> {
    static constexpr bool is_relationship = true;
    static constexpr relationship_kind kind = relationship_kind::one_to_many;
    static constexpr bool uselist = false;
    using target = T;
    using secondary = void;
};

}  // namespace detail
}  // namespace alchemy
