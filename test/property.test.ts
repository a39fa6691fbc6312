// Model-based property test for hakmem: random sequences of malloc / calloc / realloc /
// alignedAlloc / free / usableSize, checked after every operation against a reference model.
//
// Environment knobs (all optional):
//   HAKMEM_TEST_SEED=<int>        fast-check seed (printed on failure; also shown as a diagnostic)
//   HAKMEM_TEST_PATH=<path>       fast-check counterexample path (replay a shrunk failure; needs SEED)
//   HAKMEM_TEST_OPS=<int>         random operations per profile in the big-heap property (default 300000)
//   HAKMEM_TEST_OPS_PER_RUN=<int> operations per generated sequence (default 10000)
//   HAKMEM_TEST_SHRINK_MS=<int>   time budget for shrinking a failure (default 10000)
// Replaying one case: HAKMEM_TEST_SEED=.. HAKMEM_TEST_PATH=.. node --import tsx --test \
//   --test-name-pattern '<test name>' test/property.test.ts

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHeap } from "../src/index.ts";

type Heap = ReturnType<typeof createHeap>;
type Profile = "fast" | "balanced" | "lean" | "safe";

const KiB = 1024;
const MiB = 1024 * KiB;
const PROFILES: readonly Profile[] = ["balanced", "fast", "safe", "lean"];

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

const SEED = envInt("HAKMEM_TEST_SEED");
const PATH = process.env["HAKMEM_TEST_PATH"] || undefined;
const OPS_PER_PROFILE = envInt("HAKMEM_TEST_OPS") ?? 300_000;
const OPS_PER_RUN = envInt("HAKMEM_TEST_OPS_PER_RUN") ?? 10_000;
const SHRINK_MS = envInt("HAKMEM_TEST_SHRINK_MS") ?? 10_000;

// ---------------------------------------------------------------------------------------------
// Operations

/** [kind 0..99, tier 0..99, a (size entropy), b (choice entropy)] */
type Op = readonly [number, number, number, number];

const OP_KINDS = [
  "malloc",
  "calloc",
  "realloc",
  "realloc0n",
  "reallocP0",
  "alignedAlloc",
  "free",
  "usableSize",
] as const;
type OpKind = (typeof OP_KINDS)[number];

function kindOf(k: number): OpKind {
  if (k < 30) return "malloc"; // 30%
  if (k < 38) return "calloc"; // 8%
  if (k < 52) return "realloc"; // 14%: realloc(p, n), n may be any tier
  if (k < 54) return "realloc0n"; // 2%: realloc(0, n)
  if (k < 56) return "reallocP0"; // 2%: realloc(p, 0)
  if (k < 62) return "alignedAlloc"; // 6%
  if (k < 96) return "free"; // 34%
  return "usableSize"; // 4%
}

/** Size distribution: 2% zero, 70% tiny (1..1024), 20% mid (1025..65536), 8% large (65537..4 MiB). */
function sizeOf(tier: number, a: number): number {
  if (tier < 2) return 0;
  if (tier < 72) return 1 + (a % 1024);
  if (tier < 92) return 1025 + (a % (65536 - 1024));
  const top = (128 * KiB) << (a % 6); // 128 KiB .. 4 MiB, log-skewed
  return 65537 + (Math.floor(a / 6) % (top - 65536));
}

function tierName(size: number): "zero" | "tiny" | "mid" | "large" {
  if (size === 0) return "zero";
  if (size <= 1024) return "tiny";
  if (size <= 65536) return "mid";
  return "large";
}

function alignOf(b: number): number {
  return 16 << ((b >>> 3) % 13); // 16 .. 65536
}

function describeOp(op: Op | undefined): string {
  if (op === undefined) return "(none)";
  const [k, t, a, b] = op;
  return `${kindOf(k)}(size=${sizeOf(t, a)}, align=${alignOf(b)}, b=${b}) raw=[${k},${t},${a},${b}]`;
}

const opArb: fc.Arbitrary<Op> = fc.tuple(
  fc.integer({ min: 0, max: 99 }),
  fc.integer({ min: 0, max: 99 }),
  fc.nat(),
  fc.nat(),
);

/**
 * Fixed-length op sequences (so the number of operations per run is exact), with a pure shrinker
 * that first tries shorter prefixes (binary-search-like), then removal of chunks.
 */
