/**
 * Slabs: spans of one size class carved into equal blocks (hakmem's slabs inside SuperSlabs).
 * The front cache refills from the worker's current slab for the class (its free list first, then
 * linear carving of never-used blocks) and flushes surplus blocks back to their slabs' free lists.
 * A slab whose last block comes back is returned to the shared pool.
 *
 * Block state (see layout.ts): tiny slabs keep a byte per block after the blocks; mid slabs keep
 * a word per block in the meta of the page where the block starts.
 */
import type { Heap } from "./heap.ts";
import {
  F_QUEUED,
  M_CARVE,
  M_BASE,
  M_FLAGS,
  M_FREE,
  M_LIMIT,
  M_MID_STATE,
  M_NEXT,
  M_NPAGES,
  M_OWNER,
  M_PAGE,
  M_PREV,
  M_REMOTE,
  M_SPAN,
  M_TAG,
  M_USED,
  MID_NEVER,
  MID_SLOT_SHIFT,
  PAGE_MASK,
  PAGE_SHIFT,
  T_NONE,
  T_SLAB,
  TINY_NEVER,
} from "./layout.ts";
import { C_CARVED, C_FLUSH, C_REFILL, C_REUSED, C_SLAB_NEW, C_SLAB_RELEASE } from "./counters.ts";
import { entry, FC_CAP, FC_COUNT } from "./frontcache.ts";
import { OBSERVE } from "./flags.ts";
import { lock, unlock } from "./lock.ts";
import { fillBytes } from "./memory.ts";
import { poisonBlock } from "./poison.ts";
import { allocSpan, freeSpan, metaOfPage, wouldRaisePeak } from "./pool.ts";
import {
  CLASS_COUNT,
  TINY_CLASSES,
  classCapacity,
  classFirstPages,
  classPages,
  SMALL_FIRST_SLABS,
  classSize,
  classStateOffset,
  classLender,
  LEND_WHILE_SLABS,
} from "./sizeclass.ts";
import { adoptForClass } from "./worker.ts";

const MID_SLOTS = 16;

/** Index of block p's state: a byte index (tiny) or a word index (mid) into the buffer. */
export function stateIndex(i32: Int32Array, c: number, base: number, p: number): number {
  if (c < TINY_CLASSES) return base + classStateOffset[c] + (((p - base) / classSize[c]) | 0);
  return metaOfPage(i32, p >>> PAGE_SHIFT) + M_MID_STATE + ((p & PAGE_MASK) >>> MID_SLOT_SHIFT);
}

/**
 * Fills class c's front cache to half its capacity. Returns the cache count (0: out of memory).
 * The cache holds absolute pointers (layout.ts, "Base offset").
 */
export function refill(h: Heap, c: number): number {
  const fc = h.fc;
  const abs = h.base;
  // Tiny caches fill to a quarter of their capacity and flush at full, to half: a class moving
  // back and forth around one level rarely refills or flushes, and a refill takes few blocks
  // more than needed. Mid caches (2 to 8 blocks) fill to half.
  const want = fc[FC_CAP + c] >>> (c < TINY_CLASSES ? 2 : 1);
  const s = sourceClass(h, c);
  const size = classSize[s];
  let k = fc[FC_COUNT + c];
  let hm = h.current[s];
  while (k < want) {
    if (hm === 0) {
      hm = nextSlab(h, s, c);
      if (hm === 0) break;
    }
    const i32 = h.m32;
    const base = i32[hm + M_PAGE] << PAGE_SHIFT;
    let used = i32[hm + M_USED];
    let f = i32[hm + M_FREE];
    while (f !== 0 && k < want) {
      fc[entry(c, k)] = abs + f;
      fc[entry(c, k) + 1] = stateIndex(i32, s, base, f);
      k++;
      used++;
      f = i32[f >> 2];
    }
    i32[hm + M_FREE] = f;
    let carve = i32[hm + M_CARVE];
    const end = base + i32[hm + M_LIMIT];
    while (carve < end && k < want) {
      if (h.profile.debug) poisonBlock(i32, carve, size); // see safe.ts
      fc[entry(c, k)] = abs + carve;
      fc[entry(c, k) + 1] = stateIndex(i32, s, base, carve);
      k++;
      used++;
      carve += size;
    }
    if (OBSERVE) {
      h.counts[C_REUSED] += used - i32[hm + M_USED] - (carve - i32[hm + M_CARVE]) / size;
      h.counts[C_CARVED] += (carve - i32[hm + M_CARVE]) / size;
    }
    i32[hm + M_CARVE] = carve;
    i32[hm + M_USED] = used;
    if (k < want) hm = 0; // exhausted: it leaves the current slot; frees bring it back to the queue
  }
  h.current[s] = hm;
  if (c >= TINY_CLASSES) h.midCached += (k - fc[FC_COUNT + c]) * classSize[c];
  if (OBSERVE) h.counts[C_REFILL]++;
  fc[FC_COUNT + c] = k;
  return k;
}

