// alchemy/detail/config.hpp — header-only by default, or compiled once.
//
// alchemy is header-only unless ALCHEMY_SEPARATE_COMPILATION is defined (the
// CMake option of the same name defines it on alchemy::alchemy, which then
// becomes a static library). Then the non-template code — the session's flush
// and loading, the connection layer, the SQL compiler — is compiled once, in
// src/alchemy.cpp, instead of again in every translation unit that includes
// the headers: the approach of fmt's compiled mode and Boost.Asio's separate
// compilation.
//
// Non-template functions that are not small enough to belong in the class are
// declared in the header and defined in an .ipp file beside its layer
// (detail/impl/ for the foundation, detail/{sql,mapping,driver,orm}/impl/,
// sqlite/impl/), marked
// ALCHEMY_INLINE: `inline` when header-only, nothing when compiled once. The
// .ipp files are included at the end of their header unless only the
// declarations are wanted (ALCHEMY_SEPARATE_COMPILATION without
// ALCHEMY_BUILDING_LIBRARY).
//
// A virtual function defined in an .ipp is declared ALCHEMY_INLINE in its
// class as well. Declared without it, it is the class's key function (the
// Itanium C++ ABI's: the first virtual function not inline in the class), and
// the vtable goes wherever the key function is defined: header-only, that is
// every translation unit, together with every function the vtable reaches
// whether the file uses the class or not. tests/structure/ checks that a file
// including the core compiles none of alchemy's code.
#pragma once

//
// Each CMake component is compiled in its own file: the core in
// src/alchemy.cpp (ALCHEMY_BUILDING_LIBRARY), the SQLite backend in
// src/sqlite.cpp (ALCHEMY_BUILDING_SQLITE, for the headers of sqlite/, which
// test ALCHEMY_SQLITE_INCLUDE_DEFINITIONS), the PostgreSQL backend in
// src/postgresql.cpp (ALCHEMY_BUILDING_POSTGRESQL, for postgresql/), so that
// a program links only the backends it uses.
#if defined(ALCHEMY_SEPARATE_COMPILATION)
#define ALCHEMY_INLINE
#if defined(ALCHEMY_BUILDING_LIBRARY)
#define ALCHEMY_INCLUDE_DEFINITIONS 1
#else
#define ALCHEMY_INCLUDE_DEFINITIONS 0
#endif
#if defined(ALCHEMY_BUILDING_SQLITE)
#define ALCHEMY_SQLITE_INCLUDE_DEFINITIONS 1
#else
#define ALCHEMY_SQLITE_INCLUDE_DEFINITIONS 0
#endif
#if defined(ALCHEMY_BUILDING_POSTGRESQL)
#define ALCHEMY_POSTGRESQL_INCLUDE_DEFINITIONS 1
#else
#define ALCHEMY_POSTGRESQL_INCLUDE_DEFINITIONS 0
#endif
#else
#define ALCHEMY_INLINE inline
#define ALCHEMY_INCLUDE_DEFINITIONS 1
#define ALCHEMY_SQLITE_INCLUDE_DEFINITIONS 1
#define ALCHEMY_POSTGRESQL_INCLUDE_DEFINITIONS 1
#endif
