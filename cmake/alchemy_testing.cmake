# Helpers that turn files into ctest tests, so that adding a test or an example
# never needs a CMake edit. Included by tests/ and examples/.

set(ALCHEMY_SCRATCH_RUNNER "${CMAKE_CURRENT_LIST_DIR}/alchemy_run_in_scratch_dir.cmake")

# alchemy_add_example(<file.cpp> [POSTGRESQL])
#
# Builds examples/<stem>.cpp as executable <stem> and registers the ctest test
# alchemy.example.<stem>, which runs it in a fresh, empty directory
# (<binary dir>/run/<stem>) so database files it creates never leak between runs.
# POSTGRESQL: the example takes a database URL as its argument; when the tests
# start a PostgreSQL server, alchemy.example.<stem>.postgresql runs it there too.
function(alchemy_add_example source)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "POSTGRESQL" "" "")
  cmake_path(GET source STEM name)
  add_executable(${name} "${source}")
  target_link_libraries(${name} PRIVATE alchemy::alchemy alchemy_dev_flags)
  add_test(NAME alchemy.example.${name}
    COMMAND "${CMAKE_COMMAND}"
      "-DDIR=${CMAKE_CURRENT_BINARY_DIR}/run/${name}"
      "-DEXE=$<TARGET_FILE:${name}>"
      -P "${ALCHEMY_SCRATCH_RUNNER}")
  set_tests_properties(alchemy.example.${name} PROPERTIES
    LABELS example
    TIMEOUT 300)
  # The same program on the throwaway PostgreSQL server the tests start, its
  # URL as the argument (examples that take one).
  get_property(_postgres_state GLOBAL PROPERTY ALCHEMY_POSTGRES_STATE)
  if(ARG_POSTGRESQL AND ALCHEMY_WITH_POSTGRESQL AND _postgres_state)
    add_test(NAME alchemy.example.${name}.postgresql
      COMMAND "${CMAKE_COMMAND}"
        "-DDIR=${CMAKE_CURRENT_BINARY_DIR}/run/${name}.postgresql"
        "-DEXE=$<TARGET_FILE:${name}>"
        "-DPOSTGRES_STATE=${_postgres_state}"
        -P "${ALCHEMY_SCRATCH_RUNNER}")
    set_tests_properties(alchemy.example.${name}.postgresql PROPERTIES
      LABELS "example;postgresql"
      FIXTURES_REQUIRED alchemy_postgres
      TIMEOUT 300)
  endif()
endfunction()

# alchemy_add_compile_fail_test(<file.cpp>)
#
# The file holds one or more lines
#     // expect: <text>
#     // expect(<compiler id>): <text>
# and must fail to compile with output containing every <text>. A line with a
# compiler id (a CMAKE_CXX_COMPILER_ID: GNU, Clang) counts only with that
# compiler; write one only where the compilers print the same thing
# differently, and one for each of them (GCC prints a member name held in a
# template argument as fixed_string<5>{"posts"}, Clang 14 as its character
# codes, {{112, 111, 115, 116, 115, 0}}). The first line must be a plain
# `// expect:` and its text must stand on an *error* line (typically the
# message of one of alchemy's static_asserts); the others may be anywhere
# (typically the instantiation context that names the struct and member). It becomes:
#   - an EXCLUDE_FROM_ALL object library alchemy_compile_fail_<stem>, never built:
#     it only gathers the flags alchemy::alchemy gives a consumer, and
#   - the ctest test alchemy.compile_fail.<stem>, which runs the compiler with those
#     flags (-fsyntax-only) through cmake/alchemy_compile_fail.cmake. If the file
#     compiles, the test fails. The compiler is run directly, not through
#     `cmake --build`, so the tests need no lock on the build tree and run in
#     parallel with each other and with the rest of the suite.
set(ALCHEMY_COMPILE_FAIL_RUNNER "${CMAKE_CURRENT_LIST_DIR}/alchemy_compile_fail.cmake")