/**
 * The class whose slabs fill class c's front cache: c, or its lender while this worker holds
 * nothing of c and few slabs of the lender (sizeclass.ts, classLender). A lent block is a block
 * of the lender's class in every respect (its page's tag says so: free puts it back in the
 * lender's cache) but for the cache it waits in before malloc hands it out.
 */
function sourceClass(h: Heap, c: number): number {
  const lender = classLender[c];
  if (lender === c || !h.profile.lendsMidBlocks || h.current[c] !== 0 || h.partial[c] !== 0 || h.slabsHeld[c] !== 0) return c;
  return h.slabsHeld[lender] < LEND_WHILE_SLABS ? lender : c;
}

/**
 * The next slab of class c to carve from, for the front cache of class `cached` (c, or a class
 * c lends to): the head of this worker's partial queue, else an abandoned slab of the class
 * (adopted), else a new slab. 0 when out of memory.
 */
function nextSlab(h: Heap, c: number, cached: number): number {
  let hm = h.partial[c];
  if (hm !== 0) {
    unqueue(h, c, hm);
    return hm;
  }
  hm = adoptForClass(h, c);
  return hm !== 0 ? hm : newSlab(h, c, cached);
}

/**
 * A new slab of class c. One that would raise the heap's peak footprint is made only after this
 * worker has given back what it holds (every cache but `cached`'s, which refill is filling, and
 * empty slabs): that may empty slabs whose pages then serve it, or leave a partial slab of c.
 */
function newSlab(h: Heap, c: number, cached: number): number {
  const n = h.slabsHeld[c] < SMALL_FIRST_SLABS ? classFirstPages[c] : classPages[c];
  if (h.profile.releasesBeforePeak && wouldRaisePeak(h, n)) {
    releaseCaches(h, cached);
    const hm = h.partial[c];
    if (hm !== 0) {
      unqueue(h, c, hm);
      return hm;
    }
  }
  lock(h);
  const page = allocSpan(h, n);
  unlock(h);
  if (page < 0) return 0;
  h.slabsHeld[c]++;
  if (OBSERVE) h.counts[C_SLAB_NEW]++;
  const i32 = h.m32;
  const hm = metaOfPage(i32, page);
  const size = classSize[c];
  const limit = (c < TINY_CLASSES ? classCapacity[c] : Math.floor((n << PAGE_SHIFT) / size)) * size;
  const base = page << PAGE_SHIFT;
  for (let i = 0; i < n; i++) {
    const m = metaOfPage(i32, page + i);
    i32[m + M_SPAN] = hm;
    i32[m + M_BASE] = base;
    i32[m + M_OWNER] = h.slot;
    i32[m + M_LIMIT] = limit;
    if (c >= TINY_CLASSES) i32.fill(MID_NEVER, m + M_MID_STATE, m + M_MID_STATE + MID_SLOTS);
    if (i > 0) i32[m + M_TAG] = T_SLAB + c;
  }
  i32[hm + M_NPAGES] = n;
  i32[hm + M_FREE] = 0;
  i32[hm + M_CARVE] = base;
  i32[hm + M_USED] = 0;
  i32[hm + M_REMOTE] = 0;
  i32[hm + M_NEXT] = 0;
  i32[hm + M_PREV] = 0;
  i32[hm + M_FLAGS] = 0;
  if (c < TINY_CLASSES) {
    const states = base + classStateOffset[c];
    fillBytes(h.m8, TINY_NEVER, states, classCapacity[c]);
  }
  // The head's tag goes last: a worker terminated in here (worker.terminate() stops it at any
  // loop) leaves no slab head with stale fields for reclaim to act on; its pages stay lost.
  Atomics.store(i32, hm + M_TAG, T_SLAB + c);
  return hm;
}

/** Moves the older half of class c's front cache back to the blocks' slabs. */
export function flush(h: Heap, c: number): void {
  const fc = h.fc;
  const k = fc[FC_COUNT + c];
  const n = k >>> 1;
  for (let i = 0; i < n; i++) returnBlock(h, c, fc[entry(c, i)] - h.base);
  fc.copyWithin(entry(c, 0), entry(c, n), entry(c, k));
  fc[FC_COUNT + c] = k - n;
  if (c >= TINY_CLASSES) h.midCached -= n * classSize[c];
  if (OBSERVE) h.counts[C_FLUSH]++;
}

/** Empties class c's front cache into the slabs. */
export function flushAll(h: Heap, c: number): void {
  const fc = h.fc;
  const k = fc[FC_COUNT + c];
  for (let i = 0; i < k; i++) returnBlock(h, c, fc[entry(c, i)] - h.base);
  fc[FC_COUNT + c] = 0;
  if (c >= TINY_CLASSES) h.midCached -= k * classSize[c];
}

/**
 * Out of memory, or about to raise the heap's peak footprint: empties every front cache (but
 * class `except`'s) into the slabs and gives back empty slabs, retained or current. Returns
 * whether anything was cached or released.
 */
