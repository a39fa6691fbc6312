// The bench page: runs one RunSpec in a Chromium page (bench/browser/session.ts opens a fresh
// browser context for every run, so every run gets a fresh renderer process). The workload's
// main part runs here, its team members in Web Workers. Bundled to dist/bench/browser/page.js.
import type { JsWorkloadName, RunResult, RunSpec } from "../spec.ts";
import { WORKLOAD_IMPL } from "../workloads/index.ts";
import { loadContender } from "./contenders.ts";

/** What the page offers to the session (page.evaluate). */
export interface BenchPage {
  runBench(spec: RunSpec): Promise<RunResult>;
}

async function runBench(spec: RunSpec): Promise<RunResult> {
  if (!crossOriginIsolated) throw new Error("the bench page is not cross-origin isolated (COOP/COEP headers missing): no SharedArrayBuffer");
  const m = await WORKLOAD_IMPL[spec.workload as JsWorkloadName].run(spec, await loadContender(spec.contender));
  // A page cannot see its process's resident set.
  return { ...m, opsPerSec: m.ops / m.seconds, rssBytes: null };
}

(globalThis as unknown as BenchPage).runBench = runBench;
