/**
 * Workers, remote frees, abandonment. Each handle holds a worker slot in the header. A block
 * freed by a worker that does not own its slab is pushed onto the owner's inbox, a lock-free list
 * in shared memory (one Atomics.compareExchange per block); the owner takes the whole inbox with
 * one Atomics.exchange when a cache runs dry and returns the blocks to their slabs in a batch.
 *
 * A worker that leaves (detach) or dies (reclaim) abandons its slabs: owner 0, and those with
 * free blocks go on a per-class abandoned list. Another worker adopts such a slab when it needs a
 * slab of that class, or when it frees a block into it.
 */
import { C_ADOPT, C_DRAIN, C_DRAINED, C_REMOTE_FREE } from "./counters.ts";
import { HeapError } from "./errors.ts";
import { OBSERVE } from "./flags.ts";
import type { Heap } from "./heap.ts";
import {
  F_ABANDONED,
  FIRST_SPAN_PAGE,
  H_ABANDONED,
  H_LIVE_BLOCKS,
  H_LIVE_BYTES,
  H_TOP,
  H_WORKERS,
  M_BASE,
  M_CARVE,
  M_FLAGS,
  M_FREE,
  M_LIMIT,
  M_NEXT,
  M_NPAGES,
  M_OWNER,
  M_PAGE,
  M_PREV,
  M_SPAN,
  M_TAG,
  M_USED,
  MID_FREE,
  MID_LIVE_BIAS,
  PAGE_SHIFT,
  T_SLAB,
  TINY_FREE,
  TINY_MAX_SLACK,
  W_GENERATION,
  W_INBOX,
  W_LIVE_BLOCKS,
  W_LIVE_BYTES,
  W_STATE,
  WORKER_SLOTS,
  WORKER_WORDS,
  WS_ACTIVE,
  WS_FREE,
} from "./layout.ts";
import { breakLock, lock, unlock } from "./lock.ts";
import { metaOfPage, slabClass } from "./pool.ts";
import { flushAll, releaseSlab, returnBlock, stateIndex } from "./slab.ts";
import { CLASS_COUNT, TINY_CLASSES, classSize } from "./sizeclass.ts";

/** Word index of field `field` of worker `id`'s slot. */
export function slotWord(id: number, field: number): number {
  return H_WORKERS + (id - 1) * WORKER_WORDS + field;
}

/** Claims a free worker slot; returns the worker id (1-based). */
export function claimWorkerSlot(i32: Int32Array): number {
  for (let s = 0; s < WORKER_SLOTS; s++) {
    const w = H_WORKERS + s * WORKER_WORDS;
    if (Atomics.compareExchange(i32, w + W_STATE, WS_FREE, WS_ACTIVE) === WS_FREE) {
      i32[w + W_LIVE_BYTES] = 0;
      i32[w + W_LIVE_BLOCKS] = 0;
      return s + 1;
    }
  }
  throw new HeapError("TOO_MANY_WORKERS", `all ${WORKER_SLOTS} worker slots are in use; detach() handles that are done`);
}

/** The heap-wide unique id of the handle in `slot` now (heap.workerId). */
export function workerTicket(i32: Int32Array, slot: number): number {
  return i32[slotWord(slot, W_GENERATION)] * WORKER_SLOTS + slot;
}

/** Number of handles attached now. */
export function activeWorkers(i32: Int32Array): number {
  let n = 0;
  for (let s = 1; s <= WORKER_SLOTS; s++) if (Atomics.load(i32, slotWord(s, W_STATE)) === WS_ACTIVE) n++;
  return n;
}

/**
 * Frees block p (heap coordinates) of class c whose slab (head meta hm) another worker owns, or no worker (it was
 * abandoned). The state is claimed with a compare-exchange so two racing frees of one block
 * cannot both succeed.
 */
export function freeRemote(h: Heap, p: number, c: number, hm: number, st: number): void {
  const i32 = h.m32;
  if (c < TINY_CLASSES) {
    const seen = h.m8[st];
    if (seen > TINY_MAX_SLACK || Atomics.compareExchange(h.m8, st, seen, TINY_FREE) !== seen) throw racedFree(h.base + p);
  } else {
    const seen = i32[st];
    if (seen < MID_LIVE_BIAS || Atomics.compareExchange(i32, st, seen, MID_FREE) !== seen) throw racedFree(h.base + p);
  }
  if (OBSERVE) h.counts[C_REMOTE_FREE]++;
  sendToOwner(h, p, c, hm);
}