export function releaseCaches(h: Heap, except = -1): boolean {
  let any = false;
  for (let c = 0; c < CLASS_COUNT; c++) {
    if (h.fc[FC_COUNT + c] !== 0 && c !== except) {
      flushAll(h, c); // may leave slabs empty: retained below
      any = true;
    }
  }
  for (let i = 0; i < h.retainedCount; i++) releaseIfEmpty(h, h.retained[(h.retainedHead + i) % h.profile.retainEmptySlabs]);
  any ||= h.retainedCount > 0;
  h.retainedCount = 0;
  for (let c = 0; c < CLASS_COUNT; c++) {
    const hm = h.current[c];
    if (hm !== 0 && h.m32[hm + M_USED] === 0) {
      releaseSlab(h, c, hm);
      any = true;
    }
  }
  return any;
}

/**
 * Puts a free block (state already free) on its slab's free list. `cached`: the class of the
 * cache it comes from, which for a lent mid block is not its slab's class.
 */
export function returnBlock(h: Heap, cached: number, p: number): void {
  const i32 = h.m32;
  const m = metaOfPage(i32, p >>> PAGE_SHIFT);
  const hm = i32[m + M_SPAN];
  const c = cached < TINY_CLASSES ? cached : i32[m + M_TAG] - T_SLAB; // a lent block: its own class
  i32[p >> 2] = i32[hm + M_FREE];
  i32[hm + M_FREE] = p;
  const used = i32[hm + M_USED] - 1;
  i32[hm + M_USED] = used;
  if (used === 0) {
    // A one-page current slab stays (the class is in use); other one-page empty slabs are kept
    // for a while (profile.retainEmptySlabs) and then go back to the pool; bigger ones go now.
    const small = i32[hm + M_NPAGES] === 1;
    if (h.current[c] === hm && small) return;
    if (h.profile.retainEmptySlabs === 0 || !small) {
      releaseSlab(h, c, hm);
      return;
    }
    if (h.current[c] !== hm && (i32[hm + M_FLAGS] & F_QUEUED) === 0) enqueue(h, c, hm);
    retainEmpty(h, hm);
  } else if (h.current[c] !== hm && (i32[hm + M_FLAGS] & F_QUEUED) === 0) enqueue(h, c, hm);
}

/**
 * Notes an empty slab that stays with this worker for now. When more than the profile's
 * number are noted, the oldest is released if it is still an empty slab of ours.
 */
function retainEmpty(h: Heap, hm: number): void {
  const ring = h.retained;
  const cap = h.profile.retainEmptySlabs;
  if (h.retainedCount === cap) {
    const old = ring[h.retainedHead];
    h.retainedHead = (h.retainedHead + 1) % cap;
    h.retainedCount--;
    releaseIfEmpty(h, old);
  }
  ring[(h.retainedHead + h.retainedCount) % cap] = hm;
  h.retainedCount++;
}

/** Releases hm if it is still the head of an empty slab of this worker (and not current). */
function releaseIfEmpty(h: Heap, hm: number): void {
  const i32 = h.m32;
  const c = i32[hm + M_TAG] - T_SLAB;
  if (c < 0 || i32[hm + M_SPAN] !== hm || i32[hm + M_OWNER] !== h.slot || i32[hm + M_USED] !== 0) return;
  if (h.current[c] !== hm) releaseSlab(h, c, hm);
}

/** Gives an empty slab's pages back to the shared pool. */
export function releaseSlab(h: Heap, c: number, hm: number): void {
  const i32 = h.m32;
  if ((i32[hm + M_FLAGS] & F_QUEUED) !== 0) unqueue(h, c, hm);
  if (h.current[c] === hm) h.current[c] = 0;
  lock(h);
  const page = h.m32[hm + M_PAGE];
  const n = h.m32[hm + M_NPAGES];
  for (let i = 0; i < n; i++) h.m32[metaOfPage(h.m32, page + i) + M_TAG] = T_NONE;
  freeSpan(h, page, n);
  unlock(h);
  if (h.slabsHeld[c] > 0) h.slabsHeld[c]--; // (a reclaimer releases slabs it did not make)
  if (OBSERVE) h.counts[C_SLAB_RELEASE]++;
}

function enqueue(h: Heap, c: number, hm: number): void {
  const i32 = h.m32;
  const head = h.partial[c];
  i32[hm + M_NEXT] = head;
  i32[hm + M_PREV] = 0;
  if (head !== 0) i32[head + M_PREV] = hm;
  h.partial[c] = hm;
  i32[hm + M_FLAGS] |= F_QUEUED;
}

function unqueue(h: Heap, c: number, hm: number): void {
  const i32 = h.m32;
  const next = i32[hm + M_NEXT];
  const prev = i32[hm + M_PREV];
  if (prev !== 0) i32[prev + M_NEXT] = next;
  else h.partial[c] = next;
  if (next !== 0) i32[next + M_PREV] = prev;
  i32[hm + M_FLAGS] &= ~F_QUEUED;
}
