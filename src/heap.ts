/**
 * A heap handle: one worker's view of a heap, with that worker's front cache (hakmem's TLS
 * SLL / unified cache) in its own JS memory. The common malloc is a pop from the cache and the
 * common free a push, with no atomics, no object allocation and no search.
 */
import { checkAlignment, checkPointerType, checkSize, doubleFree, HeapError, invalidPointer } from "./errors.ts";
import { type ArrayOf, callocArray, freeArray, mallocArray, reallocArray, type TypedArray, type TypedArrayConstructor } from "./arrays.ts";
import { mallocString, readString } from "./strings.ts";
import { dropTopSlack, metaOfPage } from "./pool.ts";
import { allocLarge, drainBigCache, freeLarge, largeUsable, growLargeDown, resizeLargeInPlace } from "./large.ts";
import {
  DIR_WORD,
  GRANULE,
  H_BUFFER_PAGES,
  H_GROWTHS,
  MIN_HEAP_BYTES,
  PAGE_SIZE,
  H_MAX_PAGES,
  H_PEAK_TOP,
  H_TOP,
  M_BASE,
  M_LAST_FREED,
  M_MID_STATE,
  M_OWNER,
  M_PAGE,
  M_LIMIT,
  M_SIZE,
  M_SPAN,
  M_TAG,
  META_WORDS,
  MID_FREE,
  MID_LIVE_BIAS,
  MID_SLOT_SHIFT,
  PAGE_MASK,
  PAGE_SHIFT,
  SEGMENT_PAGE_MASK,
  SEGMENT_SHIFT,
  T_FREE,
  T_FREE_TAIL,
  T_LARGE,
  T_LARGE_CACHED,
  T_NONE,
  T_SLAB,
  TINY_FREE,
  TINY_MAX_SLACK,
  W_INBOX,
  W_LIVE_BLOCKS,
  W_LIVE_BYTES,
} from "./layout.ts";
import { type Backing, bufferOf, growBacking, zeroBlock } from "./memory.ts";
import type { Profile } from "./options.ts";
import { flush, refill, releaseCaches, returnBlock } from "./slab.ts";
import {
  CACHE_STRIDE,
  CLASS_COUNT,
  MID_MAX,
  TINY_CLASSES,
  alignedClassOf,
  classCacheCap,
  classOfGranules,
  classRecip,
  classSize,
  classStateOffset,
} from "./sizeclass.ts";
import { C_FREE_LOCAL, C_LARGE_ALLOC, C_LARGE_FREE, C_MALLOC_HIT, C_MALLOC_MISS, COUNTER_COUNT, type Counters, countersOf } from "./counters.ts";
import { OBSERVE } from "./flags.ts";
import { entry, FC_CAP, FC_COUNT, FC_ENTRIES, FC_SIZE, FC_STATES, FC_WORDS } from "./frontcache.ts";
import { lock, unlock } from "./lock.ts";
import { countedTotals, slabTotals } from "./live.ts";
import { activeWorkers, drainInbox, freeRemote, leaveHeap, reclaimWorker, slotWord, workerTicket } from "./worker.ts";

export interface HeapStats {
  /** Sum of the requested sizes of live blocks. */
  liveBytes: number;
  /** Number of live blocks. */
  liveBlocks: number;
  /**
   * Bytes from offset 0 to the end of the highest page in use (the heap's break). A heap above a
   * base offset counts the bytes below its base too (they are in use, by the buffer's owner), so
   * footprintBytes ≤ bufferBytes always; the heap's own share is footprintBytes − heap.base.
   */
  footprintBytes: number;
  /** Highest footprintBytes so far. */
  peakFootprintBytes: number;
  /** Current size of the buffer. */
  bufferBytes: number;
  /** Ceiling of the buffer. */
  maxBytes: number;
  /** Buffer growth operations so far. */
  growths: number;
}

export interface TrimResult {
  /** The heap's footprint after trimming. */
  footprintBytes: number;
  /** The buffer's size after trimming. */
  bufferBytes: number;
  /** Bytes of buffer above the footprint that could not be given back (the buffer can't shrink). */
  reservedBytes: number;
}

