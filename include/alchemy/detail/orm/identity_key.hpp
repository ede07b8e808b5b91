// alchemy/detail/orm/identity_key.hpp — the key an object has in the
// identity map (and in every map of objects by key): the integer of a
// one-INTEGER-column primary key, which nearly every table has, else the
// key's values encoded as bytes (encode_key_part).
#pragma once

#include <alchemy/types.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace alchemy::detail {

// Appends an encoding of `v` that differs for different values (type tag +
// bytes); identity keys are the concatenation over the primary key.
inline void encode_key_part(std::string& out, const column_value& v) {
    if (v.type() == sql_type::integer) {  // most keys: one append (it runs for every row loaded)
        char tagged[1 + sizeof(std::int64_t)];
        tagged[0] = static_cast<char>(sql_type::integer);
        const auto i = v.as_integer();
        std::memcpy(tagged + 1, &i, sizeof i);
        out.append(tagged, sizeof tagged);
        return;
    }
    out += static_cast<char>(v.type());
    const auto append_sized = [&](const void* data, std::size_t n) {
        out.append(reinterpret_cast<const char*>(&n), sizeof n);
        out.append(static_cast<const char*>(data), n);
    };
    switch (v.type()) {
        case sql_type::integer: break;  // above
        case sql_type::real: {
            const auto d = v.as_real();
            out.append(reinterpret_cast<const char*>(&d), sizeof d);
            break;
        }
        case sql_type::text: {
            const auto t = v.as_text();
            append_sized(t.data(), t.size());
            break;
        }
        case sql_type::blob: {
            const auto b = v.as_blob();
            append_sized(b.data(), b.size());
            break;
        }
        case sql_type::null: break;
    }
}
inline void encode_key_part(std::string& out, const value& v) { encode_key_part(out, v.view()); }

/// A binder that appends encode_key_part's encoding of each value bound:
/// an object's key straight from its members, without a value in between.
class key_encoder final : public binder {
public:
    explicit key_encoder(std::string& out) noexcept : out_(out) {}
    void bind_null() override { encode_key_part(out_, column_value::null()); }
    void bind_integer(std::int64_t v) override { encode_key_part(out_, column_value::integer(v)); }
    void bind_real(double v) override { encode_key_part(out_, column_value::real(v)); }
    void bind_text(std::string_view v) override { encode_key_part(out_, column_value::text(v)); }
    void bind_blob(std::span<const std::byte> v) override { encode_key_part(out_, column_value::blob(v)); }

private:
    std::string& out_;
};

/// An identity key: 16 bytes in every object a session holds. The integer
/// is kept as it is; any other key (composite, text, real, NULL) as its
/// encoded bytes on the heap. One key always takes the same form, so equal
/// keys compare equal. A default-constructed key is the integer 0: what an
/// object without an identity holds, never looked at until it has one.
class identity_key {
public:
    identity_key() noexcept = default;
    explicit identity_key(std::int64_t integer) noexcept : integer_(integer) {}
    identity_key(const identity_key& o)
        : integer_(o.integer_), encoded_(o.encoded_ ? std::make_unique<std::string>(*o.encoded_) : nullptr) {}
    identity_key& operator=(const identity_key& o) {
        if (this != &o) *this = identity_key(o);
        return *this;
    }
    identity_key(identity_key&&) noexcept = default;
    identity_key& operator=(identity_key&&) noexcept = default;
    ~identity_key() = default;

    /// From encode_key_part's bytes; a single integer's become the integer.
    static identity_key from_encoded(std::string bytes) {
        if (bytes.size() == 1 + sizeof(std::int64_t) && bytes[0] == static_cast<char>(sql_type::integer)) {
            std::int64_t i;
            std::memcpy(&i, bytes.data() + 1, sizeof i);
            return identity_key(i);
        }
        identity_key key;
        key.encoded_ = std::make_unique<std::string>(std::move(bytes));
        return key;
    }
    /// The key of a one-column primary key holding `v`.
    static identity_key of(const column_value& v) {
        if (v.type() == sql_type::integer) return identity_key(v.as_integer());
        std::string bytes;
        encode_key_part(bytes, v);
        return from_encoded(std::move(bytes));
    }

    bool is_integer() const noexcept { return !encoded_; }
    std::int64_t integer() const noexcept { return integer_; }  // when is_integer()
    const std::string& encoded() const noexcept { return *encoded_; }  // when !is_integer()
    /// encode_key_part's bytes, whichever the form (for maps keyed by bytes).
    std::string bytes() const {
        if (encoded_) return *encoded_;
        std::string out;
        encode_key_part(out, column_value::integer(integer_));
        return out;
    }

    friend bool operator==(const identity_key& a, const identity_key& b) noexcept {
        if (a.is_integer() != b.is_integer()) return false;
        return a.is_integer() ? a.integer_ == b.integer_ : *a.encoded_ == *b.encoded_;
    }

private:
    std::int64_t integer_ = 0;
    std::unique_ptr<std::string> encoded_;
};

}  // namespace alchemy::detail
