# Empties a scratch directory and, if EXE is given, runs EXE inside it.
#
#   cmake -DDIR=<absolute dir> [-DEXE=<program>] -P alchemy_run_in_scratch_dir.cmake
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

if(DEFINED EXE)
  execute_process(COMMAND "${EXE}" WORKING_DIRECTORY "${DIR}" RESULT_VARIABLE rc)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "${EXE} failed (exit status: ${rc})")
  endif()
endif()
