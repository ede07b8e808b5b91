// alchemy/result.hpp — the rows a statement returns.
//
// A `result` streams: it holds the statement and reads one row at a time
// straight from SQLite (nothing is materialised unless asked). `row` is a view
// of the current row, valid until the result advances. Values are read by
// index or by column name into C++ types, with the strict conversions of
// types.hpp; a mismatch throws ConversionError naming the column and statement.
//
// A result belongs to its connection: closing the connection (or returning it
// to the pool) closes the result, and using it then throws ResourceClosedError.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/driver/driver.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/types.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace alchemy {

namespace detail {

// One value, or a tuple of several: what one()/first()/all() hand back.
template <class... T>
using row_tuple = std::conditional_t<sizeof...(T) == 1, std::tuple_element_t<0, std::tuple<T..., void>>,
                                     std::tuple<T...>>;

}  // namespace detail

/// A view of the current row of a result.
class row {
public:
    explicit row(const detail::driver_statement& stmt) noexcept : stmt_(&stmt), size_(stmt.column_count()) {}

    /// Number of columns.
    std::size_t size() const noexcept { return size_; }

    /// The name of column `i` (its alias when the SELECT gives one).
    std::string_view name(std::size_t i) const {
        check_index(i);
        return stmt_->column_name(i);
    }

    /// The index of the column called `name`; ArgumentError if there is none.
    std::size_t index(std::string_view column) const {
        for (std::size_t i = 0, n = size(); i < n; ++i)
            if (name(i) == column) return i;
        std::string names;
        for (std::size_t i = 0, n = size(); i < n; ++i)
            names += fmt::format("{}'{}'", i ? ", " : "", name(i));
        throw ArgumentError(fmt::format("alchemy: no column named '{}' in the result of `{}` (columns: {})",
                                        column, sql(), names));
    }

    /// Where the values come from (alchemy's loaders read from it directly).
    const detail::column_source& source() const noexcept { return *stmt_; }

    /// The raw value of column `i`.
    column_value operator[](std::size_t i) const {
        check_index(i);
        return stmt_->column(i);
    }
    column_value operator[](std::string_view column) const { return (*this)[index(column)]; }

    /// Column `i` as T; ConversionError when the stored value does not fit T.
    template <sql_value T>
    T get(std::size_t i) const {
        const column_value v = (*this)[i];
        try {
            return detail::read_value<T>(v);
        } catch (const ConversionError& e) {
            throw ConversionError(fmt::format("alchemy: cannot read column {} ('{}') as {}: {} [SQL: {}]", i,
                                              name(i), detail::type_name<T>(), e.what(), sql()));
        }
    }
    template <sql_value T>
    T get(std::string_view column) const {
        return get<T>(index(column));
    }

    /// The first sizeof...(T) columns as a value (one T) or a tuple; the
    /// number of types must equal the number of columns.
    template <sql_value... T>
    detail::row_tuple<T...> as() const {
        if (size() != sizeof...(T))
            throw ArgumentError(fmt::format(
                "alchemy: the result of `{}` has {} column(s) but {} type(s) were given to read it",
                sql(), size(), sizeof...(T)));
        return read_all<T...>(std::index_sequence_for<T...>{});
    }

    /// Every column as an owned value.
    std::vector<value> values() const {
        std::vector<value> out;
        out.reserve(size());
        for (std::size_t i = 0, n = size(); i < n; ++i) out.push_back(value::from((*this)[i]));
        return out;
    }

    /// The statement's SQL text (for messages).
    std::string_view sql() const noexcept {
        return stmt_->sql();
    }

private:
    template <class... T, std::size_t... I>
    detail::row_tuple<T...> read_all(std::index_sequence<I...>) const {
        if constexpr (sizeof...(T) == 1) return get<T...>(0);
        else return std::tuple<T...>{get<T>(I)...};
    }

    void check_index(std::size_t i) const {
        if (i >= size())
            throw ArgumentError(fmt::format("alchemy: column index {} is out of range: the result of `{}` has {} column(s)",
                                            i, sql(), size()));
    }

    const detail::driver_statement* stmt_;
    std::size_t size_;
};

/// The outcome of executing a statement: its rows (streamed) and, for
/// INSERT/UPDATE/DELETE, the number of rows changed and the last rowid.
class result {
public:
    result() = default;
    result(std::shared_ptr<detail::statement_slot> slot, std::int64_t changes, std::int64_t last_rowid) noexcept
        : slot_(std::move(slot)), changes_(changes), last_rowid_(last_rowid) {}
    result(result&& other) noexcept
        : slot_(std::exchange(other.slot_, nullptr)), changes_(other.changes_), last_rowid_(other.last_rowid_) {}
    result& operator=(result&& other) noexcept;
    result(const result&) = delete;
    result& operator=(const result&) = delete;
    ~result() { close(); }

