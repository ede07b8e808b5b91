# Fails when an object file defines any symbol of namespace alchemy: the object
# of a file that only includes alchemy's headers (tests/structure/), which must
# cost the compiler parsing only.
#   cmake -DNM=<nm> -DOBJECT=<file.o> -P alchemy_check_emitted_code.cmake
execute_process(COMMAND "${NM}" -C --defined-only "${OBJECT}"
  RESULT_VARIABLE _status OUTPUT_VARIABLE _symbols ERROR_VARIABLE _error)
if(NOT _status EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${OBJECT}: ${_error}")
endif()
string(REPLACE ";" "," _symbols "${_symbols}")
string(REPLACE "\n" ";" _symbols "${_symbols}")
set(_found "")
set(_count 0)
foreach(_symbol IN LISTS _symbols)
  if(_symbol MATCHES "alchemy::")
    math(EXPR _count "${_count} + 1")
    if(_count LESS_EQUAL 20)
      string(APPEND _found "\n  ${_symbol}")
    endif()
  endif()
endforeach()
if(_count GREATER 0)
  message(FATAL_ERROR
    "${OBJECT} includes alchemy's headers and uses nothing, yet defines ${_count} of alchemy's symbols "
    "(the first 20 below). A virtual function defined in an .ipp must be declared ALCHEMY_INLINE in its "
    "class, or it is the class's key function and every file emits the vtable and all it reaches:${_found}")
endif()
message(STATUS "${OBJECT}: no symbol of alchemy defined")
