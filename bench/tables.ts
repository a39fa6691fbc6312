// Precomputed random tables: every contender replays the exact same slot/size sequence and pays
// the exact same harness cost (two typed-array loads per cycle). native/bench.c generates the
// same tables; tableChecksum() proves it.

/** Number of entries in each table; the timed loop cycles through them (index = cycle & mask). */
export const TABLE_LENGTH = 1 << 20;

/** splitmix32: a small seeded PRNG with good output for table generation (mirrored in C). */
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

/** A uniform integer in [0, n) from a 32-bit random value, without modulo bias worth caring about. */
export function below(r: number, n: number): number {
  return Math.floor((r * n) / 4294967296);
}

export interface Tables {
  /** slot index in [0, ws) per cycle */
  readonly slot: Int32Array;
  /** requested size in [minSize, maxSize] per cycle (only used when the slot is empty) */
  readonly size: Int32Array;
}

export function makeTables(ws: number, seed: number, minSize: number, maxSize: number, length = TABLE_LENGTH): Tables {
  if (!Number.isInteger(ws) || ws < 1) throw new Error(`ws must be a positive integer, got ${ws}`);
  if ((length & (length - 1)) !== 0) throw new Error("table length must be a power of two");
  const next = splitmix32(seed);
  const slot = new Int32Array(length);
  const size = new Int32Array(length);
  const span = maxSize - minSize + 1;
  for (let i = 0; i < length; i++) {
    slot[i] = below(next(), ws);
    size[i] = minSize + below(next(), span);
  }
  return { slot, size };
}

/** A 32-bit checksum of both tables (h = h·31 + v), computed the same way in native/bench.c. */
export function tableChecksum(t: Tables): number {
  let h = 0;
  for (let i = 0; i < t.slot.length; i++) {
    h = (Math.imul(h, 31) + t.slot[i]) | 0;
    h = (Math.imul(h, 31) + t.size[i]) | 0;
  }
  return h >>> 0;
}

/**
 * The tables cut into consecutive windows of `length` entries (a power of two dividing theirs):
 * the timed loop indexes its tables from 0 with a mask, so a run done in chunks hands it window
 * after window and still walks the whole sequence.
 */
export function windowsOf(t: Tables, length: number): { slot: Int32Array[]; size: Int32Array[] } {
  const n = t.slot.length / length;
  const cut = (a: Int32Array) => Array.from({ length: n }, (_, k) => a.subarray(k * length, (k + 1) * length));
  return { slot: cut(t.slot), size: cut(t.size) };
}
