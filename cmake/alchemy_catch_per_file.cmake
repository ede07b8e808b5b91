# Included by ctest (TEST_INCLUDE_FILES) when ALCHEMY_TEST_PROCESS_PER_FILE is ON:
# registers one test per Catch2 source file and backend instead of one per test case.
#
# Why: under ASan + UBSan each start of the test executable costs about 0.4 s, which
# over a thousand test cases is most of the sanitizer run; one process per file keeps
# the parallelism and tells the file apart, and Catch2 still names the failing case.
#
# Set by the generated file that includes this one:
#   ALCHEMY_PER_FILE_EXE      the test executable
#   ALCHEMY_PER_FILE_WORKDIR  the working directory of every test
#   ALCHEMY_PER_FILE_GROUPS   "<test name prefix>|<Catch test spec>|<ALCHEMY_TEST_BACKEND>|<fixtures>|<labels>"
#                             entries, fixtures and labels ','-separated
#   ALCHEMY_PER_FILE_TIMEOUT  seconds per test
#
# The executable lists, per group, the source files of the test cases the spec selects
# (Catch2's "-#" tags every case with "#<file name>"); each file becomes the test
# "<prefix><file name>" running "<spec>[#<file name>]", with -w NoTests so that a spec
# that selects nothing fails instead of passing empty.

if(NOT EXISTS "${ALCHEMY_PER_FILE_EXE}")
  add_test(alchemy_tests.not_built "${ALCHEMY_PER_FILE_EXE}")
  return()
endif()

foreach(_group IN LISTS ALCHEMY_PER_FILE_GROUPS)
  # A regular expression rather than list(GET): the prefix may be empty, and ctest reads
  # this file without the policy (CMP0007) that keeps empty list elements.
  if(NOT _group MATCHES "^([^|]*)\\|([^|]+)\\|([^|]+)\\|([^|]+)\\|([^|]+)$")
    message(FATAL_ERROR "alchemy: malformed test group '${_group}'")
  endif()
  set(_prefix "${CMAKE_MATCH_1}")
  set(_spec "${CMAKE_MATCH_2}")
  set(_backend "${CMAKE_MATCH_3}")
  set(_fixtures "${CMAKE_MATCH_4}")
  set(_labels "${CMAKE_MATCH_5}")
  string(REPLACE "," ";" _fixtures "${_fixtures}")
  string(REPLACE "," ";" _labels "${_labels}")

  execute_process(
    COMMAND "${ALCHEMY_PER_FILE_EXE}" "-#" "${_spec}" --list-tags
    WORKING_DIRECTORY "${ALCHEMY_PER_FILE_WORKDIR}"
    OUTPUT_VARIABLE _listing
    ERROR_VARIABLE _listing_error
    RESULT_VARIABLE _listing_result)
  # Catch2 2.13 exits with the number of tags it listed, so the output tells success.
  if(NOT _listing MATCHES "Tags for matching test cases")
    message(FATAL_ERROR "alchemy: listing the test files of '${_spec}' failed (${_listing_result}):\n"
                        "${_listing}${_listing_error}")
  endif()

  string(REGEX MATCHALL "\\[#[A-Za-z0-9_.-]+\\]" _file_tags "${_listing}")
  list(REMOVE_DUPLICATES _file_tags)
  foreach(_file_tag IN LISTS _file_tags)
    string(REGEX REPLACE "^\\[#(.*)\\]$" "\\1" _file "${_file_tag}")
    set(_name "${_prefix}${_file}")
    add_test("${_name}" "${ALCHEMY_PER_FILE_EXE}" "-#" "${_spec}${_file_tag}" -w NoTests --name "${_name}")
    set_tests_properties("${_name}" PROPERTIES
      WORKING_DIRECTORY "${ALCHEMY_PER_FILE_WORKDIR}"
      ENVIRONMENT "ALCHEMY_TEST_BACKEND=${_backend}"
      LABELS "${_labels}"
      TIMEOUT "${ALCHEMY_PER_FILE_TIMEOUT}"
      FIXTURES_REQUIRED "${_fixtures}")
  endforeach()
endforeach()
