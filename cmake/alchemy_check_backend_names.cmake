# Fails when a backend's API appears in the code of a header outside that
# backend's own files: SQLite's (a sqlite3 name, an SQLITE_ constant,
# <sqlite3.h>) outside include/alchemy/sqlite.hpp and include/alchemy/sqlite/,
# libpq's (<libpq-fe.h>, PGconn, PGresult, a PQ call or constant) outside
# include/alchemy/postgresql.hpp and include/alchemy/postgresql/. Everything
# else reaches the database through detail/driver/driver.hpp, so that another
# backend needs no change there. Comments may name the backends' calls.
#   cmake -DINCLUDE_DIR=<repo>/include -P alchemy_check_backend_names.cmake
file(GLOB_RECURSE _files "${INCLUDE_DIR}/alchemy/*.hpp" "${INCLUDE_DIR}/alchemy/*.ipp")
set(_backends sqlite postgresql)
set(_pattern_sqlite "sqlite3|(^|[^A-Za-z0-9_])SQLITE_")
set(_pattern_postgresql "libpq-fe|(^|[^A-Za-z0-9_])(PGconn|PGresult|PQ[A-Za-z]+|PGRES_[A-Z_]+|CONNECTION_[A-Z]+|PG_DIAG_[A-Z_]+)([^A-Za-z0-9_]|$)")
set(_found "")
foreach(_file IN LISTS _files)
  file(RELATIVE_PATH _relative "${INCLUDE_DIR}" "${_file}")
  # One list item per line (';' would split a line: it cannot matter here).
  file(READ "${_file}" _content)
  string(REPLACE ";" "," _content "${_content}")
  string(REPLACE "\n" ";" _lines "${_content}")
  foreach(_backend IN LISTS _backends)
    if(_relative MATCHES "^alchemy/${_backend}(\\.hpp$|/)")
      continue()
    endif()
    set(_number 0)
    foreach(_line IN LISTS _lines)
      math(EXPR _number "${_number} + 1")
      string(REGEX REPLACE "//.*$" "" _code "${_line}")
      if(_code MATCHES "${_pattern_${_backend}}")
        string(APPEND _found "\n  ${_relative}:${_number} (${_backend}): ${_line}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(_found)
  message(FATAL_ERROR "A backend's API is used outside its folder include/alchemy/<backend>/:${_found}")
endif()
message(STATUS "no SQLite or libpq API outside include/alchemy/sqlite/ and include/alchemy/postgresql/ (${INCLUDE_DIR})")
