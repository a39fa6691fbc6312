// Where a trace's peak footprint goes: replays the trace (single thread) with the library from
// src/, finds the record at which the heap's break first reaches its highest, replays again to
// that record and walks the page map there. Prints the footprint by component against the live
// bytes of the moment, for the question "what does a small heap pay per size class?".
//   node --import tsx bench/trace/anatomy.ts TRACE [--profile balanced] [--classes]
import { parseArgs } from "node:util";
import { createHeap, type Heap, type ProfileName } from "../../src/index.ts";
import { FC_COUNT } from "../../src/frontcache.ts";
import { FIRST_SPAN_PAGE, H_TOP, M_BASE, M_CARVE, M_LIMIT, M_NPAGES, M_TAG, MAX_HEAP_BYTES, M_USED, PAGE_SIZE, T_FREE, T_FREE_TAIL, T_LARGE, T_LARGE_CACHED, T_META, T_NONE, T_SLAB } from "../../src/layout.ts";
import { metaOfPage } from "../../src/pool.ts";
import { CLASS_COUNT, classSize, MID_MAX, TINY_CLASSES } from "../../src/sizeclass.ts";
import { type HktTrace, OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, R_ID, R_OLD_ID, R_SIZE, readHkt } from "./hkt.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { profile: { type: "string", default: "balanced" }, classes: { type: "boolean", default: false } } });
if (positionals.length !== 1) throw new Error("usage: anatomy.ts TRACE [--profile P] [--classes]");

/** Replays records [0, stop) into a fresh heap; returns the heap, the block offsets and the record where the break peaked. */
function replay(t: HktTrace, stop: number): { heap: Heap; off: Int32Array; peakAt: number } {
  const heap = createHeap({ maxBytes: MAX_HEAP_BYTES, profile: values.profile as ProfileName });
  const off = new Int32Array(t.blockCount + 1);
  const rec = t.records;
  let peakTop = 0;
  let peakAt = 0;
  for (let i = 0, r = 0; i < stop; i++, r += 4) {
    const op = rec[r] & 255;
    const b = rec[r + R_ID];
    const n = rec[r + R_SIZE];
    if (op === OP_FREE) heap.free(off[b]);
    else if (op === OP_MALLOC) off[b] = heap.malloc(n);
    else if (op === OP_CALLOC) off[b] = heap.calloc(1, n);
    else if (op === OP_REALLOC) off[b] = heap.realloc(off[rec[r + R_OLD_ID]], n);
    else off[b] = heap.alignedAlloc(1 << ((rec[r] >>> 16) & 255), n);
    if (op === OP_FREE) off[b] = 0;
    else if (op === OP_REALLOC) off[rec[r + R_OLD_ID]] = 0;
    const top = heap.m32[H_TOP];
    if (top > peakTop) {
      peakTop = top;
      peakAt = i + 1;
    }
  }
  return { heap, off, peakAt };
}

const KiB = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const t = await readHkt(positionals[0]);
const { peakAt } = replay(t, t.recordCount);
const { heap, off } = replay(t, peakAt);
const i32 = heap.m32;

// Live bytes now, by what serves them.
let liveSmall = 0;
let liveLarge = 0;
for (let b = 1; b < off.length; b++) {
  if (off[b] === 0) continue;
  if (t.blockSize[b] <= MID_MAX) liveSmall += t.blockSize[b];
  else liveLarge += t.blockSize[b];
}
let cached = 0;
for (let c = 0; c < CLASS_COUNT; c++) cached += heap.fc[FC_COUNT + c] * classSize[c];

const part = { header: FIRST_SPAN_PAGE * PAGE_SIZE, meta: 0, slabs: 0, handedOut: 0, freeInSlabs: 0, neverCarved: 0, slabTail: 0, large: 0, bigCache: 0, freeSpans: 0 };
const perClass = new Map<number, { slabs: number; pages: number; used: number }>();
for (let page = FIRST_SPAN_PAGE; page < i32[H_TOP]; ) {
  const m = metaOfPage(i32, page);
  const tag = i32[m + M_TAG];
  const n = tag === T_NONE || tag === T_FREE_TAIL || tag === T_META ? 1 : i32[m + M_NPAGES];
  const bytes = n * PAGE_SIZE;
  if (tag >= T_SLAB) {
    const c = tag - T_SLAB;
    const size = classSize[c];
    const carved = (i32[m + M_CARVE] - i32[m + M_BASE]) / size;
    part.slabs += bytes;
    part.handedOut += i32[m + M_USED] * size;
    part.freeInSlabs += (carved - i32[m + M_USED]) * size;
    part.neverCarved += i32[m + M_LIMIT] - carved * size;
    part.slabTail += bytes - i32[m + M_LIMIT];
    const k = perClass.get(c) ?? { slabs: 0, pages: 0, used: 0 };
    perClass.set(c, { slabs: k.slabs + 1, pages: k.pages + n, used: k.used + i32[m + M_USED] * size });
  } else if (tag === T_LARGE) part.large += bytes;
  else if (tag === T_LARGE_CACHED) part.bigCache += bytes;
  else if (tag === T_FREE) part.freeSpans += bytes;
  else if (tag === T_META) part.meta += bytes;
  page += n;
}
const footprint = i32[H_TOP] * PAGE_SIZE;
const live = liveSmall + liveLarge;
const row = (what: string, bytes: number, note = "") => console.log(`  ${what.padEnd(46)} ${KiB(bytes).padStart(10)}  ${((100 * bytes) / footprint).toFixed(1).padStart(5)} %  ${note}`);
console.log(`${t.name} (${values.profile}): peak footprint ${KiB(footprint)} at record ${peakAt} of ${t.recordCount}, live then ${KiB(live)} (${(footprint / live).toFixed(3)}×); the trace's peak live ${KiB(t.peakLiveBytes)} (${(footprint / t.peakLiveBytes).toFixed(3)}×)`);
row("header, directory, first META page", part.header);
row("segment metadata (META pages)", part.meta);
row(`slabs of ${perClass.size} classes`, part.slabs, `${[...perClass.values()].reduce((a, k) => a + k.slabs, 0)} slabs`);
row("  blocks held by the program (requested bytes)", liveSmall);
row("  their rounding up to the class size", part.handedOut - cached - liveSmall);
row("  blocks in the front cache", cached);
row("  freed blocks on slab free lists", part.freeInSlabs);
row("  never carved (slab tails not yet used)", part.neverCarved);
row("  slack after the last block of a slab", part.slabTail);
row("large blocks (requested bytes)", liveLarge);
row("  their rounding up to pages", part.large - liveLarge);
row("freed large spans kept (big cache)", part.bigCache);
row("free spans below the break", part.freeSpans);
if (values.classes) {
  for (const [c, k] of [...perClass].sort((a, b) => a[0] - b[0])) {
    console.log(`    class ${String(c).padStart(2)} (${String(classSize[c]).padStart(5)} B, ${c < TINY_CLASSES ? "tiny" : "mid"}): ${k.slabs} slabs, ${k.pages} pages, ${KiB(k.used)} handed out`);
  }
}
