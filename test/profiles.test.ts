// What each profile promises (README "Profiles"), option and HAKMEM_* validation, trim().
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { attachHeap, createHeap, type Heap, HeapError, type ProfileName } from "../src/index.ts";
import { code } from "./support/errors.ts";


/** Churn through every tier, then free everything: what stays in the footprint is policy. */
function churnThenFree(heap: Heap): number {
  let x = 12345;
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 0) % 1_000_000;
  const live: number[] = [];
  for (let i = 0; i < 60_000; i++) {
    if (rand() % 3 !== 0 || live.length === 0) {
      const r = rand() % 100;
      const size = r < 80 ? 16 + (rand() % 1000) : r < 98 ? 1024 + (rand() % 60000) : 65536 + (rand() % 400000);
      live.push(heap.malloc(size));
    } else {
      const j = rand() % live.length;
      heap.free(live[j]);
      live[j] = live[live.length - 1];
      live.pop();
    }
  }
  for (const p of live) heap.free(p);
  assert.equal(heap.stats().liveBlocks, 0);
  return heap.stats().footprintBytes;
}

function withEnv(vars: Record<string, string | undefined>, f: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    f();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

describe("profiles", () => {
  it("are chosen by the option, else by HAKMEM_PROFILE; bad names are errors naming their source", () => {
    withEnv({ HAKMEM_PROFILE: "lean" }, () => {
      assert.equal(createHeap().profile.name, "lean");
      assert.equal(createHeap({ profile: "fast" }).profile.name, "fast", "the option wins");
    });
    withEnv({ HAKMEM_PROFILE: "turbo" }, () => {
      assert.throws(() => createHeap(), (e: unknown) => e instanceof HeapError && e.code === "INVALID_OPTION" && /HAKMEM_PROFILE/.test(e.message));
    });
    withEnv({ HAKMEM_STATS: "yes" }, () => {
      assert.throws(() => createHeap(), (e: unknown) => e instanceof HeapError && /HAKMEM_STATS/.test(e.message));
    });
    assert.equal(code(() => createHeap({ profile: "turbo" as ProfileName })), "INVALID_OPTION");
    assert.equal(createHeap().profile.name, "balanced");
    for (const bad of [{ maxBytes: 1.5 }, { maxBytes: 2 ** 32 }, { initialBytes: -1 }, { shared: "yes" }, { memory: new Uint8Array(4) }]) {
      assert.equal(code(() => createHeap(bad as object)), "INVALID_OPTION", JSON.stringify(bad));
    }
  });

  it("attach defaults to the heap's profile; safe, fast and the others cannot mix", () => {
    const safe = createHeap({ profile: "safe" });
    assert.equal(attachHeap(safe.buffer).profile.name, "safe");
    assert.equal(code(() => attachHeap(safe.buffer, { profile: "balanced" })), "INVALID_OPTION");
    const lean = createHeap({ profile: "lean" });
    assert.equal(attachHeap(lean.buffer).profile.name, "lean");
    assert.equal(attachHeap(lean.buffer, { profile: "balanced" }).profile.name, "balanced");
    assert.equal(code(() => attachHeap(lean.buffer, { profile: "fast" })), "INVALID_OPTION", "fast keeps no block states");
  });

  it("fast keeps memory for reuse, lean gives the most back: footprint after churn-then-free", () => {
    const after = Object.fromEntries(
      (["fast", "balanced", "lean"] as const).map((profile) => [profile, churnThenFree(createHeap({ profile, maxBytes: 256 << 20 }))]),
    );
    assert.ok(after.lean <= after.balanced, `lean ${after.lean} > balanced ${after.balanced}`);
    assert.ok(after.balanced <= after.fast, `balanced ${after.balanced} > fast ${after.fast}`);
  });

  it("safe reports a write after free with the offset written, and keeps that block out of use", () => {
    const heap = createHeap({ profile: "safe" });
    const p = heap.malloc(64);
    heap.free(p);
    heap.u8[p + 20] = 7; // the bug
    let err: unknown;
    for (let i = 0; i < 200 && err === undefined; i++) {
      try {
        heap.malloc(64);
      } catch (e) {
        err = e;
      }
    }
    assert.ok(err instanceof HeapError && err.code === "WRITE_AFTER_FREE", String(err));
    assert.equal(err.offset, p);
    assert.match(err.message, new RegExp(`offset ${p + 20}\\b`));
    for (let i = 0; i < 500; i++) assert.notEqual(heap.malloc(64), p);
  });

  it("safe reports an overflow past the requested size at free, with the offset; the block stays live", () => {
    const heap = createHeap({ profile: "safe" });
    for (const size of [10, 100, 3000, 100_000]) {
      const p = heap.malloc(size);
      assert.equal(heap.usableSize(p), size);
      heap.u8[p + size] = 1; // one byte too far
      const live = heap.stats().liveBlocks;
      assert.throws(
        () => heap.free(p),
        (e: unknown) => e instanceof HeapError && e.code === "BUFFER_OVERFLOW" && e.offset === p && e.message.includes(`offset ${p + size}`),
      );
      assert.equal(heap.stats().liveBlocks, live);
      heap.u8[p + size] = 0xca; // repaired: now it frees
      heap.free(p);
    }
  });

  it("safe catches double frees in every tier", () => {
    const heap = createHeap({ profile: "safe" });
    for (const size of [16, 5000, 300_000]) {
      const p = heap.malloc(size);
      heap.free(p);
      assert.equal(code(() => heap.free(p)), "DOUBLE_FREE", `size ${size}`);
    }
    const a = heap.alignedAlloc(4096, 10);
    heap.free(a);
    assert.equal(code(() => heap.free(a)), "DOUBLE_FREE");
  });

  it("trim shrinks a resizable ArrayBuffer to the footprint, and the heap keeps working", () => {
    const heap = createHeap({ shared: false, profile: "lean", maxBytes: 256 << 20 });
    const ps = Array.from({ length: 200 }, (_, i) => heap.malloc(100_000 + i));
    assert.ok(heap.buffer.byteLength >= 20 << 20);
    const keep = ps[0];
    heap.u8[keep] = 42;
    for (const p of ps.slice(1)) heap.free(p);
    const before = heap.buffer.byteLength;
    const t = heap.trim();
    assert.equal(t.bufferBytes, heap.buffer.byteLength);
    // Down to the footprint, which stops at the highest run of segment metadata (src/layout.ts).
    assert.equal(t.bufferBytes, t.footprintBytes);
    assert.ok(t.bufferBytes < before / 2, `buffer ${t.bufferBytes} after trim, ${before} before`);
    assert.equal(t.reservedBytes, t.bufferBytes - t.footprintBytes);
    assert.equal(heap.u8.length, heap.buffer.byteLength);
    assert.equal(heap.u8[keep], 42);
    const again = heap.malloc(5 << 20);
    assert.notEqual(again, 0);
    heap.u8[again + (5 << 20) - 1] = 1;
    heap.free(again);
    heap.free(keep);
    assert.equal(heap.stats().liveBlocks, 0);
  });

  it("trim on a buffer that cannot shrink returns memory to the pool and reports what stays reserved", () => {
    const heap = createHeap({ maxBytes: 256 << 20 });
    const ps = Array.from({ length: 100 }, () => heap.malloc(200_000));
    for (const p of ps) heap.free(p);
    const t = heap.trim();
    assert.equal(t.bufferBytes, heap.buffer.byteLength);
    assert.ok(t.footprintBytes < heap.stats().peakFootprintBytes);
    assert.ok(t.reservedBytes > 0 && t.reservedBytes === t.bufferBytes - t.footprintBytes);
  });
});

describe("builds", () => {
  it("the default bundle has the counters compiled out; hakmem/observe counts", async () => {
    const { readFileSync } = await import("node:fs");
    const increments = /\.counts\[\d+\]\s*(\+\+|\+=)/g;
    const plain = readFileSync(new URL("../dist/index.js", import.meta.url), "utf8");
    const observe = readFileSync(new URL("../dist/observe.js", import.meta.url), "utf8");
    assert.equal(plain.match(increments)?.length ?? 0, 0, "counter updates in dist/index.js");
    assert.ok((observe.match(increments)?.length ?? 0) >= 15, "counter updates missing from dist/observe.js");
    const plainLib = await import("../dist/index.js");
    assert.throws(() => plainLib.createHeap().counters(), /compiled out/);
    const lib = await import("../dist/observe.js");
    const heap = lib.createHeap();
    const ps = Array.from({ length: 1000 }, (_, i) => heap.malloc(16 + (i % 100)));
    for (const p of ps) heap.free(p);
    heap.free(heap.malloc(1 << 20));
    const c = heap.counters();
    assert.ok(c.mallocHit + c.mallocMiss >= 1001);
    assert.ok(c.refill > 0 && c.carved > 0 && c.freeLocal > 0 && c.largeAlloc === 1 && c.largeFree === 1 && c.slabNew > 0);
    assert.ok(c.lock >= c.slabNew && c.lockContended === 0 && c.lockSpin === 0 && c.lockWait === 0, "one thread: the pool lock is never contended");
  });

  it("HAKMEM_STATS=1 prints a summary at exit", () => {
    const script = `import { createHeap } from ${JSON.stringify(new URL("../dist/observe.js", import.meta.url).href)};
      const h = createHeap(); h.malloc(100);`;
    const run = (stats: string) =>
      spawnSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, HAKMEM_STATS: stats }, encoding: "utf8" });
    const on = run("1");
    assert.equal(on.status, 0, on.stderr);
    assert.match(on.stderr, /hakmem heap \(worker \d+, profile balanced\)/);
    assert.match(on.stderr, /live\s+1 blocks, 100 bytes/);
    assert.match(on.stderr, /mallocMiss\s+1/);
    assert.equal(run("0").stderr, "");
  });
});
