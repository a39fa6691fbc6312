// The shared test bodies (test/shared/) in Node, against src/ (and dist/observe.js for the
// observe build). test/browser.test.ts runs the same bodies in Chromium.
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import * as lib from "../src/index.ts";
import { CONTRACT } from "./shared/contract.ts";
import type { Case, Context, Spawn, WorkerCase } from "./shared/harness.ts";
import { WORKER_CASES } from "./shared/workers.ts";

const observe = (await import("../dist/observe.js")) as unknown as Context["lib"];

/** Runs f with globalThis.SharedArrayBuffer hidden, as in a page that is not cross-origin isolated. */
async function withoutSharedMemory(f: () => void | Promise<void>): Promise<void> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "SharedArrayBuffer")!;
  delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
  try {
    await f();
  } finally {
    Object.defineProperty(globalThis, "SharedArrayBuffer", saved);
  }
}

// The members' script: test/fixtures/shared-worker.ts bundled (src/ included).
const bundleDir = mkdtempSync(join(tmpdir(), "hakmem-contract-"));
const memberScript = join(bundleDir, "member.mjs");
await build({ entryPoints: [fileURLToPath(new URL("./fixtures/shared-worker.ts", import.meta.url))], bundle: true, platform: "node", format: "esm", outfile: memberScript, logLevel: "warning" });
after(() => rmSync(bundleDir, { recursive: true, force: true }));

const spawn: Spawn = (task) => {
  const worker = new Worker(memberScript, { workerData: task });
  const done = new Promise<unknown>((resolve, reject) => {
    worker.on("message", resolve);
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`worker exited with code ${code}`)));
  });
  done.catch(() => {}); // a member that is terminated never reports
  return { done, terminate: () => worker.terminate() };
};

function register(c: Case | WorkerCase): void {
  for (const profile of c.profiles ?? (["balanced"] as const)) {
    const t = { lib, observe, assert, profile, spawn };
    const name = c.profiles ? `${c.name} [${profile}]` : c.name;
    it(name, () => ("needs" in c && c.needs === "unshared" ? withoutSharedMemory(() => c.run(t)) : c.run(t)));
  }
}

describe("contract (shared with the browser tests)", () => {
  for (const c of CONTRACT) register(c);
});

describe("workers (shared with the browser tests)", () => {
  for (const c of WORKER_CASES) register(c);
});