/**
 * Whether a slab block of class c stays where it is when realloc makes it `size` bytes: when
 * `size` is of its class, or a shrink leaves at most 32 bytes unused (glibc, likewise, moves
 * nothing on a shrink and splits the chunk only when the rest makes a chunk of its own).
 * Moving costs a malloc, a copy and a free.
 */
function keepsBlock(c: number, size: number): boolean {
  return size <= MID_MAX && (classOfGranules[(size + 15) >>> 4] === c || (size < classSize[c] && classSize[c] - size <= 32));
}

/** Front caches of detached handles, for reuse by this thread's next handles. */
const spareCaches: Int32Array[] = [];
const SPARE_CACHES = 4;
const DETACHED_CACHE = new Int32Array(FC_ENTRIES);
const EMPTY_U8 = new Uint8Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_F64 = new Float64Array(0);

export class Heap {
  // The views start as empty arrays of their kind, not undefined: V8 then knows each field's
  // kind and skips a type check at every use on the fast paths.
  /** @internal Internal fixed-length views from the base (heap coordinates, layout.ts), rebuilt after growth (see memory.ts). */
  m8: Uint8Array = EMPTY_U8;
  /** @internal */
  m32: Int32Array = EMPTY_I32;
  /** @internal Zeroes calloc'd blocks eight bytes a store. */
  m64: Float64Array = EMPTY_F64;
  /** @internal Views over the whole buffer from offset 0, for the public getters (m8 / m32 when the base is 0). */
  pub8: Uint8Array = EMPTY_U8;
  /** @internal */
  pub32: Int32Array = EMPTY_I32;
  /** @internal Bytes of m8 (heap coordinates). */
  viewBytes = 0;
  /** @internal */
  viewPages = 0;
  /** @internal */
  readonly backing: Backing;
  /** @internal The largest the buffer may grow (absolute, base included). */
  readonly ceiling: number;
  /**
   * Where the heap starts in its buffer: [0, base) belongs to someone else (a wasm module's data
   * and stack) and is never read or written. Pointers are absolute offsets above it.
   */
  readonly base: number;
  readonly profile: Profile;
  /** @internal This handle's worker slot (1…WORKER_SLOTS): the owner id in slab metas and the lock word. */
  readonly slot: number;
  /**
   * Identifies this handle for heap.reclaim(): unique over the heap's life (slots are reused,
   * with a new generation each time).
   */
  readonly workerId: number;
  /** @internal */
  protected readonly inboxWord: number;

  /** @internal The front cache (layout in frontcache.ts). */
  fc: Int32Array = spareCaches.pop() ?? new Int32Array(FC_WORDS);
  /** @internal Per class: the slab being carved (head meta word index) and the queue of partial slabs. */
  readonly current = new Int32Array(CLASS_COUNT);
  /** @internal */
  readonly partial = new Int32Array(CLASS_COUNT);
  /** @internal Empty slabs kept for reuse, oldest first (a ring; see slab.ts retainEmpty). */
  readonly retained: Int32Array;
  /** @internal */
  retainedHead = 0;
  /** @internal */
  retainedCount = 0;
  /** @internal Per class: slabs this handle has made and not yet released (while few, new ones are small: sizeclass.ts). */
  readonly slabsHeld = new Int32Array(CLASS_COUNT);

  /** @internal Word index of this worker's slot; W_LIVE_BYTES / W_LIVE_BLOCKS count its allocations not counted from block states (live.ts). */
  readonly statWord: number;
  /** @internal Event counters (counters.ts); written only in the observe build. */
  readonly counts = new Float64Array(COUNTER_COUNT);
  /** @internal The class tables malloc and free read, as fields: a module-level table costs a context load and a type check at each use. */
  readonly classOf = classOfGranules;
  /** @internal */
  readonly recip = classRecip;
  /** @internal Depth of this handle's hold on the pool lock (lock.ts). */
  lockDepth = 0;
  /** @internal Bytes of mid-class blocks in the front cache (bounded by profile.midCacheBytes). */
  midCached = 0;
  /** @internal */
  detached = false;

  // Result of locate(): what the pointer names.
  /** @internal */
  protected lkClass = 0; // size class, or −1 for a large block
  /** @internal */
  protected lkMeta = 0; // slab head meta / large head meta
  /** @internal */
  protected lkState = 0; // slab: state index
  /** @internal */
  protected lkRequested = 0;

