// A team member: a worker_threads Worker that attaches to the run's heap and runs its part of
// the workload (see team.ts). Bundled to dist/bench/thread.js.
import { parentPort, workerData } from "node:worker_threads";
import { loadContender } from "./contenders/load.ts";
import type { JsWorkloadName, RunSpec } from "./spec.ts";
import { GO, type MemberData } from "./team.ts";
import { WORKLOAD_IMPL } from "./workloads/index.ts";

const data = workerData as MemberData;
const spec = data.spec as RunSpec;
const workload = WORKLOAD_IMPL[spec.workload as JsWorkloadName];
const mod = await loadContender(spec.contender);
const options = workload.options(spec);
const a = await mod.attach!(data.shared, options);
const result = await workload.member!({
  a,
  mod,
  data,
  spec,
  options,
  ready() {
    parentPort!.postMessage({ type: "ready" });
    Atomics.wait(data.control, GO, 0);
  },
});
parentPort!.postMessage({ type: "done", result });
