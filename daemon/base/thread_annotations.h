// Clang's thread-safety attributes (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html),
// spelled as in Abseil. With clang and -Wthread-safety (on for every clang build, and -Werror in
// CI) the compiler checks that a GUARDED_BY member is touched only with its mutex held and that a
// REQUIRES method is called only with it held. GCC has no such analysis: the macros vanish there,
// so the GCC build is unchanged and the annotations cost nothing at run time anywhere.
#pragma once

#if defined(__clang__)
#define EARSHOT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define EARSHOT_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (Mutex), and the RAII type that holds one for a scope (MutexLock).
#define CAPABILITY(x) EARSHOT_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY EARSHOT_THREAD_ANNOTATION(scoped_lockable)

// A member or global read and written only with `x` held; for a pointer, the pointee.
#define GUARDED_BY(x) EARSHOT_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) EARSHOT_THREAD_ANNOTATION(pt_guarded_by(x))

// Lock order: this mutex is taken after / before the listed ones.
#define ACQUIRED_AFTER(...) EARSHOT_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) EARSHOT_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))

// A function the caller must call with the mutexes held (exclusively / shared), or without them
// (it takes them itself; calling it with one held would deadlock).
#define REQUIRES(...) EARSHOT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) EARSHOT_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) EARSHOT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// A function that takes or gives up the mutexes (no argument: `this`, for a lock type itself).
#define ACQUIRE(...) EARSHOT_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) EARSHOT_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) EARSHOT_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) EARSHOT_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) EARSHOT_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) EARSHOT_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) \
  EARSHOT_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))

// A function that checks at run time that the mutex is held; the analysis trusts it after.
#define ASSERT_CAPABILITY(x) EARSHOT_THREAD_ANNOTATION(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) EARSHOT_THREAD_ANNOTATION(assert_shared_capability(x))

// A function that returns a reference to the given mutex (an accessor).
#define RETURN_CAPABILITY(x) EARSHOT_THREAD_ANNOTATION(lock_returned(x))

// Turns the analysis off for one function. Every use says why on the line before it.
#define NO_THREAD_SAFETY_ANALYSIS EARSHOT_THREAD_ANNOTATION(no_thread_safety_analysis)