class OpSeqArbitrary extends fc.Arbitrary<Op[]> {
  constructor(
    private readonly item: fc.Arbitrary<Op>,
    private readonly length: number,
  ) {
    super();
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<Op[]> {
    const out: Op[] = new Array<Op>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.item.generate(mrng, biasFactor).value;
    return new fc.Value(out, undefined);
  }
  canShrinkWithoutContext(value: unknown): value is Op[] {
    return Array.isArray(value);
  }
  shrink(value: Op[]): fc.Stream<fc.Value<Op[]>> {
    function* candidates(): IterableIterator<fc.Value<Op[]>> {
      const n = value.length;
      if (n <= 1) return;
      // Shorter prefixes: n/2, 3n/4, 7n/8, ..., n-1.
      for (let k = 1; n >> k > 0; k++) yield new fc.Value(value.slice(0, n - (n >> k)), undefined);
      // Chunk removals.
      for (let size = n >> 1; size >= 1; size >>= 1) {
        for (let start = 0; start + size <= n; start += size) {
          yield new fc.Value(value.slice(0, start).concat(value.slice(start + size)), undefined);
        }
      }
    }
    return new fc.Stream(candidates());
  }
}

// ---------------------------------------------------------------------------------------------
// Reference model

interface Block {
  id: number;
  ptr: number;
  size: number;
  align: number;
  usable: number;
  /** index in Model.live (for O(1) removal) */
  idx: number;
}

class Model {
  readonly live: Block[] = [];
  /** live blocks sorted by ptr */
  readonly sorted: Block[] = [];
  bytes = 0;
  /** What stats().liveBytes should say: requested sizes, or usable sizes in "fast" (src/fast.ts). */
  statBytes = 0;
  nextId = 1;

  constructor(readonly countUsable = false) {}

  lowerBound(ptr: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]!.ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Inserts; throws if the new block overlaps a live neighbour (extent = max(usable, 1)). */
  insert(blk: Block): void {
    const i = this.lowerBound(blk.ptr);
    const next = this.sorted[i];
    const prev = i > 0 ? this.sorted[i - 1] : undefined;
    const ext = Math.max(blk.usable, 1);
    if (next !== undefined && next.ptr < blk.ptr + ext) {
      assert.fail(
        `overlap: new block #${blk.id} [${blk.ptr}, +${ext}) (size ${blk.size}) overlaps live block ` +
          `#${next.id} [${next.ptr}, +${Math.max(next.usable, 1)}) (size ${next.size})`,
      );
    }
    if (prev !== undefined && prev.ptr + Math.max(prev.usable, 1) > blk.ptr) {
      assert.fail(
        `overlap: new block #${blk.id} [${blk.ptr}, +${ext}) (size ${blk.size}) overlaps live block ` +
          `#${prev.id} [${prev.ptr}, +${Math.max(prev.usable, 1)}) (size ${prev.size})`,
      );
    }
    this.sorted.splice(i, 0, blk);
    blk.idx = this.live.length;
    this.live.push(blk);
    this.bytes += blk.size;
    this.statBytes += this.countUsable ? blk.usable : blk.size;
  }

  remove(blk: Block): void {
    const i = this.lowerBound(blk.ptr);
    assert.equal(this.sorted[i], blk, "model corrupted (sorted index)");
    this.sorted.splice(i, 1);
    const last = this.live.pop()!;
    if (last !== blk) {
      this.live[blk.idx] = last;
      last.idx = blk.idx;
    }
    this.bytes -= blk.size;
    this.statBytes -= this.countUsable ? blk.usable : blk.size;
  }

