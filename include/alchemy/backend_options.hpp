// alchemy/backend_options.hpp — the options of one backend (sqlite::options,
// and those of any later backend), carried in engine_options::backend.
//
// The core holds them without knowing their type, so that a backend brings
// its own options struct in its own folder and the core never names it: the
// driver that the URL's scheme picks asks for its own type (get<Options>) and
// refuses another backend's with an ArgumentError, rather than ignoring
// options that the user believes are in force.
//
//   create_engine("sqlite:///app.db", {.backend = alchemy::sqlite::options{.wal = false}});
#pragma once

#include <alchemy/detail/config.hpp>
#include <alchemy/detail/type_name.hpp>

#include <concepts>
#include <memory>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace alchemy {

/// A copy of one backend's options struct, or nothing (every backend's
/// defaults). Copies share the held value, which nothing can change.
class backend_options {
public:
    backend_options() noexcept = default;

    /// Holds a copy of `options`. Implicit, so that
    /// `.backend = alchemy::sqlite::options{...}` reads as an assignment.
    template <class Options>
        requires(std::is_class_v<Options> && !std::same_as<Options, backend_options> &&
                 std::copy_constructible<Options>)
    backend_options(Options options)  // NOLINT(google-explicit-constructor)
        : held_(std::make_shared<const holder<Options>>(std::move(options))) {}

    /// Whether any options are held.
    bool has_value() const noexcept { return held_ != nullptr; }

    /// The name of the type held ("alchemy::sqlite::options"), empty if none.
    std::string_view type_name() const noexcept { return held_ ? held_->name : std::string_view{}; }

    /// The options held if they are an `Options`, else null.
    template <class Options>
    const Options* get_if() const noexcept {
        if (!held_ || held_->type != typeid(Options)) return nullptr;
        return &static_cast<const holder<Options>&>(*held_).value;
    }

    /// What the driver of `scheme` URLs reads: the `Options` held, or
    /// default ones when nothing is held. ArgumentError naming the scheme and
    /// both types when another backend's options are held.
    template <class Options>
    Options get(std::string_view scheme) const {
        if (!held_) return Options{};
        if (const auto* options = get_if<Options>()) return *options;
        throw_mismatch(scheme, detail::type_name<Options>());
    }

private:
    struct holder_base {
        holder_base(const std::type_info& t, std::string_view n) noexcept : type(t), name(n) {}
        virtual ~holder_base() = default;
        const std::type_info& type;
        std::string_view name;  // a string literal of the compiler's: lives forever
    };

    template <class Options>
    struct holder final : holder_base {
        explicit holder(Options o) : holder_base(typeid(Options), detail::type_name<Options>()), value(std::move(o)) {}
        Options value;
    };

    [[noreturn]] void throw_mismatch(std::string_view scheme, std::string_view wanted) const;

    std::shared_ptr<const holder_base> held_;
};

}  // namespace alchemy

#if ALCHEMY_INCLUDE_DEFINITIONS
#include <alchemy/detail/impl/backend_options.ipp>
#endif
