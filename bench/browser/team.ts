// The bench's team in a browser: each member is a module Web Worker running worker.js (bundled
// next to this page's script, bench/browser/worker.ts). The browser bundles resolve the
// workloads' "../team.ts" to this file (scripts/build.mjs).
import { type MemberMessage, runTeamWith, type Spawn, type TeamRun } from "../team-data.ts";

export { GO, type MemberData, type MemberResult, now, STOP, type TeamRun } from "../team-data.ts";

/** A member's last words when it throws (worker.ts), besides the team's messages. */
export type WorkerMessage = MemberMessage | { readonly type: "error"; readonly message: string };

const spawn: Spawn = (data, report, fail) => {
  const w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  w.onmessage = (e: MessageEvent<WorkerMessage>) => (e.data.type === "error" ? fail(new Error(e.data.message)) : report(e.data));
  // A script that cannot load (a missing COEP header, a syntax error) gives a bare error event.
  w.onerror = (e) => fail(new Error(e.message || "the worker script failed to load"));
  w.postMessage(data);
  return w;
};

/** runTeamWith (team-data.ts) over Web Workers. */
export function runTeam(count: number, shared: unknown, spec: unknown, extra: (i: number) => unknown, seconds?: number): Promise<TeamRun> {
  return runTeamWith(spawn, count, shared, spec, extra, seconds);
}