  pick(b: number): Block | undefined {
    if (this.live.length === 0) return undefined;
    return this.live[b % this.live.length];
  }
}

// ---------------------------------------------------------------------------------------------
// Content patterns: byte i of block id = (id*31 + i) & 255, written fully for small blocks,
// first/last 64 bytes + 7 interior bytes for larger ones.

const FULL_PATTERN = 256;

function patByte(id: number, i: number): number {
  return (id * 31 + i) & 255;
}

function fillPattern(u8: Uint8Array, ptr: number, size: number, id: number): void {
  if (size <= FULL_PATTERN) {
    for (let i = 0; i < size; i++) u8[ptr + i] = patByte(id, i);
    return;
  }
  for (let i = 0; i < 64; i++) u8[ptr + i] = patByte(id, i);
  for (let i = size - 64; i < size; i++) u8[ptr + i] = patByte(id, i);
  for (let k = 1; k < 8; k++) {
    const i = Math.floor((size * k) / 8);
    u8[ptr + i] = patByte(id, i);
  }
}

/** Verifies the pattern written for a block of `size` bytes, only at offsets < limit. */
function checkPattern(u8: Uint8Array, ptr: number, size: number, id: number, limit: number, what: string): void {
  const bad = (i: number): never =>
    assert.fail(
      `${what}: block #${id} at ${ptr} (size ${size}) byte ${i} is ${u8[ptr + i]}, expected ${patByte(id, i)}`,
    );
  if (size <= FULL_PATTERN) {
    const end = Math.min(size, limit);
    for (let i = 0; i < end; i++) if (u8[ptr + i] !== patByte(id, i)) bad(i);
    return;
  }
  for (let i = 0; i < 64 && i < limit; i++) if (u8[ptr + i] !== patByte(id, i)) bad(i);
  for (let i = size - 64; i < size && i < limit; i++) if (u8[ptr + i] !== patByte(id, i)) bad(i);
  for (let k = 1; k < 8; k++) {
    const i = Math.floor((size * k) / 8);
    if (i < limit && u8[ptr + i] !== patByte(id, i)) bad(i);
  }
}

function checkZero(u8: Uint8Array, ptr: number, size: number, what: string): void {
  const bad = (i: number): never => assert.fail(`${what}: calloc block at ${ptr} (size ${size}) byte ${i} is ${u8[ptr + i]}, expected 0`);
  if (size <= 4096) {
    for (let i = 0; i < size; i++) if (u8[ptr + i] !== 0) bad(i);
    return;
  }
  for (let i = 0; i < 512; i++) if (u8[ptr + i] !== 0) bad(i);
  for (let i = size - 512; i < size; i++) if (u8[ptr + i] !== 0) bad(i);
  // 64 spread samples, each a 16-byte run
  for (let k = 1; k < 64; k++) {
    const s = Math.floor((size * k) / 64) & ~15;
    for (let i = s; i < s + 16 && i < size; i++) if (u8[ptr + i] !== 0) bad(i);
  }
}

// ---------------------------------------------------------------------------------------------
// Runner

interface RunConfig {
  maxBytes: number;
  /** allocation failures (0) are allowed for any size (small heap); otherwise only for size > maxBytes */
  oomAllowed: boolean;
  /** model keeps live requested bytes at or below this (frees random blocks first) */
  liveCap: number;
  maxBlocks: number;
  /** full consistency sweep every N ops */
  sweepEvery: number;
  coverage: Coverage;
}

class Coverage {
  readonly kinds = new Map<string, number>();
  readonly tiers = new Map<string, number>();
  readonly oom = { malloc: 0, realloc: 0 };
  maxBuffer = 0;
  ops = 0;
  bump(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}

class Runner {
  readonly m: Model;
  constructor(
    readonly heap: Heap,
    readonly cfg: RunConfig,
  ) {
    this.m = new Model(heap.profile.name === "fast");
  }

  /** Frees random blocks (verifying them) until `extra` more bytes fit under the caps. */
  makeRoom(extra: number, b: number, exclude: Block | undefined): void {
    const m = this.m;
    let salt = b;
    while (
      (m.bytes + extra > this.cfg.liveCap || m.live.length >= this.cfg.maxBlocks) &&
      m.live.length > (exclude ? 1 : 0)
    ) {
      salt = (Math.imul(salt, 1103515245) + 12345) >>> 0;
      const blk = m.live[salt % m.live.length]!;
      if (blk === exclude) continue;
      this.freeBlock(blk, "makeRoom free");
    }
  }

  freeBlock(blk: Block, what: string): void {
    checkPattern(this.heap.u8, blk.ptr, blk.size, blk.id, blk.size, `${what} (before free)`);
    this.heap.free(blk.ptr);
    this.m.remove(blk);
  }

