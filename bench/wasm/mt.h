/*
 * What the threaded C programs of the wasm bench (mt-larson.c, mt-xmalloc.c) share. They are
 * freestanding (Debian's wasi-libc has no atomics, so threaded wasm cannot link libc): built for
 * wasm32 with atomics their malloc and free are imports bound to a hakmem handle (hakmem/wasm),
 * and their threads are workers each running an instance over one shared memory; built natively
 * with `cc -pthread` they use the C library's malloc and pthreads, as the reference.
 */
#ifndef MT_H
#define MT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __wasm__
#define IMPORT(name) __attribute__((import_module("hakmem"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))
IMPORT("malloc") void *malloc(size_t n);
IMPORT("free") void free(void *p);
/* No libc to print and exit: a trap ends the call with a RuntimeError in JavaScript. */
static inline void mt_fail(const char *why) {
  (void)why;
  __builtin_trap();
}
/* Blocks up to `ns` while *addr == expected (memory.atomic.wait32: workers only). */
static inline void mt_wait(atomic_int *addr, int expected, int64_t ns) {
  __builtin_wasm_memory_atomic_wait32((int *)addr, expected, ns);
}
static inline void mt_wake(atomic_int *addr) { __builtin_wasm_memory_atomic_notify((int *)addr, 1); }
#else
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#define EXPORT(name)
static inline double mt_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
/* The process's CPU time (all threads): ops per CPU second hold up on a loaded machine. */
static inline double mt_cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}
static inline void mt_sleep(double seconds) {
  struct timespec nap = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&nap, NULL);
}
static inline void mt_fail(const char *why) {
  fprintf(stderr, "%s\n", why);
  exit(1);
}
static inline void mt_wait(atomic_int *addr, int expected, int64_t ns) {
  (void)ns;
  if (atomic_load(addr) == expected) sched_yield();
}
static inline void mt_wake(atomic_int *addr) { (void)addr; }
#endif

/* splitmix32, as bench/workloads and native/bench.c: the same random sequences everywhere. */
#define MT_GOLDEN 0x9e3779b9u
static inline uint32_t mt_mix(uint32_t z) {
  z = (z ^ (z >> 16)) * 0x85ebca6bu;
  z = (z ^ (z >> 13)) * 0xc2b2ae35u;
  return z ^ (z >> 16);
}
static inline uint32_t mt_next(uint32_t *s) { return mt_mix(*s += MT_GOLDEN); }
static inline uint32_t mt_below(uint32_t r, uint32_t n) { return (uint32_t)(((uint64_t)r * n) >> 32); }

static inline void *mt_malloc(size_t n) {
  void *p = malloc(n);
  if (p == NULL) mt_fail("malloc returned NULL");
  return p;
}

/* Set by the driver when the timed phase ends; every thread polls it. */
static atomic_int mt_stop;
EXPORT("mt_set_stop") void mt_set_stop(int v) { atomic_store(&mt_stop, v); }
static inline int mt_stopped(void) { return atomic_load_explicit(&mt_stop, memory_order_relaxed); }
EXPORT("mt_is_stopped") int mt_is_stopped(void) { return atomic_load(&mt_stop); }

#endif
