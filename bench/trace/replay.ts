// Replay of HKT1 records through one heap handle. A range [from, to) of records runs at a time:
// single-threaded replay runs them all; a --threads worker runs each stretch of its own thread's
// records between hand-offs. One process replays through one heap class, so the call sites
// stay monomorphic.
//
// Two loops: the timed one does what the native driver does per record (the call and one byte
// written into each new block); the verified one fills every block with its pattern and checks
// it on free, on realloc (old contents kept up to the smaller size), calloc zeroing and
// alignment. The decoder has already rejected records that free or realloc a dead id.
import { OP_NAMES, type HktTrace } from "./hkt.ts";
import { OP_ALIGNED, OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, R_ID, R_OLD_ID, R_SIZE } from "./ops.ts";
import { checkBlock, expectedByte, fillBlock, firstNonZero } from "./pattern.ts";

export interface ReplayHeap {
  malloc(n: number): number;
  free(p: number): void;
  realloc(p: number, n: number): number;
  calloc(count: number, size: number): number;
  alignedAlloc(align: number, n: number): number;
  /** Views over the whole buffer; re-read after each allocation (the buffer may have grown). */
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
}

export class ReplayError extends Error {
  /** The record being replayed, or the record count for the check after the last one. */
  readonly record: number;
  readonly blockId: number;
  constructor(message: string, record: number, blockId: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ReplayError";
    this.record = record;
    this.blockId = blockId;
  }
}

/** Names record i and what it does, for error messages. */
export function describeRecord(t: HktTrace, i: number): string {
  const r = i * 4;
  const w = t.records[r];
  const k = w & 255;
  const b = t.records[r + R_ID];
  const what =
    k === OP_FREE
      ? `free of block ${b}`
      : k === OP_REALLOC
        ? `realloc of block ${t.records[r + R_OLD_ID]} to ${t.records[r + R_SIZE]} bytes as block ${b}`
        : `${OP_NAMES[k]} of ${t.records[r + R_SIZE]} bytes${k === OP_ALIGNED ? ` aligned to ${2 ** ((w >>> 16) & 255)}` : ""} as block ${b}`;
  return `${t.name}: record ${i} (${what}${t.threadCount > 1 ? `, thread ${(w >>> 8) & 255}` : ""})`;
}

function fail(t: HktTrace, i: number, blockId: number, problem: string, cause?: unknown): ReplayError {
  return new ReplayError(`${describeRecord(t, i)}: ${problem}`, i, blockId, { cause });
}

/** Turns whatever a heap threw into a ReplayError naming the record. */
function wrap(t: HktTrace, i: number, e: unknown): ReplayError {
  if (e instanceof ReplayError) return e;
  const b = t.records[i * 4 + ((t.records[i * 4] & 255) === OP_REALLOC ? R_OLD_ID : R_ID)];
  const err = e as Error & { code?: string };
  return fail(t, i, b, `the heap threw ${err.name ?? "an error"}${err.code ? ` (${err.code})` : ""} on a valid record: ${err.message ?? String(e)}`, e);
}

function outOfMemory(t: HktTrace, i: number, b: number): ReplayError {
  return fail(t, i, b, "the heap returned 0 (out of memory)");
}

/**
 * Timed replay of records [from, to). `off` maps block id → offset (0 = not live). Each new
 * block of n > 0 bytes gets one byte written, id & 255, as in the native driver.
 */
export function replayTimed(heap: ReplayHeap, t: HktTrace, off: Int32Array, from: number, to: number): void {
  const rec = t.records;
  let i = from;
  try {
    for (let r = from * 4; i < to; i++, r += 4) {
      const w = rec[r];
      const k = w & 255;
      const b = rec[r + R_ID];
      if (k === OP_FREE) {
        heap.free(off[b]);
        off[b] = 0;
        continue;
      }
      const n = rec[r + R_SIZE];
      let p: number;
      if (k === OP_MALLOC) p = heap.malloc(n);
      else if (k === OP_CALLOC) p = heap.calloc(1, n);
      else if (k === OP_REALLOC) {
        const ob = rec[r + R_OLD_ID];
        p = heap.realloc(off[ob], n);
        if (p === 0 && n !== 0) throw outOfMemory(t, i, b);
        off[ob] = 0;
      } else p = heap.alignedAlloc(1 << ((w >>> 16) & 255), n);
      if (n !== 0) {
        if (p === 0) throw outOfMemory(t, i, b);
        heap.u8[p] = b;
      }
      off[b] = p;
    }
  } catch (e) {
    throw wrap(t, i, e);
  }
}

