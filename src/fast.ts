/**
 * The "fast" profile: speed first. Tiny and mid blocks keep no state, so the malloc and free
 * fast paths do less:
 * - no double-free detection for tiny and mid blocks (a double free corrupts the heap);
 * - stats().liveBytes counts tiny and mid blocks at their class size, not the requested size;
 * - reclaim() of a terminated worker cannot recover blocks lost in its front cache.
 * The front cache of mid blocks has no byte budget (caches keep everything).
 * Pointers are still classified (a pointer that is not a block start is INVALID_POINTER), frees
 * from other workers still go to the owner, and large blocks behave as in every profile.
 */
import { invalidPointer } from "./errors.ts";
import { FC_CAP, FC_COUNT, FC_ENTRIES, FC_SIZE } from "./frontcache.ts";
import { Heap } from "./heap.ts";
import {
  DIR_WORD,
  GRANULE,
  M_BASE,
  M_LIMIT,
  M_OWNER,
  M_SPAN,
  M_TAG,
  META_WORDS,
  PAGE_SHIFT,
  SEGMENT_PAGE_MASK,
  SEGMENT_SHIFT,
  T_SLAB,
  W_LIVE_BLOCKS,
  W_LIVE_BYTES,
} from "./layout.ts";
import { flush } from "./slab.ts";
import { CACHE_STRIDE, MID_MAX, classSize } from "./sizeclass.ts";
import { drainInbox, sendToOwner } from "./worker.ts";

export class FastHeap extends Heap {
  override malloc(size: number): number {
    if (size <= MID_MAX && size >>> 0 === size) {
      const c = this.classOf[(size + 15) >>> 4];
      const fc = this.fc;
      const k = fc[FC_COUNT + c] - 1;
      if (k >= 0) {
        fc[FC_COUNT + c] = k;
        const i32 = this.m32;
        i32[this.statWord + W_LIVE_BYTES] += fc[FC_SIZE + c];
        i32[this.statWord + W_LIVE_BLOCKS]++;
        return fc[FC_ENTRIES + ((c * CACHE_STRIDE + k) << 1)];
      }
      return this.mallocRefill(c, size);
    }
    return this.mallocSlow(size, GRANULE);
  }

  /**
   * Without block states, slab blocks are counted here, in the worker's slot, at their class size
   * whatever was asked (aligned allocations too).
   */
  protected override mallocClass(c: number, _size: number): number {
    const p = super.mallocClass(c, classSize[c]);
    if (p !== 0) {
      this.m32[this.statWord + W_LIVE_BYTES] += classSize[c];
      this.m32[this.statWord + W_LIVE_BLOCKS]++;
    }
    return p;
  }

  /** Heap.free without the block state: the classification steps mirror Heap.free on purpose (a hot path). */
  override free(ptr: number): void {
    const p = ptr - this.base; // heap coordinates from here on; errors name ptr
    if ((p & 15) !== 0 || p <= 0 || p >= this.viewBytes || (ptr | 0) !== ptr) {
      this.freeSlow(ptr);
      return;
    }
    const i32 = this.m32;
    const seg = i32[DIR_WORD + (p >>> SEGMENT_SHIFT)];
    const m = seg + ((p >>> PAGE_SHIFT) & SEGMENT_PAGE_MASK) * META_WORDS;
    const c = i32[m + M_TAG] - T_SLAB;
    if (seg === 0 || !(c >= 0)) { // NaN: metadata beyond stale views (see Heap.free)
      this.freeOther(ptr);
      return;
    }
    const fc = this.fc;
    const size = fc[FC_SIZE + c];
    const d = p - i32[m + M_BASE];
    if (((d * this.recip[c]) | 0) * size !== d || d >= i32[m + M_LIMIT]) throw invalidPointer(ptr);
    i32[this.statWord + W_LIVE_BYTES] -= size;
    i32[this.statWord + W_LIVE_BLOCKS]--;
    if (i32[m + M_OWNER] !== this.slot) {
      sendToOwner(this, p, c, i32[m + M_SPAN]);
      return;
    }
    let k = fc[FC_COUNT + c];
    if (k === fc[FC_CAP + c]) {
      flush(this, c);
      if (Atomics.load(i32, this.inboxWord) !== 0) drainInbox(this);
      k = fc[FC_COUNT + c];
    }
    fc[FC_ENTRIES + ((c * CACHE_STRIDE + k) << 1)] = ptr;
    fc[FC_COUNT + c] = k + 1;
  }
}
