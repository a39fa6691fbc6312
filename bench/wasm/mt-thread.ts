// A member of a wasm-larson / wasm-xmalloc team: a worker_threads Worker running the program's
// instances (mt-workloads.ts). Bundled to dist/bench/wasm-mt-thread.js.
import { parentPort, workerData } from "node:worker_threads";
import type { RunSpec, WasmMtWorkloadName } from "../spec.ts";
import { GO, type MemberData } from "../team.ts";
import { MT_MEMBERS } from "./mt-workloads.ts";

const data = workerData as MemberData;
const result = await MT_MEMBERS[(data.spec as RunSpec).workload as WasmMtWorkloadName](data, () => {
  parentPort!.postMessage({ type: "ready" });
  Atomics.wait(data.control, GO, 0);
});
parentPort!.postMessage({ type: "done", result });
