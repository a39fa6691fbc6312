/*
 * hakmem as the C allocator of a WebAssembly module (wasm32-wasi).
 *
 * Compile this file into the program; every allocation of the program and of wasi-libc (whose
 * atexit, stdio and locale code call the __libc_* names) then goes to a hakmem heap in the
 * JavaScript that runs the module, and wasi-libc's dlmalloc is not linked:
 *
 *   clang --target=wasm32-wasi -O2 app.c node_modules/hakmem/wasm/malloc.c \
 *     -Wl,--import-memory,--export=__heap_base -o app.wasm
 *
 * JavaScript side: instantiate() from "hakmem/wasm" (or mallocImports(heap) as the "hakmem"
 * import module of a heap created at the module's __heap_base). See the README, "Using hakmem
 * from C / WebAssembly".
 *
 * The imports have C semantics (NULL on failure, never a trap for a size); errno and
 * posix_memalign's error codes are wasi-libc's, so they are set here. A bad free (double free,
 * interior or foreign pointer) throws a HeapError in JavaScript, which ends the call into the
 * module: do not call into that instance again.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HAKMEM_IMPORT(name) __attribute__((import_module("hakmem"), import_name(name)))

HAKMEM_IMPORT("malloc") void *__hakmem_malloc(size_t size);
HAKMEM_IMPORT("free") void __hakmem_free(void *p);
HAKMEM_IMPORT("calloc") void *__hakmem_calloc(size_t count, size_t size);
HAKMEM_IMPORT("realloc") void *__hakmem_realloc(void *p, size_t size);
HAKMEM_IMPORT("aligned_alloc") void *__hakmem_aligned_alloc(size_t align, size_t size);
HAKMEM_IMPORT("malloc_usable_size") size_t __hakmem_malloc_usable_size(void *p);

/* The largest alignment the heap serves (2^30). */
#define HAKMEM_MAX_ALIGN ((size_t)1 << 30)

static int valid_alignment(size_t align) {
  return align != 0 && (align & (align - 1)) == 0 && align <= HAKMEM_MAX_ALIGN;
}

void *malloc(size_t size) {
  void *p = __hakmem_malloc(size);
  if (p == NULL) errno = ENOMEM;
  return p;
}

void free(void *p) {
  __hakmem_free(p);
}

/* Small blocks are zeroed here: wasm's memset costs a few nanoseconds where a JavaScript
 * TypedArray fill costs tens; large ones go to the heap's calloc. */
#define HAKMEM_CALLOC_IN_C 4096

void *calloc(size_t count, size_t size) {
  size_t n;
  void *p;
  if (!__builtin_mul_overflow(count, size, &n) && n <= HAKMEM_CALLOC_IN_C) {
    p = __hakmem_malloc(n);
    if (p != NULL) return memset(p, 0, n);
  } else {
    p = __hakmem_calloc(count, size);
  }
  if (p == NULL) errno = ENOMEM;
  return p;
}

/* realloc(p, 0) frees p and returns NULL, as glibc does; a failed realloc leaves p valid. */
void *realloc(void *p, size_t size) {
  void *q = __hakmem_realloc(p, size);
  if (q == NULL && size != 0) errno = ENOMEM;
  return q;
}

void *aligned_alloc(size_t align, size_t size) {
  if (!valid_alignment(align)) {
    errno = EINVAL;
    return NULL;
  }
  void *p = __hakmem_aligned_alloc(align, size);
  if (p == NULL) errno = ENOMEM;
  return p;
}

int posix_memalign(void **out, size_t align, size_t size) {
  if (!valid_alignment(align) || align % sizeof(void *) != 0) return EINVAL;
  void *p = __hakmem_aligned_alloc(align, size);
  if (p == NULL) return ENOMEM;
  *out = p;
  return 0;
}

size_t malloc_usable_size(void *p) {
  return p == NULL ? 0 : __hakmem_malloc_usable_size(p);
}

/* wasi-libc's own objects call these names. */
void *__libc_malloc(size_t size) {
  return malloc(size);
}

void __libc_free(void *p) {
  __hakmem_free(p);
}

void *__libc_calloc(size_t count, size_t size) {
  return calloc(count, size);
}