/** Verified replay of records [from, to): see the top of this file. */
export function replayVerified(heap: ReplayHeap, t: HktTrace, off: Int32Array, from: number, to: number): void {
  const rec = t.records;
  const size = t.blockSize;
  let i = from;
  try {
    for (let r = from * 4; i < to; i++, r += 4) {
      const w = rec[r];
      const k = w & 255;
      const b = rec[r + R_ID];
      if (k === OP_FREE) {
        const p = off[b];
        if (p !== 0) checkContents(heap, t, i, b, p, size[b], size[b]);
        heap.free(p);
        off[b] = 0;
        continue;
      }
      const n = rec[r + R_SIZE];
      let p: number;
      if (k === OP_MALLOC) p = heap.malloc(n);
      else if (k === OP_CALLOC) {
        p = heap.calloc(1, n);
        if (p !== 0) {
          const at = firstNonZero(heap.u8, heap.i32, p, n);
          if (at >= 0) throw fail(t, i, b, `calloc'd block at offset ${p}: byte ${at} is ${heap.u8[p + at]}, expected 0`);
        }
      } else if (k === OP_REALLOC) {
        const ob = rec[r + R_OLD_ID];
        const q = off[ob];
        const old = size[ob];
        if (q !== 0) checkContents(heap, t, i, ob, q, old, old);
        p = heap.realloc(q, n);
        if (p === 0 && n !== 0) throw outOfMemory(t, i, b);
        off[ob] = 0;
        if (p !== 0 && q !== 0) checkContents(heap, t, i, ob, p, Math.min(old, n), old, " after realloc (contents must be kept up to the smaller size)");
      } else {
        const align = 1 << ((w >>> 16) & 255);
        p = heap.alignedAlloc(align, n);
        if (p % align !== 0) throw fail(t, i, b, `offset ${p} is not a multiple of ${align}`);
      }
      if (p === 0) {
        if (n !== 0) throw outOfMemory(t, i, b);
      } else {
        if ((p & 15) !== 0) throw fail(t, i, b, `offset ${p} is not 16-byte aligned`);
        fillBlock(heap.u8, heap.i32, p, n, b);
      }
      off[b] = p;
    }
  } catch (e) {
    throw wrap(t, i, e);
  }
}

/** Checks the first m bytes of block b at p, filled at size n; throws a ReplayError on a mismatch. */
function checkContents(heap: ReplayHeap, t: HktTrace, i: number, b: number, p: number, m: number, n: number, when = ""): void {
  const u8 = heap.u8;
  const at = checkBlock(u8, heap.i32, p, m, b, n);
  if (at < 0) return;
  throw fail(
    t,
    i,
    b,
    `block ${b} (${n} bytes at offset ${p}, created by record ${t.blockRecord[b]}) is corrupt${when}: byte ${at} is ${u8[p + at]}, expected ${expectedByte(b, n, at)}`,
  );
}

/**
 * After the last record: every block still live holds what was written into it (the whole
 * pattern when `verified`, else the first byte), at a 16-byte aligned offset.
 * Returns the live blocks and their requested bytes.
 */
export function checkLive(heap: ReplayHeap, t: HktTrace, off: Int32Array, verified: boolean): { blocks: number; bytes: number } {
  const u8 = heap.u8;
  const i32 = heap.i32;
  let blocks = 0;
  let bytes = 0;
  for (let b = 1; b < off.length; b++) {
    const p = off[b];
    if (p === 0) continue;
    const n = t.blockSize[b];
    blocks++;
    bytes += n;
    const where = `${t.name}: after the last record: block ${b} (${n} bytes at offset ${p}, created by record ${t.blockRecord[b]})`;
    if ((p & 15) !== 0) throw new ReplayError(`${where} is not 16-byte aligned`, t.recordCount, b);
    if (verified) {
      const at = checkBlock(u8, i32, p, n, b, n);
      if (at >= 0) throw new ReplayError(`${where} is corrupt: byte ${at} is ${u8[p + at]}, expected ${expectedByte(b, n, at)}`, t.recordCount, b);
    } else if (n !== 0 && u8[p] !== (b & 255)) {
      throw new ReplayError(`${where} is corrupt: byte 0 is ${u8[p]}, expected ${b & 255}`, t.recordCount, b);
    }
  }
  return { blocks, bytes };
}

/** Frees every block still live; a heap error names the block. */
export function freeLive(heap: ReplayHeap, t: HktTrace, off: Int32Array): void {
  for (let b = 1; b < off.length; b++) {
    if (off[b] === 0) continue;
    try {
      heap.free(off[b]);
    } catch (e) {
      const err = e as Error & { code?: string };
      throw new ReplayError(
        `${t.name}: after the last record: freeing block ${b} (${t.blockSize[b]} bytes at offset ${off[b]}, created by record ${t.blockRecord[b]}): the heap threw ${err.name}${err.code ? ` (${err.code})` : ""}: ${err.message}`,
        t.recordCount,
        b,
        { cause: e },
      );
    }
    off[b] = 0;
  }
}
