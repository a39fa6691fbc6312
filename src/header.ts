/** Creating a heap in a buffer, and recognising one when attaching. */
import { HeapError } from "./errors.ts";
import {
  FIRST_META_PAGE,
  FIRST_SPAN_PAGE,
  H_BUFFER_PAGES,
  H_MAGIC,
  H_MAX_PAGES,
  H_META_CURSOR,
  H_META_END,
  H_META_PAGES,
  H_PAGE_SHIFT,
  H_PROFILE,
  H_PEAK_TOP,
  H_TOP,
  H_VERSION,
  HEAP_MAGIC,
  LAYOUT_VERSION,
  M_NPAGES,
  M_TAG,
  MIN_HEAP_BYTES,
  PAGE_SHIFT,
  PAGE_SIZE,
  T_META,
} from "./layout.ts";
import { metaOfPage, placeSegmentMeta } from "./pool.ts";

/** Writes an empty heap of at most maxPages pages at the start of i32 (the heap's base). */
export function initHeader(i32: Int32Array, maxPages: number, bufferPages: number, profile: number): void {
  i32.fill(0, 0, (FIRST_SPAN_PAGE * PAGE_SIZE) >> 2);
  i32[H_VERSION] = LAYOUT_VERSION;
  i32[H_PAGE_SHIFT] = PAGE_SHIFT;
  i32[H_MAX_PAGES] = maxPages;
  i32[H_BUFFER_PAGES] = bufferPages;
  i32[H_PROFILE] = profile;
  i32[H_TOP] = FIRST_SPAN_PAGE;
  i32[H_PEAK_TOP] = FIRST_SPAN_PAGE;
  i32[H_META_CURSOR] = FIRST_META_PAGE * PAGE_SIZE;
  i32[H_META_END] = (FIRST_META_PAGE + 1) * PAGE_SIZE;
  i32[H_META_PAGES] = 1;
  placeSegmentMeta(i32, 0);
  for (let page = 0; page < FIRST_SPAN_PAGE; page++) {
    const m = metaOfPage(i32, page);
    i32[m + M_TAG] = T_META;
    i32[m + M_NPAGES] = 1;
  }
  Atomics.store(i32, H_MAGIC, HEAP_MAGIC); // last: attachers wait for a complete header
}

/** Throws INVALID_HEAP unless the buffer holds a heap of this layout at offset `base`. */
export function checkHeader(buffer: ArrayBufferLike, base: number): void {
  if (buffer.byteLength < base + MIN_HEAP_BYTES) {
    throw new HeapError("INVALID_HEAP", `buffer of ${buffer.byteLength} bytes is too small to hold a heap at ${base}`);
  }
  const i32 = new Int32Array(buffer, base, 4);
  if (Atomics.load(i32, H_MAGIC) !== HEAP_MAGIC) throw new HeapError("INVALID_HEAP", `the buffer does not hold a hakmem heap at offset ${base} (bad magic)`);
  if (i32[H_VERSION] !== LAYOUT_VERSION || i32[H_PAGE_SHIFT] !== PAGE_SHIFT) {
    throw new HeapError("INVALID_HEAP", `heap layout version ${i32[H_VERSION]} is not supported (expected ${LAYOUT_VERSION})`);
  }
}

export function maxPagesOf(i32: Int32Array): number {
  return i32[H_MAX_PAGES];
}
