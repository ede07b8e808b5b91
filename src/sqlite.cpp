// src/sqlite.cpp — the non-template code of alchemy's SQLite backend (the
// CMake component alchemy::sqlite), compiled once: only the headers of
// include/alchemy/sqlite/ emit their definitions here (see detail/config.hpp);
// the core's come from src/alchemy.cpp.
#ifndef ALCHEMY_SEPARATE_COMPILATION
#error "src/sqlite.cpp is compiled only with ALCHEMY_SEPARATE_COMPILATION defined"
#endif
#define ALCHEMY_BUILDING_SQLITE

#include <alchemy/sqlite.hpp>
