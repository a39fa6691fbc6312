/**
 * The shared pool (hakmem's shared pool / segment allocator): free page spans of every class and
 * worker, kept coalesced in size bins, and the heap's break (`top`), which moves up by growing the
 * buffer and down when the highest span is freed. Segment metadata is created here as the break
 * first enters a segment.
 *
 * Free spans: head page meta T_FREE with M_NPAGES, last page T_FREE_TAIL with M_SPAN → head.
 * Interior pages of free and large spans are T_NONE. A free span never touches `top`.
 * Bins: exact for 1–64 pages, then four per doubling; a bitmask finds the next non-empty bin.
 */
import { C_GROW, C_SPAN_ALLOC, C_SPAN_FREE } from "./counters.ts";
import type { Heap } from "./heap.ts";
import { OBSERVE } from "./flags.ts";
import { zeroBytes } from "./memory.ts";
import {
  BIN_MASK_WORDS,
  DIR_WORD,
  FIRST_SPAN_PAGE,
  FREE_BINS,
  H_BIN_HEADS,
  H_BIN_MASK,
  H_GROWTHS,
  H_MAX_PAGES,
  H_META_CURSOR,
  H_META_END,
  H_META_PAGES,
  H_META_SEGMENTS,
  H_PEAK_TOP,
  H_TOP,
  M_NEXT,
  M_NPAGES,
  M_PAGE,
  M_PREV,
  M_SPAN,
  M_TAG,
  META_WORDS,
  PAGE_SHIFT,
  PAGE_SIZE,
  SEGMENT_META_BYTES,
  SEGMENT_PAGE_MASK,
  SEGMENT_PAGES,
  SEGMENT_SHIFT,
  T_FREE,
  T_FREE_TAIL,
  T_META,
  T_NONE,
  T_SLAB,
} from "./layout.ts";

const PAGE_SEGMENT_SHIFT = SEGMENT_SHIFT - PAGE_SHIFT;

/** Word index of page `page`'s meta. The page's segment must have its meta. */
export function metaOfPage(i32: Int32Array, page: number): number {
  return i32[DIR_WORD + (page >>> PAGE_SEGMENT_SHIFT)] + ((page & SEGMENT_PAGE_MASK) * META_WORDS);
}

/** Size class of the slab whose page meta is m. */
export function slabClass(i32: Int32Array, m: number): number {
  return i32[m + M_TAG] - T_SLAB;
}

/** Bin of a span of n ≥ 1 pages. */
export function binOf(n: number): number {
  if (n <= 64) return n - 1;
  const k = 31 - Math.clz32(n); // 6 … 17
  return 64 + (k - 6) * 4 + ((n >>> (k - 2)) & 3);
}

function binLink(i32: Int32Array, m: number, n: number): void {
  const b = binOf(n);
  const head = i32[H_BIN_HEADS + b];
  i32[m + M_NEXT] = head;
  i32[m + M_PREV] = 0;
  if (head !== 0) i32[head + M_PREV] = m;
  i32[H_BIN_HEADS + b] = m;
  i32[H_BIN_MASK + (b >>> 5)] |= 1 << (b & 31);
}

function binUnlink(i32: Int32Array, m: number): void {
  const b = binOf(i32[m + M_NPAGES]);
  const next = i32[m + M_NEXT];
  const prev = i32[m + M_PREV];
  if (prev !== 0) i32[prev + M_NEXT] = next;
  else {
    i32[H_BIN_HEADS + b] = next;
    if (next === 0) i32[H_BIN_MASK + (b >>> 5)] &= ~(1 << (b & 31));
  }
  if (next !== 0) i32[next + M_PREV] = prev;
}

/** Marks [page, page + n) as a free span and puts it in its bin. */
function insertFree(i32: Int32Array, page: number, n: number): void {
  const m = metaOfPage(i32, page);
  i32[m + M_TAG] = T_FREE;
  i32[m + M_NPAGES] = n;
  i32[m + M_SPAN] = m;
  if (n > 1) {
    const t = metaOfPage(i32, page + n - 1);
    i32[t + M_TAG] = T_FREE_TAIL;
    i32[t + M_SPAN] = m;
  }
  binLink(i32, m, n);
}

/** First non-empty bin ≥ b, or −1. */
function nextBin(i32: Int32Array, b: number): number {
  for (let w = b >>> 5; w < BIN_MASK_WORDS; w++) {
    let bits = i32[H_BIN_MASK + w];
    if (w === b >>> 5) bits &= -1 << (b & 31);
    if (bits !== 0) return (w << 5) + 31 - Math.clz32(bits & -bits);
  }
  return -1;
}

