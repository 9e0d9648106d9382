# Shared compile settings and helpers for LaminarDB targets.

add_library(laminar_compile_options INTERFACE)
target_compile_options(laminar_compile_options INTERFACE
  -Wall -Wextra -Werror -Wno-unused-parameter)
# GCC 12 reports false -Wrestrict errors inside std::string at -O3 (GCC bug 105651), and false
# -Wmaybe-uninitialized errors inside a std::variant holding a std::string (our Value) when
# such values sit in initializer lists (GCC bug 107919). -Wuninitialized stays on, and the
# sanitizer build checks the rest.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(laminar_compile_options INTERFACE -Wno-restrict -Wno-maybe-uninitialized)
endif()
target_include_directories(laminar_compile_options INTERFACE
  ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/include)
if(LAMINAR_SANITIZE)
  target_compile_options(laminar_compile_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(laminar_compile_options INTERFACE -fsanitize=address,undefined)
endif()

# laminar_add_test(NAME name SOURCES a_test.cc ... LIBRARIES lib ...)
# One GoogleTest binary per module; each TEST becomes its own ctest entry so ctest -j
# spreads them over the cores.
function(laminar_add_test)
  if(NOT LAMINAR_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBRARIES" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBRARIES} laminar_compile_options
    GTest::gtest_main GTest::gmock)
  target_compile_definitions(${ARG_NAME} PRIVATE
    LAMINAR_SOURCE_ROOT="${LAMINAR_SOURCE_ROOT}")
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()

# laminar_add_benchmark(NAME name SOURCES a_benchmark.cc ... LIBRARIES lib ...)
function(laminar_add_benchmark)
  if(NOT LAMINAR_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBRARIES" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBRARIES} laminar_compile_options
    benchmark::benchmark_main)
  target_compile_definitions(${ARG_NAME} PRIVATE
    LAMINAR_SOURCE_ROOT="${LAMINAR_SOURCE_ROOT}")
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
  laminar_use_fast_allocator(${ARG_NAME})
endfunction()

# laminar_use_fast_allocator(target): the executables LaminarDB ships (the CLI, benchmarks)
# replace glibc malloc with mimalloc, as DuckDB and ClickHouse ship jemalloc: parsing, binding
# and plan building allocate many small objects. Libraries never do this; a program that embeds
# LaminarDB keeps its own allocator. Not under the sanitizers, which replace malloc themselves.
# mimalloc_options.cc sets the allocator's options (why: in that file).
function(laminar_use_fast_allocator target)
  if(LAMINAR_USE_MIMALLOC AND NOT LAMINAR_SANITIZE)
    target_link_libraries(${target} PRIVATE mimalloc)
    target_link_options(${target} PRIVATE -Wl,--no-as-needed)
    target_sources(${target} PRIVATE ${LAMINAR_SOURCE_ROOT}/src/common/mimalloc_options.cc)
  endif()
endfunction()
