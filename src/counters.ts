/**
 * Per-handle event counters, kept only in the observe build (see flags.ts). Each tier counts
 * what it does, so a benchmark can show which path ran before anyone optimises it.
 */
export const C_MALLOC_HIT = 0; // malloc served by the front cache
export const C_MALLOC_MISS = 1; // malloc that had to refill (or went to the large tier)
export const C_FREE_LOCAL = 2; // free of an own block into the front cache
export const C_REFILL = 3; // front-cache refills
export const C_CARVED = 4; // blocks carved from never-used slab memory
export const C_REUSED = 5; // blocks taken from slab free lists
export const C_FLUSH = 6; // front-cache flushes back to slabs
export const C_REMOTE_FREE = 7; // frees of blocks owned by another worker
export const C_DRAIN = 8; // inbox drains (blocks other workers freed into ours)
export const C_DRAINED = 9; // blocks received through drains
export const C_SLAB_NEW = 10; // slabs created from the pool
export const C_SLAB_RELEASE = 11; // empty slabs given back to the pool
export const C_ADOPT = 12; // abandoned slabs adopted
export const C_LARGE_ALLOC = 13; // large blocks allocated
export const C_LARGE_FREE = 14; // large blocks freed
export const C_BIGCACHE_HIT = 15; // large allocations served by the big cache
export const C_SPAN_ALLOC = 16; // spans taken from the pool
export const C_SPAN_FREE = 17; // spans given back to the pool
export const C_GROW = 18; // buffer growth operations done by this handle
export const C_LOCK = 19; // pool lock acquisitions (outermost)
export const C_LOCK_CONTENDED = 20; // acquisitions that found the lock held
export const C_LOCK_SPIN = 21; // spin iterations while waiting for the lock
export const C_LOCK_WAIT = 22; // Atomics.wait calls while waiting for the lock
export const COUNTER_COUNT = 23;

const NAMES = [
  "mallocHit",
  "mallocMiss",
  "freeLocal",
  "refill",
  "carved",
  "reused",
  "flush",
  "remoteFree",
  "drain",
  "drained",
  "slabNew",
  "slabRelease",
  "adopt",
  "largeAlloc",
  "largeFree",
  "bigCacheHit",
  "spanAlloc",
  "spanFree",
  "grow",
  "lock",
  "lockContended",
  "lockSpin",
  "lockWait",
] as const;

export type CounterName = (typeof NAMES)[number];
export type Counters = Record<CounterName, number>;

export function countersOf(counts: Float64Array): Counters {
  const out = {} as Counters;
  NAMES.forEach((name, i) => (out[name] = counts[i]));
  return out;
}