/**
 * Takes a span of n pages: from the bins (lowest fitting bin; the low part of a larger span), else
 * from the break. Returns its first page with every page meta T_NONE, or −1 when out of memory.
 */
export function allocSpan(h: Heap, n: number): number {
  if (OBSERVE) h.counts[C_SPAN_ALLOC]++;
  const page = h.profile.lowestFit ? takeFree(h.m32, lowestFitting(h.m32, n), n) : allocFromBins(h.m32, n);
  return page >= 0 ? page : allocTop(h, n);
}

/**
 * Whether taking a span of n pages would raise the heap's peak footprint: the break would pass
 * its highest, and no free-span bin holds spans of n pages or more (a log bin may hold shorter
 * ones too: then this says no and allocSpan may still go to the break).
 */
export function wouldRaisePeak(h: Heap, n: number): boolean {
  const i32 = h.m32;
  return i32[H_TOP] + n > i32[H_PEAK_TOP] && nextBin(i32, binOf(n)) < 0;
}

/** Most free spans the lowest-fit search looks at: bounded work per allocation. */
const LOWEST_FIT_SCAN = 256;

/** The head meta of the lowest-addressed free span of ≥ n pages (among the first few seen), or 0. */
function lowestFitting(i32: Int32Array, n: number): number {
  let best = 0;
  let seen = 0;
  for (let b = nextBin(i32, binOf(n)); b >= 0 && seen < LOWEST_FIT_SCAN; b = b + 1 < FREE_BINS ? nextBin(i32, b + 1) : -1) {
    for (let x = i32[H_BIN_HEADS + b]; x !== 0 && seen < LOWEST_FIT_SCAN; x = i32[x + M_NEXT], seen++) {
      if (i32[x + M_NPAGES] >= n && (best === 0 || i32[x + M_PAGE] < i32[best + M_PAGE])) best = x;
    }
  }
  return best;
}

/** A span of n pages from the bins (see allocSpan), or −1 when none fits. */
function allocFromBins(i32: Int32Array, n: number): number {
  let b = binOf(n);
  let m = 0;
  if (b >= 64) {
    // A log bin mixes sizes: look at a few of its spans before moving to a bigger bin.
    for (let x = i32[H_BIN_HEADS + b], tries = 0; x !== 0 && tries < 8; x = i32[x + M_NEXT], tries++) {
      if (i32[x + M_NPAGES] >= n) {
        m = x;
        break;
      }
    }
    b++;
  }
  if (m === 0 && b < FREE_BINS) {
    const found = nextBin(i32, b);
    if (found >= 0) m = i32[H_BIN_HEADS + found];
  }
  return takeFree(i32, m, n);
}

/** Takes the low n pages of the free span with head meta m (0: none, returns −1). */
function takeFree(i32: Int32Array, m: number, n: number): number {
  if (m === 0) return -1;
  const have = i32[m + M_NPAGES];
  const page = i32[m + M_PAGE];
  binUnlink(i32, m);
  i32[m + M_TAG] = T_NONE;
  if (have > 1) i32[metaOfPage(i32, page + have - 1) + M_TAG] = T_NONE;
  if (have > n) insertFree(i32, page + n, have - n);
  return page;
}

/**
 * Returns [page, page + n) to the pool, merging with free neighbours; a span that ends at the
 * break lowers it. The span's pages must already be T_NONE except its head (any tag).
 */
export function freeSpan(h: Heap, page: number, n: number): void {
  if (OBSERVE) h.counts[C_SPAN_FREE]++;
  const i32 = h.m32;
  i32[metaOfPage(i32, page) + M_TAG] = T_NONE;
  if (page > FIRST_SPAN_PAGE) {
    const left = metaOfPage(i32, page - 1);
    const tag = i32[left + M_TAG];
    if (tag === T_FREE || tag === T_FREE_TAIL) {
      const lm = i32[left + M_SPAN];
      const ln = i32[lm + M_NPAGES];
      binUnlink(i32, lm);
      i32[left + M_TAG] = T_NONE;
      i32[lm + M_TAG] = T_NONE;
      page -= ln;
      n += ln;
    }
  }
  const top = i32[H_TOP];
  const end = page + n;
  if (end < top) {
    const rm = metaOfPage(i32, end);
    if (i32[rm + M_TAG] === T_FREE) {
      const rn = i32[rm + M_NPAGES];
      binUnlink(i32, rm);
      i32[rm + M_TAG] = T_NONE;
      if (rn > 1) i32[metaOfPage(i32, end + rn - 1) + M_TAG] = T_NONE;
      n += rn;
    }
  }
  // A few pages at the top stay in the pool (profile.topSlackPages): a slab that empties and
  // is made again at the top would otherwise move the break up and down.
  if (page + n >= top && n > h.profile.topSlackPages) {
    i32[H_TOP] = page;
    lowerBreakPastMeta(h);
    return;
  }
  insertFree(i32, page, n);
}

