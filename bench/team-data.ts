// A team of workers running one workload against one shared heap, in Node (team.ts,
// worker_threads) or in a browser (browser/team.ts, Web Workers): each member attaches and gets
// ready, then all start on one signal; the thread that runs the team times it.

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

/** What a member posts to the thread that runs the team. */
export type MemberMessage = { readonly type: "ready" } | { readonly type: "done"; readonly result: MemberResult };

/** How a team starts one member: call `report` with its messages, `fail` if it dies. */
export type Spawn = (data: MemberData, report: (m: MemberMessage) => void, fail: (e: Error) => void) => { terminate(): unknown };

/** Calls at GO and at STOP (the wasm programs: CPU time, and their own stop flag). */
export interface TeamHooks {
  readonly onGo?: () => void;
  readonly onStop?: () => void;
}

/**
 * Starts `count` members, waits until all are ready, sets GO, then (for timed workloads) sets
 * STOP after `seconds`, and collects every member's result.
 */
export async function runTeamWith(spawn: Spawn, count: number, shared: unknown, spec: unknown, extra: (i: number) => unknown, seconds?: number, hooks: TeamHooks = {}): Promise<TeamRun> {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const members: { terminate(): unknown }[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<MemberResult>[] = [];
  for (let i = 0; i < count; i++) {
    let onReady!: () => void;
    ready.push(new Promise<void>((r) => (onReady = r)));
    done.push(
      new Promise<MemberResult>((resolve, reject) => {
        const data: MemberData = { index: i, control, shared, spec, extra: extra(i) };
        members.push(spawn(data, (m) => (m.type === "ready" ? onReady() : resolve(m.result)), (e) => reject(new Error(`worker ${i}: ${e.message}`))));
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
    const results = await Promise.all(done);
    if (seconds === undefined) end = Math.max(...results.map((m) => m.end));
    return { members: results, start, end };
  } finally {
    Atomics.store(control, GO, 1);
    Atomics.store(control, STOP, 1);
    Atomics.notify(control, GO);
    await Promise.all(members.map((w) => w.terminate()));
  }
}
