/**
 * The large tier: blocks above the mid classes get a span of whole pages from the shared pool,
 * coalesced with free neighbours on free. A small cache of recently freed spans (hakmem's
 * BigCache) serves repeated large requests of similar size without touching the pool.
 * Realloc grows in place into a free neighbour or at the break, and shrinks in place.
 */
import { C_BIGCACHE_HIT } from "./counters.ts";
import type { Heap } from "./heap.ts";
import { OBSERVE } from "./flags.ts";
import {
  BIGCACHE_SLOTS,
  H_BIGCACHE,
  H_BIGCACHE_CLOCK,
  H_BIGCACHE_PAGES,
  H_TOP,
  M_BASE,
  M_LAST_FREED,
  M_NPAGES,
  M_PAGE,
  M_SIZE,
  M_TAG,
  PAGE_SHIFT,
  PAGE_SIZE,
  T_LARGE,
  T_LARGE_CACHED,
} from "./layout.ts";
import { lock, unlock } from "./lock.ts";
import { allocSpan, extendSpan, freeSpan, metaOfPage, wouldRaisePeak } from "./pool.ts";
import { releaseCaches } from "./slab.ts";

function pagesFor(bytes: number): number {
  return Math.ceil(bytes / PAGE_SIZE);
}

/**
 * Allocates a large block of `size` bytes whose absolute address (h.base + offset) is aligned to
 * `align` (a power of two). Returns its offset in heap coordinates; 0 when out of memory.
 */
export function allocLarge(h: Heap, size: number, align: number): number {
  lock(h);
  try {
    return allocLargeLocked(h, size, align);
  } finally {
    unlock(h);
  }
}

function allocLargeLocked(h: Heap, size: number, align: number): number {
  const n = Math.max(1, pagesFor(size));
  const alignPages = align > PAGE_SIZE ? align / PAGE_SIZE : 1;
  let page = alignPages === 1 ? fromBigCache(h, n) : -1;
  if (page < 0) {
    const total = n + alignPages - 1;
    // A span that would raise the heap's peak footprint: first give back what this handle
    // holds (front caches, empty slabs), which may free enough pages (slab.ts, nextSlab).
    if (h.profile.releasesBeforePeak && wouldRaisePeak(h, total)) releaseCaches(h);
    const span = allocSpan(h, total);
    if (span < 0) return 0;
    // The base is a whole number of pages: align the absolute page number.
    const basePages = h.base >>> PAGE_SHIFT;
    page = Math.ceil((basePages + span) / alignPages) * alignPages - basePages;
    if (page > span) freeSpan(h, span, page - span);
    const tail = span + total - (page + n);
    if (tail > 0) freeSpan(h, page + n, tail);
    const i32 = h.m32;
    const m = metaOfPage(i32, page);
    i32[m + M_NPAGES] = n;
  }
  const i32 = h.m32;
  const m = metaOfPage(i32, page);
  i32[m + M_TAG] = T_LARGE;
  i32[m + M_BASE] = page << PAGE_SHIFT;
  i32[m + M_SIZE] = size;
  i32[m + M_LAST_FREED] = 0;
  return page << PAGE_SHIFT;
}

/** A cached span of n to n + n/8 pages, or −1. */
function fromBigCache(h: Heap, n: number): number {
  const i32 = h.m32;
  if (i32[H_BIGCACHE_PAGES] === 0) return -1;
  const limit = n + (n >>> 3);
  for (let i = 0; i < BIGCACHE_SLOTS; i++) {
    const m = i32[H_BIGCACHE + i];
    if (m === 0) continue;
    const have = i32[m + M_NPAGES];
    if (have >= n && have <= limit) {
      i32[H_BIGCACHE + i] = 0;
      i32[H_BIGCACHE_PAGES] -= have;
      if (OBSERVE) h.counts[C_BIGCACHE_HIT]++;
      return i32[m + M_PAGE];
    }
  }
  return -1;
}

/** Frees the large block whose head meta is m (already validated). */
export function freeLarge(h: Heap, m: number): void {
  lock(h);
  try {
    freeLargeLocked(h, m);
  } finally {
    unlock(h);
  }
}

