/**
 * One thread of a multi-threaded WebAssembly module on a hakmem heap ("hakmem/wasm").
 *
 * A module built with `--shared-memory` runs as one instance per worker over one shared
 * WebAssembly.Memory. Every instance starts with the same __stack_pointer and no TLS, so each
 * needs its own stack and thread-local block: startThread takes both from the heap (one block,
 * laid out as layout.ts's "hakmem/wasm threads" says), installs them, and binds the module's
 * malloc imports to this worker's own handle, so no allocation takes a global lock.
 *
 *   // owner                                     // worker (workerData: { module, memory, base, record })
 *   const record = threadRecord(heap);           const t = await startThread(module, memory, { base, record });
 *   const w = new Worker(url, { workerData });   t.exports.run();
 *   w.once("exit", () => reclaimThread(heap, record));   t.exit();   // stack, TLS and handle given back
 *
 * A worker terminated before exit() leaves its block live and its handle attached: the record
 * tells the owner which, and reclaimThread recovers both.
 */
import { attachHeap, type Heap, HeapError } from "../index.ts";
import { GRANULE, STACK_CANARY, STACK_CANARY_BYTES, THREAD_RECORD_BYTES, TR_BLOCK, TR_WORKER } from "../layout.ts";
import type { ProfileName } from "../options.ts";
import { mallocImports } from "./imports.ts";

/** wasm-ld's default stack size, and the stack of a thread that names none. */
export const DEFAULT_STACK_SIZE = 64 * 1024;

export interface ThreadOptions {
  /** Bytes of stack (default 64 KiB), rounded up to 16. */
  readonly stackSize?: number;
  /** The heap's base (its `heap.base`), to attach to it; not needed with `heap`. */
  readonly base?: number;
  /** Use this handle (the owner's own thread) instead of attaching a new one; exit() leaves it attached. */
  readonly heap?: Heap;
  /** Profile of the attached handle (default: the heap's). */
  readonly profile?: ProfileName;
  /** A record from threadRecord(heap), for reclaimThread after a terminate(). */
  readonly record?: number;
  /** More imports; the memory (where the module imports it) and the "hakmem" allocator module are set over them. */
  readonly imports?: WebAssembly.Imports;
}

interface ThreadExports {
  __stack_pointer: WebAssembly.Global;
  __tls_size?: WebAssembly.Global;
  __tls_align?: WebAssembly.Global;
  __wasm_init_tls?: (block: number) => void;
}

/** A running thread: its instance, its handle and its block (TLS, canary, stack). */
export class WasmThread {
  readonly instance: WebAssembly.Instance;
  readonly heap: Heap;
  /** The block holding this thread's TLS, stack canary and stack. */
  readonly block: number;
  /** Lowest address of the stack (it grows down from stackBase + stackSize). */
  readonly stackBase: number;
  readonly stackSize: number;
  private readonly owned: boolean;
  private readonly record: number;
  private ended = false;

  /** @internal */
  constructor(instance: WebAssembly.Instance, heap: Heap, owned: boolean, record: number, block: number, stackBase: number, stackSize: number) {
    this.instance = instance;
    this.heap = heap;
    this.owned = owned;
    this.record = record;
    this.block = block;
    this.stackBase = stackBase;
    this.stackSize = stackSize;
  }

  get exports(): WebAssembly.Exports {
    return this.instance.exports;
  }

  /** Whether the stack ran past its end (the canary below it was overwritten). */
  overflowed(): boolean {
    const u32 = this.heap.u32;
    for (let i = 0; i < STACK_CANARY_BYTES >> 2; i++) if (u32[((this.stackBase - STACK_CANARY_BYTES) >> 2) + i] !== STACK_CANARY) return true;
    return false;
  }

  /**
   * Ends the thread: frees its block, clears its record, detaches the handle it attached. The
   * instance must not be called again. Throws HeapError STACK_OVERFLOW (after cleaning up) if the
   * stack overflowed: memory below it, this thread's TLS first, may have been overwritten.
   */
  exit(): void {
    if (this.ended) return;
    this.ended = true;
    const overflow = this.overflowed();
    const h = this.heap;
    if (this.record !== 0) Atomics.store(h.i32, (this.record >> 2) + TR_BLOCK, 0);
    h.free(this.block);
    if (this.owned) {
      h.detach();
      if (this.record !== 0) Atomics.store(h.i32, (this.record >> 2) + TR_WORKER, 0);
    }
    if (overflow) throw new HeapError("STACK_OVERFLOW", `a wasm thread's stack (${this.stackSize} bytes at ${this.stackBase}) overflowed`, this.stackBase);
  }
}

/**
 * Starts one thread's instance of `module` over `memory`: a handle on the heap (attached, or
 * options.heap), its stack and TLS from the heap, the malloc imports bound to the handle.
 */
