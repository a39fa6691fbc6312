/**
 * Growth: the buffer under a heap and how it grows. Three kinds of memory are supported:
 * a growable SharedArrayBuffer, a resizable ArrayBuffer, and a WebAssembly.Memory (whose buffer
 * object is replaced on every growth). Fixed-size buffers are accepted and simply never grow.
 *
 * The allocator reads the buffer through fixed-length views rebuilt after growth: in Node 20's V8,
 * views that track a growable buffer's length are several times slower to index.
 */
import { HeapError } from "./errors.ts";
import { MAX_HEAP_BYTES, SEGMENT_SIZE } from "./layout.ts";

const WASM_PAGE = 65536;

export type Backing = SharedArrayBuffer | ArrayBuffer | WebAssembly.Memory;

/** The current buffer of a backing memory. */
export function bufferOf(backing: Backing): ArrayBuffer | SharedArrayBuffer {
  return backing instanceof WebAssembly.Memory ? backing.buffer : backing;
}

/** The largest size this backing can ever reach, capped by maxBytes. */
export function ceilingOf(backing: Backing, maxBytes: number): number {
  if (backing instanceof WebAssembly.Memory) return Math.min(maxBytes, MAX_HEAP_BYTES);
  const growable = "growable" in backing ? backing.growable : (backing as ArrayBuffer).resizable;
  const limit = growable ? backing.maxByteLength : backing.byteLength;
  return Math.min(limit, maxBytes);
}

/** A new backing memory for createHeap. */
export function createBacking(initialBytes: number, maxBytes: number, shared: boolean): Backing {
  if (shared) {
    if (typeof SharedArrayBuffer !== "function") {
      throw new HeapError("INVALID_OPTION", "shared: true but SharedArrayBuffer is not available here (cross-origin isolation is needed in browsers)");
    }
    return new SharedArrayBuffer(initialBytes, { maxByteLength: maxBytes });
  }
  return new ArrayBuffer(initialBytes, { maxByteLength: maxBytes });
}

export function isBacking(value: unknown): value is Backing {
  return (
    value instanceof WebAssembly.Memory ||
    value instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer)
  );
}

/**
 * Grows the backing so that it holds at least `needBytes` (≤ ceiling), by at least a quarter of
 * its size to keep growth operations rare. Returns false when it cannot grow that far.
 */
export function growBacking(backing: Backing, needBytes: number, ceiling: number): boolean {
  const current = bufferOf(backing).byteLength;
  if (needBytes <= current) return true;
  if (needBytes > ceiling) return false;
  const step = Math.max(needBytes, current + (current >>> 2));
  const target = Math.min(ceiling, Math.ceil(step / SEGMENT_SIZE) * SEGMENT_SIZE);
  // A memory with a lower declared maximum than we know may refuse the generous step.
  return growTo(backing, current, target) || (target > needBytes && growTo(backing, current, needBytes));
}

function growTo(backing: Backing, current: number, target: number): boolean {
  try {
    if (backing instanceof WebAssembly.Memory) {
      backing.grow(Math.ceil((target - current) / WASM_PAGE));
    } else if (backing instanceof ArrayBuffer) {
      if (!backing.resizable) return false;
      backing.resize(target);
    } else {
      if (!backing.growable) return false;
      backing.grow(target);
    }
  } catch {
    // The engine refused (address space, the memory's declared maximum): treat as out of memory.
    return false;
  }
  return bufferOf(backing).byteLength >= target;
}

// TypedArray.prototype.fill on shared memory is many times slower than on an ArrayBuffer in
// Node 20 (about 1.2 µs for 4 KiB against 80 ns), while copies stay fast. Large fills therefore
// write a little and copy it.
const FILL_DIRECT = 64;
let zeros = new Uint8Array(0);

/** Sets bytes [at, at + n) of u8 to 0. */
export function zeroBytes(u8: Uint8Array, at: number, n: number): void {
  if (n <= FILL_DIRECT) {
    u8.fill(0, at, at + n);
    return;
  }
  if (zeros.length < Math.min(n, 1 << 16)) zeros = new Uint8Array(Math.min(Math.max(n, 4096), 1 << 16));
  for (let done = 0; done < n; done += zeros.length) {
    const chunk = Math.min(zeros.length, n - done);
    u8.set(chunk === zeros.length ? zeros : zeros.subarray(0, chunk), at + done);
  }
}

/**
 * Sets bytes [at, at + n) to 0, `at` a multiple of 8: eight bytes a store, then the last n % 8
 * bytes one by one (the bytes after n may be the safe profile's canary). On shared memory a loop
 * of stores beats fill (see above) and copies from a zero array at every size up to 16 KiB.
 */
export function zeroBlock(u8: Uint8Array, f64: Float64Array, at: number, n: number): void {
  const words = (at + n) >>> 3;
  for (let i = at >>> 3; i < words; i++) f64[i] = 0;
  for (let i = words << 3; i < at + n; i++) u8[i] = 0;
}

/** Sets bytes [at, at + n) of u8 to `value`: a few directly, the rest by doubling copies. */
export function fillBytes(u8: Uint8Array, value: number, at: number, n: number): void {
  const first = Math.min(n, FILL_DIRECT);
  u8.fill(value, at, at + first);
  for (let done = first; done < n; done *= 2) u8.copyWithin(at + done, at, at + Math.min(done, n - done));
}
