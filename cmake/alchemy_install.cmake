# Install rules and the relocatable CMake package `alchemy`, included from the
# top-level CMakeLists.txt when ALCHEMY_INSTALL is ON.
#
# Consumers write:
#   find_package(alchemy CONFIG REQUIRED)                   # every component
#   target_link_libraries(app PRIVATE alchemy::alchemy)      # core + sqlite (+ postgresql)
# or, without SQLite:
#   find_package(alchemy CONFIG REQUIRED COMPONENTS core)
#   target_link_libraries(app PRIVATE alchemy::core)

include(CMakePackageConfigHelpers)

# Header-only, the package is architecture independent and lives under share/;
# with ALCHEMY_SEPARATE_COMPILATION it holds a static library, hence lib/.
# The default follows the mode on every configure (an empty cache entry), so
# switching the option in an existing build directory moves the package too.
set(ALCHEMY_INSTALL_CMAKEDIR "" CACHE STRING
  "Where to install alchemy's CMake package, relative to the prefix (empty: share/cmake/alchemy, or lib/cmake/alchemy with ALCHEMY_SEPARATE_COMPILATION)")
mark_as_advanced(ALCHEMY_INSTALL_CMAKEDIR)
if(ALCHEMY_SEPARATE_COMPILATION)
  set(_alchemy_arch_independent)
  if(NOT ALCHEMY_INSTALL_CMAKEDIR)
    set(ALCHEMY_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/alchemy")
  endif()
else()
  set(_alchemy_arch_independent ARCH_INDEPENDENT)
  if(NOT ALCHEMY_INSTALL_CMAKEDIR)
    set(ALCHEMY_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/alchemy")
  endif()
endif()

set(_alchemy_installed_targets alchemy_core alchemy_sqlite alchemy)
if(ALCHEMY_WITH_POSTGRESQL)
  list(APPEND _alchemy_installed_targets alchemy_postgresql)
endif()
install(TARGETS ${_alchemy_installed_targets}
  EXPORT alchemyTargets
  ARCHIVE
  FILE_SET HEADERS
  FILE_SET detail_headers
  FILE_SET definitions)

install(EXPORT alchemyTargets
  NAMESPACE alchemy::
  DESTINATION "${ALCHEMY_INSTALL_CMAKEDIR}")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/alchemyConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/alchemyConfig.cmake"
  INSTALL_DESTINATION "${ALCHEMY_INSTALL_CMAKEDIR}")

write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/alchemyConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion
  ${_alchemy_arch_independent})

install(FILES
  "${PROJECT_BINARY_DIR}/alchemyConfig.cmake"
  "${PROJECT_BINARY_DIR}/alchemyConfigVersion.cmake"
  DESTINATION "${ALCHEMY_INSTALL_CMAKEDIR}")

install(FILES "${PROJECT_SOURCE_DIR}/LICENSE"
  DESTINATION "${CMAKE_INSTALL_DOCDIR}")
