/*
 * The SQLite client of `hakmem bench sqlite-wasm`: one in-memory SQL workload, the same C built
 * three ways (wasm32-wasi with wasi-libc's dlmalloc, wasm32-wasi with hakmem's wasm/malloc.c,
 * and natively with glibc). It links with the SQLite amalgamation (fetched at bench time, never
 * committed), compiled with -DSQLITE_OS_OTHER=1: the VFS below is the whole operating-system
 * layer. Every database is in memory (SQLITE_TEMP_STORE=3), so its xOpen only ever fails.
 *
 * Output: one JSON line on stdout, with a digest (FNV-1a, 64 bits) of every result row the
 * workload reads, which must be the same for the three builds, and the workload's time: wall
 * clock ("seconds") and this thread's CPU time ("cpuSeconds": in wasm, the thread that also
 * runs hakmem's JavaScript, but not the engine's background compilers).
 *
 * Usage: sqlite-bench [--rows N] [--seed N]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include "sqlite3.h"
#ifndef __wasi__
#include <sys/resource.h>
#endif

/* ---- The VFS: no files; randomness and time from the C library. ---- */

static int vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
  (void)vfs, (void)name, (void)flags, (void)out_flags;
  file->pMethods = NULL; /* SQLite then does not call xClose on it */
  return SQLITE_CANTOPEN;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
  (void)vfs, (void)name, (void)sync_dir;
  return SQLITE_IOERR_DELETE_NOENT;
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
  (void)vfs, (void)name, (void)flags;
  *result = 0;
  return SQLITE_OK;
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out) {
  (void)vfs;
  if ((int)strlen(name) >= n) return SQLITE_CANTOPEN;
  strcpy(out, name);
  return SQLITE_OK;
}

static int vfs_randomness(sqlite3_vfs *vfs, int n, char *out) {
  (void)vfs;
  for (int done = 0; done < n; done += 256) {
    int chunk = n - done < 256 ? n - done : 256; /* getentropy's limit */
    if (getentropy(out + done, (size_t)chunk) != 0) memset(out + done, 0, (size_t)chunk);
  }
  return n;
}

static int vfs_sleep(sqlite3_vfs *vfs, int microseconds) {
  (void)vfs;
  return microseconds;
}

/* Milliseconds since the Julian epoch, as SQLite wants them. */
static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
  (void)vfs;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  *out = (sqlite3_int64)210866760000000LL + (sqlite3_int64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  return SQLITE_OK;
}

static int vfs_current_time(sqlite3_vfs *vfs, double *out) {
  sqlite3_int64 ms;
  vfs_current_time_int64(vfs, &ms);
  *out = ms / 86400000.0;
  return SQLITE_OK;
}

static int vfs_get_last_error(sqlite3_vfs *vfs, int n, char *out) {
  (void)vfs, (void)n, (void)out;
  return 0;
}

static sqlite3_vfs memory_only_vfs = {
  .iVersion = 2,
  .szOsFile = sizeof(sqlite3_file),
  .mxPathname = 512,
  .zName = "memory-only",
  .xOpen = vfs_open,
  .xDelete = vfs_delete,
  .xAccess = vfs_access,
  .xFullPathname = vfs_full_pathname,
  .xRandomness = vfs_randomness,
  .xSleep = vfs_sleep,
  .xCurrentTime = vfs_current_time,
  .xGetLastError = vfs_get_last_error,
  .xCurrentTimeInt64 = vfs_current_time_int64,
};

int sqlite3_os_init(void) { return sqlite3_vfs_register(&memory_only_vfs, 1); }
int sqlite3_os_end(void) { return SQLITE_OK; }

/* ---- The workload. ---- */

static sqlite3 *db;
static uint64_t digest = 0xcbf29ce484222325ULL; /* FNV-1a offset basis */
static uint64_t result_rows;
static uint32_t rng;

static void die(const char *what) {
  fprintf(stderr, "sqlite-bench: %s: %s\n", what, db ? sqlite3_errmsg(db) : "no database");
  exit(1);
}

static void hash(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) digest = (digest ^ b[i]) * 0x100000001b3ULL;
}

static uint32_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

/* Runs every statement of `sql` and folds every row it returns into the digest, as text. */
static void query(const char *sql) {
  while (*sql) {
    sqlite3_stmt *st;
    const char *rest;
    if (sqlite3_prepare_v2(db, sql, -1, &st, &rest) != SQLITE_OK) die(sql);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      int n = sqlite3_column_count(st);
      for (int c = 0; c < n; c++) {
        const unsigned char *text = sqlite3_column_text(st, c);
        if (text) hash(text, (size_t)sqlite3_column_bytes(st, c));
        hash(c + 1 < n ? "|" : "\n", 1);
      }
      result_rows++;
    }
    if (rc != SQLITE_DONE) die(sql);
    sqlite3_finalize(st);
    sql = rest;
  }
}

/* A word of 3–24 letters from a small alphabet, so names repeat and sort in long runs. */
static int word(char *out) {
  int n = 3 + (int)(next_random() % 22);
  for (int i = 0; i < n; i++) out[i] = "etaoinshrdlucmfw"[next_random() % 16];
  return n;
}

