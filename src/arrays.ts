/**
 * Typed arrays over heap blocks: mallocArray / callocArray / reallocArray / freeArray. A binding
 * on top of the heap's public API (malloc, calloc, realloc, free, buffer): a view's byteOffset is
 * its block's pointer, and the view has a fixed length, so it never follows a growth of the heap.
 */
import { checkSize, HeapError, invalidPointer } from "./errors.ts";
import type { Heap } from "./heap.ts";

export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

export type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** The view a constructor makes, over any buffer (InstanceType would claim a plain ArrayBuffer). */
export type ArrayOf<C extends TypedArrayConstructor> = C extends Int8ArrayConstructor
  ? Int8Array
  : C extends Uint8ClampedArrayConstructor
    ? Uint8ClampedArray
    : C extends Uint8ArrayConstructor
      ? Uint8Array
      : C extends Int16ArrayConstructor
        ? Int16Array
        : C extends Uint16ArrayConstructor
          ? Uint16Array
          : C extends Int32ArrayConstructor
            ? Int32Array
            : C extends Uint32ArrayConstructor
              ? Uint32Array
              : C extends Float32ArrayConstructor
                ? Float32Array
                : C extends Float64ArrayConstructor
                  ? Float64Array
                  : C extends BigInt64ArrayConstructor
                    ? BigInt64Array
                    : BigUint64Array;

type AnyConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArray;

const TYPES: ReadonlySet<unknown> = new Set<unknown>([
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
]);

/** A view of `length` elements of Type over a new block, or null when out of memory. */
export function mallocArray<C extends TypedArrayConstructor>(heap: Heap, Type: C, length: number): ArrayOf<C> | null {
  const bytes = byteLength(Type, length);
  return viewAt(heap, Type, heap.malloc(bytes), length);
}

/** As mallocArray, with the elements zeroed. */
export function callocArray<C extends TypedArrayConstructor>(heap: Heap, Type: C, length: number): ArrayOf<C> | null {
  byteLength(Type, length);
  return viewAt(heap, Type, heap.calloc(length, Type.BYTES_PER_ELEMENT), length);
}

/**
 * A view of the same type over the block resized to `length` elements, contents kept up to the
 * smaller size; null when out of memory, the old block untouched. Length 0 keeps a block (an
 * empty view over a new minimal one), as mallocArray(Type, 0) does.
 */
export function reallocArray<T extends TypedArray>(heap: Heap, view: T, length: number): T | null {
  const Type = typeOf(view);
  const bytes = byteLength(Type, length);
  const p = blockOf(heap, view);
  if (bytes === 0) {
    heap.usableSize(p); // throws as free would, before anything changes
    const q = heap.malloc(0);
    if (q === 0) return null;
    try {
      heap.free(p);
    } catch (e) {
      heap.free(q); // the safe profile found p overflowed: p stays, as the error says
      throw e;
    }
    return viewAt(heap, Type, q, 0) as T;
  }
  return viewAt(heap, Type, heap.realloc(p, bytes), length) as T | null;
}

/** Frees the block a view (typed array or DataView) starts at. */
export function freeArray(heap: Heap, view: ArrayBufferView): void {
  if (!ArrayBuffer.isView(view)) throw new TypeError("freeArray needs a typed array or DataView");
  heap.free(blockOf(heap, view));
}

function viewAt<C extends TypedArrayConstructor>(heap: Heap, Type: C, p: number, length: number): ArrayOf<C> | null {
  return p === 0 ? null : (new (Type as AnyConstructor)(heap.buffer, p, length) as ArrayOf<C>);
}

function byteLength(Type: unknown, length: number): number {
  if (!TYPES.has(Type)) throw new TypeError("Type must be a typed array constructor (Int8Array … BigUint64Array)");
  return checkSize(length, "length") * (Type as TypedArrayConstructor).BYTES_PER_ELEMENT;
}

/** The constructor of a plain typed array (not a subclass: reallocArray returns the same type). */
function typeOf(view: unknown): TypedArrayConstructor {
  const Type = ArrayBuffer.isView(view) ? Object.getPrototypeOf(view)?.constructor : undefined;
  if (!TYPES.has(Type)) throw new TypeError("reallocArray needs a typed array (Int8Array … BigUint64Array)");
  return Type as TypedArrayConstructor;
}

/** The pointer a view starts at, once its buffer is known to be the heap's memory. */
function blockOf(heap: Heap, view: ArrayBufferView): number {
  const p = view.byteOffset;
  const buffer = view.buffer;
  const own = heap.buffer;
  if (buffer === own || (isShared(buffer) && isShared(own) && aliases(buffer, own, p))) return p;
  if (view.byteLength === 0 && buffer.byteLength === 0) {
    throw new HeapError("INVALID_POINTER", "the view's buffer is detached (a non-shared WebAssembly.Memory detaches its buffer when it grows)");
  }
  throw invalidPointer(p);
}

function isShared(buffer: ArrayBufferLike): buffer is SharedArrayBuffer {
  return typeof SharedArrayBuffer === "function" && buffer instanceof SharedArrayBuffer;
}

/**
 * Whether two SharedArrayBuffer objects are the same memory: postMessage and each growth of a
 * shared WebAssembly.Memory make new objects over the same bytes. The word at `at` (the block
 * being freed or resized, so its owner's) is flipped through `a` and read through `b`, then
 * restored: a different memory cannot show both the flipped and the restored value.
 */
function aliases(a: SharedArrayBuffer, b: SharedArrayBuffer, at: number): boolean {
  if ((at & 3) !== 0 || at + 4 > a.byteLength || at + 4 > b.byteLength) return false;
  const x = new Int32Array(a, at, 1);
  const y = new Int32Array(b, at, 1);
  let old = Atomics.load(x, 0);
  while (Atomics.compareExchange(x, 0, old, ~old) !== old) old = Atomics.load(x, 0);
  const flipped = Atomics.load(y, 0) === ~old;
  Atomics.compareExchange(x, 0, ~old, old);
  return flipped && Atomics.load(y, 0) === old;
}
