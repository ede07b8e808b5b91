// src/postgresql.cpp — the non-template code of alchemy's PostgreSQL backend
// (the CMake component alchemy::postgresql), compiled once: only the headers
// of include/alchemy/postgresql/ emit their definitions here (see
// detail/config.hpp); the core's come from src/alchemy.cpp.
#ifndef ALCHEMY_SEPARATE_COMPILATION
#error "src/postgresql.cpp is compiled only with ALCHEMY_SEPARATE_COMPILATION defined"
#endif
#define ALCHEMY_BUILDING_POSTGRESQL

#include <alchemy/postgresql.hpp>
