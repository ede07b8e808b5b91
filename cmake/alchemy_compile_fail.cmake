# Compiles one compile-fail test file and checks the diagnostics (cmake -P).
#   NAME: the test's name, for messages
#   COMMAND_FILE: the compiler and its arguments, one per line (written at
#                 generate time by alchemy_add_compile_fail_test)
#   EXPECT_FILE: the expected texts, separated by \x1f; the first must be on
#                an error line, the others anywhere in the output.
file(STRINGS "${COMMAND_FILE}" command)
list(FILTER command EXCLUDE REGEX "^$")
execute_process(
  COMMAND ${command}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
set(output "${out}${err}")
if(status EQUAL 0)
  message(FATAL_ERROR "${NAME} compiled, but it must fail to compile.")
endif()

file(READ "${EXPECT_FILE}" remaining)
string(ASCII 31 separator)
set(first TRUE)
# The texts may hold ';' and brackets, so they are cut apart by hand rather
# than treated as a CMake list.
while(NOT remaining STREQUAL "")
  string(FIND "${remaining}" "${separator}" cut)
  if(cut EQUAL -1)
    set(expected "${remaining}")
    set(remaining "")
  else()
    string(SUBSTRING "${remaining}" 0 ${cut} expected)
    math(EXPR next "${cut} + 1")
    string(SUBSTRING "${remaining}" ${next} -1 remaining)
  endif()
  if(expected STREQUAL "")
    continue()
  endif()
  if(first)
    # The first text must stand on an error line: "...error: ...<text>".
    # Look at each occurrence and the start of its line.
    set(found FALSE)
    set(rest "${output}")
    while(NOT found)
      string(FIND "${rest}" "${expected}" at_text)
      if(at_text EQUAL -1)
        break()
      endif()
      string(SUBSTRING "${rest}" 0 ${at_text} before)
      string(FIND "${before}" "\n" line_start REVERSE)
      math(EXPR line_start "${line_start} + 1")
      string(SUBSTRING "${before}" ${line_start} -1 line_head)
      string(FIND "${line_head}" "error" at_error)
      if(NOT at_error EQUAL -1)
        set(found TRUE)
      endif()
      math(EXPR skip "${at_text} + 1")
      string(SUBSTRING "${rest}" ${skip} -1 rest)
    endwhile()
    set(first FALSE)
  else()
    string(FIND "${output}" "${expected}" at_text)
    if(at_text EQUAL -1)
      set(found FALSE)
    else()
      set(found TRUE)
    endif()
  endif()
  if(NOT found)
    message(FATAL_ERROR "${NAME}: the compiler output does not contain\n  ${expected}\n--- output ---\n${output}")
  endif()
endwhile()
message(STATUS "${NAME}: failed to compile with the expected diagnostics")
