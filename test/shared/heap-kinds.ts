// The kinds of memory a heap lives in, for the typed-array and string cases (arrays.ts,
// strings.ts), which run each check on every kind: views behave differently on each.
import type { Assert, Context, Heap } from "./harness.ts";

/** A kind of memory a heap lives in, and how its views behave when it grows. */
export interface HeapKind {
  readonly name: string;
  make(maxBytes?: number): Heap;
  /** Every growth replaces the buffer and detaches views of the old one (a non-shared WebAssembly.Memory). */
  readonly detachesOnGrowth: boolean;
  /** The buffer is a SharedArrayBuffer: views can be posted to other workers. */
  readonly shared: boolean;
}

const MiB = 1 << 20;
const WASM_PAGE = 65536;

/** Every memory kind for the context's profile (the shared ones where SharedArrayBuffer exists). */
export function heapKinds(t: Context): HeapKind[] {
  const { lib, profile } = t;
  const pages = (bytes: number) => ({ initial: MiB / WASM_PAGE, maximum: bytes / WASM_PAGE });
  const kinds: HeapKind[] = [
    { name: "resizable ArrayBuffer", make: (max = 64 * MiB) => lib.createHeap({ profile, shared: false, maxBytes: max }), detachesOnGrowth: false, shared: false },
    { name: "WebAssembly.Memory", make: (max = 64 * MiB) => lib.createHeap({ profile, memory: new WebAssembly.Memory(pages(max)) }), detachesOnGrowth: true, shared: false },
  ];
  if (typeof SharedArrayBuffer !== "function") return kinds;
  kinds.push(
    { name: "growable SharedArrayBuffer", make: (max = 64 * MiB) => lib.createHeap({ profile, maxBytes: max }), detachesOnGrowth: false, shared: true },
    {
      name: "shared WebAssembly.Memory",
      make: (max = 64 * MiB) => lib.createHeap({ profile, memory: new WebAssembly.Memory({ ...pages(max), shared: true }) }),
      detachesOnGrowth: false,
      shared: true,
    },
  );
  return kinds;
}

/** Runs body on a new heap of each kind; a failure names the kind. */
export async function eachKind(t: Context, body: (heap: Heap, kind: HeapKind) => void | Promise<void>): Promise<void> {
  for (const kind of heapKinds(t)) {
    try {
      await body(kind.make(), kind);
    } catch (e) {
      if (e instanceof Error) e.message = `${kind.name}: ${e.message}`;
      throw e;
    }
  }
}

/** What fn threw (failing when it returns), checked to be an instance of Class with `code`. */
export function expectThrow(assert: Assert, fn: () => unknown, Class: abstract new (...args: never[]) => Error, what: string, code?: string): void {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    assert.ok(e instanceof Class, `${what}: expected ${Class.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    if (code !== undefined) assert.equal((e as { code?: string }).code, code, `${what}: error code`);
    return;
  }
  assert.ok(false, `${what}: expected ${Class.name}, but it returned ${String(result)}`);
}

/** The heap's statistics as a string, to check that a failed call changed nothing. */
export function snapshot(heap: Heap): string {
  return JSON.stringify(heap.stats());
}