static void insert_rows(int rows) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "INSERT INTO items(cat, name, price, tags, data) VALUES (?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK) die("prepare insert");
  char name[32], tags[128];
  uint8_t data[600];
  query("BEGIN");
  for (int i = 0; i < rows; i++) {
    int nn = word(name), nt = 0, words = 1 + (int)(next_random() % 4);
    for (int w = 0; w < words; w++) {
      nt += word(tags + nt);
      tags[nt++] = ' ';
    }
    /* Mostly small blobs, some large ones: SQLite's records then span many malloc sizes. */
    int nd = next_random() % 8 == 0 ? 200 + (int)(next_random() % 400) : (int)(next_random() % 40);
    for (int k = 0; k < nd; k++) data[k] = (uint8_t)next_random();
    sqlite3_bind_int(st, 1, (int)(next_random() % 97));
    sqlite3_bind_text(st, 2, name, nn, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 3, (next_random() % 1000000) / 100.0);
    sqlite3_bind_text(st, 4, tags, nt - 1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 5, data, nd, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) die("insert");
    sqlite3_reset(st);
  }
  query("COMMIT");
  sqlite3_finalize(st);
}

static void workload(int rows) {
  query("CREATE TABLE items(id INTEGER PRIMARY KEY, cat INTEGER, name TEXT, price REAL, tags TEXT, data BLOB)");
  insert_rows(rows);
  query("CREATE INDEX items_cat ON items(cat, price); CREATE INDEX items_name ON items(name)");
  query("SELECT cat, count(*), sum(price), min(name), max(name), max(length(data)) FROM items GROUP BY cat ORDER BY cat");
  query("SELECT name, count(*), group_concat(id) FROM items WHERE name < 'ee' GROUP BY name ORDER BY name");
  query("SELECT id, name, price FROM items ORDER BY price DESC, id LIMIT 2000");
  query("SELECT substr(tags, 1, 3) AS p, count(*), avg(price), total(length(tags)) FROM items GROUP BY p ORDER BY p");
  query("CREATE TABLE cats AS SELECT cat, avg(price) AS mean FROM items GROUP BY cat");
  query("SELECT count(*), sum(items.price - cats.mean > 0) FROM items JOIN cats USING (cat) WHERE items.price > cats.mean");
  query("UPDATE items SET name = name || '-' || cat, tags = upper(tags) || ' ' || hex(substr(data, 1, 8)) WHERE id % 5 = 0");
  query("DELETE FROM items WHERE cat % 3 = 0 OR price < 500");
  query("SELECT id, tags FROM items ORDER BY tags, id"); /* a sort of the whole table, no index */
  query("SELECT count(*), sum(price), total(length(name)), total(length(data)) FROM items");
  query("DROP INDEX items_name; DELETE FROM items WHERE id % 2 = 0; VACUUM");
  query("SELECT cat, count(*), sum(price) FROM items GROUP BY cat HAVING count(*) > 10 ORDER BY 3 DESC, cat");
}

/* PRAGMA integrity_check must say "ok" (and goes into the digest like every other result). */
static void integrity_check(void) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) die("integrity_check");
  if (sqlite3_step(st) != SQLITE_ROW) die("integrity_check");
  const char *text = (const char *)sqlite3_column_text(st, 0);
  if (!text || strcmp(text, "ok") != 0) {
    fprintf(stderr, "sqlite-bench: integrity_check: %s\n", text ? text : "(null)");
    exit(1);
  }
  hash(text, strlen(text));
  result_rows++;
  sqlite3_finalize(st);
}

static double now(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  int rows = 100000;
  unsigned seed = 1;
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--rows") == 0 && a + 1 < argc) rows = atoi(argv[++a]);
    else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc) seed = (unsigned)strtoul(argv[++a], NULL, 10);
    else {
      fprintf(stderr, "usage: sqlite-bench [--rows N] [--seed N]\n");
      return 2;
    }
  }
  if (rows < 1 || rows > 10000000) {
    fprintf(stderr, "sqlite-bench: --rows must be 1..10000000\n");
    return 2;
  }
  rng = seed * 2654435761u + 1;
  double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) die("open");
  workload(rows);
  integrity_check();
  sqlite3_int64 highwater = sqlite3_memory_highwater(0);
  if (sqlite3_close(db) != SQLITE_OK) die("close");
  db = NULL;
  double seconds = now(CLOCK_MONOTONIC) - t0, cpu_seconds = now(CLOCK_THREAD_CPUTIME_ID) - c0;
  long max_rss = 0;
#ifndef __wasi__
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  max_rss = ru.ru_maxrss * 1024L;
#endif
  printf("{\"sqlite\":\"%s\",\"rows\":%d,\"seed\":%u,\"resultRows\":%llu,\"digest\":\"%016llx\",\"seconds\":%.9f,\"cpuSeconds\":%.9f,"
         "\"integrity\":\"ok\",\"sqliteHighwaterBytes\":%lld,\"sqliteUsedAtEndBytes\":%lld,\"maxRssBytes\":%ld}\n",
         sqlite3_libversion(), rows, seed, (unsigned long long)result_rows, (unsigned long long)digest, seconds, cpu_seconds,
         (long long)highwater, (long long)sqlite3_memory_used(), max_rss);
  return 0;
}
