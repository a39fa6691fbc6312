// Allocation recorder (LD_PRELOAD): logs every malloc-family call of a real program, in call
// order, for bench/trace/record/compact.ts to turn into an HKT1 trace (see the traces' README).
//
//   cc -O2 -shared -fPIC -o hkrec.so hkrec.c -ldl -lpthread
//   HKREC_OUT=/tmp/run LD_PRELOAD=./hkrec.so some-program args   # /tmp/run.<program>.<pid>
//
// Each process the program starts (a compiler driver's cc1, a shell's commands) writes its own
// file, named after its executable.
//
// Raw record, 32 bytes: u8 op (1 malloc, 2 free, 3 realloc, 4 calloc, 5 aligned), u8 thread,
// u8 align_log2, u8 0, u32 0, u64 result pointer (free: the pointer freed), u64 size,
// u64 old pointer (realloc). One lock is held around each call and its record, so that the
// order in the file is an order the calls could have happened in (a freed address reused by
// another thread is logged after its free).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

struct rec {
  uint8_t op, thread, align_log2, pad;
  uint32_t pad2;
  uint64_t ptr, size, old;
};

#define BUF_RECS 32768
static struct rec buf[BUF_RECS];
static int nbuf;
static int fd = -1;
static pid_t owner; // the process the buffer and file belong to (a forked child starts afresh)
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int threads;
static __thread int thread_index = -1;

static void flush_buf(void) {
  size_t left = (size_t)nbuf * sizeof(struct rec);
  const char *p = (const char *)buf;
  while (left > 0 && fd >= 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    left -= (size_t)n;
  }
  nbuf = 0;
}

static void open_out(void) {
  const char *base = getenv("HKREC_OUT");
  owner = getpid();
  nbuf = 0;
  if (fd >= 0) close(fd);
  fd = -1;
  if (base == NULL) return;
  char comm[64] = "unknown";
  int cf = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
  if (cf >= 0) {
    ssize_t n = read(cf, comm, sizeof comm - 1);
    comm[n > 0 ? n : 0] = 0;
    if (n > 0 && comm[n - 1] == '\n') comm[n - 1] = 0;
    close(cf);
  }
  char path[4096];
  snprintf(path, sizeof path, "%s.%s.%d", base, comm, (int)owner);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

static void record(uint8_t op, void *ptr, size_t size, void *old, unsigned align) {
  if (owner != getpid()) open_out();
  if (thread_index < 0) thread_index = threads++;
  uint8_t log2 = 0;
  while (align > 1u << log2) log2++;
  buf[nbuf++] = (struct rec){op, (uint8_t)thread_index, log2, 0, 0, (uintptr_t)ptr, size, (uintptr_t)old};
  if (nbuf == BUF_RECS) flush_buf();
}

__attribute__((destructor)) static void at_exit(void) {
  pthread_mutex_lock(&mu);
  if (owner == getpid()) flush_buf();
  pthread_mutex_unlock(&mu);
}

void *malloc(size_t n) {
  pthread_mutex_lock(&mu);
  void *p = __libc_malloc(n);
  if (p != NULL) record(1, p, n, NULL, 0);
  pthread_mutex_unlock(&mu);
  return p;
}

void free(void *p) {
  if (p == NULL) return;
  pthread_mutex_lock(&mu);
  __libc_free(p);
  record(2, p, 0, NULL, 0);
  pthread_mutex_unlock(&mu);
}

void *calloc(size_t count, size_t size) {
  pthread_mutex_lock(&mu);
  void *p = __libc_calloc(count, size);
  if (p != NULL) record(4, p, count * size, NULL, 0);
  pthread_mutex_unlock(&mu);
  return p;
}

void *realloc(void *old, size_t n) {
  if (old == NULL) return malloc(n);
  pthread_mutex_lock(&mu);
  void *p = __libc_realloc(old, n);
  if (n == 0) record(2, old, 0, NULL, 0); // glibc: frees old, returns NULL
  else if (p != NULL) record(3, p, n, old, 0);
  pthread_mutex_unlock(&mu);
  return p;
}

static void *aligned(size_t align, size_t n) {
  pthread_mutex_lock(&mu);
  void *p = __libc_memalign(align, n);
  if (p != NULL) record(5, p, n, NULL, (unsigned)align);
  pthread_mutex_unlock(&mu);
  return p;
}

int posix_memalign(void **out, size_t align, size_t n) {
  if (align < sizeof(void *) || (align & (align - 1)) != 0) return EINVAL;
  void *p = aligned(align, n);
  if (p == NULL) return ENOMEM;
  *out = p;
  return 0;
}

void *aligned_alloc(size_t align, size_t n) { return aligned(align, n); }
void *memalign(size_t align, size_t n) { return aligned(align, n); }
void *valloc(size_t n) { return aligned((size_t)sysconf(_SC_PAGESIZE), n); }
void *pvalloc(size_t n) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  return aligned(page, (n + page - 1) & ~(page - 1));
}
