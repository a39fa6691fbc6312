// One bench run in a fresh process: one contender, one workload. The spec comes as JSON in
// argv[2]; one JSON line (RunResult) goes to stdout. Bundled to dist/bench/process.js.
import { loadContender } from "./contenders/load.ts";
import { isWasmMt, type RunResult, type RunSpec } from "./spec.ts";
import { WORKLOAD_IMPL } from "./workloads/index.ts";

const spec = JSON.parse(process.argv[2] ?? "") as RunSpec;
const mod = await loadContender(spec.contender);
// The wasm programs' module reads files and runs compilers: loaded only when needed.
const workload = isWasmMt(spec.workload) ? (await import("./wasm/mt-workloads.ts")).WASM_MT_IMPL[spec.workload] : WORKLOAD_IMPL[spec.workload];
const m = await workload.run(spec, mod);
const result: RunResult = { ...m, opsPerSec: m.ops / m.seconds, rssBytes: process.resourceUsage().maxRSS * 1024 };
process.stdout.write(`${JSON.stringify(result)}\n`);
// Some peers keep handles open (cheap's heap); the result is out, so leave now.
process.exit(0);
