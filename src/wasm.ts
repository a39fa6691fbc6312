// TEMPORARY entry until wasm-core lands hakmem/wasm (src/wasm/index.ts).
export { mallocImports } from "./wasm/imports.ts";
export { DEFAULT_STACK_SIZE, heapBaseOf, reclaimThread, startThread, threadRecord, WasmThread } from "./wasm/thread.ts";
export type { ThreadOptions } from "./wasm/thread.ts";
