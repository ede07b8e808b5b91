// alchemy/detail/orm/identity_map.hpp — the identity map: one object per
// database row, by identity_key: a table whose key is one INTEGER column is
// keyed by the integer, any other key by its encoded bytes, hashed a word at
// a time.
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/orm/identity_key.hpp>
#include <alchemy/detail/orm/instance.hpp>
#include <alchemy/types.hpp>

#include <cstdint>
#include <cstring>
#include <string>

#include <boost/unordered/unordered_flat_map.hpp>

namespace alchemy::detail {

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

/// One table's part of the identity map: identity_key -> instance. Integer
/// keys (most tables' `id`) have a map of their own: a slot is 16 bytes
/// instead of 40, and a lookup hashes one word.
class identity_map {
public:
    // (Defined in the .ipp: compiled once with ALCHEMY_SEPARATE_COMPILATION,
    // with the hash map's code they instantiate.)
    instance_ref* find(const identity_key& key) noexcept;
    const instance_ref* find(const identity_key& key) const noexcept {
        return const_cast<identity_map*>(this)->find(key);
    }
    /// Maps `key` to `inst`, replacing what it mapped to.
    void put(const identity_key& key, instance_ref inst);
    /// The entry for `key`, made empty if there was none; the caller fills
    /// it (or erases it) before the map is used again.
    instance_ref& slot(const identity_key& key);
    /// Forgets `key` if it maps to `inst` (another object may hold it by now).
    void erase(const identity_key& key, const instance_base* inst) noexcept;
    std::size_t size() const noexcept { return integers_.size() + others_.size(); }
    /// Calls f(instance_ref&) for every entry.
    template <class F>
    void for_each(F&& f) {
        for (auto& entry : integers_) f(entry.second);
        for (auto& entry : others_) f(entry.second);
    }

private:
    boost::unordered_flat_map<std::int64_t, instance_ref> integers_;
    key_map<instance_ref> others_;  // by identity_key::encoded()
};

}  // namespace alchemy::detail

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/orm/impl/identity_map.ipp>
#endif
