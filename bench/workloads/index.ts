// The workloads by name.
import type { WorkloadName } from "../spec.ts";
import { larson } from "./larson.ts";
import { mid } from "./mid.ts";
import { randomMixed } from "./random-mixed.ts";
import type { Workload } from "./workload.ts";
import { xmalloc } from "./xmalloc.ts";
import { wasmLarson, wasmXmalloc } from "../wasm/mt-workloads.ts";

export const WORKLOAD_IMPL: Record<WorkloadName, Workload> = {
  "random-mixed": randomMixed,
  larson,
  mid,
  xmalloc,
  "wasm-larson": wasmLarson,
  "wasm-xmalloc": wasmXmalloc,
};
