# Builds one compile-fail target and checks the diagnostics (cmake -P).
#   BUILD_DIR, TARGET, CONFIG: what to build
#   EXPECT_FILE: the expected texts, separated by \x1f; the first must be on
#                an error line, the others anywhere in the output.
set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}" ${config_args}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
set(output "${out}${err}")
if(status EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled, but it must fail to compile.")
endif()

file(READ "${EXPECT_FILE}" expected_all)
string(ASCII 31 separator)
string(REPLACE "${separator}" ";" expected_list "${expected_all}")
set(first TRUE)
foreach(expected IN LISTS expected_list)
  if(expected STREQUAL "")
    continue()
  endif()
  if(first)
    # The first text must stand on an error line: "...error: ...<text>".
    set(found FALSE)
    string(REPLACE "\n" ";" lines "${output}")
    foreach(line IN LISTS lines)
      string(FIND "${line}" "error" at_error)
      string(FIND "${line}" "${expected}" at_text)
      if(NOT at_error EQUAL -1 AND NOT at_text EQUAL -1 AND at_text GREATER at_error)
        set(found TRUE)
        break()
      endif()
    endforeach()
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
    message(FATAL_ERROR "${TARGET}: the compiler output does not contain\n  ${expected}\n--- output ---\n${output}")
  endif()
endforeach()
message(STATUS "${TARGET}: failed to compile with the expected diagnostics")