export async function startThread(module: WebAssembly.Module, memory: WebAssembly.Memory, options: ThreadOptions = {}): Promise<WasmThread> {
  const stackSize = stackSizeOf(options.stackSize);
  const owned = options.heap === undefined;
  const h = options.heap ?? attachHeap(memory, { base: options.base, profile: options.profile });
  const record = options.record ?? 0;
  if (record !== 0 && owned) Atomics.store(h.i32, (record >> 2) + TR_WORKER, h.workerId);
  let block = 0;
  try {
    const instance = await WebAssembly.instantiate(module, importsFor(module, memory, mallocImports(h), options.imports));
    const e = instance.exports as unknown as ThreadExports;
    if (!(e.__stack_pointer instanceof WebAssembly.Global)) throw new TypeError("the module does not export __stack_pointer (link with --export=__stack_pointer)");
    const tlsSize = globalValue(e.__tls_size);
    const tlsAlign = Math.max(GRANULE, globalValue(e.__tls_align));
    if (tlsSize > 0 && typeof e.__wasm_init_tls !== "function") throw new TypeError("the module has TLS but does not export __wasm_init_tls");
    const tlsBytes = Math.ceil(tlsSize / GRANULE) * GRANULE;
    block = h.alignedAlloc(tlsAlign, tlsBytes + STACK_CANARY_BYTES + stackSize);
    if (block === 0) throw new HeapError("OUT_OF_MEMORY", `no room for a wasm thread's stack and TLS (${tlsBytes + STACK_CANARY_BYTES + stackSize} bytes)`);
    if (record !== 0) Atomics.store(h.i32, (record >> 2) + TR_BLOCK, block);
    const stackBase = block + tlsBytes + STACK_CANARY_BYTES;
    h.u32.fill(STACK_CANARY, (stackBase - STACK_CANARY_BYTES) >> 2, stackBase >> 2);
    e.__stack_pointer.value = stackBase + stackSize;
    if (tlsSize > 0) e.__wasm_init_tls!(block);
    return new WasmThread(instance, h, owned, record, block, stackBase, stackSize);
  } catch (err) {
    if (block !== 0) {
      if (record !== 0) Atomics.store(h.i32, (record >> 2) + TR_BLOCK, 0);
      h.free(block);
    }
    if (owned) {
      h.detach();
      if (record !== 0) Atomics.store(h.i32, (record >> 2) + TR_WORKER, 0);
    }
    throw err;
  }
}

/**
 * A threaded module's __heap_base, where its heap starts (`createHeap({ memory, base })`): read
 * from a first instance, whose instantiation also initialises the module's data once for all.
 */
export async function heapBaseOf(module: WebAssembly.Module, memory: WebAssembly.Memory, imports?: WebAssembly.Imports): Promise<number> {
  const unbound = (): never => {
    throw new Error("the heap is not created yet");
  };
  const malloc = { malloc: unbound, free: unbound, calloc: unbound, realloc: unbound, aligned_alloc: unbound, malloc_usable_size: unbound };
  const instance = await WebAssembly.instantiate(module, importsFor(module, memory, malloc, imports));
  const base = (instance.exports as { __heap_base?: WebAssembly.Global }).__heap_base;
  if (!(base instanceof WebAssembly.Global)) throw new TypeError("the module does not export __heap_base (link with --export=__heap_base)");
  return Number(base.value);
}

/** A zeroed record in the heap through which a thread tells its owner what to reclaim; free it with heap.free. */
export function threadRecord(heap: Heap): number {
  const p = heap.calloc(1, THREAD_RECORD_BYTES);
  if (p === 0) throw new HeapError("OUT_OF_MEMORY", "no room for a thread record");
  return p;
}

/**
 * After the worker that ran the thread of `record` has ended (its "exit" event, or terminate()),
 * never before: reclaims the handle it left attached and frees the stack and TLS it left live.
 * Does nothing for a thread that exited normally. Returns whether anything was recovered.
 */
export function reclaimThread(heap: Heap, record: number): boolean {
  const i32 = heap.i32;
  const worker = Atomics.exchange(i32, (record >> 2) + TR_WORKER, 0);
  const block = Atomics.exchange(i32, (record >> 2) + TR_BLOCK, 0);
  const reclaimed = worker !== 0 && heap.reclaim(worker);
  if (block !== 0) heap.free(block);
  return reclaimed || block !== 0;
}

/** The user's imports, the memory where the module imports it, the allocator as "hakmem". */
function importsFor(module: WebAssembly.Module, memory: WebAssembly.Memory, malloc: WebAssembly.ModuleImports, extra: WebAssembly.Imports = {}): WebAssembly.Imports {
  const wanted = WebAssembly.Module.imports(module).find((i) => i.kind === "memory");
  if (wanted === undefined) throw new TypeError("the module does not import its memory: link it with --import-memory --shared-memory");
  const imports: WebAssembly.Imports = { ...extra, hakmem: malloc };
  imports[wanted.module] = { ...imports[wanted.module], [wanted.name]: memory };
  return imports;
}

function stackSizeOf(n: unknown): number {
  if (n === undefined) return DEFAULT_STACK_SIZE;
  if (typeof n !== "number") throw new TypeError(`stackSize must be a number, got ${typeof n}`);
  if (!Number.isInteger(n) || n < GRANULE || n > 2 ** 30) throw new RangeError(`stackSize must be an integer from 16 to 2^30, got ${n}`);
  return Math.ceil(n / GRANULE) * GRANULE;
}

function globalValue(g: WebAssembly.Global | undefined): number {
  return g instanceof WebAssembly.Global ? Number(g.value) : 0;
}
