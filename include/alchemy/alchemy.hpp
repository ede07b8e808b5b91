// alchemy/alchemy.hpp — everything alchemy offers, in one include: the core
// and the SQLite backend (the CMake target alchemy::alchemy).
#pragma once

#include <alchemy/core.hpp>
#include <alchemy/sqlite.hpp>
