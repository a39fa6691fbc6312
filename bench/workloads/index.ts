// The workloads by name.
import type { JsWorkloadName } from "../spec.ts";
import { larson } from "./larson.ts";
import { mid } from "./mid.ts";
import { randomMixed } from "./random-mixed.ts";
import type { Workload } from "./workload.ts";
import { xmalloc } from "./xmalloc.ts";

export const WORKLOAD_IMPL: Record<JsWorkloadName, Workload> = {
  "random-mixed": randomMixed,
  larson,
  mid,
  xmalloc,
};
