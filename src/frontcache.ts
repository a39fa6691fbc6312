/**
 * The per-worker front cache (hakmem's TLS SLL / unified cache): for each size class a stack of
 * free blocks held in the worker's own memory, so the common malloc is a pop and the common free
 * a push. One Int32Array holds it all, to keep the hot path to one array; its layout is in
 * layout.ts (FC_*).
 */
import { CACHE_STRIDE, FC_ENTRIES } from "./layout.ts";

export { FC_CAP, FC_COUNT, FC_ENTRIES, FC_SIZE, FC_STATES, FC_WORDS } from "./layout.ts";

/** Index of the k-th entry of class c. */
export function entry(c: number, k: number): number {
  return FC_ENTRIES + ((c * CACHE_STRIDE + k) << 1);
}
