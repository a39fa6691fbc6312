/*
 * Native reference for `hakmem replay`: replays an HKT1 trace (format:
 * ../shared/traces/README.md) through the C library's malloc, single-threaded, threads
 * interleaved as recorded. Per record it does what the JavaScript replay does: the call
 * (malloc / free / realloc / calloc / posix_memalign) and one byte written into each new block.
 *
 * Input: the uncompressed trace on stdin (the Node side gunzips it), or a file named as the
 * only argument. Output: one JSON line on stdout. The trace is read and checked completely
 * before the clock starts, so a bad trace is reported with its record number and can never
 * make the replay touch a pointer it does not own.
 *
 * Usage: replay [--runs N] [--min-records M] [trace.hkt]. With --runs N the trace is replayed N
 * times in this process, and with --min-records M more times if needed, until at least M
 * records have been replayed (at most 1000 runs; the JavaScript replay counts its runs the same
 * way); "seconds" lists each run's wall-clock time, "cpuSeconds" its thread's CPU time (which
 * other programs' load on a shared machine inflates less).
 *
 * Built by bench/trace/native.ts with the system cc: cc -O2 -o replay replay.c; and by
 * bench/wasm/ for wasm32-wasi, where there is no getrusage: maxRssBytes is then 0 and the
 * runner reports its process's.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef __wasi__
#include <sys/resource.h>
#endif

enum { OP_MALLOC = 1, OP_FREE = 2, OP_REALLOC = 3, OP_CALLOC = 4, OP_ALIGNED = 5 };

typedef struct {
  uint8_t op, thread, align_log2, pad;
  uint32_t id, size, old_id;
} record;

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "replay: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads the whole stream into memory. */
static uint8_t *slurp(FILE *f, size_t *len) {
  size_t cap = 1 << 20, n = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) die("out of memory reading the trace");
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      if (!buf) die("out of memory reading the trace (%lu bytes so far)", (unsigned long)n);
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    if (got == 0) break;
    n += got;
  }
  if (ferror(f)) die("read error after %lu bytes", (unsigned long)n);
  *len = n;
  return buf;
}

static double now(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One pass over the records. ptr maps block id to pointer and starts all NULL. */
static void replay(const record *rec, uint32_t nrec, void **ptr) {
  for (uint32_t i = 0; i < nrec; i++) {
    const record *x = &rec[i];
    void *p;
    switch (x->op) {
      case OP_FREE:
        free(ptr[x->id]);
        ptr[x->id] = NULL;
        continue;
      case OP_MALLOC:
        p = malloc(x->size);
        break;
      case OP_CALLOC:
        p = calloc(1, x->size);
        break;
      case OP_REALLOC:
        p = realloc(ptr[x->old_id], x->size);
        if (!p && x->size) die("record %u: realloc of %u bytes failed", i, x->size);
        ptr[x->old_id] = NULL;
        break;
      default: {
        size_t align = (size_t)1 << x->align_log2;
        if (align < sizeof(void *)) align = sizeof(void *);
        if (posix_memalign(&p, align, x->size) != 0) p = NULL;
      }
    }
    if (x->size) {
      if (!p) die("record %u: allocation of %u bytes failed", i, x->size);
      *(volatile uint8_t *)p = (uint8_t)x->id; /* volatile: the store must not be optimised away */
    }
    ptr[x->id] = p;
  }
}

int main(int argc, char **argv) {
  FILE *in = stdin;
  int runs = 1;
  long min_records = 0;
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--runs") == 0 && a + 1 < argc) {
      runs = atoi(argv[++a]);
      if (runs < 1 || runs > 1000) die("--runs must be 1..1000");
    } else if (strcmp(argv[a], "--min-records") == 0 && a + 1 < argc) {
      min_records = atol(argv[++a]);
      if (min_records < 0) die("--min-records must be 0 or more");
    } else if (in == stdin && argv[a][0] != '-') {
      in = fopen(argv[a], "rb");
      if (!in) die("cannot open %s", argv[a]);
    } else {
      die("usage: replay [--runs N] [--min-records M] [trace.hkt] (uncompressed; stdin when no file)");
    }
  }
  size_t len;
  uint8_t *data = slurp(in, &len);
  if (len < 16) die("truncated: %lu bytes, shorter than the 16-byte header", (unsigned long)len);
  if (memcmp(data, "HKT1", 4) != 0) die("bad magic: expected \"HKT1\"");
  uint32_t nrec = le32(data + 4), nblocks = le32(data + 12);
  if (len != 16 + (size_t)nrec * 16) die("length mismatch: header says %lu records, the data has %lu bytes", (unsigned long)nrec, (unsigned long)len);

  /* Decode and check the rules the replay relies on: new ids in order, frees and reallocs of
   * live ids only. */
  record *rec = malloc((size_t)nrec * sizeof(record));
  void **ptr = calloc((size_t)nblocks + 1, sizeof(void *));
  uint8_t *live = calloc((size_t)nblocks + 1, 1);
  if (!rec || !ptr || !live) die("out of memory for %lu records", (unsigned long)nrec);
  uint32_t next = 1;
  for (uint32_t i = 0; i < nrec; i++) {
    const uint8_t *r = data + 16 + (size_t)i * 16;
    record x = {r[0], r[1], r[2], 0, le32(r + 4), le32(r + 8), le32(r + 12)};
    if (x.op < OP_MALLOC || x.op > OP_ALIGNED) die("record %u: unknown op %u", i, x.op);
    if (x.op == OP_FREE) {
      if (x.id < 1 || x.id > nblocks || !live[x.id]) die("record %u: free of block %u, which is not live", i, x.id);
      live[x.id] = 0;
    } else {
      if (x.id != next || x.id > nblocks) die("record %u: new block id %u out of order", i, x.id);
      next++;
      if (x.op == OP_REALLOC) {
        if (x.old_id < 1 || x.old_id > nblocks || !live[x.old_id]) die("record %u: realloc of block %u, which is not live", i, x.old_id);
        live[x.old_id] = 0;
      }
      if (x.op == OP_ALIGNED && x.align_log2 > 30) die("record %u: align_log2 %u out of range", i, x.align_log2);
      live[x.id] = 1;
    }
    rec[i] = x;
  }
  free(data);
  free(live);

  if (nrec > 0 && min_records > (long)runs * nrec) {
    long need = (min_records + nrec - 1) / nrec;
    runs = need > 1000 ? 1000 : (int)need;
  }

  /* Like the JavaScript replay, runs after the first reuse the warm heap: everything still
   * live is freed between runs, outside the clock. */
  double *cpu = malloc((size_t)runs * sizeof(double));
  if (!cpu) die("out of memory");
  printf("{\"records\":%u,\"seconds\":[", nrec);
  size_t live_blocks = 0;
  for (int run = 0; run < runs; run++) {
    double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
    replay(rec, nrec, ptr);
    cpu[run] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
    printf("%s%.9f", run ? "," : "", now(CLOCK_MONOTONIC) - t0);
    live_blocks = 0;
    for (uint32_t b = 1; b <= nblocks; b++) {
      if (ptr[b]) {
        live_blocks++;
        free(ptr[b]);
        ptr[b] = NULL;
      }
    }
  }
  long max_rss = 0;
#ifndef __wasi__
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  max_rss = ru.ru_maxrss * 1024L;
#endif
  printf("],\"cpuSeconds\":[");
  for (int run = 0; run < runs; run++) printf("%s%.9f", run ? "," : "", cpu[run]);
  printf("],\"liveBlocks\":%zu,\"maxRssBytes\":%ld}\n", live_blocks, max_rss);
  return 0;
}
