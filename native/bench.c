/*
 * The C library's malloc on hakmem's bench workloads, the same algorithms as the TypeScript ones in
 * bench/workloads with the same random sequences (splitmix32; random-mixed and mid print the checksum of their
 * tables so the bench can prove they equal the JS ones). Threads are pthreads; larson's
 * successors are new threads, as in mimalloc-bench. Compiled by the bench with the system cc.
 *
 *   bench WORKLOAD WORKERS CYCLES SECONDS WS SEED REPEAT CLOCK   (prints one JSON line)
 *
 * REPEAT: timed random-mixed repetitions in this process, the fastest counted; CLOCK: wall or cpu
 * (random-mixed timed by the process's CPU time).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define TABLE_LENGTH (1u << 20)
#define GOLDEN 0x9e3779b9u

static uint32_t mix(uint32_t z) {
  z = (z ^ (z >> 16)) * 0x85ebca6bu;
  z = (z ^ (z >> 13)) * 0xc2b2ae35u;
  return z ^ (z >> 16);
}
static uint32_t next(uint32_t *s) { return mix(*s += GOLDEN); }
static uint32_t below(uint32_t r, uint32_t n) { return (uint32_t)(((uint64_t)r * n) >> 32); }

static double seconds_on(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
static double now_s(void) { return seconds_on(CLOCK_MONOTONIC); }

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (p == NULL) {
    fprintf(stderr, "malloc(%zu) returned NULL\n", n);
    exit(1);
  }
  return p;
}

/* ---- tables and the random-mixed loop (random-mixed, and mid per thread) ---- */

typedef struct {
  int32_t *slot, *size;
} tables_t;

static tables_t make_tables(uint32_t ws, uint32_t seed, uint32_t min, uint32_t max) {
  tables_t t = {xmalloc(TABLE_LENGTH * 4), xmalloc(TABLE_LENGTH * 4)};
  uint32_t s = seed;
  for (uint32_t i = 0; i < TABLE_LENGTH; i++) {
    t.slot[i] = (int32_t)below(next(&s), ws);
    t.size[i] = (int32_t)(min + below(next(&s), max - min + 1));
  }
  return t;
}

static uint32_t checksum(tables_t t) {
  uint32_t h = 0;
  for (uint32_t i = 0; i < TABLE_LENGTH; i++) {
    h = h * 31u + (uint32_t)t.slot[i];
    h = h * 31u + (uint32_t)t.size[i];
  }
  return h;
}

static void mixed_loop(tables_t t, char **slots, long cycles) {
  for (long i = 0; i < cycles; i++) {
    uint32_t j = (uint32_t)i & (TABLE_LENGTH - 1);
    int32_t s = t.slot[j];
    if (slots[s] != NULL) {
      free(slots[s]);
      slots[s] = NULL;
    } else {
      char *q = xmalloc((size_t)t.size[j]);
      *(volatile char *)q = (char)(s & 255);
      slots[s] = q;
    }
  }
}

static void free_all(char **slots, long n) {
  for (long i = 0; i < n; i++) {
    free(slots[i]);
    slots[i] = NULL;
  }
}

/* ---- a team of threads started together ---- */

static atomic_int go, stop;

static void wait_go(void) {
  while (!atomic_load(&go)) sched_yield();
}

/* ---- larson ---- */

#define L_MIN 8
#define L_RANGE (1000 - 8)
#define L_CHUNKS 5000
#define L_ROUNDS 100

typedef struct {
  char **slots; /* this thread's CHUNKS slots */
  uint32_t rng;
  long ops;
  long successors;
  _Atomic(pthread_t) thread; /* the current thread of this area (successors replace it) */
} larson_area_t;

static char *larson_alloc(uint32_t *s) {
  char *p = xmalloc(L_MIN + below(next(s), L_RANGE));
  ((volatile char *)p)[0] = 'a';
  ((volatile char *)p)[1] = 'b';
  return p;
}

static void *larson_thread(void *arg) {
  larson_area_t *a = arg;
  wait_go();
  long i = 0;
  for (; i < (long)L_ROUNDS * L_CHUNKS && !atomic_load_explicit(&stop, memory_order_relaxed); i++) {
    uint32_t v = below(next(&a->rng), L_CHUNKS);
    free(a->slots[v]);
    a->slots[v] = larson_alloc(&a->rng);
  }
  a->ops += i;
  if (!atomic_load(&stop)) {
    /* This thread exits; a successor takes over its slots. */
    pthread_t t;
    a->successors++;
    if (pthread_create(&t, NULL, larson_thread, a) != 0) exit(1);
    atomic_store(&a->thread, t);
  }
  return NULL;
}

