// One bench run in a fresh process: one contender, one workload. The spec comes as JSON in
// argv[2]; one JSON line (RunResult) goes to stdout. Bundled to dist/bench/process.js.
import { loadContender } from "./contenders/load.ts";
import type { RunResult, RunSpec } from "./spec.ts";
import { WORKLOAD_IMPL } from "./workloads/index.ts";

const spec = JSON.parse(process.argv[2] ?? "") as RunSpec;
const mod = await loadContender(spec.contender);
const m = await WORKLOAD_IMPL[spec.workload].run(spec, mod);
const result: RunResult = { ...m, opsPerSec: m.ops / m.seconds, rssBytes: process.resourceUsage().maxRSS * 1024 };
process.stdout.write(`${JSON.stringify(result)}\n`);
// Some peers keep handles open (cheap's heap); the result is out, so leave now.
process.exit(0);
