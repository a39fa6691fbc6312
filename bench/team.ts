// The bench's team in Node: each member is a worker_threads Worker running dist/bench/thread.js.
import { Worker } from "node:worker_threads";
import { type MemberMessage, runTeamWith, type Spawn, type TeamHooks, type TeamRun } from "./team-data.ts";

export { GO, type MemberData, type MemberResult, now, STOP, type TeamRun } from "./team-data.ts";

/** Starts members of the bench thread entry, or of `script`, another bundle next to it. */
const spawnOf =
  (script: string): Spawn =>
  (data, report, fail) => {
    const w = new Worker(new URL(`./${script}`, import.meta.url), { workerData: data });
    w.on("message", (m: MemberMessage) => report(m));
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`exited with code ${code} before reporting`)));
    return w;
  };

/** runTeamWith (team-data.ts) over worker_threads Workers; hooks.script: another member entry. */
export function runTeam(count: number, shared: unknown, spec: unknown, extra: (i: number) => unknown, seconds?: number, hooks: TeamHooks & { readonly script?: string } = {}): Promise<TeamRun> {
  return runTeamWith(spawnOf(hooks.script ?? "thread.js"), count, shared, spec, extra, seconds, hooks);
}
