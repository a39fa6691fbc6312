/**
 * hakmem/wasm: hakmem as the malloc of WebAssembly modules built with wasm/malloc.c. Platform
 * neutral (no Node built-ins); it sits on the library's public API.
 *
 *   import { instantiate } from "hakmem/wasm";
 *   const program = await instantiate(bytes, { wasi });   // heap at the module's __heap_base
 *   program.start();                                      // a command's main
 *   program.heap.malloc(100);                             // JS allocates in the same heap
 *
 * Threaded modules (--shared-memory): one instance per worker, each with its stack and TLS from
 * the heap and its own handle (thread.ts).
 *
 *   const t = await startThread(module, memory, { base, record });   // in a worker
 */
export { type MallocImports, mallocImports } from "./imports.ts";
export { instantiate, type InstantiateOptions, type Wasi, type WasmProgram } from "./instantiate.ts";
export { DEFAULT_STACK_SIZE, heapBaseOf, reclaimThread, startThread, type ThreadOptions, threadRecord, WasmThread } from "./thread.ts";
