// alchemy/alchemy.hpp — the core and the SQLite backend in one include (the
// CMake target alchemy::alchemy). The PostgreSQL backend is included on its
// own, <alchemy/postgresql.hpp>, by the code that connects to PostgreSQL:
// header-only, it adds about 13 % to the compile time of every file that
// includes it. ALCHEMY_HAS_POSTGRESQL is defined where alchemy::postgresql is
// linked (part of alchemy::alchemy when alchemy was built with libpq).
#pragma once

#include <alchemy/core.hpp>
#include <alchemy/sqlite.hpp>
