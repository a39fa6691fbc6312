// A team member in a Web Worker: the browser's bench/thread.ts. It gets its MemberData in the
// first message, attaches to the run's heap and runs its part of the workload. Bundled to
// dist/bench/browser/worker.js.
import { runMember } from "../member.ts";
import type { MemberData } from "../team-data.ts";
import { loadContender } from "./contenders.ts";
import type { WorkerMessage } from "./team.ts";

/** The part of a dedicated worker's global scope used here (the DOM lib types a window). */
interface WorkerScope {
  onmessage: ((e: MessageEvent<MemberData>) => void) | null;
  postMessage(m: WorkerMessage): void;
}
const scope = globalThis as unknown as WorkerScope;

async function member(data: MemberData): Promise<void> {
  const result = await runMember(data, loadContender, () => scope.postMessage({ type: "ready" }));
  scope.postMessage({ type: "done", result });
}

scope.onmessage = (e) => {
  scope.onmessage = null;
  member(e.data).catch((err: unknown) => scope.postMessage({ type: "error", message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }));
};
