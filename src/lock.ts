/**
 * The pool lock: one word in the header, held only around operations on shared structures (the
 * shared pool and the break, the big cache, abandoned slabs, worker bookkeeping), never on the
 * malloc/free fast path and never while user code runs. The word holds the holder's worker id,
 * so heap.reclaim() can release a lock that a terminated worker died holding.
 *
 * Waiting: a short spin, then Atomics.wait with a short timeout where waiting is allowed (Node,
 * workers), else a plain spin (a browser's main thread may not block).
 */
import { C_LOCK, C_LOCK_CONTENDED, C_LOCK_SPIN, C_LOCK_WAIT } from "./counters.ts";
import { OBSERVE } from "./flags.ts";
import type { Heap } from "./heap.ts";
import { H_BUFFER_PAGES, H_LOCK, H_LOCK_WAITERS } from "./layout.ts";

const SPINS = 64;

const canWait: boolean = (() => {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

/** Takes the pool lock (reentrant per handle) and picks up growth done by other workers. */
export function lock(h: Heap): void {
  if (h.lockDepth++ > 0) return;
  const i32 = h.m32;
  if (OBSERVE) h.counts[C_LOCK]++;
  if (Atomics.compareExchange(i32, H_LOCK, 0, h.slot) !== 0) contend(h, i32);
  if (i32[H_BUFFER_PAGES] !== h.viewPages) h.refreshViews();
}

export function unlock(h: Heap): void {
  if (--h.lockDepth > 0) return;
  const i32 = h.m32;
  Atomics.store(i32, H_LOCK, 0);
  if (Atomics.load(i32, H_LOCK_WAITERS) !== 0) Atomics.notify(i32, H_LOCK, 1);
}

function contend(h: Heap, i32: Int32Array): void {
  const me = h.slot;
  if (OBSERVE) h.counts[C_LOCK_CONTENDED]++;
  const shared = typeof SharedArrayBuffer === "function" && i32.buffer instanceof SharedArrayBuffer;
  for (let spins = 0; ; spins++) {
    const holder = Atomics.load(i32, H_LOCK);
    if (holder === 0) {
      if (Atomics.compareExchange(i32, H_LOCK, 0, me) === 0) return;
    } else if (spins >= SPINS && canWait && shared) {
      if (OBSERVE) h.counts[C_LOCK_WAIT]++;
      Atomics.add(i32, H_LOCK_WAITERS, 1);
      Atomics.wait(i32, H_LOCK, holder, 1); // 1 ms: a holder that died is released by reclaim()
      Atomics.sub(i32, H_LOCK_WAITERS, 1);
    } else if (OBSERVE) h.counts[C_LOCK_SPIN]++;
  }
}

/** Releases the lock if the (terminated) worker `id` holds it. Returns whether it did. */
export function breakLock(i32: Int32Array, id: number): boolean {
  if (Atomics.compareExchange(i32, H_LOCK, id, 0) !== id) return false;
  Atomics.notify(i32, H_LOCK);
  return true;
}
