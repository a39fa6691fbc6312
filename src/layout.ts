/**
 * The byte layout of a hakmem heap. Every offset the allocator uses is named here, once.
 *
 * A heap is one buffer (growable SharedArrayBuffer, resizable ArrayBuffer or WebAssembly.Memory).
 * Everything needed to keep it consistent lives inside the buffer, so any worker attached to it
 * sees the same heap. Pointers are byte offsets; 0 is never a block.
 *
 *   page      16 KiB, the unit of the page map. Page i covers [i << PAGE_SHIFT, (i + 1) << PAGE_SHIFT).
 *   segment   1 MiB = 64 pages, aligned. A segment's page metadata (64 × 128 B) is one "segment
 *             meta" block; the segment directory maps segment index → its meta block. Segment metas
 *             are allocated on demand in runs of META pages (2 metas per page), so metadata grows
 *             with the heap (0.8 % of it) instead of being reserved for maxBytes. Each run is as
 *             large as all earlier ones together, so META pages, which are never freed, form a
 *             few runs (log of the heap size) rather than one page every 2 MiB.
 *   span      a run of pages: a slab of one size class, a large block, or free.
 *   slab      a span carved into equal blocks of one class. A tiny slab is one page: its blocks
 *             from the page start, then one state byte per block, so free finds a tiny block's
 *             index and state byte from its offset and class alone (no slab fields loaded). Mid
 *             slabs keep one state word per block in the page meta.
 *
 * Base offset: a heap may start above offset 0 of its buffer (`base`, e.g. a wasm module's
 * __heap_base, rounded up to a page), leaving [0, base) to its owner: nothing there is ever read
 * or written. Every offset below, every word index and every page number is in *heap
 * coordinates*, relative to the base: the allocator's internal views (Heap.m8 / m32) start at
 * the base, so the layout is the same whatever the base. Pointers the user sees are absolute
 * (base + heap offset); the conversion happens only where pointers cross the public API: the
 * malloc family returns absolute pointers, free / realloc / usableSize convert back, and the
 * front cache holds absolute pointers so that a malloc stays a pop (refill adds the base, flush
 * subtracts it). A page-multiple base keeps every alignment up to a page absolute; the large tier
 * aligns larger alignments to absolute addresses (large.ts). Absolute offsets stay below
 * MAX_HEAP_BYTES, so both kinds are small integers.
 *
 * Buffer (heap coordinates):
 *   page 0    heap header [0, HEADER_BYTES) and the segment directory [DIR_OFFSET, DIR_OFFSET+8 KiB)
 *   page 1    first META page (metas of segments 0 and 1)
 *   page 2…   spans; `top` is the first page above every span (the heap's break)
 *
 * Offset → metadata, in O(1) with two loads (hakmem's region lookup, no in-band header):
 *   meta(p) = dir[p >>> SEGMENT_SHIFT] + ((p >>> PAGE_SHIFT) & SEGMENT_PAGE_MASK) * META_WORDS
 * (in 32-bit words, i.e. an index into an Int32Array over the buffer).
 */

/** Every block offset is a multiple of 16 (typed-array views of any element type need it). */
export const GRANULE = 16;

export const PAGE_SHIFT = 14;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;

export const SEGMENT_SHIFT = 20;
export const SEGMENT_SIZE = 1 << SEGMENT_SHIFT;
export const SEGMENT_PAGES = 1 << (SEGMENT_SHIFT - PAGE_SHIFT);
export const SEGMENT_PAGE_MASK = SEGMENT_PAGES - 1;

/**
 * Absolute offsets stay below 2^31 so they are small integers in V8; this is the ceiling of a
 * heap's buffer (base included). A larger WebAssembly.Memory (wasm32 allows 4 GiB) is used up to
 * it: the heap never grows a memory past it, and bytes above it are not the heap's.
 */
export const MAX_HEAP_BYTES = 2 ** 31;
export const MAX_SEGMENTS = MAX_HEAP_BYTES / SEGMENT_SIZE;

/** Smallest buffer a heap can live in: header page, first META page, one span page. */
export const MIN_HEAP_BYTES = 3 * PAGE_SIZE;

