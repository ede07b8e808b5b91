// alchemy/alchemy.hpp — everything alchemy offers, in one include: the core,
// the SQLite backend and, when alchemy was built with it (the CMake target
// alchemy::postgresql, part of alchemy::alchemy then, defines
// ALCHEMY_HAS_POSTGRESQL), the PostgreSQL backend.
#pragma once

#include <alchemy/core.hpp>
#include <alchemy/sqlite.hpp>
#ifdef ALCHEMY_HAS_POSTGRESQL
#include <alchemy/postgresql.hpp>
#endif
