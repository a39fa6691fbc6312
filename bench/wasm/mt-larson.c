/*
 * larson (mimalloc-bench's `larson 5 8 1000 5000 100 4141 N`) as a threaded C program: the
 * parameters and random sequences of bench/workloads/larson.ts. The main thread allocates
 * workers × 5000 blocks of 8–999 B, shuffles them, does 4 × that many random replacements; each
 * thread owns a slice of 5000 slots and lives for 100 × 5000 replacements ("free a random slot,
 * allocate a new random size, write two bytes"), then a successor takes over its slots, until
 * the stop flag. Blocks a thread frees mostly come from another thread: remote frees.
 *
 * Before the timed phase each thread warms up (larson_warm: 200,000 replacements on blocks of its
 * own, freed again), as bench/workloads/larson.ts does, so that the time measured is not a JIT's
 * warm-up (wasm's tier-up, the JavaScript allocator's) in a 2-second run.
 *
 * wasm: the driver (bench/wasm/mt-workloads.ts) calls larson_setup on the main thread,
 * larson_warm then larson_life in each worker (a successor is a new instance of the module in the
 * same worker), larson_finish. Native: main() below, with pthreads; prints one JSON line like
 * native/bench.c.
 */
#include "mt.h"

#define L_MIN 8
#define L_RANGE (1000 - 8)
#define L_CHUNKS 5000
#define L_ROUNDS 100
#define L_WARM 200000

typedef struct {
  char **slots; /* this thread's L_CHUNKS slots */
  uint32_t rng; /* kept across successors */
} larson_area_t;

static char *larson_alloc(uint32_t *s) {
  char *p = mt_malloc(L_MIN + mt_below(mt_next(s), L_RANGE));
  ((volatile char *)p)[0] = 'a';
  ((volatile char *)p)[1] = 'b';
  return p;
}

/* The main thread's part before the threads start; returns the threads' areas. */
EXPORT("larson_setup") larson_area_t *larson_setup(int workers, uint32_t seed) {
  long n = (long)workers * L_CHUNKS;
  char **slots = mt_malloc((size_t)n * sizeof(char *));
  larson_area_t *areas = mt_malloc((size_t)workers * sizeof *areas);
  uint32_t s = seed;
  for (long i = 0; i < n; i++) slots[i] = larson_alloc(&s);
  for (long i = 0; i < n; i++) {
    uint32_t v = mt_below(mt_next(&s), (uint32_t)n);
    char *t = slots[i];
    slots[i] = slots[v];
    slots[v] = t;
  }
  for (long i = 4 * n; i > 0; i--) {
    uint32_t v = mt_below(mt_next(&s), (uint32_t)n);
    free(slots[v]);
    slots[v] = larson_alloc(&s);
  }
  for (int w = 0; w < workers; w++) areas[w] = (larson_area_t){slots + (long)w * L_CHUNKS, seed + 1 + (uint32_t)w};
  return areas;
}

EXPORT("larson_area") larson_area_t *larson_area(larson_area_t *areas, int i) { return &areas[i]; }

static int replace(larson_area_t *a, int n) {
  char **slots = a->slots;
  uint32_t s = a->rng;
  int i = 0;
  for (; i < n; i++) {
    if ((i & 63) == 0 && mt_stopped()) break;
    uint32_t v = mt_below(mt_next(&s), L_CHUNKS);
    free(slots[v]);
    slots[v] = larson_alloc(&s);
  }
  a->rng = s;
  return i;
}

/* One thread's life on area `a`: up to L_ROUNDS × L_CHUNKS replacements, fewer if stopped. */
EXPORT("larson_life") int larson_life(larson_area_t *a) { return replace(a, L_ROUNDS * L_CHUNKS); }

/* After every thread ended: frees every block and the areas. */
EXPORT("larson_finish") void larson_finish(larson_area_t *areas, int workers) {
  char **slots = areas[0].slots;
  for (long i = 0; i < (long)workers * L_CHUNKS; i++) free(slots[i]);
  free(slots);
  free(areas);
}

/* A thread's warm-up, before the timed phase: the same loop on a slice of its own, freed again. */
EXPORT("larson_warm") void larson_warm(uint32_t seed) {
  larson_area_t *w = larson_setup(1, seed);
  replace(w, L_WARM);
  larson_finish(w, 1);
}

#ifndef __wasm__
#include <pthread.h>

typedef struct {
  larson_area_t *area;
  long ops, successors;
  _Atomic(pthread_t) thread; /* the area's current thread (successors replace it) */
} native_thread_t;

static atomic_int go, ready;

static void *larson_thread(void *arg) {
  native_thread_t *t = arg;
  if (!atomic_load(&go)) {
    larson_warm(t->area->rng ^ 0x5bd1e995u);
    atomic_fetch_add(&ready, 1);
    while (!atomic_load(&go)) sched_yield();
  }
  t->ops += larson_life(t->area);
  if (!mt_stopped()) {
    /* This thread exits; a successor takes over its slots. */
    pthread_t next;
    t->successors++;
    if (pthread_create(&next, NULL, larson_thread, t) != 0) mt_fail("pthread_create failed");
    atomic_store(&t->thread, next);
  }
  return NULL;
}

/* mt-larson WORKERS SECONDS SEED: one JSON line (the bench's RunResult). */
int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s WORKERS SECONDS SEED\n", argv[0]);
    return 2;
  }
  int workers = atoi(argv[1]);
  double seconds = atof(argv[2]);
  uint32_t seed = (uint32_t)strtoul(argv[3], NULL, 10);
  if (workers < 1 || workers > 1024 || !(seconds > 0)) {
    fprintf(stderr, "WORKERS must be 1..1024 and SECONDS positive\n");
    return 2;
  }
  larson_area_t *areas = larson_setup(workers, seed);
  native_thread_t *threads = calloc((size_t)workers, sizeof *threads);
  for (int w = 0; w < workers; w++) {
    pthread_t t;
    threads[w].area = &areas[w];
    if (pthread_create(&t, NULL, larson_thread, &threads[w]) != 0) mt_fail("pthread_create failed");
    atomic_store(&threads[w].thread, t);
  }
  while (atomic_load(&ready) < workers) sched_yield();
  double cpu = mt_cpu_seconds(), start = mt_now();
  atomic_store(&go, 1);
  mt_sleep(seconds);
  double end = mt_now();
  cpu = mt_cpu_seconds() - cpu;
  mt_set_stop(1);
  long ops = 0, successors = 0;
  for (int w = 0; w < workers; w++) {
    pthread_t t;
    do {
      t = atomic_load(&threads[w].thread);
      pthread_join(t, NULL);
    } while (!pthread_equal(t, atomic_load(&threads[w].thread)));
    ops += threads[w].ops;
    successors += threads[w].successors;
  }
  larson_finish(areas, workers);
  free(threads);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"ops\":%ld,\"seconds\":%.9f,\"opsPerSec\":%.3f,\"peakFootprintBytes\":null,\"rssBytes\":%ld,\"problems\":[],\"extra\":{\"successors\":%ld,\"cpuSeconds\":%.6f}}\n",
         ops, end - start, (double)ops / (end - start), (long)ru.ru_maxrss * 1024, successors, cpu);
  return 0;
}
#endif
