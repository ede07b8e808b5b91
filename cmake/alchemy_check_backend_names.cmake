# Fails when SQLite's API (a sqlite3 name, an SQLITE_ constant, <sqlite3.h>)
# appears in the code of a header outside the SQLite backend
# (include/alchemy/sqlite.hpp and include/alchemy/sqlite/): everything else
# reaches the database through detail/driver/driver.hpp, so that a second
# backend needs no change there. Comments may name SQLite's calls.
#   cmake -DINCLUDE_DIR=<repo>/include -P alchemy_check_backend_names.cmake
file(GLOB_RECURSE _files "${INCLUDE_DIR}/alchemy/*.hpp" "${INCLUDE_DIR}/alchemy/*.ipp")
set(_found "")
foreach(_file IN LISTS _files)
  file(RELATIVE_PATH _relative "${INCLUDE_DIR}" "${_file}")
  if(_relative MATCHES "^alchemy/sqlite(\\.hpp$|/)")
    continue()
  endif()
  # One list item per line (';' would split a line: it cannot matter here).
  file(READ "${_file}" _content)
  string(REPLACE ";" "," _content "${_content}")
  string(REPLACE "\n" ";" _lines "${_content}")
  set(_number 0)
  foreach(_line IN LISTS _lines)
    math(EXPR _number "${_number} + 1")
    string(REGEX REPLACE "//.*$" "" _code "${_line}")
    if(_code MATCHES "sqlite3|(^|[^A-Za-z0-9_])SQLITE_")
      string(APPEND _found "\n  ${_relative}:${_number}: ${_line}")
    endif()
  endforeach()
endforeach()
if(_found)
  message(FATAL_ERROR "SQLite's API is used outside include/alchemy/sqlite/:${_found}")
endif()
message(STATUS "no SQLite API outside include/alchemy/sqlite/ (${INCLUDE_DIR})")