  private views: Partial<Record<string, ArrayBufferView>> = {};

  constructor(backing: Backing, ceiling: number, base: number, profile: Profile, slot: number) {
    this.backing = backing;
    this.ceiling = ceiling;
    this.base = base;
    this.profile = profile;
    this.retained = new Int32Array(profile.retainEmptySlabs);
    this.slot = slot;
    this.inboxWord = slotWord(slot, W_INBOX);
    this.statWord = slotWord(slot, 0);
    this.fc.fill(0, FC_COUNT, FC_COUNT + CLASS_COUNT); // a reused cache: no blocks in it
    for (let c = 0; c < CLASS_COUNT; c++) {
      this.fc[FC_CAP + c] = Math.max(2, Math.min(CACHE_STRIDE, Math.round(classCacheCap[c] * profile.cacheScale)));
      this.fc[FC_SIZE + c] = classSize[c];
      this.fc[FC_STATES + c] = classStateOffset[c];
    }
    this.refreshViews();
    this.workerId = workerTicket(this.m32, slot);
  }

  // -------------------------------------------------------------------------------------------
  // malloc family
  // -------------------------------------------------------------------------------------------

  /** Allocates `size` bytes; returns a 16-byte aligned offset, or 0 when out of memory. */
  malloc(size: number): number {
    if (size <= MID_MAX && size >>> 0 === size) {
      const c = this.classOf[(size + 15) >>> 4];
      const fc = this.fc;
      const k = fc[FC_COUNT + c] - 1;
      if (k >= 0) {
        fc[FC_COUNT + c] = k;
        const e = FC_ENTRIES + ((c * CACHE_STRIDE + k) << 1);
        if (c < TINY_CLASSES) this.m8[fc[e + 1]] = fc[FC_SIZE + c] - size;
        else {
          this.m32[fc[e + 1]] = size + MID_LIVE_BIAS;
          this.midCached -= fc[FC_SIZE + c];
        }
        if (OBSERVE) this.counts[C_MALLOC_HIT]++;
        return fc[e];
      }
      return this.mallocRefill(c, size);
    }
    return this.mallocSlow(size, GRANULE);
  }

  /**
   * Frees a block; free(0) does nothing. Throws HeapError for anything that is not a live block.
   * The tiny-block path is kept small enough for V8 to inline free into its callers; mid blocks
   * and full caches take methods of their own.
   */
  free(ptr: number): void {
    const p = ptr - this.base; // heap coordinates from here on; errors name ptr
    if ((ptr | 0) !== ptr || p <= 0 || p >= this.viewBytes) {
      this.freeSlow(ptr);
      return;
    }
    const i32 = this.m32;
    const seg = i32[DIR_WORD + (p >>> SEGMENT_SHIFT)];
    const m = seg + ((p >>> PAGE_SHIFT) & SEGMENT_PAGE_MASK) * META_WORDS;
    const c = i32[m + M_TAG] - T_SLAB;
    // !(c >= 0) also catches NaN: metadata beyond this handle's views (another worker grew the
    // heap since), which freeOther's locate() reads again after picking up the growth.
    if (seg === 0 || !(c >= 0)) {
      this.freeOther(ptr);
      return;
    }
    if (c >= TINY_CLASSES) {
      this.freeMid(ptr, m, c);
      return;
    }
    // A tiny slab is its page (layout.ts): the offset in the page gives the block index. (Class
    // sizes are multiples of 16, so the block-start check rejects misaligned pointers too.)
    const fc = this.fc;
    const d = p & PAGE_MASK;
    const idx = (d * this.recip[c]) | 0;
    const lim = fc[FC_STATES + c];
    if (idx * fc[FC_SIZE + c] !== d || d >= lim) throw invalidPointer(ptr);
    const st = p - d + lim + idx;
    if (this.m8[st] > TINY_MAX_SLACK || i32[m + M_OWNER] !== this.slot) {
      this.freeTinyElsewhere(ptr, m, c, st);
      return;
    }
    this.m8[st] = TINY_FREE;
    this.cacheFreed(c, ptr, st);
  }

