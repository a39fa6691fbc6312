/**
 * hakmem: a malloc for JavaScript linear memory.
 *
 *   const heap = createHeap({ maxBytes: 256 << 20 });
 *   const p = heap.malloc(100);
 *   heap.u8[p] = 1;
 *   heap.free(p);
 */
import { HeapError } from "./errors.ts";
import { checkHeader, initHeader, maxPagesOf } from "./header.ts";
import { Heap } from "./heap.ts";
import { H_PROFILE, MAX_HEAP_BYTES, MIN_HEAP_BYTES, PAGE_SIZE, SEGMENT_SIZE } from "./layout.ts";
import { type Backing, bufferOf, ceilingOf, createBacking, growBacking, isBacking } from "./memory.ts";
import { type AttachOptions, baseOption, byteOption, DEFAULT_INITIAL_BYTES, DEFAULT_MAX_BYTES, type HeapOptions, type Profile, PROFILES, profileOf, statsAtExit } from "./options.ts";
import { reportAtExit } from "./report.ts";
import { SafeHeap } from "./safe.ts";
import { FastHeap } from "./fast.ts";
import { claimWorkerSlot } from "./worker.ts";

export { HeapError } from "./errors.ts";
export type { HeapErrorCode } from "./errors.ts";
export type { Heap, HeapStats, TrimResult } from "./heap.ts";
export type { ArrayOf, TypedArray, TypedArrayConstructor } from "./arrays.ts";
export type { Counters, CounterName } from "./counters.ts";
export type { AttachOptions, HeapOptions, ProfileName } from "./options.ts";
export { MAX_HEAP_BYTES } from "./layout.ts";

/** Creates a heap in a new buffer, or in `options.memory`. */
export function createHeap(options: HeapOptions = {}): Heap {
  if (typeof options !== "object" || options === null) throw new HeapError("INVALID_OPTION", "options must be an object");
  const profile = profileOf(options.profile);
  const report = statsAtExit();
  const adopted = options.memory;
  if (adopted !== undefined && !isBacking(adopted)) {
    throw new HeapError("INVALID_OPTION", "memory must be a WebAssembly.Memory, SharedArrayBuffer or ArrayBuffer");
  }
  const maxBytes = byteOption(options.maxBytes, "maxBytes", adopted === undefined ? DEFAULT_MAX_BYTES : MAX_HEAP_BYTES);
  let initialBytes = byteOption(options.initialBytes, "initialBytes", Math.min(DEFAULT_INITIAL_BYTES, maxBytes));
  if (initialBytes > maxBytes) throw new HeapError("INVALID_OPTION", `initialBytes (${initialBytes}) exceeds maxBytes (${maxBytes})`);
  if (options.shared !== undefined && typeof options.shared !== "boolean") throw new HeapError("INVALID_OPTION", "shared must be a boolean");
  const base = baseOption(options.base);
  let backing: Backing;
  if (adopted !== undefined) {
    backing = adopted;
  } else {
    initialBytes = Math.min(maxBytes, Math.ceil(initialBytes / SEGMENT_SIZE) * SEGMENT_SIZE);
    backing = createBacking(initialBytes, maxBytes, options.shared ?? typeof SharedArrayBuffer === "function");
  }
  const ceiling = ceilingOf(backing, maxBytes);
  if (ceiling - base < MIN_HEAP_BYTES) {
    throw new HeapError("INVALID_OPTION", `base ${base} leaves less than ${MIN_HEAP_BYTES} bytes for the heap below the memory's ceiling (${ceiling})`);
  }
  if (!growBacking(backing, base + Math.max(MIN_HEAP_BYTES, Math.min(initialBytes, ceiling) - base), ceiling)) {
    throw new HeapError("INVALID_OPTION", `the memory cannot hold a heap of at least ${MIN_HEAP_BYTES} bytes above ${base}`);
  }
  const buffer = bufferOf(backing);
  const head = new Int32Array(buffer, base, MIN_HEAP_BYTES >> 2);
  const bufferPages = Math.floor((Math.min(buffer.byteLength, ceiling) - base) / PAGE_SIZE);
  initHeader(head, Math.floor((ceiling - base) / PAGE_SIZE), bufferPages, PROFILES.indexOf(profile.name));
  return open(backing, ceiling, base, profile, head, report);
}

/**
 * Attaches to a heap that another handle created, from any worker: pass the heap's buffer
 * (heap.buffer) or its WebAssembly.Memory, and its base if it has one. The new handle has its
 * own front cache.
 */
export function attachHeap(memory: SharedArrayBuffer | ArrayBuffer | WebAssembly.Memory, options: AttachOptions = {}): Heap {
  if (!isBacking(memory)) throw new TypeError("attachHeap needs the heap's SharedArrayBuffer, ArrayBuffer or WebAssembly.Memory");
  if (typeof options !== "object" || options === null) throw new HeapError("INVALID_OPTION", "options must be an object");
  const base = baseOption(options.base);
  const buffer = bufferOf(memory);
  checkHeader(buffer, base);
  const head = new Int32Array(buffer, base, MIN_HEAP_BYTES >> 2);
  const heapProfile = profileOf(PROFILES[head[H_PROFILE]]);
  const profile = options.profile === undefined ? heapProfile : profileOf(options.profile);
  if (profile.debug !== heapProfile.debug || profile.tracksBlocks !== heapProfile.tracksBlocks) {
    // safe's poison and canaries must be written by every handle or checked by none, and block
    // states kept by all (fast keeps none).
    throw new HeapError("INVALID_OPTION", `profile ${profile.name} cannot attach to a heap created with profile ${heapProfile.name}`);
  }
  const ceiling = Math.min(ceilingOf(memory, MAX_HEAP_BYTES), base + maxPagesOf(head) * PAGE_SIZE);
  return open(memory, ceiling, base, profile, head, statsAtExit());
}

/** A handle with its own worker slot; with HAKMEM_STATS=1, its summary is printed at exit. */
function open(backing: Backing, ceiling: number, base: number, profile: Profile, head: Int32Array, report: boolean): Heap {
  const slot = claimWorkerSlot(head);
  const Kind = profile.debug ? SafeHeap : profile.tracksBlocks ? Heap : FastHeap;
  const heap = new Kind(backing, ceiling, base, profile, slot);
  if (report) reportAtExit(heap);
  return heap;
}