function freeLargeLocked(h: Heap, m: number): void {
  const i32 = h.m32;
  const n = i32[m + M_NPAGES];
  const cap = bigCacheCap(h);
  if (n <= cap) {
    i32[m + M_TAG] = T_LARGE_CACHED;
    let slot = -1;
    for (let i = 0; i < BIGCACHE_SLOTS; i++) {
      if (i32[H_BIGCACHE + i] === 0) {
        slot = i;
        break;
      }
    }
    if (slot < 0) {
      slot = i32[H_BIGCACHE_CLOCK];
      i32[H_BIGCACHE_CLOCK] = (slot + 1) % BIGCACHE_SLOTS;
      evict(h, slot);
    }
    i32[H_BIGCACHE + slot] = m;
    i32[H_BIGCACHE_PAGES] += n;
    while (i32[H_BIGCACHE_PAGES] > cap) {
      const victim = i32[H_BIGCACHE_CLOCK];
      i32[H_BIGCACHE_CLOCK] = (victim + 1) % BIGCACHE_SLOTS;
      if (victim !== slot) evict(h, victim);
    }
    return;
  }
  releaseLarge(h, m);
}

/**
 * Pages the big cache may hold now: the profile's bound, and at most a share of the heap
 * (profile.bigCacheShift), so that a small heap does not keep a large one's cache.
 */
function bigCacheCap(h: Heap): number {
  return Math.min(h.profile.bigCachePages, h.m32[H_TOP] >>> h.profile.bigCacheShift);
}

function evict(h: Heap, slot: number): void {
  const i32 = h.m32;
  const m = i32[H_BIGCACHE + slot];
  if (m === 0) return;
  i32[H_BIGCACHE + slot] = 0;
  i32[H_BIGCACHE_PAGES] -= i32[m + M_NPAGES];
  releaseLarge(h, m);
}

function releaseLarge(h: Heap, m: number): void {
  const i32 = h.m32;
  i32[m + M_LAST_FREED] = i32[m + M_BASE];
  freeSpan(h, i32[m + M_PAGE], i32[m + M_NPAGES]);
}

/** Gives every cached span back to the pool. Returns whether there was any. */
export function drainBigCache(h: Heap): boolean {
  lock(h);
  try {
    return drainBigCacheLocked(h);
  } finally {
    unlock(h);
  }
}

function drainBigCacheLocked(h: Heap): boolean {
  if (h.m32[H_BIGCACHE_PAGES] === 0) return false;
  for (let i = 0; i < BIGCACHE_SLOTS; i++) evict(h, i);
  return true;
}

/** Bytes usable in the large block with head meta m. */
export function largeUsable(i32: Int32Array, m: number): number {
  return ((i32[m + M_PAGE] + i32[m + M_NPAGES]) << PAGE_SHIFT) - i32[m + M_BASE];
}

/**
 * Resizes the large block with head meta m in place when its span can hold `size` bytes (after
 * shrinking it or taking pages from a free right neighbour or the break). Returns whether it did.
 */
export function resizeLargeInPlace(h: Heap, m: number, size: number): boolean {
  lock(h);
  try {
    return resizeLargeInPlaceLocked(h, m, size);
  } finally {
    unlock(h);
  }
}

function resizeLargeInPlaceLocked(h: Heap, m: number, size: number): boolean {
  let i32 = h.m32;
  const page = i32[m + M_PAGE];
  const n = i32[m + M_NPAGES];
  const need = pagesFor(i32[m + M_BASE] + size - (page << PAGE_SHIFT));
  if (need <= n) {
    if (need < n) {
      i32[m + M_NPAGES] = need;
      freeSpan(h, page + need, n - need);
    }
    i32[m + M_SIZE] = size;
    return true;
  }
  if (!extendSpan(h, page + n, need - n)) return false;
  i32 = h.m32;
  i32[m + M_NPAGES] = need;
  i32[m + M_SIZE] = size;
  return true;
}