  /** @internal free() of a tiny block that is not live (an error) or that another worker owns. */
  protected freeTinyElsewhere(ptr: number, m: number, c: number, st: number): void {
    // A slab another worker made after this handle's last view refresh may keep its states
    // beyond the views: free again once locate() has picked up the growth.
    if (st >= this.viewBytes) return this.freeSlow(ptr);
    const slack = this.m8[st];
    if (slack > TINY_MAX_SLACK) throw this.deadBlock(ptr, slack === TINY_FREE);
    freeRemote(this, ptr - this.base, c, this.m32[m + M_SPAN], st);
  }

  /** @internal free() of a mid block (class c, page meta m) that passed the block-start check. */
  protected freeMid(ptr: number, m: number, c: number): void {
    const p = ptr - this.base;
    const i32 = this.m32;
    const size = this.fc[FC_SIZE + c];
    const d = p - i32[m + M_BASE];
    if (((d * this.recip[c]) | 0) * size !== d || d >= i32[m + M_LIMIT]) throw invalidPointer(ptr);
    const st = m + M_MID_STATE + ((p & PAGE_MASK) >>> MID_SLOT_SHIFT);
    const word = i32[st];
    if (word < MID_LIVE_BIAS) throw this.deadBlock(ptr, word === MID_FREE);
    if (i32[m + M_OWNER] !== this.slot) return freeRemote(this, p, c, i32[m + M_SPAN], st);
    i32[st] = MID_FREE;
    if (this.midCached + size > this.profile.midCacheBytes) {
      returnBlock(this, c, p); // the cache's byte budget is spent: straight back to the slab
      return;
    }
    this.midCached += size;
    this.cacheFreed(c, ptr, st);
  }

  /** @internal Pushes a block this handle freed (pointer ptr, state index st) on class c's cache. */
  protected cacheFreed(c: number, ptr: number, st: number): void {
    const fc = this.fc;
    let k = fc[FC_COUNT + c];
    if (k === fc[FC_CAP + c]) k = this.makeRoom(c);
    const e = FC_ENTRIES + ((c * CACHE_STRIDE + k) << 1);
    fc[e] = ptr;
    fc[e + 1] = st;
    fc[FC_COUNT + c] = k + 1;
    if (OBSERVE) this.counts[C_FREE_LOCAL]++;
  }

  /** @internal Class c's cache is full: flushes half of it; returns its new count. */
  protected makeRoom(c: number): number {
    flush(this, c);
    // A worker that only frees never refills: take remote frees back here too.
    if (Atomics.load(this.m32, this.inboxWord) !== 0) drainInbox(this);
    return this.fc[FC_COUNT + c];
  }

  /** Allocates count × size zeroed bytes; 0 on overflow or out of memory. */
  calloc(count: number, size: number): number {
    const total = count * size;
    // Integer counts whose product a class holds skip the argument checks' calls.
    if (total > MID_MAX || count >>> 0 !== count || size >>> 0 !== size) {
      checkSize(count, "count");
      checkSize(size, "size");
      if (total > this.ceiling) return 0;
    }
    const p = this.malloc(total);
    if (p !== 0) zeroBlock(this.m8, this.m64, p - this.base, total);
    return p;
  }

  /**
   * Resizes a block, keeping its contents up to the smaller size. realloc(0, n) is malloc(n);
   * realloc(p, 0) frees p and returns 0. On failure returns 0 and p stays valid and unchanged.
   */
  realloc(p: number, size: number): number {
    if (p === 0) return this.malloc(size);
    if (size >>> 0 !== size) checkSize(size, "size");
    if (size === 0) {
      this.free(p);
      return 0;
    }
    this.locate(p);
    const c = this.lkClass;
    const old = this.lkRequested;
    if (c >= 0 ? keepsBlock(c, size) : size > MID_MAX) {
      if (this.resizeInPlace(size)) return p;
      if (c < 0) {
        // or into a free left neighbour, its bytes moved down (large.ts)
        const q = growLargeDown(this, this.lkMeta, size, Math.min(old, size));
        if (q !== 0) {
          this.lkMeta = metaOfPage(this.m32, q >>> PAGE_SHIFT);
          this.m32[this.statWord + W_LIVE_BYTES] += this.counted(size, -1) - old;
          return this.base + q;
        }
      }
    }
    const q = this.malloc(size);
    if (q === 0) {
      // Out of memory: a shrink can still be done in place.
      this.locate(p);
      return size < old && this.resizeInPlace(size) ? p : 0;
    }
    const from = p - this.base;
    this.m8.copyWithin(q - this.base, from, from + Math.min(old, size));
    this.free(p);
    return q;
  }

