/** Errors the heap reports. The heap is unchanged after any of them is thrown. */

export type HeapErrorCode =
  | "INVALID_POINTER" // not the start of a live block of this heap
  | "DOUBLE_FREE" // the block was live and has been freed already
  | "INVALID_OPTION" // an option or HAKMEM_* variable has a bad value
  | "INVALID_HEAP" // the buffer does not hold a hakmem heap of this layout
  | "TOO_MANY_WORKERS" // no worker slot left
  | "DETACHED" // the handle was used after detach()
  | "NOT_OBSERVED" // counters() in a build without them
  | "BUFFER_OVERFLOW" // safe profile: a block was written past its end
  | "WRITE_AFTER_FREE" // safe profile: a freed block was written
  | "OUT_OF_MEMORY" // hakmem/wasm: no room for a thread's stack and TLS
  | "STACK_OVERFLOW"; // hakmem/wasm: a thread's stack ran past its end (found at exit)

export class HeapError extends Error {
  readonly code: HeapErrorCode;
  /** The offset the error is about, when there is one. */
  readonly offset: number | undefined;

  constructor(code: HeapErrorCode, message: string, offset?: number) {
    super(message);
    this.name = "HeapError";
    this.code = code;
    this.offset = offset;
  }
}

export function invalidPointer(p: unknown): HeapError {
  return new HeapError("INVALID_POINTER", `${String(p)} is not the start of a live block of this heap`, typeof p === "number" ? p : undefined);
}

export function doubleFree(p: number): HeapError {
  return new HeapError("DOUBLE_FREE", `block ${p} was already freed`, p);
}

/** Validates a byte count: a non-negative integer. Called on the slow path only. */
export function checkSize(n: unknown, what: string): number {
  if (typeof n !== "number") throw new TypeError(`${what} must be a number, got ${typeof n}`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
  return n;
}

/** Validates an alignment: a power of two up to 2^30. */
export function checkAlignment(align: unknown): void {
  if (typeof align !== "number") throw new TypeError(`alignment must be a number, got ${typeof align}`);
  if (!Number.isInteger(align) || align <= 0 || (align & (align - 1)) !== 0 || align > 2 ** 30) {
    throw new RangeError(`alignment must be a power of two ≤ 2^30, got ${align}`);
  }
}

/** Validates a pointer argument's type; any number that is not a live block is INVALID_POINTER. */
export function checkPointerType(p: unknown): void {
  if (typeof p !== "number") throw new TypeError(`pointer must be a number, got ${typeof p}`);
}
