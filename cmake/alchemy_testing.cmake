# Helpers that turn files into ctest tests, so that adding a test or an example
# never needs a CMake edit. Included by tests/ and examples/.

set(ALCHEMY_SCRATCH_RUNNER "${CMAKE_CURRENT_LIST_DIR}/alchemy_run_in_scratch_dir.cmake")

# alchemy_add_example(<file.cpp>)
#
# Builds examples/<stem>.cpp as executable <stem> and registers the ctest test
# alchemy.example.<stem>, which runs it in a fresh, empty directory
# (<binary dir>/run/<stem>) so database files it creates never leak between runs.
function(alchemy_add_example source)
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
endfunction()

# alchemy_add_compile_fail_test(<file.cpp>)
#
# The file must contain exactly one line
#     // expect: <text>
# and must fail to compile with a diagnostic whose *error* line contains <text>
# (typically the message of one of alchemy's static_asserts). It becomes:
#   - an EXCLUDE_FROM_ALL object library alchemy_compile_fail_<stem>, and
#   - the ctest test alchemy.compile_fail.<stem>, which builds that target and
#     passes only if the output has an error line containing <text>. If the file
#     compiles, there is no error line and the test fails.
function(alchemy_add_compile_fail_test source)
  cmake_path(GET source STEM stem)
  set(target alchemy_compile_fail_${stem})
  set(marker "// expect:")

  # file(READ) + string(FIND) rather than file(STRINGS), which would split
  # text containing ';' into list elements.
  file(READ "${source}" content)
  string(FIND "${content}" "${marker}" first)
  string(FIND "${content}" "${marker}" last REVERSE)
  if(first EQUAL -1 OR NOT first EQUAL last)
    message(FATAL_ERROR
      "${source}: a compile-fail test needs exactly one line\n"
      "  ${marker} <text of the expected compiler error>")
  endif()
  string(LENGTH "${marker}" marker_length)
  math(EXPR start "${first} + ${marker_length}")
  string(SUBSTRING "${content}" ${start} -1 expected)
  string(FIND "${expected}" "\n" eol)
  string(SUBSTRING "${expected}" 0 ${eol} expected)
  string(STRIP "${expected}" expected)
  if(expected STREQUAL "")
    message(FATAL_ERROR "${source}: the `${marker}` line has no text after it")
  endif()

  # Quote regex metacharacters. Backslashes first, then the rest; ';' would
  # split PASS_REGULAR_EXPRESSION into a list, so it becomes '.'.
  string(REPLACE "\\" "\\\\" regex "${expected}")
  string(REGEX REPLACE "([][.*+?^$()|{}])" "\\\\\\1" regex "${regex}")
  string(REPLACE ";" "." regex "${regex}")
  # Only an error line counts: GCC/Clang "error: ...", MSVC "error C2338: ...".
  set(regex "error( C[0-9]+)?: [^\n]*${regex}")

  add_library(${target} OBJECT EXCLUDE_FROM_ALL "${source}")
  target_link_libraries(${target} PRIVATE alchemy::alchemy)
  # Colour codes would sit between "error:" and the text if someone exports
  # CMAKE_COLOR_DIAGNOSTICS=ON.
  target_compile_options(${target} PRIVATE
    $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-fdiagnostics-color=never>)

  add_test(NAME alchemy.compile_fail.${stem}
    COMMAND "${CMAKE_COMMAND}" --build "${CMAKE_BINARY_DIR}" --target ${target}
      "$<$<BOOL:$<CONFIG>>:--config;$<CONFIG>>"
    COMMAND_EXPAND_LISTS)
  set_tests_properties(alchemy.compile_fail.${stem} PROPERTIES
    PASS_REGULAR_EXPRESSION "${regex}"
    LABELS compile_fail
    TIMEOUT 600
    # Concurrent builds of the same build tree may race on its bookkeeping.
    RESOURCE_LOCK alchemy_build_tree)
endfunction()
