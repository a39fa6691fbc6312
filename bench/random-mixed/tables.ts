// Precomputed random tables for bench_random_mixed: every contender replays the exact same
// slot/size sequence and pays the exact same harness cost (two typed-array loads per cycle).

/** Number of entries in each table; the timed loop cycles through them (index = cycle & mask). */
export const TABLE_LENGTH = 1 << 20;
export const MIN_SIZE = 16;
export const MAX_SIZE = 1024;

/** splitmix32: a small seeded PRNG with good output for table generation. */
export function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export interface Tables {
  /** slot index in [0, ws) per cycle */
  readonly slot: Int32Array;
  /** requested size in [MIN_SIZE, MAX_SIZE] per cycle (only used when the slot is empty) */
  readonly size: Int32Array;
}

export function makeTables(ws: number, seed: number, length = TABLE_LENGTH): Tables {
  if (!Number.isInteger(ws) || ws < 1) throw new Error(`ws must be a positive integer, got ${ws}`);
  if ((length & (length - 1)) !== 0) throw new Error("table length must be a power of two");
  const next = splitmix32(seed);
  const slot = new Int32Array(length);
  const size = new Int32Array(length);
  const span = MAX_SIZE - MIN_SIZE + 1;
  for (let i = 0; i < length; i++) {
    slot[i] = Math.floor((next() * ws) / 4294967296);
    size[i] = MIN_SIZE + Math.floor((next() * span) / 4294967296);
  }
  return { slot, size };
}
