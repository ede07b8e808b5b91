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
//   * Its elements are the collection's own ptr slots: read, dereference and
//     copy them, and change the collection through append/remove/assignment.
//   * Assigning a whole T through a ptr (`*user = other`) leaves the
//     relationships of *user as they are; assign the relationship itself to
//     replace a collection (`user->posts = {a, b}`).
//   * A T copied out of a ptr (`User u = *user;`) carries its related objects
//     as plain counted ptrs, outside any session.
//   * Linked objects share one lifetime group (instance.hpp): no leaks, and
//     no dangling links.
#pragma once

#include <alchemy/detail/relationship_base.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/ptr.hpp>

#include <cstddef>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

/// A collection of related objects: one-to-many (relationship<Child>) or,
/// with an association struct, many-to-many (relationship<Other, Association>).
template <class T, class Association = void>
class relationship final : public detail::relationship_base {
public:
    using value_type = ptr<T>;
    using iterator = ptr<T>*;
    using const_iterator = const ptr<T>*;
    using size_type = std::size_t;

    relationship() = default;
    relationship(const relationship& other) : relationship_base(other), items_(other.items_) {}  // counted copies
    /// Assigning a whole T keeps the links of the object assigned to (see the top).
    relationship& operator=(const relationship& other) {
        if (!owner) {
            items_.assign(other.items_.begin(), other.items_.end());
            index_.reset();
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
    ~relationship() = default;

    iterator begin() { return load().items_.data(); }
    iterator end() { return load().items_.data() + items_.size(); }
    const_iterator begin() const { return load().items_.data(); }
    const_iterator end() const { return load().items_.data() + items_.size(); }

    size_type size() const { return load().items_.size(); }
    bool empty() const { return size() == 0; }

    /// The i-th object; ArgumentError past the end.
    ptr<T>& operator[](size_type i) { return checked(i); }
    const ptr<T>& operator[](size_type i) const { return const_cast<relationship&>(*this).checked(i); }

    bool contains(const ptr<T>& object) const { return load().has_item(object.instance()); }

    /// Adds `object` (once): sets the other side, cascades it into the owner's
    /// session (save-update), and links it at the next flush.
    void append(const ptr<T>& object) {
        if (!object) throw ArgumentError(fmt::format("alchemy: cannot append an empty ptr to {}", where()));
        if (!owner) {
            if (has_item(object.instance())) return;
            items_.push_back(object);
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
        if (!owner) {
            for (auto it = items_.begin(); it != items_.end(); ++it)
                if (*it == object) {
                    items_.erase(it);
                    index_.reset();  // a loose collection may hold an object twice (assigned so)
                    return;
                }
        } else {
            load();
            if (object && has_item(object.instance())) {
                detail::collection_remove(*this, *object.instance());
                return;
            }
        }
        throw ArgumentError(fmt::format("alchemy: {} is not in {}", object ? object.instance()->describe() : "an empty ptr", where()));
    }
    /// Removes every object.
    void clear() { assign({}); }

    /// Whether the collection has been loaded (or is new).
    bool is_loaded() const noexcept { return loaded; }

    // ---- for the session ----
    void bind(detail::instance_base& o, const relationship_info& i) override {
        owner = &o;
        info = &i;
        auto loose = std::move(items_);
        items_.clear();
        index_.reset();
        for (const auto& p : loose)
            if (p) detail::collection_append(*this, *p.instance());
    }
    std::size_t item_count() const noexcept override { return items_.size(); }
    detail::instance_base* item(std::size_t i) const noexcept override { return items_[i].instance(); }
    bool has_item(const detail::instance_base* i) const override {
        if (items_.size() <= detail::collection_index_threshold) {
            for (const auto& p : items_)
                if (p.instance() == i) return true;
            return false;
        }
        if (!index_) {
            auto index = std::make_unique<detail::member_index>();
            index->reserve(items_.size() * 2);
            for (const auto& p : items_) index->insert(p.instance());
            index_ = std::move(index);
        }
        return index_->contains(i);
    }
    void put_item(detail::instance_base* i) override {
        if (!has_item(i)) put_new_item(i);
    }
    void put_new_item(detail::instance_base* i) override {
        auto* inst = static_cast<detail::instance<T>*>(i);
        if (items_.size() < items_.capacity()) items_.emplace_back(detail::slot_tag{}, inst);  // constructed in place
        else rebuild(items_.size() * 2 + 4, nullptr, inst);
        index_added(i);
    }
    bool take_item(detail::instance_base* i) override {
        if (!has_item(i)) return false;
        rebuild(items_.capacity(), i, nullptr);
        if (index_) index_->erase(i);
        return true;
    }
    void unload() noexcept override {
        items_.clear();
        index_.reset();
        loaded = false;
        clear_changes();
    }

private:
    const relationship& load() const {
        if (!loaded) detail::load_relationship(const_cast<relationship&>(*this));
        return *this;
    }
    relationship& load() {
        if (!loaded) detail::load_relationship(*this);
        return *this;
    }
    // The index is a cache of items_: when it cannot follow a change, it is
    // dropped and has_item() builds it again.
    void index_added(const detail::instance_base* i) noexcept {
        if (!index_) return;
        try {
            index_->insert(i);
        } catch (...) {
            index_.reset();
        }
    }
    ptr<T>& checked(size_type i) {
        load();
        if (i >= items_.size())
            throw ArgumentError(fmt::format("alchemy: index {} is past the end of {} ({} objects)", i, where(), items_.size()));
        return items_[i];
    }
    std::string where() const {
        return info ? fmt::format("{}.{}", owner->table->struct_name, info->member) : std::string("a relationship");
    }
    void assign(const std::vector<ptr<T>>& wanted) {
        if (!owner) {
            items_.assign(wanted.begin(), wanted.end());
            index_.reset();
            return;
        }
        load();
        std::vector<detail::instance_base*> gone;
        for (const auto& p : items_) {
            bool kept = false;
            for (const auto& w : wanted) kept = kept || w == p;
            if (!kept) gone.push_back(p.instance());
        }
        for (auto* g : gone) detail::collection_remove(*this, *g);
        for (const auto& w : wanted) append(w);
    }

    // Slots are never moved or assigned (a moved slot would count): the
    // vector is rebuilt instead of growing or erasing in place.
    void rebuild(std::size_t capacity, const detail::instance_base* without, detail::instance<T>* extra) {
        std::vector<ptr<T>> fresh;
        fresh.reserve(capacity);
        for (const auto& p : items_)
            if (p.instance() != without) fresh.emplace_back(detail::slot_tag{}, p.instance());
        if (extra) fresh.emplace_back(detail::slot_tag{}, extra);
        items_.swap(fresh);
    }

    std::vector<ptr<T>> items_;  // bound: uncounted slots; loose: counted ptrs
    // items_ as a set, once has_item() has seen more than
    // collection_index_threshold items; kept in step by every change to items_.
    mutable std::unique_ptr<detail::member_index> index_;
};

/// The scalar side of a one-to-many (many-to-one): the object this one's
/// foreign key references, or empty.
template <class T>
class backref final : public detail::relationship_base {
public:
    backref() = default;
    /// A copy (of a T copied out of a ptr) holds what was loaded; it never loads.
    backref(const backref& other) : relationship_base(other), loose_(other.peek()) {}
    /// Assigning a whole T keeps the link of the object assigned to (see relationship.hpp).
    backref& operator=(const backref& other) {
        if (!owner) loose_ = other.peek();
        return *this;
    }
    /// Links to `target` (or unlinks with an empty ptr / nullptr): the old
    /// parent's loaded collection loses this object, the new one's gains it;
    /// the foreign key is written at flush.
    backref& operator=(const ptr<T>& target) {
        if (!owner) loose_ = target;
        else detail::reference_assign(*this, target.instance());
        return *this;
    }
    backref& operator=(std::nullptr_t) { return *this = ptr<T>(); }
    ~backref() = default;

    /// The related object (loaded on first access), or an empty ptr.
    ptr<T> get() { return current(); }
    const ptr<T> get() const { return current(); }
    operator ptr<T>() const { return current(); }

    /// Member access on the related object; InvalidRequestError when there is none.
    ptr<T> operator->() { return required(); }
    const ptr<T> operator->() const { return required(); }

    explicit operator bool() const { return static_cast<bool>(current()); }
    friend bool operator==(const backref& a, const ptr<T>& b) { return a.current() == b; }
    friend bool operator==(const backref& a, std::nullptr_t) { return !a.current(); }

    bool is_loaded() const noexcept { return loaded; }

    // ---- for the session ----
    void bind(detail::instance_base& o, const relationship_info& i) override {
        owner = &o;
        info = &i;
        auto loose = std::move(loose_);
        loose_ = ptr<T>();
        if (loose) detail::reference_assign(*this, loose.instance());
    }
    std::size_t item_count() const noexcept override { return target_ ? 1 : 0; }
    detail::instance_base* item(std::size_t) const noexcept override { return target_; }
    bool has_item(const detail::instance_base* i) const noexcept override { return i && target_ == i; }
    void put_item(detail::instance_base* i) override { target_ = static_cast<detail::instance<T>*>(i); }
    void put_new_item(detail::instance_base* i) override { put_item(i); }
    bool take_item(detail::instance_base* i) override {
        if (target_ != i) return false;
        target_ = nullptr;
        return true;
    }
    void unload() noexcept override {
        target_ = nullptr;
        loaded = false;
        clear_changes();
    }

private:
    ptr<T> peek() const {
        if (!owner) return loose_;
        return loaded ? ptr<T>(target_) : ptr<T>();
    }
    ptr<T> current() const {
        if (!owner) return loose_;
        if (!loaded) detail::load_relationship(const_cast<backref&>(*this));
        return ptr<T>(target_);
    }
    ptr<T> required() const {
        auto p = current();
        if (!p)
            throw InvalidRequestError(fmt::format("alchemy: {}.{} is empty (no related object)",
                                                  owner ? owner->table->struct_name : "?", info ? info->member : "?"));
        return p;
    }

    detail::instance<T>* target_ = nullptr;  // bound: the related object (uncounted, same group)
    ptr<T> loose_;                           // unbound: what a loose T holds
};

namespace detail {

template <class T, class Association>
struct relationship_traits<relationship<T, Association>> {
    static constexpr bool is_relationship = true;
    static constexpr relationship_kind kind =
        std::is_void_v<Association> ? relationship_kind::one_to_many : relationship_kind::many_to_many;
    using target = T;
    using secondary = Association;
};

template <class T>
struct relationship_traits<backref<T>> {
    static constexpr bool is_relationship = true;
    static constexpr relationship_kind kind = relationship_kind::many_to_one;
    using target = T;
    using secondary = void;
};

}  // namespace detail
}  // namespace alchemy