// ---------------------------------------------------------------------------------------------
// Heap header: 32-bit words at the start of page 0 (word index = byte offset / 4).
// ---------------------------------------------------------------------------------------------
export const HEADER_BYTES = 4096;
export const H_MAGIC = 0; // HEAP_MAGIC once initialised
export const H_VERSION = 1; // LAYOUT_VERSION
export const H_PAGE_SHIFT = 2; // PAGE_SHIFT, checked on attach
export const H_MAX_PAGES = 3; // ceiling of the heap in pages (maxBytes / PAGE_SIZE)
export const H_TOP = 4; // first page above every span: the heap's break
export const H_PEAK_TOP = 5; // highest value H_TOP has had
export const H_META_CURSOR = 6; // byte offset of the next unused segment meta block
export const H_META_END = 7; // end of the META page that H_META_CURSOR points into
export const H_LIVE_BYTES = 8; // live bytes counted by workers that have left (see W_LIVE_BYTES)
export const H_LIVE_BLOCKS = 9; // live blocks counted by workers that have left
export const H_GROWTHS = 10; // number of buffer growth operations
export const H_LOCK = 11; // pool lock word: 0 free, else the holder's worker id
export const H_BUFFER_PAGES = 12; // buffer length in pages (capped by the ceiling), written after each growth
export const H_META_PAGES = 13; // META pages holding segment metas (page 0 not counted)
export const H_META_SEGMENTS = 14; // segments that have a meta
export const H_LOCK_WAITERS = 15; // workers sleeping in Atomics.wait on H_LOCK
export const H_BIN_MASK = 16; // 4 words: bit b set when free-span bin b is non-empty
export const BIN_MASK_WORDS = 4;
export const H_BIN_HEADS = 32; // FREE_BINS words: head page meta (word index) of each bin, 0 = empty
export const FREE_BINS = 128;
export const H_BIGCACHE = H_BIN_HEADS + FREE_BINS; // BIGCACHE_SLOTS words: cached large spans' head metas
export const BIGCACHE_SLOTS = 16;
export const H_BIGCACHE_CLOCK = H_BIGCACHE + BIGCACHE_SLOTS; // next slot to evict (round robin)
export const H_BIGCACHE_PAGES = H_BIGCACHE_CLOCK + 1; // pages held in the big cache
export const H_PROFILE = H_BIGCACHE_PAGES + 1; // index in PROFILES of the creator's profile: attach's default
/** Worker table: WORKER_SLOTS entries of WORKER_WORDS words; worker id = slot index + 1. */
export const H_WORKERS = 256;
export const WORKER_SLOTS = 64;
export const WORKER_WORDS = 8;
export const W_STATE = 0; // WS_* below
export const W_INBOX = 1; // blocks other workers freed into this worker's slabs: a lock-free list
// Change in live bytes / blocks made by this worker (plain writes by the worker itself; int32
// arithmetic wraps, and the sum over all workers and the header is exact). Folded into
// H_LIVE_BYTES / H_LIVE_BLOCKS when the worker leaves. They count large blocks, and in the fast
// profile every block: tiny and mid blocks with states are counted from the states (live.ts).
export const W_LIVE_BYTES = 2;
export const W_LIVE_BLOCKS = 3;
export const W_GENERATION = 4; // times the slot has been released: makes worker ids unique
export const WS_FREE = 0;
export const WS_ACTIVE = 1;

/** Per class: abandoned slabs with free blocks, waiting to be adopted (head meta, 0 = none). */
export const H_ABANDONED = H_WORKERS + WORKER_SLOTS * WORKER_WORDS;

export const HEAP_MAGIC = 0x4b4d4148; // "HAMK" little endian
/** 2: tiny slabs are one page (a version-1 heap may hold multi-page ones, which free would misread). */
export const LAYOUT_VERSION = 2;

/** Segment directory: one word per segment, the word index of its meta block (0 = none yet). */
export const DIR_OFFSET = HEADER_BYTES;
export const DIR_WORD = DIR_OFFSET >> 2;

/** Page 1 is the first META page; spans start at FIRST_SPAN_PAGE. */
export const FIRST_META_PAGE = 1;
export const FIRST_SPAN_PAGE = 2;

// ---------------------------------------------------------------------------------------------
// Page metadata: META_WORDS 32-bit words per page. Fields marked (head) are meaningful only in
// the first page of a span; the others are set in every page of a slab.
// ---------------------------------------------------------------------------------------------
export const META_WORDS = 32;
export const META_BYTES = META_WORDS * 4;
export const SEGMENT_META_BYTES = SEGMENT_PAGES * META_BYTES;

export const M_TAG = 0; // what the page is: one of the T_* values below (slab pages: T_SLAB + class)
// word 1 is unused
export const M_SPAN = 2; // slab pages and free-span tails: word index of the span's head meta
export const M_NPAGES = 3; // (head) span length in pages
export const M_OWNER = 4; // slab pages: owning worker id (0 = abandoned; the head's copy is authoritative)
export const M_FREE = 5; // (head) slab: owner's free list, offset of the first free block (0 = none)
export const M_CARVE = 6; // (head) slab: offset of the next never-carved block
export const M_USED = 7; // (head) slab: blocks handed out of the slab (to users or front caches)
export const M_REMOTE = 8; // (head) slab: other workers' frees, a lock-free list (0 = empty)
export const M_NEXT = 9; // (head) link in a slab queue or a free-span bin (word index, 0 = end)
export const M_PREV = 10; // (head) back link of M_NEXT
export const M_FLAGS = 11; // (head) F_* bits
export const M_BASE = 12; // slab pages: offset of the slab's first block; large head: offset of the block
export const M_SIZE = 13; // large head: requested size
export const M_LIMIT = 13; // slab pages: bytes of blocks from M_BASE (capacity × class size)
export const M_PAGE = 14; // page index of this page (set when the segment meta is created)
export const M_LAST_FREED = 15; // large: offset of the last block freed from this span (diagnosis)
/** Mid slabs: state word of the block starting in this page at (offset & PAGE_MASK) >>> MID_SLOT_SHIFT. */
export const M_MID_STATE = 16;
export const MID_SLOT_SHIFT = 10; // mid blocks are > 1 KiB apart, so each start has its own slot