  /**
   * Validates a pointer freshly returned by an allocation function and enters it in the model.
   * Returns the block or undefined when the allocation (legitimately) returned 0.
   */
  accept(
    ptr: number,
    size: number,
    align: number,
    what: string,
    opts: { zeroed?: boolean; id?: number; preserved?: { size: number; limit: number } } = {},
  ): Block | undefined {
    const cfg = this.cfg;
    if (typeof ptr !== "number" || !Number.isInteger(ptr)) {
      assert.fail(`${what}(${size}) returned a non-integer: ${String(ptr)}`);
    }
    if (ptr === 0) {
      if (size === 0) return undefined; // malloc(0) may return 0 (or a unique pointer)
      if (size > cfg.maxBytes) return undefined;
      if (cfg.oomAllowed) {
        cfg.coverage.oom.malloc++;
        return undefined;
      }
      assert.fail(
        `${what}(${size}) returned 0 (unexpected out-of-memory) with ${this.m.bytes} live bytes in ` +
          `${this.m.live.length} blocks, buffer ${this.heap.buffer.byteLength}, maxBytes ${cfg.maxBytes}`,
      );
    }
    if (size > cfg.maxBytes) assert.fail(`${what}(${size}) > maxBytes ${cfg.maxBytes} returned ${ptr}, expected 0`);
    if (ptr < 0) assert.fail(`${what}(${size}) returned negative ${ptr}`);
    if (ptr % align !== 0) assert.fail(`${what}(${size}) returned ${ptr}, not ${align}-byte aligned`);
    const bufLen = this.heap.buffer.byteLength;
    if (bufLen > cfg.maxBytes) assert.fail(`buffer grew to ${bufLen} > maxBytes ${cfg.maxBytes}`);
    if (ptr + size > bufLen) assert.fail(`${what}(${size}) returned ${ptr}: block ends past buffer end ${bufLen}`);
    const usable = this.heap.usableSize(ptr);
    if (!Number.isInteger(usable) || usable < size) {
      assert.fail(`usableSize(${ptr}) = ${usable} < requested ${size} after ${what}`);
    }
    if (ptr + usable > bufLen) assert.fail(`usable area of ${ptr} (+${usable}) ends past buffer end ${bufLen}`);
    const blk: Block = { id: opts.id ?? this.m.nextId++, ptr, size, align, usable, idx: -1 };
    this.m.insert(blk);
    const u8 = this.heap.u8;
    if (u8.length !== bufLen) assert.fail(`heap.u8.length ${u8.length} !== buffer.byteLength ${bufLen}`);
    if (opts.zeroed) checkZero(u8, ptr, size, what);
    if (opts.preserved) {
      checkPattern(u8, ptr, opts.preserved.size, blk.id, opts.preserved.limit, `${what} (contents after move)`);
    }
    fillPattern(u8, ptr, size, blk.id);
    const tier = tierName(size);
    this.cfg.coverage.bump(this.cfg.coverage.tiers, tier);
    return blk;
  }

  step(op: Op): void {
    const [k, t, a, b] = op;
    const kind = kindOf(k);
    const heap = this.heap;
    const m = this.m;
    const n = sizeOf(t, a);
    const cov = this.cfg.coverage;
    cov.bump(cov.kinds, kind);
    switch (kind) {
      case "malloc": {
        this.makeRoom(n, b, undefined);
        this.accept(heap.malloc(n), n, 16, "malloc");
        return;
      }
      case "calloc": {
        let count: number;
        let elem: number;
        if (n === 0) {
          count = b & 1 ? 0 : 3;
          elem = b & 1 ? 5 : 0;
        } else {
          count = 1 + (b & 7);
          elem = Math.ceil(n / count);
        }
        const total = count * elem;
        this.makeRoom(total, b, undefined);
        this.accept(heap.calloc(count, elem), total, 16, `calloc(${count}, ${elem}) -> size`, { zeroed: true });
        return;
      }
      case "alignedAlloc": {
        const align = alignOf(b);
        this.makeRoom(n, b, undefined);
        this.accept(heap.alignedAlloc(align, n), n, align, `alignedAlloc(${align})`);
        return;
      }
      case "realloc0n": {
        this.makeRoom(n, b, undefined);
        this.accept(heap.realloc(0, n), n, 16, "realloc(0, n)");
        return;
      }
      case "reallocP0": {
        const blk = m.pick(b);
        if (blk === undefined) {
          this.accept(heap.malloc(n), n, 16, "malloc");
          return;
        }
        checkPattern(heap.u8, blk.ptr, blk.size, blk.id, blk.size, "realloc(p, 0) (before)");
        const r = heap.realloc(blk.ptr, 0);
        if (r !== 0) assert.fail(`realloc(${blk.ptr}, 0) returned ${r}, expected 0`);
        m.remove(blk);
        return;
      }
      case "realloc": {
        const blk = m.pick(b);
        if (blk === undefined) {
          this.makeRoom(n, b, undefined);
          this.accept(heap.malloc(n), n, 16, "malloc");
          return;
        }
        const oldSize = blk.size;
        this.makeRoom(n - oldSize, b, blk);
        checkPattern(heap.u8, blk.ptr, oldSize, blk.id, oldSize, "realloc (before)");
        const q = heap.realloc(blk.ptr, n);
        if (n === 0) {
          if (q !== 0) assert.fail(`realloc(${blk.ptr}, 0) returned ${q}, expected 0`);
          m.remove(blk);
          return;
        }
        if (typeof q !== "number" || !Number.isInteger(q)) assert.fail(`realloc returned non-integer ${String(q)}`);
        if (q === 0) {
          if (!(this.cfg.oomAllowed || n > this.cfg.maxBytes)) {
            assert.fail(
              `realloc(${blk.ptr} [size ${oldSize}], ${n}) returned 0 (unexpected out-of-memory) with ` +
                `${m.bytes} live bytes, buffer ${heap.buffer.byteLength}`,
            );
          }
          cov.oom.realloc++;
          // failure: the old block stays valid with contents intact
          checkPattern(heap.u8, blk.ptr, oldSize, blk.id, oldSize, "failed realloc left block");
          const u = heap.usableSize(blk.ptr);
          if (u !== blk.usable) assert.fail(`failed realloc changed usableSize(${blk.ptr}) ${blk.usable} -> ${u}`);
          return;
        }
        m.remove(blk);
        this.accept(q, n, 16, `realloc(${blk.ptr} [size ${oldSize}], n)`, {
          id: blk.id,
          preserved: { size: oldSize, limit: Math.min(oldSize, n) },
        });
        return;
      }
      case "free": {
        const blk = m.pick(b);
        if (blk === undefined) {
          this.makeRoom(n, b, undefined);
          this.accept(heap.malloc(n), n, 16, "malloc");
          return;
        }
        this.freeBlock(blk, "free");
        return;
      }
      case "usableSize": {
        const blk = m.pick(b);
        if (blk === undefined) return;
        const u = heap.usableSize(blk.ptr);
        if (u !== blk.usable) assert.fail(`usableSize(${blk.ptr}) changed from ${blk.usable} to ${u}`);
        checkPattern(heap.u8, blk.ptr, blk.size, blk.id, blk.size, "usableSize op");
        return;
      }
    }
  }

