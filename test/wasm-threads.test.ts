// Multi-threaded WebAssembly on one heap (hakmem/wasm's startThread): a freestanding C program
// (fixtures/wasm-mt-stress.c) built for wasm threads runs in two workers and in this thread over
// one shared memory, frees blocks the other threads made, grows the memory while both run, and
// survives a worker terminated mid-run; cookies are checked at every free and every block is
// accounted for at the end. Needs clang and wasm-ld (scripts/system-deps.sh, as CI installs).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { buildWasm } from "../bench/wasm/mt-build.ts";
import { createHeap, type Heap, HeapError } from "hakmem";
import { DEFAULT_STACK_SIZE, heapBaseOf, reclaimThread, startThread, threadRecord } from "hakmem/wasm";

const workerUrl = new URL("./fixtures/wasm-mt-worker.mjs", import.meta.url);
const INITIAL_PAGES = 32; // 2 MiB: the run has to grow it

function compile(): WebAssembly.Module {
  const built = buildWasm(fileURLToPath(new URL("./fixtures/wasm-mt-stress.c", import.meta.url)));
  if ("reason" in built) throw new Error(built.reason);
  return new WebAssembly.Module(readFileSync(built.path));
}

interface Setup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  heap: Heap;
}

async function setup(): Promise<Setup> {
  const module = compile();
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: 32768, shared: true });
  const heap = createHeap({ memory, base: await heapBaseOf(module, memory), maxBytes: 256 << 20 });
  return { module, memory, heap };
}

interface Spawned {
  worker: Worker;
  record: number;
  message: Promise<Record<string, number>>;
  /** Resolves after the owner reclaimed what the thread left, with reclaimThread's answer. */
  exited: Promise<boolean>;
}

function spawn(s: Setup, data: Record<string, unknown>): Spawned {
  const record = threadRecord(s.heap);
  const worker = new Worker(workerUrl, { workerData: { module: s.module, memory: s.memory, base: s.heap.base, record, ...data } });
  const exited = new Promise<boolean>((resolve) => worker.once("exit", () => resolve(reclaimThread(s.heap, record))));
  const message = new Promise<Record<string, number>>((resolve, reject) => {
    worker.once("message", resolve);
    worker.on("error", reject);
  });
  return { worker, record, message, exited };
}

