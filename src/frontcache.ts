/**
 * The per-worker front cache (hakmem's TLS SLL / unified cache): for each size class a stack of
 * free blocks held in the worker's own memory, so the common malloc is a pop and the common free
 * a push. One Int32Array holds it all, to keep the hot path to one array:
 *
 *   [FC_COUNT + c]                 blocks cached for class c
 *   [FC_CAP + c]                   capacity for class c (≤ CACHE_STRIDE)
 *   [entry(c, k)], [entry(c, k)+1] k-th cached block of class c: its offset and its state index
 */
import { CACHE_STRIDE, CLASS_COUNT } from "./sizeclass.ts";

export const FC_COUNT = 0;
export const FC_CAP = CLASS_COUNT;
export const FC_ENTRIES = 2 * CLASS_COUNT;
export const FC_WORDS = FC_ENTRIES + CLASS_COUNT * CACHE_STRIDE * 2;

/** Index of the k-th entry of class c. */
export function entry(c: number, k: number): number {
  return FC_ENTRIES + ((c * CACHE_STRIDE + k) << 1);
}