  checkStats(): void {
    const s = this.heap.stats();
    if (s.liveBlocks !== this.m.live.length || s.liveBytes !== this.m.statBytes) {
      assert.fail(
        `stats mismatch: heap liveBlocks=${s.liveBlocks} liveBytes=${s.liveBytes}, ` +
          `model liveBlocks=${this.m.live.length} liveBytes=${this.m.statBytes}`,
      );
    }
  }

  /** Full sweep: neighbours disjoint, all blocks inside buffer, all contents intact, usable sizes stable. */
  sweep(): void {
    const heap = this.heap;
    const u8 = heap.u8;
    const bufLen = heap.buffer.byteLength;
    if (u8.length !== bufLen) assert.fail(`heap.u8.length ${u8.length} !== buffer.byteLength ${bufLen}`);
    if (bufLen > this.cfg.maxBytes) assert.fail(`buffer ${bufLen} > maxBytes ${this.cfg.maxBytes}`);
    this.cfg.coverage.maxBuffer = Math.max(this.cfg.coverage.maxBuffer, bufLen);
    const sorted = this.m.sorted;
    for (let i = 0; i < sorted.length; i++) {
      const blk = sorted[i]!;
      if (i > 0) {
        const prev = sorted[i - 1]!;
        if (prev.ptr + Math.max(prev.usable, 1) > blk.ptr) {
          assert.fail(`sweep: blocks #${prev.id} at ${prev.ptr} (+${prev.usable}) and #${blk.id} at ${blk.ptr} overlap`);
        }
      }
      if (blk.ptr + blk.usable > bufLen) assert.fail(`sweep: block #${blk.id} at ${blk.ptr} ends past buffer`);
      checkPattern(u8, blk.ptr, blk.size, blk.id, blk.size, "sweep");
      const u = heap.usableSize(blk.ptr);
      if (u !== blk.usable) assert.fail(`sweep: usableSize(${blk.ptr}) changed from ${blk.usable} to ${u}`);
    }
    this.checkStats();
  }

