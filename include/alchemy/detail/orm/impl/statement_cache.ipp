// alchemy/detail/orm/impl/statement_cache.ipp — definitions of detail/orm/statement_cache.hpp's non-template
// functions (see detail/config.hpp).
#pragma once

#include <alchemy/detail/orm/statement_cache.hpp>
#include <alchemy/detail/sql/statements.hpp>

#include <utility>

namespace alchemy::detail {

ALCHEMY_INLINE std::vector<std::size_t> shape_columns(const std::string& shape) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i + 1 < shape.size(); i += 2)
        out.push_back(static_cast<unsigned char>(shape[i]) |
                      (static_cast<std::size_t>(static_cast<unsigned char>(shape[i + 1])) << 8));
    return out;
}

ALCHEMY_INLINE const statement_cache::key_statements& statement_cache::by_key(const table_info& table) {
    auto it = by_key_.find(&table);
    if (it != by_key_.end()) return it->second;
    const statement_renderer render(*dialect_);
    key_statements s;
    s.select = render.render(select_by_key_stmt{&table});
    s.delete_ = render.render(delete_stmt{&table, table.primary_key});
    return by_key_.emplace(&table, std::move(s)).first->second;
}

ALCHEMY_INLINE const std::string& statement_cache::insert(const table_info& table, const std::string& shape,
                                                          bool generated_key) {
    std::string key(reinterpret_cast<const char*>(&table), sizeof(&table));
    key += shape;
    key += generated_key ? 'g' : 'v';  // (a RETURNING clause, when the dialect reads keys back with one)
    if (auto it = insert_.find(key); it != insert_.end()) return it->second;
    auto sql = render_statement(insert_of(table, shape_columns(shape), generated_key, *dialect_), *dialect_);
    return insert_.emplace(std::move(key), std::move(sql)).first->second;
}

ALCHEMY_INLINE const std::string& statement_cache::relationship_load(const relationship_info& info,
                                                                     const table_info& owner) {
    if (auto it = relationship_load_.find(&info); it != relationship_load_.end()) return it->second;
    auto sql = render_statement(detail::relationship_load(info, owner, 0), *dialect_);
    return relationship_load_.emplace(&info, std::move(sql)).first->second;
}

ALCHEMY_INLINE const std::string* statement_cache::compiled_query(const std::string& shape) const {
    auto it = compiled_.find(shape);
    return it == compiled_.end() ? nullptr : &it->second;
}

ALCHEMY_INLINE void statement_cache::remember_compiled_query(std::string shape, std::string sql) {
    if (compiled_.size() >= 1000) compiled_.clear();  // bounded: a program with unbounded shapes starts over
    compiled_.emplace(std::move(shape), std::move(sql));
}

}  // namespace alchemy::detail
