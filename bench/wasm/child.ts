// Runs one wasm32-wasi command in this fresh process, with node:wasi, its malloc either the
// module's own (wasi-libc's dlmalloc) or hakmem through the imports of wasm/malloc.c. The
// program's stdin and stdout are this process's; after it ends, one more JSON line reports
// the memory: { "wasm": { malloc, memoryBytes, heapBase, peakHeapBytes, maxRssBytes } }.
// The exit code is the program's.
//   node --no-turbo-fast-api-calls dist/bench/wasm-child.js PROGRAM.wasm --malloc dlmalloc|hakmem [-- ARGS…]
// --no-turbo-fast-api-calls: on Node 20, node:wasi's fast API calls can use the memory's backing
// store from before a memory.grow (nodejs/node#53087): a printf after the heap grew then ends the
// process with SIGSEGV now and then. It only affects calls into Node's C++ (the WASI calls, none
// of them timed), not the wasm-to-JavaScript calls of hakmem's imports.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { WASI } from "node:wasi";
import type { ProfileName } from "hakmem";
import { instantiate } from "hakmem/wasm";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { malloc: { type: "string", default: "dlmalloc" }, profile: { type: "string", default: "balanced" } },
});
const [path, ...args] = positionals;
if (path === undefined || (values.malloc !== "dlmalloc" && values.malloc !== "hakmem")) {
  console.error("usage: wasm-child PROGRAM.wasm --malloc dlmalloc|hakmem [--profile NAME] [-- ARGS…]");
  process.exit(2);
}

const wasi = new WASI({ version: "preview1", args: [path, ...args], returnOnExit: true });
const bytes = readFileSync(path);
let code: number;
let memory: WebAssembly.Memory;
let heapBase: number;
let peakHeapBytes: number;
if (values.malloc === "hakmem") {
  const program = await instantiate(bytes, { wasi, profile: values.profile as ProfileName });
  code = program.start();
  memory = program.memory;
  heapBase = program.heap.base;
  // The heap's footprint counts from offset 0: its own share starts at its base.
  peakHeapBytes = program.heap.stats().peakFootprintBytes - heapBase;
} else {
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), wasi.getImportObject() as WebAssembly.Imports);
  code = wasi.start(instance);
  memory = instance.exports.memory as WebAssembly.Memory;
  heapBase = (instance.exports.__heap_base as WebAssembly.Global).value as number;
  // dlmalloc takes memory with sbrk, which only grows the memory: its end is dlmalloc's peak.
  peakHeapBytes = memory.buffer.byteLength - heapBase;
}
const memoryBytes = memory.buffer.byteLength;
console.log(JSON.stringify({ wasm: { malloc: values.malloc, memoryBytes, heapBase, peakHeapBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 } }));
process.exitCode = code;