// Page tags.
export const T_NONE = 0; // not the head of anything: interior of a large or free span, or unused
export const T_META = 1; // header or segment-meta page
export const T_FREE = 2; // head of a free span
export const T_FREE_TAIL = 3; // last page of a free span of 2+ pages (M_SPAN → head)
export const T_SLAB = 16; // any page of a slab of class c has tag T_SLAB + c (one load classifies a pointer)
export const T_LARGE = 5; // head of a live large block's span
export const T_LARGE_CACHED = 6; // head of a freed large span held in the big cache

// Slab flags.
export const F_QUEUED = 1; // in its owner's partial queue for its class
export const F_ABANDONED = 2; // in the abandoned list of its class (owner 0)

// Tiny block state bytes (after the slab's blocks): 0..TINY_MAX_SLACK = live with that many bytes
// of slack (requested = class size − slack).
export const TINY_MAX_SLACK = 0xfd;
export const TINY_FREE = 0xfe;
export const TINY_NEVER = 0xff;
/** The safe profile's poison of free blocks (poison.ts): 0xDB in every byte. */
export const POISON = 0xdbdbdbdb | 0;
// Mid block state words: MID_LIVE_BIAS + requested size when live.
export const MID_NEVER = 0;
export const MID_FREE = 1;
export const MID_LIVE_BIAS = 2;

// ---------------------------------------------------------------------------------------------
// Size classes and the front cache: the numbers the malloc/free fast paths index with. They are
// literals in this constants-only module so that the bundler inlines them (esbuild inlines
// constants only from modules that hold nothing else; a module-level variable costs a context
// load and a type check at every use). sizeclass.ts checks them against the class table.
// ---------------------------------------------------------------------------------------------
export const CLASS_COUNT = 68;
/** Classes [0, TINY_CLASSES) are tiny (state bytes in the slab); the rest are mid. */
export const TINY_CLASSES = 20;
export const TINY_MAX = 1024;
export const MID_MAX = 65536;
/** Largest front cache of any class; the cache arrays use it as the per-class stride. */
export const CACHE_STRIDE = 128;

/**
 * The per-worker front cache (frontcache.ts), one Int32Array in the handle's own JS memory:
 *   [FC_COUNT + c]                 blocks cached for class c
 *   [FC_CAP + c]                   capacity for class c (≤ CACHE_STRIDE)
 *   [FC_SIZE + c]                  class c's block size, and
 *   [FC_STATES + c]                (tiny classes) the offset of a slab's state bytes from its start
 *                                  (= the bytes of its blocks, as a tiny slab is one page):
 *                                  copies of sizeclass.ts's tables, read by malloc and free from the
 *                                  array they index anyway rather than from module-level tables
 *   [entry(c, k)], [entry(c, k)+1] k-th cached block of class c: its offset and its state index
 */
export const FC_COUNT = 0;
export const FC_CAP = CLASS_COUNT;
export const FC_SIZE = 2 * CLASS_COUNT;
export const FC_STATES = 3 * CLASS_COUNT;
export const FC_ENTRIES = 4 * CLASS_COUNT;
export const FC_WORDS = FC_ENTRIES + CLASS_COUNT * CACHE_STRIDE * 2;

// ---------------------------------------------------------------------------------------------
// hakmem/wasm threads (wasm-thread.ts): blocks in the heap, not heap metadata.
// ---------------------------------------------------------------------------------------------
// A thread's block: [TLS, __tls_size rounded up to GRANULE][canary][stack, stackSize bytes];
// __stack_pointer starts at the block's end and grows down toward the canary, then the TLS.
export const STACK_CANARY_BYTES = GRANULE;
export const STACK_CANARY = 0x5354_4b21; // "STK!" in every word of the canary
// A thread record (Int32 words), written by the thread, read by its owner's reclaimThread.
export const THREAD_RECORD_BYTES = GRANULE;
export const TR_WORKER = 0; // workerId of the handle the thread attached, 0 once detached
export const TR_BLOCK = 1; // the thread's block, 0 once freed
