// A Web Worker member of test/shared/workers.ts's cases. An import map does not reach module
// workers: the page passes the library's URL and the worker imports it from there.
import type { Lib } from "../shared/harness.ts";
import { runTask, type Task } from "../shared/workers.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent<{ libUrl: string; task: Task }>) => void) | null;
  postMessage(m: { result: unknown } | { error: string }): void;
}
const scope = globalThis as unknown as WorkerScope;

scope.onmessage = async (e) => {
  try {
    const lib = (await import(e.data.libUrl)) as Lib;
    scope.postMessage({ result: runTask(lib, e.data.task) });
  } catch (err) {
    scope.postMessage({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