  freeAll(): void {
    // free in a scrambled order
    let salt = 12345;
    while (this.m.live.length > 0) {
      salt = (Math.imul(salt, 1103515245) + 12345) >>> 0;
      this.freeBlock(this.m.live[salt % this.m.live.length]!, "final free");
    }
    const s = this.heap.stats();
    if (s.liveBlocks !== 0 || s.liveBytes !== 0) {
      assert.fail(`after freeing everything: liveBlocks=${s.liveBlocks} liveBytes=${s.liveBytes}, expected 0/0`);
    }
  }
}

function runSequence(heap: Heap, ops: readonly Op[], cfg: RunConfig): void {
  runSequenceWith(new Runner(heap, cfg), ops);
}

function runSequenceWith(r: Runner, ops: readonly Op[]): void {
  const cfg = r.cfg;
  let i = 0;
  try {
    for (i = 0; i < ops.length; i++) {
      r.step(ops[i]!);
      r.checkStats();
      if ((i + 1) % cfg.sweepEvery === 0) r.sweep();
    }
    i = ops.length;
    r.sweep();
    r.freeAll();
    cfg.coverage.ops += ops.length;
  } catch (e) {
    const from = Math.max(0, i - 5);
    const recent = ops
      .slice(from, i)
      .map((op, j) => `  #${from + j}: ${describeOp(op)}`)
      .join("\n");
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(
      `failed at op #${i} of ${ops.length}: ${describeOp(ops[i])}\n` +
        `live model: ${r.m.live.length} blocks, ${r.m.bytes} bytes; buffer ${r.heap.buffer.byteLength}\n` +
        `preceding ops:\n${recent}\n${msg}`,
      { cause: e },
    );
  }
}

/** Runs a property through fc.check with a shrinking time budget and a compact failure report. */
function checkProperty(
  t: { diagnostic(msg: string): void; name: string },
  arb: fc.Arbitrary<Op[]>,
  numRuns: number,
  body: (ops: Op[]) => void,
): void {
  let firstFailureAt = 0;
  const prop = fc.property(arb, (ops) => {
    // Once the shrink budget is spent, report remaining shrink candidates as passing so that
    // fast-check stops quickly and reports the smallest failure found so far.
    if (firstFailureAt !== 0 && Date.now() - firstFailureAt > SHRINK_MS) return true;
    try {
      body(ops);
    } catch (e) {
      if (firstFailureAt === 0) firstFailureAt = Date.now();
      throw e;
    }
    return true;
  });
  const params: fc.Parameters<[Op[]]> = { numRuns };
  if (SEED !== undefined) params.seed = SEED;
  if (PATH !== undefined) params.path = PATH;
  const details = fc.check(prop, params);
  t.diagnostic(`fast-check seed=${details.seed} runs=${details.numRuns}`);
  if (details.failed) {
    const ce = details.counterexample?.[0];
    const ceText =
      ce === undefined ? "(none)" : ce.length <= 200 ? JSON.stringify(ce) : `(${ce.length} ops; too long to print)`;
    const err = details.errorInstance;
    const errText = err instanceof Error ? (err.stack ?? err.message) : String(err);
    assert.fail(
      `property failed after ${details.numRuns} run(s), ${details.numShrinks} shrink(s)\n` +
        `seed=${details.seed} path=${JSON.stringify(details.counterexamplePath)}\n` +
        `replay: HAKMEM_TEST_SEED=${details.seed} HAKMEM_TEST_PATH='${details.counterexamplePath}' ` +
        `node --import tsx --test --test-name-pattern '${t.name.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")}' test/property.test.ts\n` +
        `counterexample (${ce?.length ?? 0} ops): ${ceText}\n` +
        `error: ${errText}`,
    );
  }
}

function assertCoverage(cov: Coverage, expectOps: number, tiers: readonly string[]): void {
  assert.ok(cov.ops >= expectOps, `only ${cov.ops} operations executed, expected >= ${expectOps}`);
  for (const k of OP_KINDS) assert.ok((cov.kinds.get(k) ?? 0) > 0, `operation ${k} never exercised`);
  for (const tier of tiers) assert.ok((cov.tiers.get(tier) ?? 0) > 0, `no successful allocation in tier ${tier}`);
}

// ---------------------------------------------------------------------------------------------
// Tests

describe("property: random operation sequences vs. reference model (maxBytes 256 MiB)", () => {
  const numRuns = PATH !== undefined ? 1 : Math.max(1, Math.ceil(OPS_PER_PROFILE / OPS_PER_RUN));
  for (const profile of PROFILES) {
    it(`profile ${profile}: sequences of ${OPS_PER_RUN} ops, all tiers, all functions`, (t) => {
      const maxBytes = 256 * MiB;
      const coverage = new Coverage();
      const started = Date.now();
      checkProperty(t, new OpSeqArbitrary(opArb, OPS_PER_RUN), numRuns, (ops) => {
        const heap = createHeap({ maxBytes, profile });
        runSequence(heap, ops, {
          maxBytes,
          oomAllowed: false,
          liveCap: 64 * MiB,
          maxBlocks: 6000,
          sweepEvery: 2500,
          coverage,
        });
        heap.detach();
      });
      t.diagnostic(
        `${coverage.ops} ops in ${Date.now() - started} ms; tiers ${JSON.stringify([...coverage.tiers])}; ` +
          `max buffer ${coverage.maxBuffer}`,
      );
      if (PATH === undefined) assertCoverage(coverage, numRuns * OPS_PER_RUN, ["tiny", "mid", "large"]);
    });
  }
});

describe("property: small heap (maxBytes 4 MiB) where out-of-memory is frequent", () => {
  const runs = PATH !== undefined ? 1 : 10;
  const len = 2000;
  const maxBytes = 4 * MiB;
  const smallHeapRun = (coverage: Coverage) => ({
    maxBytes,
    oomAllowed: true,
    liveCap: 64 * MiB, // no cap: let the heap run out
    maxBlocks: 4000,
    sweepEvery: 250,
    coverage,
  });
  for (const profile of PROFILES) {
    it(`profile ${profile}: sequences of ${len} ops, failed allocations leave the heap consistent`, (t) => {
      const coverage = new Coverage();
      checkProperty(t, new OpSeqArbitrary(opArb, len), runs, (ops) => {
        const heap = createHeap({ maxBytes, profile });
        runSequence(heap, ops, smallHeapRun(coverage));
        heap.detach();
      });
      if (PATH === undefined) {
        assertCoverage(coverage, runs * len, ["tiny", "mid", "large"]);
        assert.ok(coverage.oom.malloc > 0, "no allocation ever failed: the OOM path was not exercised");
        assert.ok(coverage.oom.realloc > 0, "no realloc ever failed: the OOM path was not exercised");
      }
    });

    // Same sequences, then: once every block is freed, the heap must serve 1 MiB and 64 B again
    // (freed memory is not stranded in caches, empty slabs or between metadata pages).
    it(`profile ${profile}: sequences of ${len} ops, then an emptied heap serves 1 MiB again`, (t) => {
      const coverage = new Coverage();
      checkProperty(t, new OpSeqArbitrary(opArb, len), runs, (ops) => {
        const heap = createHeap({ maxBytes, profile });
        runSequence(heap, ops, smallHeapRun(coverage));
        const s = heap.stats();
        const p = heap.malloc(MiB);
        assert.notEqual(
          p,
          0,
          `malloc(1 MiB) failed on an emptied 4 MiB heap (footprint ${s.footprintBytes}, buffer ${s.bufferBytes})`,
        );
        const q = heap.malloc(64);
        assert.notEqual(q, 0, "malloc(64) failed on an emptied 4 MiB heap after malloc(1 MiB)");
        heap.free(p);
        heap.free(q);
        heap.detach();
      });
    });
  }
});

describe("out of memory with a tiny heap (maxBytes 4 MiB), deterministic", () => {
  for (const profile of PROFILES) {
    it(`profile ${profile}: malloc returns 0, failed realloc keeps the old block intact, heap recovers`, () => {
      const maxBytes = 4 * MiB;
      const heap = createHeap({ maxBytes, profile });
      const live = (): [number, number] => {
        const s = heap.stats();
        return [s.liveBlocks, s.liveBytes];
      };
      const fillBlock = (p: number, size: number, id: number): void => {
        heap.u8.fill(id & 255, p, p + size);
        fillPattern(heap.u8, p, size, id);
      };
      const checkBlock = (p: number, size: number, id: number, what: string): void =>
        checkPattern(heap.u8, p, size, id, size, what);

      // An empty 4 MiB heap can serve 1 MiB.
      const probe = heap.malloc(MiB);
      assert.notEqual(probe, 0, "malloc(1 MiB) failed on a fresh 4 MiB heap");
      heap.free(probe);
      assert.deepEqual(live(), [0, 0]);
      assert.equal(heap.malloc(maxBytes + 1), 0, "malloc(maxBytes + 1) must return 0");
      assert.equal(heap.malloc(8 * MiB), 0, "malloc(8 MiB) on a 4 MiB heap must return 0");
      assert.deepEqual(live(), [0, 0], "failed malloc changed stats");

      const small = heap.malloc(100);
      assert.notEqual(small, 0);
      fillBlock(small, 100, 1);
      const smallUsable = heap.usableSize(small);

      // Fill the heap with 64 KiB blocks until malloc fails.
      const blocks: { ptr: number; id: number }[] = [];
      const B = 64 * KiB;
      for (let id = 2; ; id++) {
        const before = live();
        const p = heap.malloc(B);
        if (p === 0) {
          assert.deepEqual(live(), before, "failed malloc changed stats");
          break;
        }
        assert.equal(p % 16, 0);
        assert.ok(p + B <= heap.buffer.byteLength, "block past buffer end");
        assert.ok(heap.buffer.byteLength <= maxBytes, `buffer ${heap.buffer.byteLength} > maxBytes`);
        fillBlock(p, B, id);
        blocks.push({ ptr: p, id });
        assert.ok(blocks.length <= 64, "more than maxBytes worth of 64 KiB blocks were handed out");
      }
      assert.ok(blocks.length >= 16, `only ${blocks.length} blocks of 64 KiB fit in a 4 MiB heap`);
      assert.equal(heap.malloc(B), 0, "malloc succeeded right after failing with nothing freed");

      // Failed realloc: returns 0, the old block stays valid with its contents and size.
      const before = live();
      assert.equal(heap.realloc(small, 2 * MiB), 0, "realloc(small, 2 MiB) on a full heap must fail");
      assert.deepEqual(live(), before, "failed realloc changed stats");
      checkBlock(small, 100, 1, "small block after failed realloc");
      assert.equal(heap.usableSize(small), smallUsable);
      const victim = blocks[3]!;
      assert.equal(heap.realloc(victim.ptr, 3 * MiB), 0, "realloc(64 KiB block, 3 MiB) on a full heap must fail");
      assert.equal(heap.realloc(victim.ptr, maxBytes + 1), 0, "realloc to maxBytes + 1 must fail");
      assert.deepEqual(live(), before, "failed realloc changed stats");
      for (const b of blocks) checkBlock(b.ptr, B, b.id, "block after failed realloc");
      // malloc(64 KiB) failed, so no 1 MiB block can be available either
      assert.equal(heap.calloc(1024, 1024), 0, "calloc(1 MiB) succeeded on a heap where malloc(64 KiB) had failed");
      // The victim is still a live, resizable block. A shrinking realloc may move it (and fail
      // on a full heap); either way the block stays valid.
      let victimSize = B;
      const shrunk = heap.realloc(victim.ptr, 1000);
      if (shrunk === 0) {
        checkBlock(victim.ptr, B, victim.id, "victim after failed shrinking realloc");
        assert.deepEqual(live(), before, "failed realloc changed stats");
      } else {
        // contents kept up to the new size: the pattern written for the 64 KiB block, cut at 1000
        checkPattern(heap.u8, shrunk, B, victim.id, 1000, "shrunk victim");
        victim.ptr = shrunk;
        victimSize = 1000;
        fillBlock(shrunk, 1000, victim.id);
      }

      // Recovery: free every other 64 KiB block, then 64 KiB allocations succeed again.
      const kept: { ptr: number; id: number; size: number }[] = [{ ptr: small, id: 1, size: 100 }];
      for (let i = 0; i < blocks.length; i++) {
        const b = blocks[i]!;
        if (b === victim) kept.push({ ptr: b.ptr, id: b.id, size: victimSize });
        else if (i % 2 === 0) heap.free(b.ptr);
        else kept.push({ ptr: b.ptr, id: b.id, size: B });
      }
      const again = heap.malloc(B);
      assert.notEqual(again, 0, "malloc(64 KiB) failed after freeing half the heap");
      fillBlock(again, B, 999);
      kept.push({ ptr: again, id: 999, size: B });
      for (const b of kept) checkBlock(b.ptr, b.size, b.id, "after recovery");

      // Free everything: the heap is empty and can serve 1 MiB again, zeroed by calloc.
      for (const b of kept) heap.free(b.ptr);
      assert.deepEqual(live(), [0, 0]);
      const big = heap.calloc(1024, 1024);
      assert.notEqual(big, 0, "calloc(1024, 1024) failed on an emptied 4 MiB heap");
      const u8 = heap.u8;
      for (let i = 0; i < MiB; i++) if (u8[big + i] !== 0) assert.fail(`calloc byte ${i} = ${u8[big + i]}`);
      const tiny = heap.malloc(24);
      assert.notEqual(tiny, 0);
      heap.free(big);
      heap.free(tiny);
      assert.deepEqual(live(), [0, 0]);
      heap.detach();
    });
  }
});