  /**
   * @internal Resizes the block locate() found to `size` without moving it, when its class or
   * span allows.
   */
  protected resizeInPlace(size: number): boolean {
    const c = this.lkClass;
    if (c < 0) {
      if (!resizeLargeInPlace(this, this.lkMeta, size)) return false;
      this.m32[this.statWord + W_LIVE_BYTES] += this.counted(size, c) - this.lkRequested;
    } else if (!this.profile.tracksBlocks) {
      if (size > classSize[c]) return false;
    } else if (c < TINY_CLASSES) {
      if (size > classSize[c] || classSize[c] - size > TINY_MAX_SLACK) return false;
      this.m8[this.lkState] = classSize[c] - size;
    } else {
      if (size > classSize[c]) return false;
      this.m32[this.lkState] = size + MID_LIVE_BIAS;
    }
    return true;
  }

  /**
   * What stats count for a block of `requested` bytes in class c (−1: the located large block):
   * the requested size, except in fast, which keeps no block states and counts usable sizes.
   */
  private counted(requested: number, c: number): number {
    if (this.profile.tracksBlocks) return requested;
    return c >= 0 ? classSize[c] : largeUsable(this.m32, this.lkMeta);
  }

  /** Allocates `size` bytes at a multiple of `align` (a power of two). 0 when out of memory. */
  alignedAlloc(align: number, size: number): number {
    checkAlignment(align);
    if (align <= GRANULE) return this.malloc(size);
    checkSize(size, "size");
    const c = alignedClassOf(size, align);
    if (c >= 0) return this.mallocClass(c, size);
    return this.mallocSlow(size, align);
  }

  /** Bytes usable at p (≥ the requested size). */
  usableSize(p: number): number {
    this.locate(p);
    return this.lkClass >= 0 ? classSize[this.lkClass] : largeUsable(this.m32, this.lkMeta);
  }

  // -------------------------------------------------------------------------------------------
  // typed arrays and strings: bindings over the calls above (arrays.ts, strings.ts)
  // -------------------------------------------------------------------------------------------

  /** A view of `length` elements of Type over a new block (its byteOffset is the pointer), or null when out of memory. */
  mallocArray<C extends TypedArrayConstructor>(Type: C, length: number): ArrayOf<C> | null {
    return mallocArray(this, Type, length);
  }

  /** As mallocArray, zeroed. */
  callocArray<C extends TypedArrayConstructor>(Type: C, length: number): ArrayOf<C> | null {
    return callocArray(this, Type, length);
  }

  /** A view over the block resized to `length` elements, contents kept; null when out of memory, the old block intact. */
  reallocArray<T extends TypedArray>(view: T, length: number): T | null {
    return reallocArray(this, view, length);
  }

  /** Frees the block a view starts at; anything else throws HeapError, as free. */
  freeArray(view: ArrayBufferView): void {
    freeArray(this, view);
  }

  /** A new block holding `s` as NUL-terminated UTF-8; 0 when out of memory. */
  mallocString(s: string): number {
    return mallocString(this, s);
  }

  /** The UTF-8 string at p: `byteLength` bytes, or up to the first 0 byte. */
  readString(p: number, byteLength?: number): string {
    return readString(this, p, byteLength);
  }

  // -------------------------------------------------------------------------------------------
  // the buffer
  // -------------------------------------------------------------------------------------------

