# Empties a scratch directory and, if EXE is given, runs EXE inside it.
#
#   cmake -DDIR=<absolute dir> [-DEXE=<program>] [-DPOSTGRES_STATE=<file>] -P alchemy_run_in_scratch_dir.cmake
#
# With POSTGRES_STATE (the state file of the throwaway server the fixture
# alchemy_postgres started, see alchemy_postgres_server.cmake), EXE gets the
# server's URL, the file's second line, as its argument.
#
# Used by ctest so every run of an example (and every test session) starts
# without database files from the previous one.

if(NOT DEFINED DIR OR NOT IS_ABSOLUTE "${DIR}")
  message(FATAL_ERROR "alchemy_run_in_scratch_dir: pass -DDIR=<absolute directory>")
endif()
cmake_path(GET DIR PARENT_PATH _parent)
if(_parent STREQUAL DIR)
  message(FATAL_ERROR "alchemy_run_in_scratch_dir: refusing to empty ${DIR}")
endif()

file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")

set(_args "")
if(DEFINED POSTGRES_STATE)
  file(STRINGS "${POSTGRES_STATE}" _state LIMIT_COUNT 2)
  list(LENGTH _state _lines)
  if(NOT _lines EQUAL 2)
    message(FATAL_ERROR "alchemy_run_in_scratch_dir: ${POSTGRES_STATE} names no running server (is the fixture alchemy_postgres set up?)")
  endif()
  list(GET _state 1 _args)
endif()

if(DEFINED EXE)
  execute_process(COMMAND "${EXE}" ${_args} WORKING_DIRECTORY "${DIR}" RESULT_VARIABLE rc)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "${EXE} failed (exit status: ${rc})")
  endif()
endif()
