# Driver for alchemy's package tests (see tests/CMakeLists.txt). Any failing
# step stops with FATAL_ERROR, which makes the ctest test fail.
#
# Install this build tree into a fresh prefix:
#   cmake -DSTEP=install -DBUILD_DIR=<alchemy build> -DPREFIX=<dir> [-DCONFIG=<cfg>]
#         [-DEXPECT_FILES=<relative path|...>] -P run_consumer.cmake
#
# Configure, build and run a consumer project in a fresh binary directory:
#   cmake -DSTEP=consumer -DSOURCE_DIR=<consumer source> -DBINARY_DIR=<dir>
#         [-DGENERATOR=<gen>] [-DMAKE_PROGRAM=<make>] [-DCXX_COMPILER=<c++>]
#         [-DCONFIG=<cfg>] [-DPREFIX_PATH=<a|b|...>] [-DCACHE_ARGS=<-Dx=y|...>]
#         -P run_consumer.cmake
#
# Configure, build and install an alchemy source tree (no tests or examples)
# into a fresh prefix, for a consumer to find:
#   cmake -DSTEP=package -DSOURCE_DIR=<alchemy source> -DBINARY_DIR=<dir> -DPREFIX=<dir>
#         [-DGENERATOR=...] [-DMAKE_PROGRAM=...] [-DCXX_COMPILER=...] [-DCONFIG=<cfg>]
#         [-DPREFIX_PATH=<a|b|...>] [-DCACHE_ARGS=<-Dx=y|...>] -P run_consumer.cmake
#
# '|' separates list items because ';' does not survive add_test.

cmake_minimum_required(VERSION 3.25)

function(step description)
  list(JOIN ARGN " " command_line)
  message(STATUS "run_consumer: ${description}\n    ${command_line}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "run_consumer: FAILED to ${description} (exit status: ${rc})\n    ${command_line}")
  endif()
endfunction()

function(require)
  foreach(var IN LISTS ARGN)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
      message(FATAL_ERROR "run_consumer: STEP=${STEP} needs -D${var}=...")
    endif()
  endforeach()
endfunction()

function(fresh_directory dir)
  if(NOT IS_ABSOLUTE "${dir}")
    message(FATAL_ERROR "run_consumer: ${dir} is not an absolute path")
  endif()
  file(REMOVE_RECURSE "${dir}")
  file(MAKE_DIRECTORY "${dir}")
endfunction()

set(config_args)
set(ctest_config_args)
if(CONFIG)
  set(config_args --config "${CONFIG}")
  set(ctest_config_args -C "${CONFIG}")
endif()

if(STEP STREQUAL "install")
  require(BUILD_DIR PREFIX)
  fresh_directory("${PREFIX}")
  step("install ${BUILD_DIR} into ${PREFIX}"
    "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${config_args})
  # A broken install can still "succeed"; check the pieces consumers need.
  string(REPLACE "|" ";" expect_files "${EXPECT_FILES}")
  foreach(file IN LISTS expect_files)
    if(NOT EXISTS "${PREFIX}/${file}")
      message(FATAL_ERROR "run_consumer: the install is missing ${PREFIX}/${file}")
    endif()
  endforeach()

elseif(STEP STREQUAL "consumer" OR STEP STREQUAL "package")
  require(SOURCE_DIR BINARY_DIR)
  fresh_directory("${BINARY_DIR}")

  set(configure_args -S "${SOURCE_DIR}" -B "${BINARY_DIR}")
  if(GENERATOR)
    list(APPEND configure_args -G "${GENERATOR}")
  endif()
  if(MAKE_PROGRAM)
    list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
  endif()
  if(CXX_COMPILER)
    list(APPEND configure_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
  endif()
  if(CONFIG)
    list(APPEND configure_args "-DCMAKE_BUILD_TYPE=${CONFIG}")
  endif()
  if(PREFIX_PATH)
    string(REPLACE "|" ";" prefix_path "${PREFIX_PATH}")
    list(REMOVE_ITEM prefix_path "")
    list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${prefix_path}")
  endif()
  if(CACHE_ARGS)
    string(REPLACE "|" ";" cache_args "${CACHE_ARGS}")
    list(APPEND configure_args ${cache_args})
  endif()
  # Only the prefix we installed into may satisfy find_package(alchemy).
  list(APPEND configure_args
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)

  if(STEP STREQUAL "package")
    require(PREFIX)
    fresh_directory("${PREFIX}")
    list(APPEND configure_args -DALCHEMY_BUILD_TESTS=OFF -DALCHEMY_BUILD_EXAMPLES=OFF -DALCHEMY_INSTALL=ON)
  endif()

  step("configure ${SOURCE_DIR}" "${CMAKE_COMMAND}" ${configure_args})
  step("build ${BINARY_DIR}" "${CMAKE_COMMAND}" --build "${BINARY_DIR}" ${config_args})
  if(STEP STREQUAL "package")
    step("install ${BINARY_DIR} into ${PREFIX}"
      "${CMAKE_COMMAND}" --install "${BINARY_DIR}" --prefix "${PREFIX}" ${config_args})
  else()
    step("run the consumer"
      "${CMAKE_CTEST_COMMAND}" --test-dir "${BINARY_DIR}" ${ctest_config_args}
      --output-on-failure --no-tests=error -V)
  endif()

else()
  message(FATAL_ERROR "run_consumer: pass -DSTEP=install, -DSTEP=package or -DSTEP=consumer")
endif()
