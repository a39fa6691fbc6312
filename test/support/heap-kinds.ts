// Shared by the node:test files and the Chromium tests: no Node imports, the library and the
// assertions are passed in. Type-only imports of the library are erased by esbuild and tsx.
import type { attachHeap, createHeap, Heap, HeapError } from "../../src/index.ts";

/** The library under test: src/ in Node, the built bundle in a page. */
export interface Lib {
  createHeap: typeof createHeap;
  attachHeap: typeof attachHeap;
  HeapError: typeof HeapError;
}

/** The assertions the cases use: node:assert/strict satisfies it; a page passes a small shim. */
export interface Assert {
  ok(value: unknown, message?: string): void;
  equal(actual: unknown, expected: unknown, message?: string): void;
}

/** A named check; the runner (node:test, or a page) reports each one. */
export interface Case {
  name: string;
  run(): void | Promise<void>;
}

/** A kind of memory a heap lives in, and how its views behave when it grows. */
export interface HeapKind {
  name: string;
  make(maxBytes?: number): Heap;
  /** Every growth replaces the buffer and detaches views of the old one (a non-shared WebAssembly.Memory). */
  detachesOnGrowth: boolean;
  /** free of a freed block is reported (every profile but fast). */
  checksDoubleFree: boolean;
}

const MiB = 1 << 20;
const WASM_PAGE = 65536;

/** Every memory kind (the shared ones where SharedArrayBuffer exists) and every profile. */
export function heapKinds(lib: Lib): HeapKind[] {
  const kinds: HeapKind[] = [
    { name: "resizable ArrayBuffer", make: (max = 64 * MiB) => lib.createHeap({ shared: false, maxBytes: max }), detachesOnGrowth: false, checksDoubleFree: true },
    {
      name: "WebAssembly.Memory",
      make: (max = 64 * MiB) => lib.createHeap({ memory: new WebAssembly.Memory({ initial: MiB / WASM_PAGE, maximum: max / WASM_PAGE }) }),
      detachesOnGrowth: true,
      checksDoubleFree: true,
    },
  ];
  if (typeof SharedArrayBuffer !== "function") return kinds;
  kinds.push({
    name: "shared WebAssembly.Memory",
    make: (max = 64 * MiB) => lib.createHeap({ memory: new WebAssembly.Memory({ initial: MiB / WASM_PAGE, maximum: max / WASM_PAGE, shared: true }) }),
    detachesOnGrowth: false,
    checksDoubleFree: true,
  });
  for (const profile of ["balanced", "fast", "lean", "safe"] as const) {
    kinds.push({
      name: `growable SharedArrayBuffer, ${profile}`,
      make: (max = 64 * MiB) => lib.createHeap({ profile, maxBytes: max }),
      detachesOnGrowth: false,
      checksDoubleFree: profile !== "fast",
    });
  }
  return kinds;
}

/** What fn threw (failing when it returns), checked to be an instance of Class with `code`. */
export function expectThrow(assert: Assert, fn: () => unknown, Class: abstract new (...args: never[]) => Error, what: string, code?: string): Error {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    assert.ok(e instanceof Class, `${what}: expected ${Class.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    if (code !== undefined) assert.equal((e as { code?: string }).code, code, `${what}: error code`);
    return e as Error;
  }
  assert.ok(false, `${what}: expected ${Class.name}, but it returned ${String(result)}`);
  throw new Error("unreachable");
}

/** The heap's statistics as a string, to check that a failed call changed nothing. */
export function snapshot(heap: Heap): string {
  return JSON.stringify(heap.stats());
}
