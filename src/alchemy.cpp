// src/alchemy.cpp — alchemy's non-template code, compiled once.
//
// Built only when the CMake option ALCHEMY_SEPARATE_COMPILATION is ON (see
// detail/config.hpp): every header then includes its impl/*.ipp definitions here
// and nowhere else, so each definition is emitted in this object file alone.
#ifndef ALCHEMY_SEPARATE_COMPILATION
#error "src/alchemy.cpp is compiled only with ALCHEMY_SEPARATE_COMPILATION defined"
#endif
#define ALCHEMY_BUILDING_LIBRARY

#include <alchemy/alchemy.hpp>
