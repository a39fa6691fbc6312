// Trace replays timed by this process's CPU time (process.cpuUsage), best of --runs, one line per
// trace: for A/B of a code change on a loaded machine, where wall-clock replays spread widely
// (run it once per build, alternating, --dist naming each build's dist/), and for the replay
// loop's floor (--sol: unchecked size-class free lists, bench/contenders/sol.ts's idea with
// calloc, realloc and aligned allocation added).
//   node --import tsx bench/trace/cpu.ts [--dist DIR] [--profile NAME] [--sol] [--runs N] TRACE…
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { readHkt } from "./hkt.ts";
import { freeLive, type ReplayHeap, replayTimed } from "./replay.ts";

/** No checks, no reuse across classes, a 16-byte class per size: an upper bound, not an allocator. */
class FreeLists implements ReplayHeap {
  private readonly buffer = new ArrayBuffer(2 ** 30);
  readonly u8 = new Uint8Array(this.buffer);
  readonly i32 = new Int32Array(this.buffer);
  private readonly classOf = new Int32Array(this.buffer.byteLength >>> 4);
  private readonly heads = new Int32Array(this.buffer.byteLength >>> 4);
  private top = 16;

  malloc(n: number): number {
    const c = Math.max(1, (n + 15) >>> 4);
    const head = this.heads[c];
    if (head !== 0) {
      this.heads[c] = this.i32[head >>> 2];
      return head;
    }
    const p = this.top;
    if (p + (c << 4) > this.buffer.byteLength) return 0;
    this.top = p + (c << 4);
    this.classOf[p >>> 4] = c;
    return p;
  }

  free(p: number): void {
    if (p === 0) return;
    const c = this.classOf[p >>> 4];
    this.i32[p >>> 2] = this.heads[c];
    this.heads[c] = p;
  }

  calloc(count: number, size: number): number {
    const p = this.malloc(count * size);
    if (p !== 0) this.u8.fill(0, p, p + count * size);
    return p;
  }

  realloc(p: number, n: number): number {
    if (n === 0) {
      this.free(p);
      return 0;
    }
    const q = this.malloc(n);
    if (p !== 0 && q !== 0) {
      this.u8.copyWithin(q, p, p + Math.min(n, this.classOf[p >>> 4] << 4));
      this.free(p);
    }
    return q;
  }

  alignedAlloc(align: number, n: number): number {
    // Over-allocate and keep the aligned start's class: its block is never freed by offset.
    if (align <= 16) return this.malloc(n);
    const p = this.malloc(n + align);
    const q = (p + align - 1) & -align;
    this.classOf[q >>> 4] = Math.max(1, (n + 15) >>> 4);
    return q;
  }
}

/** No allocator: each call returns a fixed offset per block id, so the loop's own work is what is timed. */
class Bare implements ReplayHeap {
  readonly u8 = new Uint8Array(1 << 20);
  readonly i32 = new Int32Array(this.u8.buffer);
  private next = 0;

  malloc(n: number): number {
    return n === 0 ? 0 : this.offset();
  }
  free(_p: number): void {}
  calloc(count: number, size: number): number {
    return this.malloc(count * size);
  }
  realloc(_p: number, n: number): number {
    return this.malloc(n);
  }
  alignedAlloc(_align: number, n: number): number {
    return this.malloc(n);
  }
  private offset(): number {
    this.next = (this.next + 16) & 0xffff0;
    return this.next + 16;
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dist: { type: "string", default: "dist" },
    profile: { type: "string", default: "balanced" },
    sol: { type: "boolean", default: false },
    bare: { type: "boolean", default: false },
    runs: { type: "string", default: "5" },
  },
});
const { createHeap } = (await import(pathToFileURL(resolve(values.dist, "index.js")).href)) as typeof import("hakmem");
for (const path of positionals) {
  const t = await readHkt(path, false);
  const heap: ReplayHeap = values.bare ? new Bare() : values.sol ? new FreeLists() : createHeap({ maxBytes: 2 ** 31, profile: values.profile as "balanced" });
  const off = new Int32Array(t.blockCount + 1);
  let best = Infinity;
  for (let r = 0; r < Number(values.runs); r++) {
    const c0 = process.cpuUsage();
    replayTimed(heap, t, off, 0, t.recordCount);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
    freeLive(heap, t, off);
  }
  const who = values.bare ? "no allocator (the loop alone)" : values.sol ? "free lists (unchecked)" : `hakmem:${values.profile} (${values.dist})`;
  console.log(`${t.name}\t${who}\t${(t.recordCount / best / 1e6).toFixed(1)} M ops/s (CPU time, best of ${values.runs})`);
}
