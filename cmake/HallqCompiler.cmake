# Compiler settings shared by every HallQ target: warnings, sanitizers, ccache.
find_program(HALLQ_CCACHE ccache)
find_program(HALLQ_ENV env)
if(HALLQ_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # Paths relative to the source root in the cache's keys, and none in the objects: a clone in
  # another folder (CI's clean clone) reuses what an earlier build compiled.
  if(HALLQ_ENV)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${HALLQ_ENV} CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=1 ${HALLQ_CCACHE})
  else()
    set(CMAKE_CXX_COMPILER_LAUNCHER ${HALLQ_CCACHE})
  endif()
endif()
add_compile_options(-ffile-prefix-map=${PROJECT_SOURCE_DIR}/=)

add_library(hallq_warnings INTERFACE)
target_compile_options(hallq_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wno-missing-field-initializers)
# On ARM, GCC notes every std::map/vector iterator passed by value that its ABI changed in
# GCC 7.1; everything here is built by one compiler, so the note is noise.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(arm|aarch64)")
  add_compile_options(-Wno-psabi)
endif()
# Unity builds (CMAKE_UNITY_BUILD, as CI and the cross presets build): GCC takes the included
# source files for headers and warns of every coroutine frame or class member whose type is in
# that file's anonymous namespace, which is where such types belong in a source file.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(hallq_warnings INTERFACE -Wno-subobject-linkage)
endif()
if(HALLQ_WARNINGS_AS_ERRORS)
  target_compile_options(hallq_warnings INTERFACE -Werror)
endif()

if(HALLQ_ASAN)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  # Clang 14's function sanitizer (part of "undefined") cannot lay out its prologue data for the
  # split parts of a coroutine ("Cannot represent a difference across sections" when assembling
  # any file with an Asio awaitable); the fuzz preset builds the controller with clang.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_compile_options(-fno-sanitize=function)
  endif()
endif()

# Optimised builds drop code and data no program uses (each function and object in its own
# section, unreferenced sections discarded at link): about 260 KB (9%) of the arm64 controller,
# whose stripped binary must stay within a board node's 3 MB budget (tests/CMakeLists.txt).
add_compile_options($<$<CONFIG:Release,MinSizeRel>:-ffunction-sections> $<$<CONFIG:Release,MinSizeRel>:-fdata-sections>)
add_link_options($<$<CONFIG:Release,MinSizeRel>:LINKER:--gc-sections>)
