// alchemy/detail/orm/identity_map.hpp — the identity map: one object per
// database row. Keys are encoded as bytes (encode_key_part), hashed a word
// at a time; a table whose key is one INTEGER column is keyed by the integer.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/types.hpp>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include <boost/unordered/unordered_flat_map.hpp>

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

// Hashes encoded keys. They are short (9 bytes for an integer key) and hashed
// on every row a query loads, so they are read a word at a time and mixed
// (splitmix64's finaliser) instead of byte by byte.
struct key_hash {
    using is_avalanching = void;  // mixed already: the map need not mix again
    static std::uint64_t mix(std::uint64_t h) noexcept {
        h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
        h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
        return h ^ (h >> 31);
    }
    std::size_t operator()(const std::string& key) const noexcept {
        std::uint64_t h = key.size();
        std::size_t i = 0;
        for (; i + 8 <= key.size(); i += 8) {
            std::uint64_t word;
            std::memcpy(&word, key.data() + i, 8);
            h = mix(h ^ word);
        }
        std::uint64_t tail = 0;
        for (std::size_t shift = 0; i < key.size(); ++i, shift += 8)
            tail |= std::uint64_t{static_cast<unsigned char>(key[i])} << shift;
        return static_cast<std::size_t>(mix(h ^ tail ^ 0x9e3779b97f4a7c15ULL));
    }
};

/// A hash map from encoded keys (encode_key_part) to V.
template <class V>
using key_map = boost::unordered_flat_map<std::string, V, key_hash>;

/// One table's part of the identity map: encoded key -> instance. Keys of a
/// single INTEGER column (most tables' `id`) are kept as the integer itself:
/// a slot is 16 bytes instead of 40, and a lookup hashes one word.
class identity_map {
public:
    // (Defined in the .ipp: compiled once with ALCHEMY_SEPARATE_COMPILATION,
    // with the hash map's code they instantiate.)
    instance_ref* find(const std::string& key) noexcept;
    const instance_ref* find(const std::string& key) const noexcept {
        return const_cast<identity_map*>(this)->find(key);
    }
    /// Maps `key` to `inst`, replacing what it mapped to.
    void put(const std::string& key, instance_ref inst);
    /// The entry for `key`, made empty if there was none; the caller fills
    /// it (or erases it) before the map is used again.
    instance_ref& slot(const std::string& key);
    /// Forgets `key` if it maps to `inst` (another object may hold it by now).
    void erase(const std::string& key, const instance_base* inst) noexcept;
    std::size_t size() const noexcept { return integers_.size() + others_.size(); }
    /// Calls f(instance_ref&) for every entry.
    template <class F>
    void for_each(F&& f) {
        for (auto& entry : integers_) f(entry.second);
        for (auto& entry : others_) f(entry.second);
    }

private:
    // A key that encode_key_part made of one INTEGER: its tag and 8 bytes.
    static std::optional<std::int64_t> as_integer(const std::string& key) noexcept {
        if (key.size() != 1 + sizeof(std::int64_t) || key[0] != static_cast<char>(sql_type::integer)) return {};
        std::int64_t i;
        std::memcpy(&i, key.data() + 1, sizeof i);
        return i;
    }

    boost::unordered_flat_map<std::int64_t, instance_ref> integers_;
    key_map<instance_ref> others_;
};

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/identity_map.ipp>
#endif
