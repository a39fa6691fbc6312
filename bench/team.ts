// A team of worker_threads Workers running one workload against one shared heap: each worker
// attaches and gets ready, then all start on one signal; the main thread times the whole team.
import { Worker } from "node:worker_threads";

/** Control words shared by the team (an Int32Array over a SharedArrayBuffer). */
export const GO = 0;
export const STOP = 1;
const CONTROL_WORDS = 2;

/** Milliseconds on a clock every thread of the process shares. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export interface MemberData {
  readonly index: number;
  readonly control: Int32Array;
  readonly shared: unknown;
  readonly spec: unknown;
  /** Workload-specific data (shared slot arrays, queues). */
  readonly extra: unknown;
}

export interface MemberResult {
  readonly ops: number;
  /** now() when this member finished its timed work. */
  readonly end: number;
  readonly extra?: Record<string, number>;
}

export interface TeamRun {
  readonly members: MemberResult[];
  readonly start: number;
  /** now() when STOP was set (timed workloads), else when the last member finished. */
  readonly end: number;
}

/** Optional parts of a team run (the wasm programs): another entry, and calls at GO and STOP. */
export interface TeamHooks {
  /** A bundle next to thread.js to run instead of it. */
  readonly script?: string;
  readonly onGo?: () => void;
  /** For a program with its own stop flag. */
  readonly onStop?: () => void;
}

/**
 * Starts `count` workers of the bench thread entry, waits until all are ready, sets GO, then
 * (for timed workloads) sets STOP after `seconds`, and collects every member's result.
 */
export async function runTeam(count: number, shared: unknown, spec: unknown, extra: (i: number) => unknown, seconds?: number, hooks: TeamHooks = {}): Promise<TeamRun> {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const url = new URL(`./${hooks.script ?? "thread.js"}`, import.meta.url);
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<MemberResult>[] = [];
  for (let i = 0; i < count; i++) {
    const data: MemberData = { index: i, control, shared, spec, extra: extra(i) };
    const w = new Worker(url, { workerData: data });
    workers.push(w);
    let onReady!: () => void;
    ready.push(new Promise<void>((r) => (onReady = r)));
    done.push(
      new Promise<MemberResult>((resolve, reject) => {
        w.on("message", (m: { type: string; result?: MemberResult }) => (m.type === "ready" ? onReady() : resolve(m.result!)));
        w.on("error", reject);
        w.on("exit", (code) => reject(new Error(`worker ${i} exited with code ${code} before reporting`)));
      }),
    );
  }
  // A member that fails while getting ready must not leave the others waiting for GO.
  const failed = Promise.race(done.map((d) => d.then(() => new Promise<never>(() => {}))));
  try {
    await Promise.race([Promise.all(ready), failed]);
    hooks.onGo?.();
    const start = now();
    Atomics.store(control, GO, 1);
    Atomics.notify(control, GO);
    let end = 0;
    if (seconds !== undefined) {
      await Promise.race([new Promise((r) => setTimeout(r, seconds * 1000)), failed]);
      end = now();
      Atomics.store(control, STOP, 1);
      hooks.onStop?.();
    }
    const members = await Promise.all(done);
    if (seconds === undefined) end = Math.max(...members.map((m) => m.end));
    return { members, start, end };
  } finally {
    Atomics.store(control, GO, 1);
    Atomics.store(control, STOP, 1);
    Atomics.notify(control, GO);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
