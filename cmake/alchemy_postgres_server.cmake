# A throwaway PostgreSQL server for the tests, run as a CMake script:
#
#   cmake -DACTION=start -DSTATE=<file> [-DBINDIR=<dir>] -P alchemy_postgres_server.cmake
#   cmake -DACTION=check -DSTATE=<file> [-DBINDIR=<dir>] -P alchemy_postgres_server.cmake
#   cmake -DACTION=stop  -DSTATE=<file> -P alchemy_postgres_server.cmake
#
# start: initdb a new cluster in a fresh temporary directory, start it
# listening only on a Unix socket in that directory (no TCP port, so it can
# neither clash with nor reach any other server), create the database
# alchemy_test, and write to STATE two lines: the directory and the URL the
# tests connect with (postgresql://alchemy@/alchemy_test?host=<dir>).
# Any server a previous, interrupted run left behind in STATE is stopped first.
#
# check: connect with psql to the URL in STATE and make sure the server
# answers as the database alchemy_test, as the user alchemy.
#
# stop: stop the server named in STATE (immediately: the data is thrown
# away), remove its directory and STATE. Stopping nothing is not an error, so
# ctest can run it as a FIXTURES_CLEANUP step whatever happened before.
#
# PostgreSQL refuses to run as root: when this script runs as root, the server
# programs run as the unprivileged user `postgres`, which owns the directory.
# Speed over durability: fsync is off, as the cluster dies with the tests.

cmake_minimum_required(VERSION 3.25)

if(NOT STATE)
  message(FATAL_ERROR "alchemy_postgres_server: pass -DSTATE=<file>")
endif()

# How the server programs are run: as `postgres` when we are root.
execute_process(COMMAND id -u OUTPUT_VARIABLE _uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(_uid STREQUAL "0")
  set(_as_server_user runuser -u postgres --)
else()
  set(_as_server_user)
endif()

function(_pg_run)
  execute_process(COMMAND ${_as_server_user} ${ARGN}
    RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  if(NOT _rc EQUAL 0)
    list(JOIN ARGN " " _cmd)
    message(FATAL_ERROR "alchemy_postgres_server: '${_cmd}' failed (${_rc}):\n${_out}")
  endif()
endfunction()

function(_pg_stop_recorded)
  if(NOT EXISTS "${STATE}")
    return()
  endif()
  file(STRINGS "${STATE}" _lines)
  list(GET _lines 0 _dir)
  find_program(_pg_ctl pg_ctl HINTS ${BINDIR} /usr/lib/postgresql/15/bin NO_CACHE)
  if(_pg_ctl AND EXISTS "${_dir}/data/postmaster.pid")
    execute_process(COMMAND ${_as_server_user} "${_pg_ctl}" -D "${_dir}/data" -m immediate -w stop
      RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
  endif()
  # Only a directory this script made (its name says so) is removed.
  if(_dir MATCHES "/alchemy-pg-[A-Za-z0-9]+$")
    file(REMOVE_RECURSE "${_dir}")
  endif()
  file(REMOVE "${STATE}")
endfunction()

if(ACTION STREQUAL "stop")
  _pg_stop_recorded()
  return()
endif()

if(ACTION STREQUAL "check")
  if(NOT EXISTS "${STATE}")
    message(FATAL_ERROR "alchemy_postgres_server: no server recorded in ${STATE}")
  endif()
  file(STRINGS "${STATE}" _lines)
  list(GET _lines 1 _url)
  find_program(_psql psql HINTS ${BINDIR} /usr/lib/postgresql/15/bin NO_CACHE)
  if(NOT _psql)
    message(FATAL_ERROR "alchemy_postgres_server: psql not found")
  endif()
  execute_process(COMMAND "${_psql}" "${_url}" -X -At -c "SELECT current_database() || ' ' || current_user"
    RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _rc EQUAL 0 OR NOT _out STREQUAL "alchemy_test alchemy")
    message(FATAL_ERROR "alchemy_postgres_server: ${_url} answered (${_rc}): ${_out}")
  endif()
  message(STATUS "PostgreSQL test server answers at ${_url}")
  return()
endif()

if(NOT ACTION STREQUAL "start")
  message(FATAL_ERROR "alchemy_postgres_server: ACTION must be start, check or stop, not '${ACTION}'")
endif()

_pg_stop_recorded()

foreach(_program initdb pg_ctl createdb)
  find_program(_path_${_program} ${_program} HINTS ${BINDIR} /usr/lib/postgresql/15/bin NO_CACHE)
  if(NOT _path_${_program})
    message(FATAL_ERROR "alchemy_postgres_server: ${_program} not found; install postgresql-15 "
                        "(Debian) or pass -DBINDIR=<PostgreSQL's bin directory>")
  endif()
endforeach()

# A short path: a Unix socket's path is limited to about 100 bytes.
execute_process(COMMAND mktemp -d /tmp/alchemy-pg-XXXXXXXX
  RESULT_VARIABLE _rc OUTPUT_VARIABLE _dir OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "alchemy_postgres_server: mktemp failed")
endif()
file(WRITE "${STATE}" "${_dir}\n")
if(_as_server_user)
  execute_process(COMMAND chown postgres: "${_dir}" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "alchemy_postgres_server: cannot give ${_dir} to the user postgres")
  endif()
endif()

_pg_run("${_path_initdb}" -D "${_dir}/data" -U alchemy -A trust -E UTF8 --locale=C --no-sync)
_pg_run("${_path_pg_ctl}" -D "${_dir}/data" -l "${_dir}/server.log" -w -t 60
  -o "-k ${_dir} -c listen_addresses= -c fsync=off -c full_page_writes=off -c max_connections=60" start)
_pg_run("${_path_createdb}" -h "${_dir}" -U alchemy alchemy_test)

file(APPEND "${STATE}" "postgresql://alchemy@/alchemy_test?host=${_dir}\n")
message(STATUS "PostgreSQL test server on ${_dir}")
