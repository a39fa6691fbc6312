/**
 * The safe profile's poison on free tiny and mid blocks. Only the first 64 and the last 32 bytes
 * of a block are poisoned and checked — where writes through stale pointers land (object
 * headers and fields), at a cost bounded per block. The first word is left alone: free lists
 * link blocks through it.
 */
import { POISON } from "./layout.ts";

const HEAD = 64;
const TAIL = 32;

/** Poisons block p of `usable` bytes. */
export function poisonBlock(i32: Int32Array, p: number, usable: number): void {
  const end = p + usable;
  const headEnd = Math.min(end, p + HEAD) >> 2;
  for (let w = (p >> 2) + 1; w < headEnd; w++) i32[w] = POISON;
  for (let w = Math.max(p + HEAD, end - TAIL) >> 2; w < end >> 2; w++) i32[w] = POISON;
}

/** The offset of the first poisoned word of block p that was written since, or −1. */
export function poisonBroken(i32: Int32Array, p: number, usable: number): number {
  const end = p + usable;
  const headEnd = Math.min(end, p + HEAD) >> 2;
  for (let w = (p >> 2) + 1; w < headEnd; w++) if (i32[w] !== POISON) return w << 2;
  for (let w = Math.max(p + HEAD, end - TAIL) >> 2; w < end >> 2; w++) if (i32[w] !== POISON) return w << 2;
  return -1;
}