static void larson(unsigned workers, double seconds, uint32_t seed, long *ops, double *secs, long *successors) {
  long n = (long)workers * L_CHUNKS;
  char **slots = xmalloc((size_t)n * sizeof(char *));
  uint32_t s = seed;
  for (long i = 0; i < n; i++) slots[i] = larson_alloc(&s);
  for (long i = 0; i < n; i++) {
    uint32_t v = below(next(&s), (uint32_t)n);
    char *t = slots[i];
    slots[i] = slots[v];
    slots[v] = t;
  }
  for (long i = 4 * n; i > 0; i--) {
    uint32_t v = below(next(&s), (uint32_t)n);
    free(slots[v]);
    slots[v] = larson_alloc(&s);
  }
  larson_area_t *areas = calloc(workers, sizeof *areas);
  for (unsigned w = 0; w < workers; w++) {
    pthread_t t;
    areas[w].slots = slots + (long)w * L_CHUNKS;
    areas[w].rng = seed + 1 + (uint32_t)w;
    if (pthread_create(&t, NULL, larson_thread, &areas[w]) != 0) exit(1);
    atomic_store(&areas[w].thread, t);
  }
  double start = now_s();
  atomic_store(&go, 1);
  struct timespec nap = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&nap, NULL);
  double end = now_s();
  atomic_store(&stop, 1);
  *ops = 0;
  *successors = 0;
  for (unsigned w = 0; w < workers; w++) {
    pthread_t t;
    do {
      t = atomic_load(&areas[w].thread);
      pthread_join(t, NULL);
    } while (!pthread_equal(t, atomic_load(&areas[w].thread)));
    *ops += areas[w].ops;
    *successors += areas[w].successors;
  }
  *secs = end - start;
  free_all(slots, n);
  free(slots);
  free(areas);
}

/* ---- mid ---- */

typedef struct {
  tables_t t;
  long cycles, ws;
  double end;
} mid_area_t;

static void *mid_thread(void *arg) {
  mid_area_t *a = arg;
  char **slots = calloc((size_t)a->ws, sizeof(char *));
  wait_go();
  mixed_loop(a->t, slots, a->cycles);
  a->end = now_s();
  free_all(slots, a->ws);
  free(slots);
  return NULL;
}

/* ---- xmalloc ---- */

#define X_SIZE 64
#define X_BATCH 4096
#define X_RING 4

typedef struct {
  atomic_int done;
  atomic_int state[X_RING];
  char *ptrs[X_RING][X_BATCH];
} ring_t;

typedef struct {
  ring_t *rings;
  int nrings, first, step; /* a consumer serves rings first, first + step, ... */
  int producer;
  long ops;
  double end;
} x_area_t;

