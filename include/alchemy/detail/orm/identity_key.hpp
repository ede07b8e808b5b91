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

/// An identity key: one word in every object a session holds. An integer
/// key within +/-2^62 (every key a sequence or rowid hands out) is kept in
/// the word itself, shifted left by one (bit 0 clear); any other key
/// (composite, text, real, NULL, or an integer beyond that range) as its
/// encoded bytes on the heap, the word holding their address with bit 0 set.
/// One key always takes the same form, so equal keys compare equal. A
/// default-constructed key is the integer 0: what an object without an
/// identity holds, never looked at until it has one.
class identity_key {
public:
    identity_key() noexcept = default;
    explicit identity_key(std::int64_t integer) {
        if (integer >= -inline_limit && integer < inline_limit) {
            word_ = static_cast<std::uint64_t>(integer) << 1;
        } else {
            std::string bytes;
            encode_key_part(bytes, column_value::integer(integer));
            set_encoded(std::move(bytes));
        }
    }
    identity_key(const identity_key& o) {
        if (o.is_integer()) word_ = o.word_;
        else set_encoded(o.encoded());
    }
    identity_key& operator=(const identity_key& o) {
        if (this != &o) *this = identity_key(o);
        return *this;
    }
    identity_key(identity_key&& o) noexcept : word_(std::exchange(o.word_, 0)) {}
    identity_key& operator=(identity_key&& o) noexcept {
        std::swap(word_, o.word_);
        return *this;
    }
    ~identity_key() {
        if (!is_integer()) delete encoded_pointer();
    }

    /// From encode_key_part's bytes; a single integer's become the integer.
    static identity_key from_encoded(std::string bytes) {
        if (bytes.size() == 1 + sizeof(std::int64_t) && bytes[0] == static_cast<char>(sql_type::integer)) {
            std::int64_t i;
            std::memcpy(&i, bytes.data() + 1, sizeof i);
            if (i >= -inline_limit && i < inline_limit) return identity_key(i);
        }
        identity_key key;
        key.set_encoded(std::move(bytes));
        return key;
    }
    /// The key of a one-column primary key holding `v`.
    static identity_key of(const column_value& v) {
        if (v.type() == sql_type::integer) return identity_key(v.as_integer());
        std::string bytes;
        encode_key_part(bytes, v);
        return from_encoded(std::move(bytes));
    }

    /// Whether the key is an integer kept in the word (else encoded()).
    bool is_integer() const noexcept { return (word_ & 1) == 0; }
    std::int64_t integer() const noexcept { return static_cast<std::int64_t>(word_) >> 1; }  // when is_integer()
    const std::string& encoded() const noexcept { return *encoded_pointer(); }  // when !is_integer()
    /// encode_key_part's bytes, whichever the form (for maps keyed by bytes).
    std::string bytes() const {
        if (!is_integer()) return encoded();
        std::string out;
        encode_key_part(out, column_value::integer(integer()));
        return out;
    }

    friend bool operator==(const identity_key& a, const identity_key& b) noexcept {
        if (a.is_integer() || b.is_integer()) return a.word_ == b.word_;
        return a.encoded() == b.encoded();
    }

private:
    static constexpr std::int64_t inline_limit = std::int64_t{1} << 62;

    std::string* encoded_pointer() const noexcept {
        return reinterpret_cast<std::string*>(static_cast<std::uintptr_t>(word_ & ~std::uint64_t{1}));
    }
    void set_encoded(std::string bytes) {  // (word_ holds no encoded bytes yet)
        word_ = reinterpret_cast<std::uintptr_t>(new std::string(std::move(bytes))) | 1;
    }

    std::uint64_t word_ = 0;
};

}  // namespace alchemy::detail