  /** The heap's buffer (a new object after each growth of a WebAssembly.Memory). */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return bufferOf(this.backing);
  }

  /** The WebAssembly.Memory the heap lives in, if any. */
  get memory(): WebAssembly.Memory | undefined {
    return this.backing instanceof WebAssembly.Memory ? this.backing : undefined;
  }

  // Views over the whole buffer. Each read returns a view of the current buffer: read the
  // property again after an allocation that may have grown the heap.
  get u8(): Uint8Array {
    if (this.m32[H_BUFFER_PAGES] !== this.viewPages) this.refreshViews();
    return this.pub8;
  }
  get i32(): Int32Array {
    if (this.m32[H_BUFFER_PAGES] !== this.viewPages) this.refreshViews();
    return this.pub32;
  }
  get i8(): Int8Array {
    return this.view("i8", Int8Array);
  }
  get u16(): Uint16Array {
    return this.view("u16", Uint16Array);
  }
  get i16(): Int16Array {
    return this.view("i16", Int16Array);
  }
  get u32(): Uint32Array {
    return this.view("u32", Uint32Array);
  }
  get f32(): Float32Array {
    return this.view("f32", Float32Array);
  }
  get f64(): Float64Array {
    return this.view("f64", Float64Array);
  }
  get i64(): BigInt64Array {
    return this.view("i64", BigInt64Array);
  }
  get u64(): BigUint64Array {
    return this.view("u64", BigUint64Array);
  }
  /** A DataView over the whole buffer. */
  get dataView(): DataView {
    this.checkGrown();
    return (this.views.dv ??= new DataView(this.buffer, 0, this.base + this.viewBytes)) as DataView;
  }

  /**
   * Gives memory back: this handle's cached blocks and empty slabs and the big cache return to
   * the pool, and a resizable ArrayBuffer shrinks to the heap's footprint (when no other handle
   * is attached). A SharedArrayBuffer or WebAssembly.Memory cannot shrink: what stays reserved
   * is reported.
   */
  trim(): TrimResult {
    this.checkGrown();
    this.releaseHeld();
    lock(this);
    dropTopSlack(this);
    unlock(this);
    if (this.backing instanceof ArrayBuffer && this.backing.resizable && activeWorkers(this.m32) === 1) {
      lock(this);
      const target = this.base + Math.max(MIN_HEAP_BYTES, this.m32[H_TOP] * PAGE_SIZE);
      if (target < this.backing.byteLength) {
        this.backing.resize(target);
        this.refreshViews();
        Atomics.store(this.m32, H_BUFFER_PAGES, this.viewPages);
      }
      unlock(this);
    }
    const s = this.stats();
    return { footprintBytes: s.footprintBytes, bufferBytes: s.bufferBytes, reservedBytes: s.bufferBytes - s.footprintBytes };
  }

  stats(): HeapStats {
    this.checkGrown();
    const i32 = this.m32;
    let [liveBytes, liveBlocks] = countedTotals(i32);
    if (this.profile.tracksBlocks) {
      const [bytes, blocks] = slabTotals(this.m8, i32, this.viewPages);
      liveBytes += bytes;
      liveBlocks += blocks;
    }
    return {
      liveBytes,
      liveBlocks,
      footprintBytes: this.base + i32[H_TOP] * 2 ** PAGE_SHIFT,
      peakFootprintBytes: this.base + i32[H_PEAK_TOP] * 2 ** PAGE_SHIFT,
      bufferBytes: this.buffer.byteLength,
      maxBytes: Math.min(this.ceiling, this.base + i32[H_MAX_PAGES] * 2 ** PAGE_SHIFT),
      growths: Atomics.load(i32, H_GROWTHS),
    };
  }

  /**
   * Leaves the heap: this handle's cached blocks go back to their slabs, its slabs become
   * adoptable by other workers, and the handle can no longer be used.
   */
  detach(): void {
    if (this.detached) return;
    this.checkGrown();
    leaveHeap(this);
    this.detached = true;
    // The front cache (70 KB) goes to the next handle this thread attaches: workers that detach
    // and re-attach every round would otherwise leave the garbage collector a pile of them.
    if (spareCaches.length < SPARE_CACHES) spareCaches.push(this.fc);
    this.fc = DETACHED_CACHE; // empty, zero capacity: malloc takes the slow path, which reports DETACHED
    this.viewBytes = 0; // every later call takes a slow path, which reports DETACHED
  }

  // -------------------------------------------------------------------------------------------
  // internals
  // -------------------------------------------------------------------------------------------

  /**
   * Per-tier event counters of this handle: front-cache hits and misses, refills, carves,
   * remote frees and drains, slab and span traffic, growths. Only the "hakmem/observe" build
   * counts; the default build has them compiled out and throws.
   */
  counters(): Counters {
    if (!OBSERVE) throw new HeapError("NOT_OBSERVED", 'counters are compiled out of this build: import from "hakmem/observe"');
    return countersOf(this.counts);
  }

  /**
   * Recovers the slabs, blocks and lock of a worker that ended without detach() (terminated,
   * crashed). `workerId` is that worker's handle's workerId. Call it only once that worker has
   * stopped: see reclaimOnExit in "hakmem/node". Returns false if the id was not in use.
   */
  reclaim(workerId: number): boolean {
    this.checkGrown();
    return reclaimWorker(this, workerId);
  }

  /** @internal Grows the buffer to hold at least `bytes` of heap (heap coordinates). */
  growTo(bytes: number): boolean {
    const ok = growBacking(this.backing, this.base + bytes, this.ceiling);
    this.refreshViews();
    Atomics.store(this.m32, H_BUFFER_PAGES, this.viewPages);
    return ok;
  }

  /** @internal */
  refreshViews(): void {
    const buffer = bufferOf(this.backing);
    const base = this.base;
    const bytes = Math.min(buffer.byteLength, this.ceiling) - base;
    if (bytes === this.viewBytes && this.m8.buffer === buffer) return;
    this.m8 = new Uint8Array(buffer, base, bytes);
    this.m32 = new Int32Array(buffer, base, bytes >>> 2);
    this.m64 = new Float64Array(buffer, base, bytes >>> 3);
    this.pub8 = base === 0 ? this.m8 : new Uint8Array(buffer, 0, base + bytes);
    this.pub32 = base === 0 ? this.m32 : new Int32Array(buffer, 0, (base + bytes) >>> 2);
    this.viewBytes = bytes;
    this.viewPages = Math.floor(bytes / 2 ** PAGE_SHIFT);
    this.views = {};
  }

  /** Picks up growth done by another worker. */
  private checkGrown(): void {
    if (this.detached) throw new HeapError("DETACHED", "this heap handle was detached");
    if (this.m32[H_BUFFER_PAGES] !== this.viewPages) this.refreshViews();
  }

  private view<T extends ArrayBufferView>(key: string, Ctor: { new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number }): T {
    this.checkGrown();
    return (this.views[key] ??= new Ctor(this.buffer, 0, Math.floor((this.base + this.viewBytes) / Ctor.BYTES_PER_ELEMENT))) as T;
  }

  /** @internal Pops a block of class c for a request of `size` bytes, refilling the cache if needed. */
  protected mallocClass(c: number, size: number): number {
    const fc = this.fc;
    if (fc[FC_COUNT + c] === 0) {
      // A detached handle's cache is always empty: every path to a slab block (safe's malloc,
      // alignedAlloc) comes here.
      if (this.detached) throw new HeapError("DETACHED", "this heap handle was detached");
      if (Atomics.load(this.m32, this.inboxWord) !== 0) drainInbox(this);
      if (fc[FC_COUNT + c] === 0 && refill(this, c) === 0 && (!this.releaseHeld() || refill(this, c) === 0)) return 0;
    }
    const k = --fc[FC_COUNT + c];
    const e = entry(c, k);
    // fast keeps no block states: its frees do not even record the state index (fast.ts)
    if (!this.profile.tracksBlocks) {
      if (c >= TINY_CLASSES) this.midCached -= classSize[c];
    } else if (c < TINY_CLASSES) this.m8[fc[e + 1]] = classSize[c] - size;
    else {
      this.m32[fc[e + 1]] = size + MID_LIVE_BIAS;
      this.midCached -= classSize[c];
    }
    return fc[e];
  }

  /** @internal */
  protected mallocRefill(c: number, size: number): number {
    if (this.detached) throw new HeapError("DETACHED", "this heap handle was detached");
    if (OBSERVE) this.counts[C_MALLOC_MISS]++;
    return this.mallocClass(c, size);
  }

  /** @internal Large blocks, aligned large blocks and invalid sizes. */
  protected mallocSlow(size: number, align: number): number {
    if (this.detached) throw new HeapError("DETACHED", "this heap handle was detached");
    checkSize(size, "size");
    if (size > this.ceiling) return 0;
    if (size <= MID_MAX && align <= GRANULE) return this.mallocClass(classOfGranules[(size + 15) >>> 4], size);
    if (OBSERVE) this.counts[C_MALLOC_MISS]++;
    let p = allocLarge(this, size, align);
    if (p === 0 && this.releaseHeld()) p = allocLarge(this, size, align);
    if (p === 0) return 0;
    if (OBSERVE) this.counts[C_LARGE_ALLOC]++;
    this.lkMeta = metaOfPage(this.m32, p >>> PAGE_SHIFT);
    this.m32[this.statWord + W_LIVE_BYTES] += this.counted(size, -1);
    this.m32[this.statWord + W_LIVE_BLOCKS]++;
    return this.base + p;
  }

  /** Out of memory: gives back what this handle holds in caches. Returns whether it held any. */
  private releaseHeld(): boolean {
    const cached = releaseCaches(this);
    return drainBigCache(this) || cached;
  }

  /** @internal */
  protected freeSlow(ptr: number): void {
    if (ptr === 0) return;
    this.locate(ptr);
    this.free(ptr);
  }

  /** @internal Frees what is not a slab block: a large block, or an error. */
  protected freeOther(ptr: number): void {
    this.locate(ptr);
    if (this.lkClass >= 0) throw invalidPointer(ptr); // unreachable: slabs take the fast path
    this.m32[this.statWord + W_LIVE_BYTES] -= this.lkRequested;
    this.m32[this.statWord + W_LIVE_BLOCKS]--;
    freeLarge(this, this.lkMeta);
    if (OBSERVE) this.counts[C_LARGE_FREE]++;
  }

  /**
   * @internal
   * Classifies p without changing anything: sets lkClass, lkMeta, lkState and lkRequested for a
   * live block, throws HeapError (or TypeError) for anything else.
   */
  protected locate(ptr: number): void {
    if (this.detached) throw new HeapError("DETACHED", "this heap handle was detached");
    checkPointerType(ptr);
    if (!Number.isInteger(ptr) || ptr <= 0 || (ptr & 15) !== 0 || ptr >= 2 ** 31) throw invalidPointer(ptr);
    this.checkGrown(); // its metadata may lie beyond this handle's views
    const i32 = this.m32;
    const p = ptr - this.base; // heap coordinates; errors name ptr
    if (p <= 0 || p >= this.viewBytes) throw invalidPointer(ptr);
    const seg = i32[DIR_WORD + (p >>> SEGMENT_SHIFT)];
    if (seg === 0) throw invalidPointer(ptr);
    const m = seg + ((p >>> PAGE_SHIFT) & SEGMENT_PAGE_MASK) * META_WORDS;
    const tag = i32[m + M_TAG];
    if (tag >= T_SLAB) {
      const c = tag - T_SLAB;
      const hm = i32[m + M_SPAN];
      const base = i32[hm + M_PAGE] << PAGE_SHIFT;
      const size = classSize[c];
      const idx = ((p - base) / size) | 0;
      if (idx * size !== p - base || p - base >= i32[m + M_LIMIT]) throw invalidPointer(ptr);
      this.lkClass = c;
      this.lkMeta = hm;
      if (!this.profile.tracksBlocks) {
        this.lkRequested = size; // fast keeps no block states: a block is its class size
      } else if (c < TINY_CLASSES) {
        const st = base + classStateOffset[c] + idx;
        const slack = this.m8[st];
        if (slack > TINY_MAX_SLACK) throw this.deadBlock(ptr, slack === TINY_FREE);
        this.lkState = st;
        this.lkRequested = size - slack;
      } else {
        const st = m + M_MID_STATE + ((p & PAGE_MASK) >>> MID_SLOT_SHIFT);
        const word = i32[st];
        if (word < MID_LIVE_BIAS) throw this.deadBlock(ptr, word === MID_FREE);
        this.lkState = st;
        this.lkRequested = word - MID_LIVE_BIAS;
      }
      return;
    }
    if (tag === T_LARGE && i32[m + M_BASE] === p) {
      this.lkClass = -1;
      this.lkMeta = m;
      this.lkRequested = this.counted(i32[m + M_SIZE], -1);
      return;
    }
    const freed =
      (tag === T_LARGE_CACHED && i32[m + M_BASE] === p) ||
      ((tag === T_NONE || tag === T_FREE || tag === T_FREE_TAIL) && i32[m + M_LAST_FREED] === p);
    throw this.deadBlock(ptr, freed);
  }

  private deadBlock(p: number, wasFreed: boolean): HeapError {
    return wasFreed ? doubleFree(p) : invalidPointer(p);
  }
}
