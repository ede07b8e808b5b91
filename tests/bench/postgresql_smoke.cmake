# tests/bench/postgresql_smoke.cmake — ctest's alchemy.bench.postgresql_smoke
# and alchemy.bench.user_postgresql_smoke: runs the benchmark BENCH
# (alchemy_bench or alchemy_user_bench, which take the same options) in
# PostgreSQL mode (small N, one round) on the server the fixture
# alchemy_postgres started. Its URL is the second line of the
# fixture's state file, which exists only once the fixture ran, so it is read
# here and not at configure time. ALCHEMY_TEST_POSTGRES_URL, as for the other
# PostgreSQL tests, points it at another server instead.
#
#   cmake -DBENCH=<alchemy_bench or alchemy_user_bench> -DSTATE=<state file> -P postgresql_smoke.cmake

cmake_minimum_required(VERSION 3.25)

if(DEFINED ENV{ALCHEMY_TEST_POSTGRES_URL} AND NOT "$ENV{ALCHEMY_TEST_POSTGRES_URL}" STREQUAL "")
  set(_url "$ENV{ALCHEMY_TEST_POSTGRES_URL}")
else()
  if(NOT EXISTS "${STATE}")
    message(FATAL_ERROR "postgresql_smoke: no server state file ${STATE}: run through ctest (fixture alchemy_postgres)")
  endif()
  file(STRINGS "${STATE}" _lines)
  list(LENGTH _lines _count)
  if(_count LESS 2)
    message(FATAL_ERROR "postgresql_smoke: ${STATE} has no URL on its second line")
  endif()
  list(GET _lines 1 _url)
endif()

execute_process(
  COMMAND "${BENCH}" --n 2000 --graph-users 1200 --rounds 1 --mode postgresql --url "${_url}"
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  get_filename_component(_program "${BENCH}" NAME)
  message(FATAL_ERROR "postgresql_smoke: ${_program} failed (${_rc})")
endif()
