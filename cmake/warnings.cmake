# The warnings every earshot target builds with; EARSHOT_WERROR (on in CI) makes them errors.
# Also included by the probe of tests/thread_safety, which shows that a lock the annotations
# require and the code does not take still fails a clang build.

add_compile_options(-Wall -Wextra)
# Clang checks the locking the annotations state (daemon/base/thread_annotations.h): data
# GUARDED_BY a Mutex touched without it, or a REQUIRES function called without it. GCC has no
# such analysis; CI compiles the whole daemon with clang as well (scripts/fuzz.sh).
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  add_compile_options(-Wthread-safety)
endif()
if(EARSHOT_WERROR)
  add_compile_options(-Werror)
endif()
