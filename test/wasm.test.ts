// hakmem/wasm: the C allocator ABI as imports (mallocImports), the instantiate() helper, and C
// programs compiled to wasm32-wasi with wasm/malloc.c running on hakmem (test/fixtures/c).
import assert from "node:assert/strict";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { WASI } from "node:wasi";
import fc from "fast-check";
import { createHeap, HeapError } from "../src/index.ts";
import { instantiate, mallocImports, type WasmProgram } from "../src/wasm/index.ts";
import { importedMemoryLimits } from "../src/wasm/module-memory.ts";
import { buildC } from "./support/wasm.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** What f throws: the HeapError itself, or fails. */
function heapErrorOf(f: () => unknown): HeapError {
  try {
    f();
  } catch (e) {
    if (e instanceof HeapError) return e;
    throw e;
  }
  assert.fail("no HeapError thrown");
}

// wasm passes size_t and pointers as i32: what JS receives for a C value.
const i32 = (n: number): number => n | 0;

describe("mallocImports: C semantics", () => {
  const heap = createHeap({ base: 100 * KiB, maxBytes: 64 * MiB });
  const m = mallocImports(heap);

  it("malloc, calloc, realloc, aligned_alloc, malloc_usable_size, free", () => {
    const p = m.malloc(100);
    assert.ok(p > heap.base && p % 16 === 0);
    assert.ok(m.malloc_usable_size(p) >= 100);
    heap.u8.fill(7, p, p + 100);
    const q = m.realloc(p, 5000);
    assert.equal(heap.u8[q + 99], 7);
    const z = m.calloc(10, 100);
    assert.ok(heap.u8.subarray(z, z + 1000).every((b) => b === 0));
    const a = m.aligned_alloc(4096, 10);
    assert.equal(a % 4096, 0);
    const r = m.realloc(0, 32); // realloc(NULL, n) is malloc(n)
    assert.ok(r !== 0);
    for (const x of [q, z, a, r]) m.free(x);
    m.free(0); // free(NULL) does nothing
    assert.equal(m.malloc_usable_size(0), 0);
    assert.equal(heap.stats().liveBlocks, 0);
  });

  it("NULL on overflow and for sizes past the ceiling, never an exception", () => {
    assert.equal(m.malloc(i32(0xffff_ffff)), 0);
    assert.equal(m.malloc(i32(2 ** 31)), 0);
    assert.equal(m.calloc(0x1_0000, 0x1_0000), 0); // 2^32: wraps in 32-bit C
    assert.equal(m.calloc(i32(0xffff_ffff), i32(0xffff_ffff)), 0);
    assert.equal(m.aligned_alloc(64, i32(0xffff_fff0)), 0);
    for (const bad of [0, 3, 48, i32(2 ** 31)]) assert.equal(m.aligned_alloc(bad, 16), 0, `alignment ${bad}`);
    const p = m.malloc(64);
    heap.u8[p + 63] = 9;
    assert.equal(m.realloc(p, i32(0xffff_fff0)), 0); // failed: p stays valid
    assert.equal(heap.u8[p + 63], 9);
    m.free(p);
    assert.equal(heap.stats().liveBlocks, 0);
  });

  it("any 32-bit size gives a block or NULL (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.nat(30), (a, b, k) => {
        const old = m.malloc(16);
        const moved = m.realloc(old, b);
        if (moved === 0 && b !== 0) m.free(old); // failed: the block stays valid
        for (const p of [m.malloc(a), m.calloc(a, b), m.aligned_alloc(2 ** k, a), moved]) {
          assert.ok(p === 0 || (p > heap.base && p % 16 === 0));
          m.free(p);
        }
      }),
      { numRuns: 300 },
    );
    assert.equal(heap.stats().liveBlocks, 0);
  });

  it("a bad free throws a HeapError naming the pointer, and changes nothing", () => {
    const p = m.malloc(40);
    const before = heap.stats();
    for (const [bad, codeWanted] of [
      [p + 16, "INVALID_POINTER"],
      [16, "INVALID_POINTER"], // below the base: the module's data
      [i32(0xffff_fff0), "INVALID_POINTER"],
    ] as const) {
      const e = heapErrorOf(() => m.free(bad));
      assert.equal(e.code, codeWanted);
      assert.equal(e.offset, bad >>> 0);
    }
    m.free(p);
    const e = heapErrorOf(() => m.free(p));
    assert.equal(e.code, "DOUBLE_FREE");
    assert.equal(e.offset, p);
    assert.equal(heap.stats().liveBlocks, before.liveBlocks - 1);
  });
});

/** A module with these imports (raw import entries after the names), and nothing else. */
function moduleWith(entries: number[][]): Uint8Array<ArrayBuffer> {
  const name = (s: string): number[] => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
  const body = [entries.length, ...entries.flatMap((e) => [...name("env"), ...name("x"), ...e])];
  const types = [1, 0x60, 0, 0]; // one type: () -> ()
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, types.length, ...types, 2, body.length, ...body]);
}