/** Lowers the break below a free span that touches it (the slack freeSpan keeps), for trim(). */
export function dropTopSlack(h: Heap): void {
  const i32 = h.m32;
  const top = i32[H_TOP];
  if (top <= FIRST_SPAN_PAGE) return;
  const last = metaOfPage(i32, top - 1);
  if (i32[last + M_TAG] !== T_FREE && i32[last + M_TAG] !== T_FREE_TAIL) return;
  const head = i32[last + M_SPAN];
  binUnlink(i32, head);
  i32[last + M_TAG] = T_NONE;
  i32[head + M_TAG] = T_NONE;
  i32[H_TOP] = i32[head + M_PAGE];
  lowerBreakPastMeta(h);
}

/**
 * After the break fell: while the page below it is a META page holding only metas of segments
 * that lie wholly above it (so nothing left in the heap uses them), release that page too, and
 * the free span below it. Without this a run of segment metas would pin the footprint forever.
 */
function lowerBreakPastMeta(h: Heap): void {
  const i32 = h.m32;
  const segments = Math.ceil(i32[H_MAX_PAGES] / SEGMENT_PAGES);
  for (;;) {
    const page = i32[H_TOP] - 1;
    if (page < FIRST_SPAN_PAGE) return;
    const m = metaOfPage(i32, page);
    if (i32[m + M_TAG] !== T_META) return;
    // Where the break would fall: below this page and the free span under it, if any.
    let top = page;
    let below = 0;
    const left = metaOfPage(i32, page - 1);
    if (i32[left + M_TAG] === T_FREE || i32[left + M_TAG] === T_FREE_TAIL) {
      below = i32[left + M_SPAN];
      top = i32[below + M_PAGE];
    }
    const start = page << PAGE_SHIFT;
    const inPage = (s: number) => {
      const at = i32[DIR_WORD + s] << 2;
      return at >= start && at < start + PAGE_SIZE;
    };
    for (let s = 0; s < segments; s++) if (inPage(s) && s * SEGMENT_PAGES < top) return; // still in use
    if (below !== 0) {
      binUnlink(i32, below);
      i32[left + M_TAG] = T_NONE;
      i32[below + M_TAG] = T_NONE;
    }
    i32[m + M_TAG] = T_NONE; // before its own segment's meta (maybe in this page) goes
    for (let s = 0; s < segments; s++) {
      if (inPage(s)) {
        i32[DIR_WORD + s] = 0;
        i32[H_META_SEGMENTS]--;
      }
    }
    i32[H_META_PAGES]--;
    if (i32[H_META_END] > start) {
      i32[H_META_END] = start;
      if (i32[H_META_CURSOR] > start) i32[H_META_CURSOR] = start;
    }
    i32[H_TOP] = top;
  }
}

/**
 * Takes the n pages starting at `page`, which follow a span being grown in place: from the free
 * span that starts there, or at the break. Returns false when they are not free.
 */
export function extendSpan(h: Heap, page: number, n: number): boolean {
  const i32 = h.m32;
  if (page === i32[H_TOP]) {
    return allocTop(h, n) === page;
  }
  const m = metaOfPage(i32, page);
  if (i32[m + M_TAG] !== T_FREE) return false;
  const have = i32[m + M_NPAGES];
  const atTop = page + have === i32[H_TOP];
  if (have < n && !atTop) return false;
  binUnlink(i32, m);
  i32[m + M_TAG] = T_NONE;
  if (have > 1) i32[metaOfPage(i32, page + have - 1) + M_TAG] = T_NONE;
  if (have > n) insertFree(i32, page + n, have - n);
  if (have < n && allocTop(h, n - have) !== page + have) {
    insertFree(h.m32, page, have); // the break could not move: put the slack back
    return false;
  }
  return true;
}

/**
 * Takes n pages at the break, creating the metas of segments it enters and growing the buffer.
 * A new run of META pages comes from a free span when one fits (META pages are never freed, so
 * a run at the break pins the footprint); else it goes right after the n pages, so that they
 * stay contiguous with the span below the break, which may be growing in place.
 */