    /// True while a current row is available; ResourceClosedError when the
    /// connection was closed before the rows were read.
    bool has_row() const {
        if (slot_ && !slot_->stmt) check_open();
        return slot_ != nullptr;
    }

    /// The current row; InvalidRequestError when the rows are exhausted,
    /// ResourceClosedError when the connection was closed.
    row current() const {
        check_open();
        return row(*slot_->stmt);
    }

    /// Advances to the next row (releasing the statement after the last).
    void next() {
        check_open();
        const auto status = slot_->stmt->step();
        if (status == detail::step_status::row) return;
        auto slot = std::exchange(slot_, nullptr);
        auto* owner = slot->owner;
        if (status == detail::step_status::done) {
            owner->release(*slot);
            return;
        }
        const int code = slot->stmt->error_code();
        const std::string sql(slot->stmt->sql());
        owner->release(*slot);
        owner->raise(code, sql, "");
    }

    /// Rows changed by an INSERT, UPDATE or DELETE.
    std::int64_t rows_affected() const noexcept { return changes_; }
    /// The rowid of the last row inserted through this connection.
    std::int64_t last_insert_rowid() const noexcept { return last_rowid_; }

    /// Names of the result's columns (empty when the rows are exhausted).
    std::vector<std::string> columns() const;

    /// Releases the statement; remaining rows are discarded.
    void close() noexcept {
        if (auto slot = std::exchange(slot_, nullptr); slot && slot->stmt) slot->owner->release(*slot);
    }

    // ---- iteration: `for (alchemy::row r : result)` --------------------------

    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = row;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        explicit iterator(result* r) : r_(r && r->has_row() ? r : nullptr) {}
        row operator*() const { return r_->current(); }
        iterator& operator++() {
            r_->next();
            if (!r_->has_row()) r_ = nullptr;
            return *this;
        }
        void operator++(int) { ++*this; }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.r_ == b.r_; }

    private:
        result* r_ = nullptr;
    };
    iterator begin() { return iterator(this); }
    iterator end() { return iterator(); }

    // ---- whole-result readers (each consumes the result) ---------------------

    /// Every remaining row as T or tuple<T...>.
    template <sql_value... T>
    std::vector<detail::row_tuple<T...>> all() {
        static_assert(sizeof...(T) > 0, "alchemy: all<T...>() needs the C++ type of each column");
        std::vector<detail::row_tuple<T...>> out;
        for (; has_row(); next()) out.push_back(current().template as<T...>());
        return out;
    }

    /// Every remaining row as owned values.
    std::vector<std::vector<value>> fetch_all() {
        std::vector<std::vector<value>> out;
        for (; has_row(); next()) out.push_back(current().values());
        return out;
    }

    /// The first row, or nullopt when there is none; the rest are discarded.
    template <sql_value... T>
    std::optional<detail::row_tuple<T...>> first() {
        static_assert(sizeof...(T) > 0, "alchemy: first<T...>() needs the C++ type of each column");
        if (!has_row()) return std::nullopt;
        auto value = current().template as<T...>();
        close();
        return value;
    }

    /// Exactly one row: NoResultFound for none, MultipleResultsFound for more.
    template <sql_value... T>
    detail::row_tuple<T...> one() {
        static_assert(sizeof...(T) > 0, "alchemy: one<T...>() needs the C++ type of each column");
        if (!has_row()) throw NoResultFound();
        auto value = current().template as<T...>();
        next();
        if (has_row()) {
            close();
            throw MultipleResultsFound("Multiple rows were found when exactly one was required");
        }
        return value;
    }

    /// One row or none: MultipleResultsFound for more.
    template <sql_value... T>
    std::optional<detail::row_tuple<T...>> one_or_none() {
        static_assert(sizeof...(T) > 0, "alchemy: one_or_none<T...>() needs the C++ type of each column");
        if (!has_row()) return std::nullopt;
        auto value = current().template as<T...>();
        next();
        if (has_row()) {
            close();
            throw MultipleResultsFound("Multiple rows were found when one or none was required");
        }
        return value;
    }

    /// The first column of the first row. With no row: nullopt for an
    /// optional T, NoResultFound otherwise.
    template <sql_value T>
    T scalar() {
        if (!has_row()) {
            if constexpr (detail::is_optional_v<T>) return std::nullopt;
            else throw NoResultFound();
        }
        T value = current().template get<T>(0);
        close();
        return value;
    }

private:
    void check_open() const {
        if (!slot_) throw InvalidRequestError("alchemy: the result has no current row (all rows were read)");
        if (!slot_->stmt)
            throw ResourceClosedError(
                "alchemy: this result is closed because its connection was closed or returned to the pool");
    }

    std::shared_ptr<detail::statement_slot> slot_;
    std::int64_t changes_ = 0;
    std::int64_t last_rowid_ = 0;
};

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/driver/impl/result.ipp>
#endif
