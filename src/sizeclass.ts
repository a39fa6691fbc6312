/**
 * Size classes. Tiny: 16-byte steps to 128, then four classes per doubling to 1 KiB. Mid: eight
 * classes per doubling from 1 KiB to 64 KiB (12.5 % apart, as mimalloc). Internal waste stays
 * low (hakmem's power-of-two classes waste up to 50 %). A tiny slab is one page (its blocks,
 * then their state bytes: layout.ts), so free and malloc find a tiny block's state from its
 * offset alone; a mid class carves slabs of the fewest pages that leave at most 1/16 unused.
 */
import { CACHE_STRIDE, CLASS_COUNT, GRANULE, MID_MAX, PAGE_SIZE, TINY_CLASSES, TINY_MAX, TINY_MAX_SLACK } from "./layout.ts";

export { CACHE_STRIDE, CLASS_COUNT, MID_MAX, TINY_CLASSES, TINY_MAX } from "./layout.ts";

function classSizes(): number[] {
  const sizes: number[] = [];
  for (let s = GRANULE; s <= 128; s += GRANULE) sizes.push(s);
  for (let base = 128; base < TINY_MAX; base *= 2) {
    for (let q = 5; q <= 8; q++) sizes.push((base * q) / 4);
  }
  for (let base = TINY_MAX; base < MID_MAX; base *= 2) {
    for (let q = 9; q <= 16; q++) sizes.push((base * q) / 8);
  }
  return sizes;
}

const sizes = classSizes();
// layout.ts states these as literals (inlined on the fast paths): they must match the table.
if (sizes.length !== CLASS_COUNT || sizes.indexOf(TINY_MAX) + 1 !== TINY_CLASSES) {
  throw new Error(`layout.ts: CLASS_COUNT ${CLASS_COUNT} / TINY_CLASSES ${TINY_CLASSES} do not match the class table (${sizes.length} / ${sizes.indexOf(TINY_MAX) + 1})`);
}

/** Bytes per block. */
export const classSize = new Int32Array(sizes);
/**
 * 1/size, rounded up a little, so that (d * classRecip[c]) | 0 is ⌊d / size⌋ exactly for every
 * offset d inside a slab (checked by test/sizeclass.test.ts): a multiply instead of a divide on
 * the free path.
 */
export const classRecip = new Float64Array(CLASS_COUNT);
/** Pages per slab, and for mid classes the pages of a slab made while the worker holds few of the class. */
export const classPages = new Int32Array(CLASS_COUNT);
export const classFirstPages = new Int32Array(CLASS_COUNT);
/**
 * While a worker holds fewer slabs of a mid class than this, its new ones are small (one block's
 * worth of pages): a class used little (now, whatever it was before) costs little memory.
 */
export const SMALL_FIRST_SLABS = 2;
/**
 * Lending (slab.ts, refill): mid classes up to LEND_MAX bytes pair up, the smaller (12.5 % below)
 * borrowing the larger's blocks. While a worker holds no slab of a class and fewer than
 * LEND_WHILE_SLABS of its lender, the class's front cache is filled with the lender's blocks, so
 * a heap that uses a class little pays no slab for it (issue 13: the per-class fixed cost of
 * small heaps). Larger classes fit few blocks in a slab, where lending would only add rounding.
 * A lender's size has at least the power-of-two factor of its borrower's (sizes base·q/8 with
 * q even lend to q − 1), so lent blocks keep the alignment alignedClassOf relies on.
 */
export const LEND_MAX = 8192;
export const LEND_WHILE_SLABS = 8;
/** The class lending to class c (c itself when none). */
export const classLender = new Uint8Array(CLASS_COUNT);
/** Blocks per slab. */
export const classCapacity = new Int32Array(CLASS_COUNT);
/** Tiny: byte offset of the state bytes from the slab start (after the blocks). */
export const classStateOffset = new Int32Array(CLASS_COUNT);
/** Front-cache capacity (blocks) per class, and blocks moved per refill. */
export const classCacheCap = new Int32Array(CLASS_COUNT);
/** Index by (size + 15) >>> 4 for sizes 0..MID_MAX: the smallest class that holds it. */
export const classOfGranules = new Uint8Array((MID_MAX >> 4) + 1);

function slabFor(size: number, maxWaste: number): { pages: number; capacity: number } {
  // The fewest pages (≤ 8) wasting at most maxWaste; failing that, the least waste.
  let best = { pages: 0, capacity: 0, waste: 2 };
  for (let pages = Math.ceil(size / PAGE_SIZE); pages <= 8; pages++) {
    const capacity = Math.floor((pages * PAGE_SIZE) / size);
    const waste = (pages * PAGE_SIZE - capacity * size) / (pages * PAGE_SIZE);
    if (waste <= maxWaste) return { pages, capacity };
    if (waste < best.waste) best = { pages, capacity, waste };
  }
  return best;
}

for (let c = 0; c < CLASS_COUNT; c++) {
  const size = sizes[c];
  const tiny = c < TINY_CLASSES;
  const { pages, capacity } = tiny ? { pages: 1, capacity: Math.floor(PAGE_SIZE / (size + 1)) } : slabFor(size, 1 / 16);
  classRecip[c] = (1 / size) * (1 + 2 ** -30);
  classPages[c] = pages;
  classFirstPages[c] = tiny ? pages : Math.ceil(size / PAGE_SIZE);
  classCapacity[c] = capacity;
  classStateOffset[c] = tiny ? capacity * size : 0;
  // Tiny: about 8 KiB of blocks per class, at least 16 blocks (at 8, random-mixed spent 7 % of
  // its time in refill and flush: docs/perf-log.md), at most CACHE_STRIDE; mid: about 16 KiB
  // (2 to 8 blocks).
  // Cached blocks count in the footprint, so the budget is in bytes.
  classCacheCap[c] = tiny
    ? Math.max(16, Math.min(CACHE_STRIDE, (8192 / size) | 0))
    : Math.max(2, Math.min(8, (16384 / size) | 0));
}

for (let c = 0; c < CLASS_COUNT; c++) {
  classLender[c] = c >= TINY_CLASSES && sizes[c] <= LEND_MAX && (c - TINY_CLASSES) % 2 === 0 ? c + 1 : c;
}

for (let g = 0, c = 0; g < classOfGranules.length; g++) {
  while (sizes[c] < g * GRANULE) c++;
  classOfGranules[g] = c;
}

/** The class for a request of `size` bytes (size ≤ MID_MAX). */
export function sizeClassOf(size: number): number {
  return classOfGranules[(size + GRANULE - 1) >>> 4];
}

/**
 * The class that serves `size` bytes at alignment `align` (a power of two > 16), or −1 when no
 * class does. Slabs start on page boundaries and blocks sit at multiples of the class size, so a
 * class whose size is a multiple of `align` (and align ≤ page) returns aligned blocks. Tiny
 * classes record requested sizes as slack bytes, so they qualify only when the slack fits.
 */
export function alignedClassOf(size: number, align: number): number {
  if (align > PAGE_SIZE || size > MID_MAX) return -1;
  for (let c = sizeClassOf(size); c < CLASS_COUNT; c++) {
    const s = classSize[c];
    if (s % align !== 0) continue;
    if (c < TINY_CLASSES && s - size > TINY_MAX_SLACK) continue;
    return c;
  }
  return -1;
}