function allocTop(h: Heap, n: number): number {
  let i32 = h.m32;
  const start = i32[H_TOP];
  let run = 0;
  for (;;) {
    const need = missingMetas(i32, start, start + n + run) - (i32[H_META_END] - i32[H_META_CURSOR]) / SEGMENT_META_BYTES;
    const pages = need > 0 ? metaRunPages(i32, need) : 0;
    if (pages <= run) break;
    run = pages;
  }
  const end = start + n + run;
  if (end > i32[H_MAX_PAGES] || !ensureBytes(h, end << PAGE_SHIFT)) return -1;
  i32 = h.m32;
  let top = start + n;
  let runAtTop = 0;
  for (let s = start >>> PAGE_SEGMENT_SHIFT; s <= (end - 1) >>> PAGE_SEGMENT_SHIFT; s++) {
    if (i32[DIR_WORD + s] !== 0) continue;
    if (i32[H_META_CURSOR] >= i32[H_META_END]) {
      const pages = metaRunPages(i32, missingMetas(i32, s << PAGE_SEGMENT_SHIFT, end));
      let page = allocFromBins(i32, pages);
      if (page >= 0) markMeta(i32, page, pages);
      else {
        page = top;
        top += pages;
        runAtTop = pages; // tagged below, once the metas of its own segments exist
      }
      startMetaRun(h, page, pages);
    }
    placeSegmentMeta(i32, s);
  }
  markMeta(i32, top - runAtTop, runAtTop);
  i32[H_TOP] = top;
  if (top > i32[H_PEAK_TOP]) i32[H_PEAK_TOP] = top;
  return start;
}

/**
 * Pages of the next META run, for at least `need` more segment metas: as many pages as all
 * earlier runs, but no more than the heap's ceiling can ever use.
 */
function metaRunPages(i32: Int32Array, need: number): number {
  const remaining = Math.ceil(i32[H_MAX_PAGES] / SEGMENT_PAGES) - i32[H_META_SEGMENTS];
  const wanted = Math.max(Math.ceil(need / SEGMENTS_PER_META_PAGE), i32[H_META_PAGES]);
  return Math.max(1, Math.min(wanted, Math.ceil(remaining / SEGMENTS_PER_META_PAGE)));
}

const SEGMENTS_PER_META_PAGE = PAGE_SIZE / SEGMENT_META_BYTES;

/** Segments overlapping pages [from, to) that have no meta yet. */
function missingMetas(i32: Int32Array, from: number, to: number): number {
  let missing = 0;
  for (let s = from >>> PAGE_SEGMENT_SHIFT; s <= (to - 1) >>> PAGE_SEGMENT_SHIFT; s++) if (i32[DIR_WORD + s] === 0) missing++;
  return missing;
}

/** Makes pages [page, page + n) the META run that new segment metas are placed in. */
function startMetaRun(h: Heap, page: number, n: number): void {
  const at = page << PAGE_SHIFT;
  zeroBytes(h.m8, at, n * PAGE_SIZE); // reused or above the break: may hold old data
  const i32 = h.m32;
  i32[H_META_CURSOR] = at;
  i32[H_META_END] = at + n * PAGE_SIZE;
  i32[H_META_PAGES] += n;
}

/** Tags [page, page + n) as META. */
function markMeta(i32: Int32Array, page: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const m = metaOfPage(i32, page + i);
    i32[m + M_TAG] = T_META;
    i32[m + M_NPAGES] = 1;
  }
}

/** Makes the buffer at least `bytes` long (growing it), refreshing this handle's views. */
function ensureBytes(h: Heap, bytes: number): boolean {
  if (bytes <= h.viewBytes) return true;
  if (!h.growTo(bytes)) return false;
  Atomics.add(h.m32, H_GROWTHS, 1);
  if (OBSERVE) h.counts[C_GROW]++;
  return true;
}

/** Assigns the next meta slot to segment s and numbers its pages. */
export function placeSegmentMeta(i32: Int32Array, s: number): void {
  const at = i32[H_META_CURSOR];
  i32[H_META_CURSOR] = at + SEGMENT_META_BYTES;
  const base = at >> 2;
  const first = s * SEGMENT_PAGES;
  for (let i = 0; i < SEGMENT_PAGES; i++) i32[base + i * META_WORDS + M_PAGE] = first + i;
  i32[DIR_WORD + s] = base;
  i32[H_META_SEGMENTS]++;
}
