// The speed-of-light reference for the wasm programs (contender "sol", 1 worker): the C program's
// malloc and free imports served by bench/contenders/sol.ts's unsafe size-class free lists, in
// the module's memory above __heap_base. What is left of a run's time is the program and the
// wasm → JavaScript calls themselves, the floor under any allocator behind those imports.
// One thread allocates at a time (the main thread sets up, then the worker runs): free lists are
// per thread, the bump pointer and the class table are shared.

/** Bytes above __heap_base the reference may hand out; the memory is created this large. */
export const SOL_BYTES = 256 << 20;
const STACK_BYTES = 64 * 1024;
const MAX_CLASS = 64; // 16-byte classes up to 1 KiB; larger requests round up to 64 KiB steps
const BIG = 4096;

export interface SolShared {
  readonly memory: WebAssembly.Memory;
  /** Block offset >>> 4 → its class (shared, so that a thread frees another's blocks). */
  readonly cls: Uint16Array;
  /** [0]: the bump pointer. */
  readonly top: Int32Array;
}

export function solShared(memory: WebAssembly.Memory, base: number): SolShared {
  const top = new Int32Array(new SharedArrayBuffer(4));
  top[0] = Math.ceil(base / 16) * 16;
  return { memory, cls: new Uint16Array(new SharedArrayBuffer(((base + SOL_BYTES) >>> 4) * 2)), top };
}

function classOf(n: number): number {
  return n <= MAX_CLASS * 16 ? (n + 15) >>> 4 || 1 : MAX_CLASS + Math.ceil(n / 65536);
}

function sizeOf(c: number): number {
  return c <= MAX_CLASS ? c << 4 : (c - MAX_CLASS) * 65536;
}

/** One thread's malloc and free over `s`. */
function solImports(s: SolShared): { malloc(n: number): number; free(p: number): void } {
  const i32 = new Int32Array(s.memory.buffer); // the memory never grows: created at full size
  const heads = new Int32Array(MAX_CLASS + BIG);
  const cls = s.cls;
  return {
    malloc(n: number): number {
      const c = classOf(n >>> 0);
      const head = heads[c];
      if (head !== 0) {
        heads[c] = i32[head >>> 2];
        return head;
      }
      const p = Atomics.add(s.top, 0, sizeOf(c));
      if (p + sizeOf(c) > i32.length * 4) return 0;
      cls[p >>> 4] = c;
      return p;
    },
    free(p: number): void {
      if (p === 0) return;
      const c = cls[p >>> 4];
      i32[p >>> 2] = heads[c];
      heads[c] = p;
    },
  };
}

/** An instance of `module` for this thread: its own stack and TLS from the bump pointer. */
export async function solThread(module: WebAssembly.Module, s: SolShared): Promise<WebAssembly.Exports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory: s.memory }, hakmem: solImports(s) });
  const e = instance.exports as { __stack_pointer: WebAssembly.Global; __tls_size: WebAssembly.Global; __wasm_init_tls(p: number): void };
  const tls = Math.ceil(Number(e.__tls_size.value) / 16) * 16;
  const block = Atomics.add(s.top, 0, tls + STACK_BYTES);
  if (tls > 0) e.__wasm_init_tls(block);
  e.__stack_pointer.value = block + tls + STACK_BYTES;
  return instance.exports;
}
