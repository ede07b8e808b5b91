// src/alchemy.cpp — the non-template code of alchemy's core (the CMake
// component alchemy::core), compiled once; the SQLite backend's is in src/sqlite.cpp.
//
// Built only when the CMake option ALCHEMY_SEPARATE_COMPILATION is ON (see
// detail/config.hpp): every header then includes its impl/*.ipp definitions here
// and nowhere else, so each definition is emitted in this object file alone.
#ifndef ALCHEMY_SEPARATE_COMPILATION
#error "src/alchemy.cpp is compiled only with ALCHEMY_SEPARATE_COMPILATION defined"
#endif
#define ALCHEMY_BUILDING_LIBRARY

#include <alchemy/core.hpp>
