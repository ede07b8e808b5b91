// alchemy/detail/label.hpp — a label written as a template argument,
// expr.label<"posts">(), so that the row type knows its columns' names and
// alchemy::get<"posts">(row) finds one at compile time (named_row.hpp).
#pragma once

#include <cstddef>
#include <string_view>

namespace alchemy::detail {

/// A string literal as a template argument. Two labels are the same when
/// their text is: label_tag<"a"> and label_tag<"a"> are one type.
template <std::size_t N>
struct label_literal {
    char text[N]{};
    constexpr label_literal(const char (&s)[N]) {  // NOLINT: implicit, to be written as "name"
        for (std::size_t i = 0; i < N; ++i) text[i] = s[i];
    }
    constexpr std::string_view view() const { return {text, N - 1}; }
};

/// The label of a select item, as a type (void: none).
template <label_literal L>
struct label_tag {
    static constexpr std::string_view name = L.view();
};

}  // namespace alchemy::detail
