/**
 * Workers and remote frees. Each handle holds a worker slot in the header. A block freed by a
 * worker that does not own its slab is pushed onto the owner's inbox, a lock-free list in shared
 * memory (one Atomics.compareExchange per block); the owner takes the whole inbox with one
 * Atomics.exchange when it refills a cache and returns the blocks to their slabs in a batch.
 * A worker that leaves abandons its slabs (owner 0); frees into an abandoned slab go straight to
 * the slab, and the slab returns to the pool when its last block does.
 */
import { HeapError } from "./errors.ts";
import type { Heap } from "./heap.ts";
import {
  F_QUEUED,
  H_TOP,
  H_WORKERS,
  FIRST_SPAN_PAGE,
  M_FLAGS,
  M_NPAGES,
  M_OWNER,
  M_PAGE,
  M_TAG,
  M_CLASS,
  M_SPAN,
  M_USED,
  MID_FREE,
  PAGE_SHIFT,
  T_FREE_TAIL,
  T_NONE,
  T_SLAB,
  TINY_FREE,
  W_INBOX,
  W_STATE,
  WORKER_SLOTS,
  WORKER_WORDS,
  WS_ACTIVE,
  WS_FREE,
} from "./layout.ts";
import { metaOfPage } from "./pool.ts";
import { flushAll, releaseSlab, returnBlock } from "./slab.ts";
import { CLASS_COUNT, TINY_CLASSES } from "./sizeclass.ts";

export function slotWord(id: number, field: number): number {
  return H_WORKERS + (id - 1) * WORKER_WORDS + field;
}

/** Claims a free worker slot; returns the worker id (1-based). */
export function claimWorkerSlot(i32: Int32Array): number {
  for (let s = 0; s < WORKER_SLOTS; s++) {
    const w = H_WORKERS + s * WORKER_WORDS;
    if (Atomics.compareExchange(i32, w + W_STATE, WS_FREE, WS_ACTIVE) === WS_FREE) {
      return s + 1;
    }
  }
  throw new HeapError("TOO_MANY_WORKERS", `all ${WORKER_SLOTS} worker slots are in use; detach() handles that are done`);
}

/**
 * Frees block p of class c whose slab (head meta hm) another worker owns. The state is
 * claimed with a compare-exchange so two racing frees of one block cannot both succeed.
 */
export function freeRemote(h: Heap, p: number, c: number, hm: number, st: number, requested: number): void {
  const i32 = h.m32;
  if (c < TINY_CLASSES) {
    const seen = h.m8[st];
    if (Atomics.compareExchange(h.m8, st, seen, TINY_FREE) !== seen) throw new HeapError("DOUBLE_FREE", `block ${p} was freed concurrently`, p);
  } else {
    const seen = i32[st];
    if (Atomics.compareExchange(i32, st, seen, MID_FREE) !== seen) throw new HeapError("DOUBLE_FREE", `block ${p} was freed concurrently`, p);
  }
  h.liveBytes -= requested;
  h.liveBlocks--;
  sendToOwner(h, p, c, hm);
}

/**
 * Hands a freed block to its slab's owner: onto the owner's inbox, or, when the slab is
 * abandoned, adopts the slab (owner 0 → this worker) and returns the block to it directly.
 */
function sendToOwner(h: Heap, p: number, c: number, hm: number): void {
  const i32 = h.m32;
  for (;;) {
    const owner = Atomics.load(i32, hm + M_OWNER);
    if (owner === h.workerId) {
      returnBlock(h, c, p);
      return;
    }
    if (owner === 0) {
      if (Atomics.compareExchange(i32, hm + M_OWNER, 0, h.workerId) !== 0) continue;
      setSlabOwner(i32, hm, h.workerId);
      returnBlock(h, c, p);
      return;
    }
    const inbox = slotWord(owner, W_INBOX);
    const head = Atomics.load(i32, inbox);
    i32[p >> 2] = head;
    if (Atomics.compareExchange(i32, inbox, head, p) === head) return;
  }
}

/** Sets the owner in every page of the slab with head meta hm (the head last). */
function setSlabOwner(i32: Int32Array, hm: number, owner: number): void {
  const page = i32[hm + M_PAGE];
  for (let i = i32[hm + M_NPAGES] - 1; i > 0; i--) i32[metaOfPage(i32, page + i) + M_OWNER] = owner;
  Atomics.store(i32, hm + M_OWNER, owner);
}

/** Takes this worker's inbox and returns its blocks to their slabs. */
export function drainInbox(h: Heap): void {
  const i32 = h.m32;
  let p = Atomics.exchange(i32, slotWord(h.workerId, W_INBOX), 0);
  while (p !== 0) {
    const next = i32[p >> 2];
    const hm = i32[metaOfPage(i32, p >>> PAGE_SHIFT) + M_SPAN];
    sendToOwner(h, p, i32[hm + M_CLASS], hm); // normally ours; a slab given up since is forwarded
    p = next;
  }
}

/**
 * Leaving the heap: cached blocks go back to their slabs, the inbox is drained, and every slab
 * this worker owns is abandoned (or released when empty). Then the worker slot is freed.
 */
export function leaveHeap(h: Heap): void {
  for (let c = 0; c < CLASS_COUNT; c++) flushAll(h, c);
  drainInbox(h);
  const i32 = h.m32;
  h.current.fill(0);
  h.partial.fill(0);
  for (let page = FIRST_SPAN_PAGE; page < i32[H_TOP]; ) {
    const m = metaOfPage(i32, page);
    const tag = i32[m + M_TAG];
    const n = tag === T_NONE || tag === T_FREE_TAIL ? 1 : i32[m + M_NPAGES];
    if (tag === T_SLAB && i32[m + M_SPAN] === m && i32[m + M_OWNER] === h.workerId) {
      i32[m + M_FLAGS] &= ~F_QUEUED;
      setSlabOwner(i32, m, 0);
      if (i32[m + M_USED] === 0) releaseSlab(h, i32[m + M_CLASS], m);
    }
    page += n;
  }
  drainInbox(h);
  Atomics.store(i32, slotWord(h.workerId, W_STATE), WS_FREE);
}
