// Lockstep pairs, the measurement behind `hakmem ab` on random-mixed. The two configurations run
// in two fresh processes at once, each warmed up, then take turns step by step (A B, B A, A B,
// ...; a step is STEP_CYCLES cycles, about 8 ms), pinned to one CPU when `taskset` is there. On a
// shared machine the speed a process gets drifts by tens of percent over a few hundred
// milliseconds (other tenants); two steps a few milliseconds apart on the same CPU see the same
// conditions, so the median of the per-step ratios cancels the drift that whole-run pairs
// cannot. What remains between pairs is each process's own luck (code and memory placement),
// which is why `hakmem ab` still runs many pairs.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { lastError } from "./runner.ts";
import type { RunSpec } from "./spec.ts";
import { median } from "./stats.ts";
import { STEP_CYCLES } from "./workloads/random-mixed.ts";

export type LockstepRequest = { readonly step: number } | { readonly finish: true };
export type LockstepReply =
  | { readonly ready: true }
  | { readonly seconds: number }
  | { readonly peakFootprintBytes: number | null; readonly problems: readonly string[]; readonly rssBytes: number };

/** A side process's script, relative to a dist/ directory. */
export const LOCKSTEP_SCRIPT = "bench/lockstep.js";

/** This module is bundled into dist/cli.js: the side processes are in dist/bench/. */
const SIDE = fileURLToPath(new URL(`./${LOCKSTEP_SCRIPT}`, import.meta.url));

export interface LockstepSide {
  readonly spec: RunSpec;
  readonly env: Record<string, string>;
  /** The side's script when it comes from another build (`hakmem ab` build=DIR). */
  readonly script?: string;
}

export interface SideResult {
  /** Cycles per second over all steps. */
  readonly opsPerSec: number;
  readonly peakFootprintBytes: number | null;
  readonly rssBytes: number;
}

export interface PairResult {
  readonly a: SideResult;
  readonly b: SideResult;
  /** Median over the steps of B's speed / A's speed, minus 1. */
  readonly delta: number;
}

/** The CPU both sides are pinned to, or why they are not pinned. */
export type Pinning = { readonly cpu: number } | { readonly reason: string };

let pinning: Pinning | undefined;

export function pinningHere(): Pinning {
  if (pinning === undefined) {
    const cpu = availableParallelism() - 1;
    const probe = spawnSync("taskset", ["-c", String(cpu), "true"], { stdio: "ignore" });
    pinning = probe.status === 0 ? { cpu } : { reason: probe.error !== undefined ? "taskset not found" : `taskset -c ${cpu} failed` };
  }
  return pinning;
}

/** Start-up and warm-up take well under a second, a step milliseconds: a silent side is stuck. */
const REPLY_TIMEOUT_MS = 60_000;

/** A side process and its replies, in order. */
class Side {
  private readonly child: ChildProcess;
  private readonly replies: LockstepReply[] = [];
  private waiting: ((r: LockstepReply | Error) => void) | null = null;
  private stderr = "";
  private failure: Error | null = null;

  constructor(side: LockstepSide, pin: Pinning) {
    const node = [process.execPath, side.script ?? SIDE, JSON.stringify(side.spec)];
    const [command, ...args] = "cpu" in pin ? ["taskset", "-c", String(pin.cpu), ...node] : node;
    this.child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe", "ipc"], env: { ...process.env, ...side.env } });
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child.on("message", (m: LockstepReply) => this.deliver(m));
    this.child.on("error", (e) => this.fail(e.message));
    this.child.on("exit", (code, signal) => this.fail(`exited (${signal ?? `code ${code}`}) ${lastError(this.stderr)}`));
  }

  private deliver(r: LockstepReply | Error): void {
    const w = this.waiting;
    if (w !== null) {
      this.waiting = null;
      w(r);
    } else if (!(r instanceof Error)) {
      this.replies.push(r);
    }
  }

  private fail(why: string): void {
    if (this.failure !== null) return;
    this.failure = new Error(why.trim());
    this.deliver(this.failure);
  }

  next(): Promise<LockstepReply> {
    const r = this.replies.shift();
    if (r !== undefined) return Promise.resolve(r);
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        this.fail(`no reply in ${REPLY_TIMEOUT_MS / 1000} s`);
      }, REPLY_TIMEOUT_MS);
      this.waiting = (x) => {
        clearTimeout(timer);
        if (x instanceof Error) reject(x);
        else resolve(x);
      };
    });
  }

  async ask(req: LockstepRequest): Promise<LockstepReply> {
    this.child.send(req);
    return this.next();
  }

  kill(): void {
    this.child.kill();
  }
}

/** The steps of `cycles` cycles: whole STEP_CYCLES steps, the last one shorter. */
export function stepsOf(cycles: number): number[] {
  const steps: number[] = [];
  for (let left = cycles; left > 0; left -= STEP_CYCLES) steps.push(Math.min(STEP_CYCLES, left));
  return steps;
}

/** Runs one lockstep pair of `spec.cycles` cycles per side; `first` says which side starts. */
export async function lockstepPair(a: LockstepSide, b: LockstepSide, first: 0 | 1): Promise<{ result: PairResult } | { error: string }> {
  const pin = pinningHere();
  const sides = [new Side(a, pin), new Side(b, pin)];
  const which = ["A", "B"];
  let k = 0;
  try {
    for (k = 0; k < 2; k++) await sides[k].next(); // ready
    const seconds: [number[], number[]] = [[], []];
    const steps = stepsOf(a.spec.cycles);
    for (let i = 0; i < steps.length; i++) {
      const order = (i + first) % 2 === 0 ? [0, 1] : [1, 0];
      for (k of order) seconds[k].push(((await sides[k].ask({ step: steps[i] })) as { seconds: number }).seconds);
    }
    const ends: Extract<LockstepReply, { rssBytes: number }>[] = [];
    for (k = 0; k < 2; k++) ends.push((await sides[k].ask({ finish: true })) as Extract<LockstepReply, { rssBytes: number }>);
    for (k = 0; k < 2; k++) if (ends[k].problems.length > 0) return { error: `${which[k]}: ${ends[k].problems.join("; ")}` };
    const side = (k: number): SideResult => ({
      opsPerSec: a.spec.cycles / seconds[k].reduce((x, y) => x + y, 0),
      peakFootprintBytes: ends[k].peakFootprintBytes,
      rssBytes: ends[k].rssBytes,
    });
    return { result: { a: side(0), b: side(1), delta: median(seconds[0].map((t, i) => t / seconds[1][i])) - 1 } };
  } catch (e) {
    return { error: `${which[k] ?? "A"}: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    for (const s of sides) s.kill();
  }
}