describe("a memory that may grow past the 2 GiB ceiling (wasm32: up to 4 GiB)", () => {
  it("the heap stops at 2 GiB: allocations that need more are NULL and the memory is not grown", () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 65536 });
    const heap = createHeap({ memory, base: 64 * KiB });
    const m = mallocImports(heap);
    assert.equal(heap.stats().maxBytes, 2 ** 31);
    const before = memory.buffer.byteLength;
    assert.equal(m.malloc(2 ** 31 - 64 * KiB), 0);
    assert.equal(m.malloc(i32(3 * 2 ** 30)), 0);
    assert.equal(memory.buffer.byteLength, before);
    assert.ok(m.malloc(MiB) !== 0);
  });

  it("a memory already past 2 GiB: the heap and its views end at 2 GiB", () => {
    const memory = new WebAssembly.Memory({ initial: 32768 + 16, maximum: 65536 });
    const heap = createHeap({ memory, base: 64 * KiB });
    const m = mallocImports(heap);
    assert.equal(heap.stats().bufferBytes, 2 ** 31 + MiB);
    assert.equal(heap.u8.length, 2 ** 31);
    assert.ok(m.malloc(100) > heap.base);
    assert.equal(m.malloc(2 ** 31 - 128 * KiB), 0);
  });
});

describe("importedMemoryLimits", () => {
  it("reads the memory import's limits past other imports", () => {
    const func = [0, 0];
    const table = [1, 0x70, 0, 1];
    const global = [3, 0x7f, 0];
    const shared = moduleWith([func, table, global, [2, 3, 2, 10]]);
    assert.ok(WebAssembly.validate(shared));
    assert.deepEqual(importedMemoryLimits(shared), { initial: 2, maximum: 10, shared: true });
    assert.deepEqual(importedMemoryLimits(moduleWith([[2, 0, 0x80, 0x01]])), { initial: 128, maximum: undefined, shared: false });
    assert.equal(importedMemoryLimits(moduleWith([func])), undefined);
    assert.equal(importedMemoryLimits(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), undefined);
  });
});