function(alchemy_add_compile_fail_test source)
  cmake_path(GET source STEM stem)
  set(target alchemy_compile_fail_${stem})
  set(marker "// expect")

  # file(READ) + string(FIND) rather than file(STRINGS), which would split
  # text containing ';' into list elements.
  file(READ "${source}" content)
  set(expected_lines "")
  set(first TRUE)
  string(ASCII 31 separator)
  string(LENGTH "${marker}" marker_length)
  while(TRUE)
    string(FIND "${content}" "${marker}" at)
    if(at EQUAL -1)
      break()
    endif()
    math(EXPR start "${at} + ${marker_length}")
    string(SUBSTRING "${content}" ${start} -1 content)
    string(FIND "${content}" "\n" eol)
    string(SUBSTRING "${content}" 0 ${eol} line)
    # ": <text>" or "(<compiler id>): <text>"; anything else ("// expected ...")
    # is no marker.
    if(line MATCHES "^:(.*)$")
      set(compiler "")
      set(expected "${CMAKE_MATCH_1}")
    elseif(line MATCHES "^\\(([A-Za-z]+)\\):(.*)$")
      set(compiler "${CMAKE_MATCH_1}")
      set(expected "${CMAKE_MATCH_2}")
    else()
      continue()
    endif()
    string(STRIP "${expected}" expected)
    if(expected STREQUAL "")
      message(FATAL_ERROR "${source}: a `${marker}${line}` line has no text after it")
    endif()
    if(first AND NOT compiler STREQUAL "")
      message(FATAL_ERROR "${source}: the first `${marker}` line must be a plain `${marker}:` line, "
        "with the text of the error that every compiler prints")
    endif()
    set(first FALSE)
    # The runner receives the lines joined by a unit separator (no ';' games).
    if(compiler STREQUAL "" OR compiler STREQUAL CMAKE_CXX_COMPILER_ID)
      string(APPEND expected_lines "${expected}${separator}")
    endif()
  endwhile()
  if(first)
    message(FATAL_ERROR
      "${source}: a compile-fail test needs at least one line\n"
      "  ${marker}: <text of the expected compiler error>")
  endif()
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/compile_fail/${stem}.expect" "${expected_lines}")

  add_library(${target} OBJECT EXCLUDE_FROM_ALL "${source}")
  target_link_libraries(${target} PRIVATE alchemy::alchemy)

  # The compile command, written at generate time: the include directories and
  # definitions the target collects from alchemy::alchemy's usage requirements,
  # the C++ standard it requires (cxx_std_20) and the build type's flags. With
  # ALCHEMY_SEPARATE_COMPILATION the compiler reads only the declarations of
  # alchemy's non-template code, not its definitions, which halves the time
  # (the diagnostics under test come from templates and are the same).
  if(CMAKE_CXX_EXTENSIONS OR NOT DEFINED CMAKE_CXX_EXTENSIONS)
    set(standard "${CMAKE_CXX20_EXTENSION_COMPILE_OPTION}")
  else()
    set(standard "${CMAKE_CXX20_STANDARD_COMPILE_OPTION}")
  endif()
  string(TOUPPER "${CMAKE_BUILD_TYPE}" build_type)
  separate_arguments(flags NATIVE_COMMAND "${CMAKE_CXX_FLAGS} ${CMAKE_CXX_FLAGS_${build_type}}")
  set(includes "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>")
  set(definitions "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>")
  set(command_file "${CMAKE_CURRENT_BINARY_DIR}/compile_fail/${stem}.command")
  file(GENERATE OUTPUT "${command_file}" CONTENT
    "${CMAKE_CXX_COMPILER}\n${standard}\n$<JOIN:${flags},\n>\n-fsyntax-only\n-fdiagnostics-color=never\n-DALCHEMY_SEPARATE_COMPILATION\n$<$<BOOL:${includes}>:-I$<JOIN:${includes},\n-I>>\n$<$<BOOL:${definitions}>:-D$<JOIN:${definitions},\n-D>>\n${source}\n")

  add_test(NAME alchemy.compile_fail.${stem}
    COMMAND "${CMAKE_COMMAND}"
      "-DNAME=${stem}"
      "-DCOMMAND_FILE=${command_file}"
      "-DEXPECT_FILE=${CMAKE_CURRENT_BINARY_DIR}/compile_fail/${stem}.expect"
      -P "${ALCHEMY_COMPILE_FAIL_RUNNER}")
  set_tests_properties(alchemy.compile_fail.${stem} PROPERTIES
    LABELS compile_fail
    TIMEOUT 600)
endfunction()
