// alchemy/dialect/sqlite.hpp — kept for code written before the SQLite folder:
// the SQLite dialect now lives in <alchemy/sqlite/dialect.hpp>.
#pragma once

#include <alchemy/sqlite/dialect.hpp>
