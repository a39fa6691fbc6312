// The test page: runs the shared test bodies (test/shared/) in Chromium against the built
// library, imported by URL from the server's dist/ (../index.js, ../observe.js). Served both
// cross-origin isolated (/test/) and not (/plain/test/), see test/browser.test.ts.
import type { Lib, Spawn } from "../shared/harness.ts";
import { assert } from "./assert.ts";
import { pageCases } from "./cases.ts";

export interface Outcome {
  readonly name: string;
  /** The error's name, message and stack when the case failed. */
  readonly error?: string;
  readonly ms: number;
}

export interface TestPage {
  /** Runs every case that applies here (cases.ts). */
  runCases(): Promise<Outcome[]>;
}

const LIB = new URL("../index.js", import.meta.url).href;
const OBSERVE = new URL("../observe.js", import.meta.url).href;

const spawn: Spawn = (task) => {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  const done = new Promise<unknown>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ result?: unknown; error?: string }>) => (e.data.error === undefined ? resolve(e.data.result) : reject(new Error(e.data.error)));
    // A worker script served without COEP/CORP fails with a bare error event.
    worker.onerror = (e) => reject(new Error(`worker: ${e.message || "error event"}`));
  });
  done.catch(() => {}); // a member that is terminated never reports
  worker.postMessage({ libUrl: LIB, task });
  return { done, terminate: () => worker.terminate() };
};

async function runCases(): Promise<Outcome[]> {
  const [lib, observe] = (await Promise.all([import(LIB), import(OBSERVE)])) as [Lib, Lib];
  const out: Outcome[] = [];
  for (const { name, c, profile } of pageCases(crossOriginIsolated)) {
    const t0 = performance.now();
    try {
      await c.run({ lib, observe, assert, profile, spawn });
      out.push({ name, ms: performance.now() - t0 });
    } catch (e) {
      out.push({ name, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e), ms: performance.now() - t0 });
    }
  }
  return out;
}

(globalThis as unknown as TestPage).runCases = runCases;