describe("C programs on hakmem (wasm32-wasi, wasm/malloc.c)", () => {
  const abi = buildC("abi", ["-mexec-model=reactor"]);
  const program = buildC("program");

  type Fn = (...args: number[]) => number;
  const fns = (p: WasmProgram): Record<string, Fn> => p.exports as unknown as Record<string, Fn>;
  const wasi = (stdout?: number): WASI => new WASI({ version: "preview1", returnOnExit: true, ...(stdout === undefined ? {} : { stdout }) });

  it("the module imports its allocator from hakmem and its heap starts at __heap_base", async () => {
    const p = await instantiate(abi, { wasi: wasi() });
    const names = WebAssembly.Module.imports(p.module).filter((i) => i.module === "hakmem").map((i) => i.name).sort();
    assert.deepEqual(names, ["aligned_alloc", "calloc", "free", "malloc", "malloc_usable_size", "realloc"]);
    const heapBase = (p.exports.__heap_base as WebAssembly.Global).value as number;
    assert.equal(p.heap.base, Math.ceil(heapBase / (16 * KiB)) * 16 * KiB);
    assert.equal(p.heap.memory, p.memory);
    assert.equal(p.heap.stats().liveBlocks, 0); // libc's initialisation allocated nothing here
  });

  it("instantiate() says what is missing from a module or its options", async () => {
    const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    await assert.rejects(instantiate(empty), { name: "TypeError", message: /--import-memory/ });
    await assert.rejects(instantiate(moduleWith([[2, 0, 1]])), { name: "TypeError", message: /--export=__heap_base/ });
    const compiled = new WebAssembly.Module(abi);
    await assert.rejects(instantiate(compiled, { wasi: wasi() }), { name: "TypeError", message: /options\.memory/ });
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 1024 });
    const p = await instantiate(compiled, { wasi: wasi(), memory, maxBytes: 8 * MiB });
    assert.equal(p.memory, memory);
    assert.equal(p.heap.stats().maxBytes, 8 * MiB);
    assert.equal(fns(p).c_malloc(16 * MiB), 0); // past maxBytes: NULL
    assert.throws(() => p.start(), { name: "TypeError", message: /_start/ }); // a library
  });

  it("every allocator function, from C", async () => {
    const p = await instantiate(abi, { wasi: wasi() });
    const c = fns(p);
    const heap = p.heap;
    const a = c.c_malloc(100);
    assert.ok(a > heap.base && a % 16 === 0);
    assert.equal(heap.usableSize(a), c.c_usable(a));
    assert.equal(c.c_usable(0), 0);
    const z = c.c_calloc(100, 10);
    assert.ok(heap.u8.subarray(z, z + 1000).every((b) => b === 0));
    heap.u8[a] = 42;
    const b = c.c_realloc(a, 100_000);
    assert.equal(heap.u8[b], 42);
    assert.equal(c.c_realloc(0, 0) !== 0, true); // realloc(NULL, 0) is malloc(0): a unique block
    const l1 = c.c_libc_malloc(24);
    const l2 = c.c_libc_calloc(3, 8);
    assert.equal(heap.stats().liveBlocks, 5);
    c.c_libc_free(l1);
    c.c_libc_free(l2);
    assert.equal(c.c_realloc(b, 0), 0); // realloc(p, 0) frees p
    c.c_free(z);
    c.c_free(0);
    assert.equal(heap.stats().liveBlocks, 1);
  });

  it("calloc from C zeroes a reused block: small ones (zeroed in C) and large ones (by the heap)", async () => {
    const p = await instantiate(abi, { wasi: wasi() });
    const c = fns(p);
    for (const [count, size] of [[6, 8], [1, 4096], [3, 2000], [1, 100_000]]) {
      const n = count * size;
      const dirty = c.c_malloc(n);
      p.heap.u8.fill(0xa5, dirty, dirty + n);
      c.c_free(dirty);
      const z = c.c_calloc(count, size);
      // (the same bytes, or a span starting a page lower that holds them: either way dirty)
      assert.ok(z <= dirty && z + n > dirty, `calloc(${count}, ${size}) reuses the bytes just freed (${z} vs ${dirty})`);
      assert.ok(p.heap.u8.subarray(z, z + n).every((b) => b === 0), `calloc(${count}, ${size}) is zeroed`);
      c.c_free(z);
    }
    assert.equal(p.heap.stats().liveBlocks, 0);
  });

  it("alignment, NULL and errno for bad sizes and alignments, posix_memalign's codes", async () => {
    const p = await instantiate(abi, { wasi: wasi() });
    const c = fns(p);
    const [EINVAL, ENOMEM] = [c.c_einval(), c.c_enomem()];
    for (let align = 16; align <= 2 ** 24; align *= 2) {
      const x = c.c_aligned_alloc(align, 100);
      assert.equal(x % align, 0, `aligned_alloc(${align})`);
      assert.equal(c.c_posix_memalign(align, 100), 0);
      assert.equal(c.c_memalign_out() % align, 0);
      c.c_free(x);
      c.c_free(c.c_memalign_out());
    }
    const before = p.heap.stats();
    c.c_clear_errno();
    assert.equal(c.c_malloc(i32(0xffff_ffff)), 0);
    assert.equal(c.c_errno(), ENOMEM);
    c.c_clear_errno();
    assert.equal(c.c_calloc(0x1_0000, 0x1_0001), 0);
    assert.equal(c.c_errno(), ENOMEM);
    c.c_clear_errno();
    assert.equal(c.c_aligned_alloc(24, 16), 0);
    assert.equal(c.c_errno(), EINVAL);
    assert.equal(c.c_posix_memalign(2, 16), EINVAL); // not a multiple of sizeof(void *)
    assert.equal(c.c_posix_memalign(24, 16), EINVAL);
    assert.equal(c.c_posix_memalign(2 ** 31, 16), EINVAL);
    assert.equal(c.c_memalign_out(), 4, "posix_memalign wrote *out on failure");
    assert.equal(c.c_posix_memalign(64, i32(0xffff_ff00)), ENOMEM);
    assert.equal(c.c_memalign_out(), 4);
    assert.equal(c.c_failed_realloc_keeps(300), 1);
    // errno is read in a later call: inside one C function, clang -O2 folded a read of errno
    // after a failed realloc to the value before it.
    const block = c.c_malloc(50);
    c.c_clear_errno();
    assert.equal(c.c_realloc(block, i32(0xffff_fff0)), 0);
    assert.equal(c.c_errno(), ENOMEM);
    c.c_free(block);
    assert.deepEqual(p.heap.stats().liveBlocks, before.liveBlocks);
  });

  it("JavaScript and C hand blocks to each other; stats agree", async () => {
    const p = await instantiate(abi, { wasi: wasi() });
    const c = fns(p);
    const heap = p.heap;
    // JS → C: JS allocates and writes, C reads and frees.
    const n = 3000;
    const js = heap.malloc(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      heap.u8[js + i] = (i * 13) & 255;
      sum = (Math.imul(sum, 31) + ((i * 13) & 255)) >>> 0;
    }
    assert.equal(heap.stats().liveBlocks, 1);
    assert.equal(c.c_sum_and_free(js, n) >>> 0, sum);
    assert.deepEqual([heap.stats().liveBlocks, heap.stats().liveBytes], [0, 0]);
    // C → JS: C allocates and writes, JS reads and frees.
    const fromC = c.c_make(70_000, 5);
    assert.equal(heap.usableSize(fromC), c.c_usable(fromC));
    assert.deepEqual([heap.stats().liveBlocks, heap.stats().liveBytes], [1, 70_000]);
    for (let i = 0; i < 70_000; i += 999) assert.equal(heap.u8[fromC + i], (5 + i * 7) & 255);
    heap.free(fromC);
    // A string both ways.
    const s = c.c_strdup(writeString(heap, "héllo wasm"));
    assert.equal(new TextDecoder().decode(heap.u8.subarray(s, s + c.c_strlen(s))), "héllo wasm");
    heap.free(s);
    assert.deepEqual([heap.stats().liveBlocks, heap.stats().liveBytes], [1, 12]); // the JS copy
  });

  for (const [what, call, wanted] of [
    ["a double free", "c_double_free", "DOUBLE_FREE"],
    ["a free of an interior pointer", "c_free_interior", "INVALID_POINTER"],
    ["a free of static data (below the base)", "c_free_static", "INVALID_POINTER"],
  ] as const) {
    it(`${what} from C throws HeapError ${wanted} out of the call; the heap is unchanged`, async () => {
      const p = await instantiate(abi, { wasi: wasi() });
      const c = fns(p);
      const keep = c.c_make(500, 1);
      const before = p.heap.stats();
      const e = heapErrorOf(() => c[call]());
      assert.equal(e.code, wanted);
      assert.ok(e.offset !== undefined && e.offset > 0);
      if (call === "c_free_static") assert.ok(e.offset! < p.heap.base);
      const after = p.heap.stats();
      const leaked = call === "c_free_interior" ? 1 : 0; // the block whose interior was passed
      assert.equal(after.liveBlocks, before.liveBlocks + leaked);
      for (let i = 0; i < 500; i++) assert.equal(p.heap.u8[keep + i], (1 + i * 7) & 255);
      p.heap.free(keep); // JavaScript goes on using the heap; the instance is not called again
      assert.equal(p.heap.stats().liveBlocks, leaked);
    });
  }

  it("the built hakmem/wasm (dist/wasm.js) is platform neutral and uses the library's own module", async () => {
    const source = readFileSync(new URL("../dist/wasm.js", import.meta.url), "utf8");
    assert.doesNotMatch(source, /from ["']node:|require\(/);
    assert.match(source, /from "\.\/index\.js"/);
    assert.doesNotMatch(source, /class Heap\b|class HeapError\b/); // not a bundled copy of the library
    const lib = await import("../dist/index.js");
    const wasm = await import("../dist/wasm.js");
    const p = await wasm.instantiate(abi);
    const c = p.exports as unknown as Record<string, Fn>;
    assert.ok(p.heap.malloc(10) > p.heap.base);
    try {
      c.c_double_free();
      assert.fail("no error");
    } catch (e) {
      assert.ok(e instanceof lib.HeapError, "the HeapError of hakmem");
      assert.equal((e as HeapError).code, "DOUBLE_FREE");
    }
  });

  it("a command: atexit, strdup, realloc, posix_memalign, stdio, and growth of the memory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hakmem-wasm-"));
    const out = join(dir, "stdout");
    const fd = openSync(out, "w");
    const reports = new Map<number, number>();
    try {
      const p = await instantiate(program, {
        wasi: wasi(fd),
        imports: { test: { report: (what: number, value: number) => void reports.set(what, value) } },
      });
      const bytesBefore = p.memory.buffer.byteLength;
      assert.equal(p.start(), 0);
      assert.equal(reports.get(1), 40, "every atexit handler ran");
      assert.equal(reports.get(2), 1, "the strdup'd string survived until exit");
      assert.equal(reports.get(3), 1);
      const s = p.heap.stats();
      assert.ok(p.memory.buffer.byteLength >= 40 * MiB && bytesBefore < 2 * MiB, `memory ${bytesBefore} → ${p.memory.buffer.byteLength}`);
      assert.ok(s.growths > 0 && s.peakFootprintBytes >= 40 * MiB);
      assert.equal(p.heap.u8.length, p.memory.buffer.byteLength); // JS views followed the growth
      // Left at exit: atexit's second table of handlers, from __libc_calloc.
      assert.equal(s.liveBlocks, 1);
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(out, "utf8"), "hello from wasm, 40 handlers\n");
    rmSync(dir, { recursive: true });
  });
});

function writeString(heap: ReturnType<typeof createHeap>, s: string): number {
  const bytes = new TextEncoder().encode(s);
  const p = heap.malloc(bytes.length + 1);
  heap.u8.set(bytes, p);
  heap.u8[p + bytes.length] = 0;
  return p;
}
