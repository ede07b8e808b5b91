# tests/bench/compile_time.cmake — how long the benchmark's alchemy TU takes to
# compile, against its raw sqlite3 TU: the issue #7 target is <= 2x.
#
# The build target alchemy_bench_compile_time runs this with alchemy_bench's
# include directories. By hand (from the repository root, Debian paths):
#
#   cmake -DCXX=g++ -DALCHEMY_TU=tests/bench/bench_alchemy.cpp -DRAW_TU=tests/bench/bench_raw.cpp \
#         -DINCLUDES=include -P tests/bench/compile_time.cmake
#
# With -DLIBRARY_TU=src/alchemy.cpp it also times the alchemy TU as it compiles
# with ALCHEMY_SEPARATE_COMPILATION (the non-template code compiled once
# elsewhere), and that library TU itself, which a build compiles once.
#
# Variables: CXX, ALCHEMY_TU, RAW_TU (required); LIBRARY_TU; INCLUDES, DEFINES,
# IMPLICIT_INCLUDES (the compiler's own, dropped from INCLUDES) ('|'-separated
# lists); FLAGS (default "-std=c++20 -O2"); REPEAT (default 3); OUT_DIR (where
# the object file goes; default a directory under the current one).
#
# Each TU is compiled alone (-c, one process, nothing else in the command),
# alternating raw / alchemy REPEAT times; the median wall time of each is
# reported, with the ratio.

cmake_minimum_required(VERSION 3.25)

foreach(var CXX ALCHEMY_TU RAW_TU)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "compile_time.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED REPEAT)
  set(REPEAT 3)
endif()
if(NOT DEFINED FLAGS)
  set(FLAGS "-std=c++20 -O2")
endif()
if(NOT DEFINED OUT_DIR)
  set(OUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/alchemy_bench_compile_time")
endif()
file(MAKE_DIRECTORY "${OUT_DIR}")

separate_arguments(args UNIX_COMMAND "${FLAGS}")
if(DEFINED INCLUDES AND NOT INCLUDES STREQUAL "")
  string(REPLACE "|" ";" _includes "${INCLUDES}")
  list(REMOVE_DUPLICATES _includes)
  # The compiler searches its own directories (/usr/include ...) anyway; -I
  # would move them ahead of its C++ headers.
  string(REPLACE "|" ";" _implicit "${IMPLICIT_INCLUDES}")
  list(REMOVE_ITEM _includes ${_implicit})
  foreach(dir IN LISTS _includes)
    list(APPEND args "-I${dir}")
  endforeach()
endif()
if(DEFINED DEFINES AND NOT DEFINES STREQUAL "")
  string(REPLACE "|" ";" _defines "${DEFINES}")
  # Each mode is asked for explicitly below, whatever the build was configured with.
  list(REMOVE_ITEM _defines ALCHEMY_SEPARATE_COMPILATION)
  foreach(def IN LISTS _defines)
    list(APPEND args "-D${def}")
  endforeach()
endif()

# Appends the wall time (microseconds) of compiling `source` to the list `var`.
# Further arguments are added to the compiler's command line.
function(time_compile source var)
  string(TIMESTAMP t0 "%s%f")
  execute_process(
    COMMAND "${CXX}" ${args} ${ARGN} -c "${source}" -o "${OUT_DIR}/tu.o"
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE out)
  string(TIMESTAMP t1 "%s%f")
  if(NOT rc EQUAL 0)
    string(JOIN " " shown ${args})
    message(FATAL_ERROR "compile_time.cmake: compiling ${source} failed:\n${CXX} ${shown} -c ${source}\n${out}")
  endif()
  math(EXPR us "${t1} - ${t0}")
  set(times ${${var}})
  list(APPEND times ${us})
  set(${var} ${times} PARENT_SCOPE)
endfunction()

function(median_of var out)
  set(times ${${var}})
  list(SORT times COMPARE NATURAL)
  list(LENGTH times n)
  math(EXPR mid "${n} / 2")
  list(GET times ${mid} m)
  set(${out} ${m} PARENT_SCOPE)
endfunction()

# Microseconds as seconds with two decimals.
function(seconds us out)
  math(EXPR cs "(${us} + 5000) / 10000")
  math(EXPR whole "${cs} / 100")
  math(EXPR frac "${cs} % 100")
  if(frac LESS 10)
    set(frac "0${frac}")
  endif()
  set(${out} "${whole}.${frac}" PARENT_SCOPE)
endfunction()

set(raw_times "")
set(alchemy_times "")
set(separate_times "")
set(library_times "")
foreach(i RANGE 1 ${REPEAT})
  time_compile("${RAW_TU}" raw_times)
  time_compile("${ALCHEMY_TU}" alchemy_times)
  if(LIBRARY_TU)
    time_compile("${ALCHEMY_TU}" separate_times -DALCHEMY_SEPARATE_COMPILATION)
    time_compile("${LIBRARY_TU}" library_times -DALCHEMY_SEPARATE_COMPILATION)
  endif()
endforeach()
file(REMOVE "${OUT_DIR}/tu.o")

# "<seconds> s, <ratio>x raw (target <= 2x: met|missed)" for a list of times.
function(describe var out)
  median_of(${var} us)
  seconds(${us} s)
  math(EXPR ratio_x100 "(${us} * 100 + ${raw_us} / 2) / ${raw_us}")
  math(EXPR ratio_whole "${ratio_x100} / 100")
  math(EXPR ratio_frac "${ratio_x100} % 100")
  if(ratio_frac LESS 10)
    set(ratio_frac "0${ratio_frac}")
  endif()
  set(verdict "met")
  if(ratio_x100 GREATER 200)
    set(verdict "missed")
  endif()
  set(${out} "${s} s, ${ratio_whole}.${ratio_frac}x raw (target <= 2x: ${verdict})" PARENT_SCOPE)
endfunction()

median_of(raw_times raw_us)
seconds(${raw_us} raw_s)
describe(alchemy_times alchemy_line)

cmake_path(GET ALCHEMY_TU FILENAME alchemy_name)
cmake_path(GET RAW_TU FILENAME raw_name)
string(JOIN " " shown_args ${args})
set(load "")
if(EXISTS /proc/loadavg)
  file(READ /proc/loadavg load)
  string(REGEX MATCH "^[^ ]+ [^ ]+ [^ ]+" load "${load}")
  set(load ", load average ${load}")
endif()
message("compile time, each TU alone, median of ${REPEAT}${load}:")
message("  command: ${CXX} ${shown_args} -c <TU> -o ${OUT_DIR}/tu.o")
message("  ${raw_name} (raw sqlite3 side)  ${raw_s} s")
message("  ${alchemy_name} (alchemy side, header-only)  ${alchemy_line}")
if(LIBRARY_TU)
  describe(separate_times separate_line)
  median_of(library_times library_us)
  seconds(${library_us} library_s)
  cmake_path(GET LIBRARY_TU FILENAME library_name)
  message("  ${alchemy_name} (alchemy side, -DALCHEMY_SEPARATE_COMPILATION)  ${separate_line}")
  message("  ${library_name} (that mode's library, compiled once per build)  ${library_s} s")
endif()