static void *x_thread(void *arg) {
  x_area_t *a = arg;
  wait_go();
  if (a->producer) {
    ring_t *q = &a->rings[a->first];
    int head = 0;
    while (!atomic_load(&stop)) {
      while (atomic_load(&q->state[head]) != 0 && !atomic_load(&stop)) sched_yield();
      if (atomic_load(&stop)) break;
      for (int i = 0; i < X_BATCH; i++) {
        char *p = xmalloc(X_SIZE);
        *(volatile char *)p = (char)(i & 255);
        q->ptrs[head][i] = p;
      }
      atomic_store(&q->state[head], 1);
      head = (head + 1) % X_RING;
      a->ops += X_BATCH;
    }
    atomic_store(&q->done, 1);
  } else {
    int tail[64] = {0}, finished[64] = {0}, open = 0;
    for (int r = a->first; r < a->nrings; r += a->step) open++;
    while (open > 0) {
      int progressed = 0;
      for (int r = a->first; r < a->nrings; r += a->step) {
        ring_t *q = &a->rings[r];
        if (finished[r]) continue;
        if (atomic_load(&q->state[tail[r]]) == 1) {
          for (int i = 0; i < X_BATCH; i++) free(q->ptrs[tail[r]][i]);
          atomic_store(&q->state[tail[r]], 0);
          tail[r] = (tail[r] + 1) % X_RING;
          a->ops += X_BATCH;
          progressed = 1;
        } else if (atomic_load(&q->done) && atomic_load(&q->state[tail[r]]) == 0) {
          finished[r] = 1;
          open--;
        }
      }
      if (!progressed) sched_yield();
    }
  }
  a->end = now_s();
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 9) {
    fprintf(stderr, "usage: %s random-mixed|larson|mid|xmalloc WORKERS CYCLES SECONDS WS SEED REPEAT wall|cpu\n", argv[0]);
    return 2;
  }
  const char *workload = argv[1];
  int workers = atoi(argv[2]);
  long cycles = atol(argv[3]);
  double seconds = atof(argv[4]);
  long ws = atol(argv[5]);
  uint32_t seed = (uint32_t)strtoul(argv[6], NULL, 10);
  int repeat = atoi(argv[7]);
  clockid_t rm_clock = strcmp(argv[8], "cpu") == 0 ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC;
  if (workers < 1 || workers > 1024 || ws < 1 || repeat < 1) {
    fprintf(stderr, "WORKERS must be 1..1024, WS and REPEAT at least 1\n");
    return 2;
  }
  long ops = 0;
  double secs = 0;
  char extra[256] = "";

  if (strcmp(workload, "random-mixed") == 0) {
    tables_t t = make_tables((uint32_t)ws, seed, 16, 1024);
    char **slots = calloc((size_t)ws, sizeof(char *));
    for (int r = 0; r < repeat; r++) {
      double t0 = seconds_on(rm_clock);
      mixed_loop(t, slots, cycles);
      double dt = seconds_on(rm_clock) - t0;
      if (r == 0 || dt < secs) secs = dt;
      free_all(slots, ws);
    }
    ops = cycles;
    snprintf(extra, sizeof extra, "\"tableChecksum\":%u", checksum(t));
  } else if (strcmp(workload, "larson") == 0) {
    long successors;
    larson((unsigned)workers, seconds, seed, &ops, &secs, &successors);
    snprintf(extra, sizeof extra, "\"successors\":%ld", successors);
  } else if (strcmp(workload, "mid") == 0) {
    mid_area_t *areas = calloc((size_t)workers, sizeof *areas);
    pthread_t *th = calloc((size_t)workers, sizeof *th);
    for (int w = 0; w < workers; w++) {
      areas[w] = (mid_area_t){make_tables((uint32_t)ws, seed + (uint32_t)w, 8 << 10, 32 << 10), cycles, ws, 0};
      pthread_create(&th[w], NULL, mid_thread, &areas[w]);
    }
    double start = now_s(), end = start;
    atomic_store(&go, 1);
    for (int w = 0; w < workers; w++) {
      pthread_join(th[w], NULL);
      if (areas[w].end > end) end = areas[w].end;
    }
    secs = end - start;
    ops = cycles * workers;
    snprintf(extra, sizeof extra, "\"tableChecksum\":%u", checksum(areas[0].t));
  } else if (strcmp(workload, "xmalloc") == 0) {
    int producers = workers / 2 > 0 ? workers / 2 : 1, consumers = workers - producers;
    if (consumers < 1 || producers > 64) {
      fprintf(stderr, "xmalloc needs 2 to 128 workers\n");
      return 2;
    }
    ring_t *rings = calloc((size_t)producers, sizeof *rings);
    x_area_t *areas = calloc((size_t)workers, sizeof *areas);
    pthread_t *th = calloc((size_t)workers, sizeof *th);
    for (int w = 0; w < workers; w++) {
      int p = w < producers;
      areas[w] = (x_area_t){rings, producers, p ? w : w - producers, p ? 1 : consumers, p, 0, 0};
      pthread_create(&th[w], NULL, x_thread, &areas[w]);
    }
    double start = now_s(), end = start;
    atomic_store(&go, 1);
    struct timespec nap = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&nap, NULL);
    atomic_store(&stop, 1);
    long made = 0;
    for (int w = 0; w < workers; w++) {
      pthread_join(th[w], NULL);
      if (areas[w].end > end) end = areas[w].end;
      if (w < producers) made += areas[w].ops;
      else ops += areas[w].ops;
    }
    secs = end - start;
    if (made != ops) {
      fprintf(stderr, "xmalloc: %ld blocks produced but %ld freed\n", made, ops);
      return 1;
    }
    snprintf(extra, sizeof extra, "\"producers\":%d,\"consumers\":%d", producers, consumers);
  } else {
    fprintf(stderr, "unknown workload %s\n", workload);
    return 2;
  }

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"ops\":%ld,\"seconds\":%.9f,\"opsPerSec\":%.3f,\"peakFootprintBytes\":null,\"rssBytes\":%ld,\"problems\":[],\"extra\":{%s}}\n",
         ops, secs, (double)ops / secs, (long)ru.ru_maxrss * 1024, extra);
  return 0;
}
