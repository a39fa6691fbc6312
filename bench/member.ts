// A team member's part of a run, the same in a worker_threads Worker (thread.ts) and a Web
// Worker (browser/worker.ts): attach to the run's heap, say ready, wait for GO, run.
import type { ContenderModule } from "./contender.ts";
import type { JsWorkloadName, RunSpec } from "./spec.ts";
import { GO, type MemberData, type MemberResult } from "./team-data.ts";
import { WORKLOAD_IMPL } from "./workloads/index.ts";

export async function runMember(data: MemberData, loadContender: (id: string) => Promise<ContenderModule>, sayReady: () => void): Promise<MemberResult> {
  const spec = data.spec as RunSpec;
  const workload = WORKLOAD_IMPL[spec.workload as JsWorkloadName];
  const mod = await loadContender(spec.contender);
  const options = workload.options(spec);
  const a = await mod.attach!(data.shared, options);
  return workload.member!({
    a,
    mod,
    data,
    spec,
    options,
    ready() {
      sayReady();
      Atomics.wait(data.control, GO, 0);
    },
  });
}
