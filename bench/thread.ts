// A team member: a worker_threads Worker that attaches to the run's heap and runs its part of
// the workload (see team.ts). Bundled to dist/bench/thread.js.
import { parentPort, workerData } from "node:worker_threads";
import { loadContender } from "./contenders/load.ts";
import { runMember } from "./member.ts";
import type { MemberData } from "./team.ts";

const result = await runMember(workerData as MemberData, loadContender, () => parentPort!.postMessage({ type: "ready" }));
parentPort!.postMessage({ type: "done", result });
