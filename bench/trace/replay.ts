// Single-threaded replay of an HKT1 trace through any heap with hakmem's API. One process
// replays through one heap class, so the call sites below stay monomorphic.
import { OP_ALIGNED, OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, type HktTrace } from "./hkt.ts";

export interface ReplayHeap {
  malloc(n: number): number;
  free(p: number): void;
  realloc(p: number, n: number): number;
  calloc(count: number, size: number): number;
  alignedAlloc(align: number, n: number): number;
  readonly u8: Uint8Array;
}

export class ReplayError extends Error {
  readonly record: number;
  constructor(trace: string, record: number, message: string, options?: { cause?: unknown }) {
    super(`${trace}: record ${record}: ${message}`, options);
    this.name = "ReplayError";
    this.record = record;
  }
}

/**
 * Replays every record of `t`. `off` maps block id -> offset (0 = not live); it must have
 * blockCount + 1 entries and start zeroed. Each new block gets one byte written: id & 255.
 * Throws ReplayError naming the record on out-of-memory (0 returned for a non-zero size) or
 * when the heap throws.
 */
export function replay(heap: ReplayHeap, t: HktTrace, off: Uint32Array): void {
  const { op, id, size, oldId, alignLog2, recordCount } = t;
  let i = 0;
  try {
    for (; i < recordCount; i++) {
      const k = op[i];
      const b = id[i];
      if (k === OP_FREE) {
        heap.free(off[b]);
        off[b] = 0;
        continue;
      }
      const n = size[i];
      let p: number;
      if (k === OP_MALLOC) p = heap.malloc(n);
      else if (k === OP_REALLOC) {
        const ob = oldId[i];
        p = heap.realloc(off[ob], n);
        if (p !== 0 || n === 0) off[ob] = 0;
      } else if (k === OP_CALLOC) p = heap.calloc(1, n);
      else if (k === OP_ALIGNED) {
        const a = alignLog2[i];
        p = heap.alignedAlloc(a < 4 ? 16 : 1 << a, n);
      } else throw new Error(`unknown op ${k}`);
      if (p === 0) {
        if (n !== 0) throw new Error(`op ${k} of ${n} bytes returned 0 (out of memory)`);
      } else heap.u8[p] = b & 255;
      off[b] = p;
    }
  } catch (e) {
    if (e instanceof ReplayError) throw e;
    throw new ReplayError(t.name, i, (e as Error).message ?? String(e), { cause: e });
  }
}

/** Untimed check after a replay: each live block still has the byte written when it was made.
 *  Returns [blocks checked, problems (first 10)]. */
export function checkLive(heap: ReplayHeap, off: Uint32Array): [number, string[]] {
  const u8 = heap.u8;
  const problems: string[] = [];
  let n = 0;
  for (let b = 1; b < off.length; b++) {
    const p = off[b];
    if (p === 0) continue;
    n++;
    if ((p & 15) !== 0 && problems.length < 10) problems.push(`block ${b} at ${p}: not 16-byte aligned`);
    if (u8[p] !== (b & 255) && problems.length < 10) problems.push(`block ${b} at ${p}: first byte ${u8[p]}, expected ${b & 255}`);
  }
  return [n, problems];
}

/** Frees every block still live. Returns how many. */
export function freeLive(heap: ReplayHeap, off: Uint32Array): number {
  let n = 0;
  for (let b = 1; b < off.length; b++) {
    if (off[b] !== 0) {
      heap.free(off[b]);
      off[b] = 0;
      n++;
    }
  }
  return n;
}