function racedFree(p: number): HeapError {
  return new HeapError("DOUBLE_FREE", `block ${p} was freed twice (concurrently)`, p);
}

/** Hands a freed block to its slab's owner: onto the owner's inbox, or adopts an abandoned slab. */
export function sendToOwner(h: Heap, p: number, c: number, hm: number): void {
  const i32 = h.m32;
  for (;;) {
    const owner = Atomics.load(i32, hm + M_OWNER);
    if (owner === h.slot) {
      returnBlock(h, c, p);
      return;
    }
    if (owner === 0) {
      if (adopt(h, hm)) {
        returnBlock(h, c, p);
        return;
      }
      continue; // another worker adopted it first: send it to them
    }
    const inbox = slotWord(owner, W_INBOX);
    const head = Atomics.load(i32, inbox);
    i32[p >> 2] = head;
    if (Atomics.compareExchange(i32, inbox, head, p) === head) return;
  }
}

/** Makes this worker the owner of abandoned slab hm. False if another worker got it first. */
function adopt(h: Heap, hm: number): boolean {
  lock(h);
  const i32 = h.m32;
  const ok = Atomics.compareExchange(i32, hm + M_OWNER, 0, h.slot) === 0;
  if (ok) {
    if ((i32[hm + M_FLAGS] & F_ABANDONED) !== 0) unlinkAbandoned(i32, hm);
    setSlabOwner(i32, hm, h.slot);
    if (OBSERVE) h.counts[C_ADOPT]++;
  }
  unlock(h);
  return ok;
}

/** An abandoned slab of class c with free blocks, now owned by this worker; 0 if none. */
export function adoptForClass(h: Heap, c: number): number {
  const i32 = h.m32;
  if (Atomics.load(i32, H_ABANDONED + c) === 0) return 0;
  lock(h);
  const hm = h.m32[H_ABANDONED + c];
  if (hm !== 0) {
    unlinkAbandoned(h.m32, hm);
    setSlabOwner(h.m32, hm, h.slot);
    if (OBSERVE) h.counts[C_ADOPT]++;
  }
  unlock(h);
  return hm;
}

/** Sets the owner in every page of slab hm (the head, which frees consult, last). */
function setSlabOwner(i32: Int32Array, hm: number, owner: number): void {
  const page = i32[hm + M_PAGE];
  for (let i = i32[hm + M_NPAGES] - 1; i > 0; i--) i32[metaOfPage(i32, page + i) + M_OWNER] = owner;
  Atomics.store(i32, hm + M_OWNER, owner);
}

function linkAbandoned(i32: Int32Array, hm: number): void {
  const head = H_ABANDONED + slabClass(i32, hm);
  const first = i32[head];
  i32[hm + M_NEXT] = first;
  i32[hm + M_PREV] = 0;
  if (first !== 0) i32[first + M_PREV] = hm;
  i32[hm + M_FLAGS] = F_ABANDONED;
  Atomics.store(i32, head, hm);
}

function unlinkAbandoned(i32: Int32Array, hm: number): void {
  const next = i32[hm + M_NEXT];
  const prev = i32[hm + M_PREV];
  if (prev !== 0) i32[prev + M_NEXT] = next;
  else Atomics.store(i32, H_ABANDONED + slabClass(i32, hm), next);
  if (next !== 0) i32[next + M_PREV] = prev;
  i32[hm + M_FLAGS] &= ~F_ABANDONED;
}

/** Takes this worker's inbox and returns its blocks to their slabs. */
export function drainInbox(h: Heap): void {
  const i32 = h.m32;
  let p = Atomics.exchange(i32, slotWord(h.slot, W_INBOX), 0);
  if (OBSERVE) h.counts[C_DRAIN]++;
  while (p !== 0) {
    if (OBSERVE) h.counts[C_DRAINED]++;
    const next = i32[p >> 2];
    const hm = i32[metaOfPage(i32, p >>> PAGE_SHIFT) + M_SPAN];
    sendToOwner(h, p, slabClass(i32, hm), hm); // normally ours; a slab given up since is forwarded
    p = next;
  }
}

