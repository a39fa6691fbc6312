// What every soak workload takes and gives back.
import type { ProfileName } from "hakmem";
import type { Epoch } from "./epochs.ts";

export interface SoakOptions {
  readonly profile: ProfileName;
  readonly epochs: number;
  /** larson's worker count. */
  readonly workers: number;
  /** replay's trace file. */
  readonly trace?: string;
  /** Sees each epoch as it closes. */
  readonly onEpoch?: (e: Epoch) => void;
}

export interface SoakRun {
  readonly epochs: Epoch[];
  /** What went wrong at the end (blocks the heap still counts live after everything was freed). */
  readonly problems: string[];
  /** Workload facts for the report (what an "op" is, table or trace details, successors). */
  readonly detail: Record<string, string | number>;
}

/** The end-of-run check every workload makes once it has freed all its blocks. */
export function leftLive(stats: { liveBlocks: number; liveBytes: number }): string[] {
  return stats.liveBlocks === 0 && stats.liveBytes === 0 ? [] : [`the heap counts ${stats.liveBlocks} blocks / ${stats.liveBytes} bytes live after every block was freed`];
}