describe("wasm threads on one heap", () => {
  it("two workers and this thread run the C stress: cross-thread frees from C, growth while both run, every block accounted for", async () => {
    const s = await setup();
    const bufferBefore = s.memory.buffer.byteLength;
    const workers = [1, 2].map((seed) => spawn(s, { kind: "stress", seed, iters: 60_000 }));
    const results = await Promise.all(workers.map((w) => w.message));
    assert.deepEqual(await Promise.all(workers.map((w) => w.exited)), [false, false], "threads that exit normally leave nothing to reclaim");
    assert.deepEqual(
      results.map((r) => r.mismatches),
      [0, 0],
      "cookie or TLS mismatches in the workers",
    );
    // This thread's instance frees what the workers left in the transfer array.
    const main = await startThread(s.module, s.memory, { heap: s.heap });
    const e = main.exports as unknown as { drain(): number; stress_run(seed: number, iters: number, tag: number): number };
    assert.equal(e.stress_run(3, 20_000, 77), 0, "cookie or TLS mismatches in this thread");
    assert.equal(e.drain(), 0, "bad cookies among the blocks left by the workers");
    main.exit();
    for (const w of workers) s.heap.free(w.record);
    const st = s.heap.stats();
    assert.ok(st.growths > 0 && s.memory.buffer.byteLength > bufferBefore, `the memory grew during the run (${bufferBefore} → ${s.memory.buffer.byteLength})`);
    assert.equal(st.liveBlocks, 0, "every block freed: stacks, TLS, records and the program's blocks");
    assert.equal(st.liveBytes, 0);
  });

  it("a worker terminated mid-run: reclaimThread frees its stack and TLS and reclaims its handle; the others are unharmed", async () => {
    const s = await setup();
    const victim = spawn(s, { kind: "victim", seed: 99 });
    const started = await victim.message;
    assert.ok(started.block > s.heap.base, "the victim's stack and TLS block came from the heap");
    const others = [1, 2].map((seed) => spawn(s, { kind: "stress", seed, iters: 150_000 }));
    await new Promise((r) => setTimeout(r, 150));
    await victim.worker.terminate();
    assert.equal(await victim.exited, true, "the owner recovered the victim's handle and block");
    assert.equal(reclaimThread(s.heap, victim.record), false, "nothing is left to reclaim twice");
    const results = await Promise.all(others.map((o) => o.message));
    assert.equal(results.reduce((n, r) => n + r.mismatches, 0), 0);
    await Promise.all(others.map((o) => o.exited));
    const main = await startThread(s.module, s.memory, { heap: s.heap });
    assert.equal((main.exports as unknown as { drain(): number }).drain(), 0, "bad cookies among the published blocks");
    main.exit();
    for (const w of [victim, ...others]) s.heap.free(w.record);
    // At most the one block the victim was between malloc and publishing (or unpublishing and
    // free) when it was killed stays live; its stack and TLS do not.
    assert.ok(s.heap.stats().liveBlocks <= 1, `${s.heap.stats().liveBlocks} blocks left live`);
    // The victim allocated its in-flight block while its stack and TLS block was live, so that one
    // block is elsewhere: the stack block's address must name no live block now. (Comparing live
    // counts right after terminate() races with the other workers' allocations.)
    assert.throws(() => s.heap.usableSize(started.block), HeapError, "its stack and TLS block was freed");
    const ps = Array.from({ length: 2000 }, (_, i) => s.heap.malloc(16 + (i % 64) * 16));
    assert.ok(ps.every((p) => p !== 0));
    for (const p of ps) s.heap.free(p);
  });

  it("each instance gets its own TLS, initialised from the module's, and its own stack", async () => {
    const s = await setup();
    const a = await startThread(s.module, s.memory, { heap: s.heap });
    const b = await startThread(s.module, s.memory, { heap: s.heap, stackSize: 4096 });
    const ea = a.exports as unknown as { tls_tag_value(): number; stress_run(seed: number, iters: number, tag: number): number; drain(): number };
    const eb = b.exports as unknown as { tls_tag_value(): number };
    assert.equal(ea.tls_tag_value(), 0x7a6b5c4d);
    assert.equal(ea.stress_run(5, 1000, 1234), 0);
    assert.equal(ea.tls_tag_value(), 1234);
    assert.equal(ea.drain(), 0);
    assert.equal(eb.tls_tag_value(), 0x7a6b5c4d, "b's TLS is not a's");
    assert.equal(a.stackSize, DEFAULT_STACK_SIZE);
    assert.equal(b.stackSize, 4096);
    assert.ok(a.block + a.stackSize <= b.block || b.block + b.stackSize <= a.block, "the blocks do not overlap");
    a.exit();
    b.exit();
    a.exit(); // a second exit does nothing
    assert.equal(s.heap.stats().liveBlocks, 0);
  });

  it("a stack overflow into the canary is reported at exit, after the thread's block is freed", async () => {
    const s = await setup();
    const t = await startThread(s.module, s.memory, { heap: s.heap, stackSize: 1024 });
    (t.exports as unknown as { recurse(n: number): number }).recurse(5);
    assert.equal(t.overflowed(), true);
    assert.throws(() => t.exit(), (e: unknown) => e instanceof HeapError && e.code === "STACK_OVERFLOW" && e.offset === t.stackBase);
    assert.equal(s.heap.stats().liveBlocks, 0);
    const ok = await startThread(s.module, s.memory, { heap: s.heap, stackSize: 64 * 1024 });
    (ok.exports as unknown as { recurse(n: number): number }).recurse(5);
    assert.equal(ok.overflowed(), false);
    ok.exit();
  });

  it("a bad free from C ends the call with the heap's HeapError; exit() still gives the thread's block and handle back", async () => {
    const s = await setup();
    const record = threadRecord(s.heap);
    const t = await startThread(s.module, s.memory, { base: s.heap.base, record });
    assert.throws(() => (t.exports as unknown as { double_free(): void }).double_free(), (e: unknown) => e instanceof HeapError && e.code === "DOUBLE_FREE");
    t.exit();
    assert.equal(reclaimThread(s.heap, record), false);
    s.heap.free(record);
    assert.equal(s.heap.stats().liveBlocks, 0);
  });

  it("bad input: stack sizes, a module that is not threaded, a handle detached on failure", async () => {
    const s = await setup();
    for (const stackSize of [0, 15, 1.5, -16, 2 ** 31]) {
      await assert.rejects(startThread(s.module, s.memory, { heap: s.heap, stackSize }), RangeError);
    }
    await assert.rejects(startThread(s.module, s.memory, { heap: s.heap, stackSize: "64k" as unknown as number }), TypeError);
    // A module without __stack_pointer (no --export=__stack_pointer): a TypeError, nothing leaked.
    const plain = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 2, 18, 1, 3, 101, 110, 118, 6, 109, 101, 109, 111, 114, 121, 2, 3, 1, 128, 128, 2]));
    const record = threadRecord(s.heap);
    await assert.rejects(startThread(plain, s.memory, { base: s.heap.base, record }), /__stack_pointer/);
    assert.deepEqual([...s.heap.i32.subarray(record >> 2, (record >> 2) + 2)], [0, 0], "the record was cleared");
    s.heap.free(record);
    assert.equal(s.heap.stats().liveBlocks, 0);
  });
});
