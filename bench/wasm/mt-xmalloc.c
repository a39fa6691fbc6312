/*
 * xmalloc (mimalloc-bench's xmalloc-test, `-w N -t 5 -s 64`) as a threaded C program, with the
 * parameters of bench/workloads/xmalloc.ts: half the threads produce, half consume. A producer
 * allocates batches of 4096 blocks of 64 B (writing the first byte of each) and posts them
 * through a ring of 4 batches; its consumer, another thread, frees them: every free is a remote
 * free. Counts blocks (one malloc in one thread + one free in another).
 *
 * wasm: the driver (bench/wasm/mt-xmalloc.ts) calls xm_setup on the main thread, xm_produce or
 * xm_consume in each worker's instance, xm_finish. Native: main() below, with pthreads.
 */
#include "mt.h"

#define X_SIZE 64
#define X_BATCH 4096
#define X_RING 4
#define X_MAX_RINGS 64
#define X_WAIT_NS 5000000 /* a waiting thread rechecks the stop flag every 5 ms */

typedef struct {
  atomic_int done;
  atomic_int state[X_RING]; /* 0 empty, 1 full */
  char *ptrs[X_RING][X_BATCH];
} ring_t;

EXPORT("xm_setup") ring_t *xm_setup(int producers) {
  if (producers < 1 || producers > X_MAX_RINGS) mt_fail("xmalloc needs 1 to 64 producers");
  ring_t *rings = mt_malloc((size_t)producers * sizeof *rings);
  for (int r = 0; r < producers; r++) {
    atomic_init(&rings[r].done, 0);
    for (int i = 0; i < X_RING; i++) atomic_init(&rings[r].state[i], 0);
  }
  return rings;
}

EXPORT("xm_ring") ring_t *xm_ring(ring_t *rings, int i) { return &rings[i]; }

/* A producer on ring q until the stop flag; returns the blocks it made. */
EXPORT("xm_produce") double xm_produce(ring_t *q) {
  int head = 0;
  double made = 0;
  while (!mt_stopped()) {
    while (atomic_load(&q->state[head]) != 0 && !mt_stopped()) mt_wait(&q->state[head], 1, X_WAIT_NS);
    if (mt_stopped()) break;
    for (int i = 0; i < X_BATCH; i++) {
      char *p = mt_malloc(X_SIZE);
      *(volatile char *)p = (char)(i & 255);
      q->ptrs[head][i] = p;
    }
    atomic_store(&q->state[head], 1);
    mt_wake(&q->state[head]);
    head = (head + 1) % X_RING;
    made += X_BATCH;
  }
  atomic_store(&q->done, 1);
  mt_wake(&q->state[head]);
  return made;
}

/* A consumer of rings first, first + step, … < nrings until their producers are done; returns the blocks it freed. */
EXPORT("xm_consume") double xm_consume(ring_t *rings, int nrings, int first, int step) {
  int tail[X_MAX_RINGS] = {0}, finished[X_MAX_RINGS] = {0}, open = 0;
  double freed = 0;
  for (int r = first; r < nrings; r += step) open++;
  while (open > 0) {
    int progressed = 0, wait_on = -1;
    for (int r = first; r < nrings; r += step) {
      ring_t *q = &rings[r];
      if (finished[r]) continue;
      if (atomic_load(&q->state[tail[r]]) == 1) {
        for (int i = 0; i < X_BATCH; i++) free(q->ptrs[tail[r]][i]);
        atomic_store(&q->state[tail[r]], 0);
        mt_wake(&q->state[tail[r]]);
        tail[r] = (tail[r] + 1) % X_RING;
        freed += X_BATCH;
        progressed = 1;
      } else if (atomic_load(&q->done) && atomic_load(&q->state[tail[r]]) == 0) {
        finished[r] = 1; /* batches are published in order before done: all are freed */
        open--;
      } else if (wait_on < 0) {
        wait_on = r;
      }
    }
    if (!progressed && wait_on >= 0) mt_wait(&rings[wait_on].state[tail[wait_on]], 0, X_WAIT_NS);
  }
  return freed;
}

EXPORT("xm_finish") void xm_finish(ring_t *rings) { free(rings); }

#ifndef __wasm__
#include <pthread.h>

typedef struct {
  ring_t *rings;
  int nrings, index, consumers;
  double ops, end;
} native_thread_t;

static atomic_int go;

static void *xm_thread(void *arg) {
  native_thread_t *t = arg;
  while (!atomic_load(&go)) sched_yield();
  if (t->index < t->nrings) t->ops = xm_produce(&t->rings[t->index]);
  else t->ops = xm_consume(t->rings, t->nrings, t->index - t->nrings, t->consumers);
  t->end = mt_now();
  return NULL;
}

/* mt-xmalloc WORKERS SECONDS: one JSON line (the bench's RunResult). */
int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s WORKERS SECONDS\n", argv[0]);
    return 2;
  }
  int workers = atoi(argv[1]);
  double seconds = atof(argv[2]);
  int producers = workers / 2 > 0 ? workers / 2 : 1, consumers = workers - producers;
  if (workers < 2 || producers > X_MAX_RINGS || !(seconds > 0)) {
    fprintf(stderr, "WORKERS must be 2..128 and SECONDS positive\n");
    return 2;
  }
  ring_t *rings = xm_setup(producers);
  native_thread_t *threads = calloc((size_t)workers, sizeof *threads);
  pthread_t *th = calloc((size_t)workers, sizeof *th);
  for (int w = 0; w < workers; w++) {
    threads[w] = (native_thread_t){rings, producers, w, consumers, 0, 0};
    if (pthread_create(&th[w], NULL, xm_thread, &threads[w]) != 0) mt_fail("pthread_create failed");
  }
  double cpu = mt_cpu_seconds(), start = mt_now(), end = start;
  atomic_store(&go, 1);
  mt_sleep(seconds);
  cpu = mt_cpu_seconds() - cpu;
  mt_set_stop(1);
  double made = 0, freed = 0;
  for (int w = 0; w < workers; w++) {
    pthread_join(th[w], NULL);
    if (threads[w].end > end) end = threads[w].end;
    if (w < producers) made += threads[w].ops;
    else freed += threads[w].ops;
  }
  xm_finish(rings);
  if (made != freed) {
    fprintf(stderr, "xmalloc: %.0f blocks produced but %.0f freed\n", made, freed);
    return 1;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"ops\":%.0f,\"seconds\":%.9f,\"opsPerSec\":%.3f,\"peakFootprintBytes\":null,\"rssBytes\":%ld,\"problems\":[],\"extra\":{\"producers\":%d,\"consumers\":%d,\"cpuSeconds\":%.6f}}\n",
         freed, end - start, freed / (end - start), (long)ru.ru_maxrss * 1024, producers, consumers, cpu);
  return 0;
}
#endif
