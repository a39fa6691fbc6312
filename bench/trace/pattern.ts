// The integrity pattern of --verify. Every byte of block `id` holds patternOf(id), except that
// a block of 4 bytes or more starts with the id itself (u32, little endian): the byte catches
// overlap with any other block (they differ in 254 of 255 cases), the id catches a block handed
// out twice or contents copied from the wrong block. Checks read whole words where they can,
// since the traces allocate gigabytes in total.

/** 1..255, never 0, so that memory left zeroed does not pass for a filled block. */
export function patternOf(id: number): number {
  return ((Math.imul(id, 0x9e3779b1) >>> 0) % 255) + 1;
}

/** The byte at index k of a block `id` filled when its size was n. */
export function expectedByte(id: number, n: number, k: number): number {
  return n >= 4 && k < 4 ? (id >>> (8 * k)) & 255 : patternOf(id);
}

/** Fills the n bytes at p (16-byte aligned) with block id's pattern. */
export function fillBlock(u8: Uint8Array, i32: Int32Array, p: number, n: number, id: number): void {
  if (n === 0) return;
  u8.fill(patternOf(id), p, p + n);
  if (n >= 4) i32[p >> 2] = id;
}

/**
 * Checks the first m bytes at p against the pattern block `id` got when filled at size n (m ≤ n).
 * Returns the index of the first wrong byte, or −1 when all are right.
 */
export function checkBlock(u8: Uint8Array, i32: Int32Array, p: number, m: number, id: number, n: number): number {
  let k = 0;
  if (n >= 4) {
    const head = Math.min(4, m);
    for (; k < head; k++) if (u8[p + k] !== ((id >>> (8 * k)) & 255)) return k;
  }
  const pat = patternOf(id);
  const word = Math.imul(pat, 0x01010101);
  const end = (p + m) >> 2;
  for (let q = (p + k) >> 2; q < end; q++) {
    if (i32[q] !== word) return firstOther(u8, q << 2, 4, pat) + (q << 2) - p;
  }
  for (k = Math.max(k, (end << 2) - p); k < m; k++) if (u8[p + k] !== pat) return k;
  return -1;
}

/** Index of the first non-zero byte of the n bytes at p (16-byte aligned), or −1. */
export function firstNonZero(u8: Uint8Array, i32: Int32Array, p: number, n: number): number {
  const end = (p + n) >> 2;
  for (let q = p >> 2; q < end; q++) if (i32[q] !== 0) return firstOther(u8, q << 2, 4, 0) + (q << 2) - p;
  for (let k = (end << 2) - p; k < n; k++) if (u8[p + k] !== 0) return k;
  return -1;
}

function firstOther(u8: Uint8Array, at: number, n: number, v: number): number {
  for (let k = 0; k < n; k++) if (u8[at + k] !== v) return k;
  return -1;
}