/**
 * Leaving the heap (detach): cached blocks go back to their slabs, the inbox is drained, and
 * every slab this worker owns is abandoned or, if empty, released. Then the slot is freed.
 */
export function leaveHeap(h: Heap): void {
  for (let c = 0; c < CLASS_COUNT; c++) flushAll(h, c);
  drainInbox(h);
  h.current.fill(0);
  h.partial.fill(0);
  h.retainedCount = 0; // abandonSlabs below deals with every slab
  lock(h);
  abandonSlabs(h, h.slot, false);
  releaseSlot(h, h.slot);
  unlock(h);
}

/**
 * Recovers what a worker that ended without detach() held: the lock if it died holding it, its
 * slabs (free lists rebuilt from the block states, so blocks lost in its front cache or inbox
 * come back), and its slot. Only for a worker that has stopped running.
 */
export function reclaimWorker(h: Heap, ticket: number): boolean {
  if (typeof ticket !== "number" || !Number.isInteger(ticket) || ticket < 1) throw new RangeError(`${String(ticket)} is not a worker id`);
  const id = ((ticket - 1) % WORKER_SLOTS) + 1;
  if (id === h.slot) throw new HeapError("INVALID_OPTION", "a handle cannot reclaim itself; use detach()");
  const i32 = h.m32;
  // A slot released since (detach) and maybe reused has moved to another generation.
  if (Atomics.load(i32, slotWord(id, W_STATE)) !== WS_ACTIVE || workerTicket(i32, id) !== ticket) return false;
  breakLock(i32, id);
  lock(h);
  Atomics.store(h.m32, slotWord(id, W_INBOX), 0); // its blocks are found again from their states
  abandonSlabs(h, id, true);
  releaseSlot(h, id);
  unlock(h);
  return true;
}

function releaseSlot(h: Heap, id: number): void {
  const i32 = h.m32;
  Atomics.add(i32, H_LIVE_BYTES, i32[slotWord(id, W_LIVE_BYTES)]);
  Atomics.add(i32, H_LIVE_BLOCKS, i32[slotWord(id, W_LIVE_BLOCKS)]);
  i32[slotWord(id, W_LIVE_BYTES)] = 0;
  i32[slotWord(id, W_LIVE_BLOCKS)] = 0;
  i32[slotWord(id, W_GENERATION)]++;
  Atomics.store(i32, slotWord(id, W_STATE), WS_FREE);
}

/** Abandons (or releases, when empty) every slab owned by `owner`. Caller holds the lock. */
function abandonSlabs(h: Heap, owner: number, rebuild: boolean): void {
  const i32 = h.m32;
  // Page by page, acting on slab heads only: a worker terminated while making a slab leaves
  // tagged pages whose head is not (no span lengths to follow there).
  for (let page = FIRST_SPAN_PAGE; page < i32[H_TOP]; page++) {
    const m = metaOfPage(i32, page);
    if (i32[m + M_TAG] < T_SLAB || i32[m + M_SPAN] !== m || i32[m + M_OWNER] !== owner) continue;
    if (rebuild && h.profile.tracksBlocks) rebuildFreeList(h, m); // fast: its cached blocks stay lost
    setSlabOwner(i32, m, 0);
    i32[m + M_FLAGS] = 0;
    if (i32[m + M_USED] === 0) releaseSlab(h, slabClass(i32, m), m);
    else if (i32[m + M_FREE] !== 0 || i32[m + M_CARVE] < i32[m + M_BASE] + i32[m + M_LIMIT]) linkAbandoned(i32, m);
  }
}

/** Rebuilds slab hm's free list and used count from its block states. */
function rebuildFreeList(h: Heap, hm: number): void {
  const i32 = h.m32;
  const c = slabClass(i32, hm);
  const size = classSize[c];
  const base = i32[hm + M_BASE];
  let free = 0;
  let used = 0;
  for (let p = i32[hm + M_CARVE] - size; p >= base; p -= size) {
    const st = stateIndex(i32, c, base, p);
    const live = c < TINY_CLASSES ? h.m8[st] <= TINY_MAX_SLACK : i32[st] >= MID_LIVE_BIAS;
    if (live) used++;
    else {
      i32[p >> 2] = free;
      free = p;
    }
  }
  i32[hm + M_FREE] = free;
  i32[hm + M_USED] = used;
}
