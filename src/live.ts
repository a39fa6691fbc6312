/**
 * Live counts for stats(). They are telemetry, so they stay off the malloc/free fast path:
 * - tiny and mid blocks, in the profiles that keep block states, are counted from the states
 *   themselves (a live state holds the requested size), by a scan of the slabs when stats() is
 *   called: exact whenever no other worker is mid-call;
 * - large blocks (and, in fast, which keeps no block states, every block) are counted in the
 *   worker's slot words W_LIVE_BYTES / W_LIVE_BLOCKS, folded into the header's H_LIVE_* when the
 *   worker leaves.
 */
import {
  DIR_WORD,
  FIRST_SPAN_PAGE,
  H_LIVE_BLOCKS,
  H_LIVE_BYTES,
  H_TOP,
  H_WORKERS,
  M_CARVE,
  M_LIMIT,
  M_MID_STATE,
  M_SPAN,
  M_TAG,
  META_WORDS,
  MID_LIVE_BIAS,
  MID_SLOT_SHIFT,
  PAGE_MASK,
  PAGE_SHIFT,
  SEGMENT_PAGE_MASK,
  SEGMENT_SHIFT,
  T_SLAB,
  TINY_MAX_SLACK,
  W_LIVE_BLOCKS,
  W_LIVE_BYTES,
  WORKER_SLOTS,
  WORKER_WORDS,
} from "./layout.ts";
import { CLASS_COUNT, TINY_CLASSES, classSize, classStateOffset } from "./sizeclass.ts";

const PAGE_SEGMENT_SHIFT = SEGMENT_SHIFT - PAGE_SHIFT;

/** Live bytes and blocks counted in the header and the worker slots (see above). */
export function countedTotals(i32: Int32Array): [number, number] {
  let bytes = Atomics.load(i32, H_LIVE_BYTES);
  let blocks = Atomics.load(i32, H_LIVE_BLOCKS);
  for (let s = 0; s < WORKER_SLOTS; s++) {
    const w = H_WORKERS + s * WORKER_WORDS;
    bytes = (bytes + i32[w + W_LIVE_BYTES]) | 0;
    blocks = (blocks + i32[w + W_LIVE_BLOCKS]) | 0;
  }
  return [bytes, blocks];
}

/**
 * Live bytes and blocks of every slab, from the block states. Looks at each page meta below the
 * break on its own (no span lengths followed), so a scan racing another worker's call reads
 * stale counts but never strays: `pages` bounds it to the caller's views.
 */
export function slabTotals(u8: Uint8Array, i32: Int32Array, pages: number): [number, number] {
  let bytes = 0;
  let blocks = 0;
  const top = Math.min(i32[H_TOP], pages);
  for (let page = FIRST_SPAN_PAGE; page < top; page++) {
    const seg = i32[DIR_WORD + (page >>> PAGE_SEGMENT_SHIFT)];
    if (seg === 0) continue;
    const m = seg + (page & SEGMENT_PAGE_MASK) * META_WORDS;
    const c = i32[m + M_TAG] - T_SLAB;
    if (c < 0 || c >= CLASS_COUNT || i32[m + M_SPAN] !== m) continue;
    const size = classSize[c];
    const base = page << PAGE_SHIFT;
    const carved = Math.min(i32[m + M_CARVE], base + i32[m + M_LIMIT], pages << PAGE_SHIFT);
    if (c < TINY_CLASSES) {
      const states = base + classStateOffset[c];
      const n = ((carved - base) / size) | 0;
      for (let i = 0; i < n; i++) {
        const slack = u8[states + i];
        if (slack <= TINY_MAX_SLACK) {
          blocks++;
          bytes += size - slack;
        }
      }
    } else {
      for (let p = base; p < carved; p += size) {
        const pm = i32[DIR_WORD + (p >>> SEGMENT_SHIFT)] + ((p >>> PAGE_SHIFT) & SEGMENT_PAGE_MASK) * META_WORDS;
        const word = i32[pm + M_MID_STATE + ((p & PAGE_MASK) >>> MID_SLOT_SHIFT)];
        if (word >= MID_LIVE_BIAS) {
          blocks++;
          bytes += word - MID_LIVE_BIAS;
        }
      }
    }
  }
  return [bytes, blocks];
}
