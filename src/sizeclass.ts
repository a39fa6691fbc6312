/**
 * Size classes. Tiny: 16-byte steps to 128, then four classes per doubling to 1 KiB. Mid: four
 * classes per doubling from 1 KiB to 64 KiB. Spacing of ≤ 25 % between neighbours keeps the
 * average internal waste near 10 % (hakmem's power-of-two classes waste up to 50 %).
 * Each class carves slabs of a few pages chosen so that the slab's tail waste stays small.
 */
import { GRANULE, PAGE_SIZE, TINY_MAX_SLACK } from "./layout.ts";

export const TINY_MAX = 1024;
export const MID_MAX = 65536;

function classSizes(): number[] {
  const sizes: number[] = [];
  for (let s = GRANULE; s <= 128; s += GRANULE) sizes.push(s);
  for (let base = 128; base < MID_MAX; base *= 2) {
    for (let q = 5; q <= 8; q++) sizes.push((base * q) / 4);
  }
  return sizes;
}

const sizes = classSizes();
export const CLASS_COUNT = sizes.length;
/** Classes [0, TINY_CLASSES) are tiny (state bytes in the slab); the rest are mid. */
export const TINY_CLASSES = sizes.indexOf(TINY_MAX) + 1;

/** Bytes per block. */
export const classSize = new Int32Array(sizes);
/**
 * 1/size, rounded up a little, so that (d * classRecip[c]) | 0 is ⌊d / size⌋ exactly for every
 * offset d inside a slab (checked by test/sizeclass.test.ts): a multiply instead of a divide on
 * the free path.
 */
export const classRecip = new Float64Array(CLASS_COUNT);
/** Pages per slab. */
export const classPages = new Int32Array(CLASS_COUNT);
/** Blocks per slab. */
export const classCapacity = new Int32Array(CLASS_COUNT);
/** Tiny: byte offset of the state bytes from the slab start (after the blocks). */
export const classStateOffset = new Int32Array(CLASS_COUNT);
/** Front-cache capacity (blocks) per class, and blocks moved per refill. */
export const classCacheCap = new Int32Array(CLASS_COUNT);
/** Index by (size + 15) >>> 4 for sizes 0..MID_MAX: the smallest class that holds it. */
export const classOfGranules = new Uint8Array((MID_MAX >> 4) + 1);

/** Largest front cache of any class; the cache arrays use it as the per-class stride. */
export const CACHE_STRIDE = 128;

function slabFor(size: number, stateBytes: number): { pages: number; capacity: number } {
  // Fewest pages whose tail waste is within 3 % of the best achievable with ≤ 8 pages.
  let best = { pages: 0, capacity: 0, waste: 2 };
  for (let pages = Math.ceil(size / PAGE_SIZE); pages <= 8; pages++) {
    const capacity = Math.floor((pages * PAGE_SIZE) / (size + stateBytes));
    if (capacity < 1) continue;
    const waste = (pages * PAGE_SIZE - capacity * size) / (pages * PAGE_SIZE);
    if (waste < best.waste - 0.03) best = { pages, capacity, waste };
  }
  return best;
}

for (let c = 0; c < CLASS_COUNT; c++) {
  const size = sizes[c];
  const tiny = c < TINY_CLASSES;
  const { pages, capacity } = slabFor(size, tiny ? 1 : 0);
  classRecip[c] = (1 / size) * (1 + 2 ** -30);
  classPages[c] = pages;
  classCapacity[c] = capacity;
  classStateOffset[c] = tiny ? capacity * size : 0;
  // About 32 KiB of blocks per class, between 8 and CACHE_STRIDE blocks.
  classCacheCap[c] = Math.max(8, Math.min(CACHE_STRIDE, (32768 / size) | 0));
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
