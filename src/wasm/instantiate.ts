/**
 * Instantiating a module built with wasm/malloc.c: the wiring users otherwise get wrong. The
 * module imports its memory and hakmem's allocator; the heap can only be created once the module
 * is instantiated (its __heap_base export says where the module's data and stack end), but the
 * imports must exist before that: they are bound late, to the heap created right after
 * instantiation and before any call into the module (a library's _initialize, a command's _start).
 */
import { createHeap, type Heap, type ProfileName } from "../index.ts";
import { type HeapSlot, importsOver } from "./imports.ts";
import { importedMemoryLimits } from "./module-memory.ts";

/**
 * A WASI preview 1 implementation, supplied by the caller so that this module stays platform
 * neutral: node:wasi's WASI, or a browser shim with the same shape.
 */
export interface Wasi {
  /** The "wasi_snapshot_preview1" import module. */
  readonly wasiImport: WebAssembly.ModuleImports;
  /** Runs a command (calls _start); returns its exit code. */
  start(instance: object): number | void;
  /** Initialises a library (calls _initialize). */
  initialize?(instance: object): void;
}

export interface InstantiateOptions {
  /** More imports, merged with the memory, "hakmem" and WASI ones (e.g. your own "env" functions). */
  imports?: WebAssembly.Imports;
  /** For a module built against wasi-libc: its system interface. */
  wasi?: Wasi;
  /**
   * The memory to import. Default: a new one of the size (and sharedness) the module declares.
   * Required when `source` is a compiled WebAssembly.Module (its limits cannot be read from it).
   */
  memory?: WebAssembly.Memory;
  /** The heap's profile (see createHeap). */
  profile?: ProfileName;
  /** Ceiling of the memory in bytes, the module's data below __heap_base included (see createHeap). */
  maxBytes?: number;
}

/** An instantiated module and the heap that serves its malloc. */
export interface WasmProgram {
  readonly module: WebAssembly.Module;
  readonly instance: WebAssembly.Instance;
  readonly exports: WebAssembly.Exports;
  readonly memory: WebAssembly.Memory;
  /** The heap, at the module's __heap_base: JavaScript allocates and frees in it too. */
  readonly heap: Heap;
  /** Runs a command's main (through options.wasi when given); returns its exit code. */
  start(): number;
}

/**
 * Instantiates a module built with wasm/malloc.c and `-Wl,--import-memory,--export=__heap_base`,
 * creates its heap at __heap_base, binds the allocator imports to it, and initialises a library
 * (`_initialize`). A command runs when you call start().
 */
export async function instantiate(source: BufferSource | WebAssembly.Module, options: InstantiateOptions = {}): Promise<WasmProgram> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const wanted = WebAssembly.Module.imports(module).find((i) => i.kind === "memory");
  if (wanted === undefined) throw new TypeError("the module does not import its memory: link it with -Wl,--import-memory");
  const memory = options.memory ?? memoryFor(source);
  const slot: HeapSlot = { heap: undefined as unknown as Heap }; // set below, before any call into the module
  const imports: WebAssembly.Imports = { ...options.imports };
  imports[wanted.module] = { ...imports[wanted.module], [wanted.name]: memory };
  imports.hakmem = importsOver(slot);
  if (options.wasi !== undefined) imports.wasi_snapshot_preview1 = throughJs(options.wasi.wasiImport);
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports;
  const heapBase = exports.__heap_base;
  if (!(heapBase instanceof WebAssembly.Global)) throw new TypeError("the module does not export __heap_base: link it with -Wl,--export=__heap_base");
  const heap = createHeap({ memory, base: heapBase.value >>> 0, profile: options.profile, maxBytes: options.maxBytes });
  slot.heap = heap;
  const wasi = options.wasi;
  if (typeof exports._initialize === "function") {
    if (wasi?.initialize !== undefined) wasi.initialize({ exports: { memory, _initialize: exports._initialize } });
    else exports._initialize();
  }
  const start = (): number => {
    const main = exports._start;
    if (typeof main !== "function") throw new TypeError("the module is not a command: it exports no _start");
    // node:wasi wants exports.memory, which wasm-ld 14 cannot export alongside --import-memory.
    if (wasi !== undefined) return wasi.start({ exports: { memory, _start: main } }) ?? 0;
    main();
    return 0;
  };
  return { module, instance, exports, memory, heap, start };
}

/**
 * The WASI functions, each called through a JavaScript function. Called by wasm directly,
 * node:wasi's functions take V8's "fast API" path, which crashes Node 20 now and then
 * (nodejs/node#46777, #53087): here, half of the runs of test/fixtures/c/program.c died of a
 * SIGSEGV in its exit path once the heap had grown the memory, none with this indirection (20
 * runs each). From JavaScript they take the regular path; WASI calls do I/O, so one more call
 * costs nothing that shows.
 */
function throughJs(wasiImport: WebAssembly.ModuleImports): WebAssembly.ModuleImports {
  const wrapped: WebAssembly.ModuleImports = {};
  for (const [name, value] of Object.entries(wasiImport)) {
    if (typeof value !== "function") wrapped[name] = value;
    else {
      const f = value as (...args: unknown[]) => unknown;
      wrapped[name] = (...args: unknown[]) => f(...args);
    }
  }
  return wrapped;
}

/** A new memory as the module's bytes declare it. */
function memoryFor(source: BufferSource | WebAssembly.Module): WebAssembly.Memory {
  if (source instanceof WebAssembly.Module) throw new TypeError("pass options.memory with a compiled WebAssembly.Module, or pass the module's bytes");
  const bytes = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
  const limits = importedMemoryLimits(bytes)!;
  return new WebAssembly.Memory(limits.maximum === undefined ? { initial: limits.initial } : { initial: limits.initial, maximum: limits.maximum, shared: limits.shared });
}
