// One soak: a workload runs continuously in this process for a number of 1-second epochs (see
// epochs.ts) through one hakmem heap, imported from the built package.
import { soakLarson } from "./larson.ts";
import { soakRandomMixed } from "./random-mixed.ts";
import { soakReplay } from "./replay.ts";
import type { SoakOptions, SoakRun } from "./workload.ts";

export const SOAK_WORKLOADS = ["random-mixed", "larson", "replay"] as const;
export type SoakWorkload = (typeof SOAK_WORKLOADS)[number];

export function runSoak(workload: SoakWorkload, opts: SoakOptions): Promise<SoakRun> {
  switch (workload) {
    case "random-mixed":
      return Promise.resolve().then(() => soakRandomMixed(opts));
    case "larson":
      return soakLarson(opts);
    case "replay":
      return soakReplay(opts);
  }
}
