// What every workload module provides to the bench process and to its team members.
import type { Contender, ContenderModule, ContenderOptions } from "../contender.ts";
import type { RunResult, RunSpec } from "../spec.ts";
import type { MemberData, MemberResult } from "../team.ts";

export type Measurement = Omit<RunResult, "opsPerSec" | "rssBytes">;

/** A team member's view: its attached contender and the team's signals. */
export interface Member {
  readonly a: Contender;
  readonly mod: ContenderModule;
  readonly data: MemberData;
  readonly spec: RunSpec;
  readonly options: ContenderOptions;
  /** Reports ready and blocks until the team's GO. */
  ready(): void;
}

export interface Workload {
  options(spec: RunSpec): ContenderOptions;
  /** Runs in the bench process's main thread. */
  run(spec: RunSpec, mod: ContenderModule): Promise<Measurement>;
  /** Runs in each team member (multi-worker contenders). */
  member?(m: Member): Promise<MemberResult> | MemberResult;
}

/** A problem when the contender still counts blocks live after the workload freed them all. */
export function liveAfterFree(a: Contender): string[] {
  const stats = a.stats();
  return "liveBlocks" in stats && stats.liveBlocks !== 0 ? [`liveBlocks is ${stats.liveBlocks} after every block was freed`] : [];
}
