// Where the replay's other entry points are, and how to start them. From source (tsx) they are
// the .ts files beside this one. Built, they are dist/bench/replay-child.js and
// dist/bench/replay-thread.js; this module may then be inlined in dist/cli.js or in a chunk of
// dist/bench/, so paths are taken from the package root rather than from import.meta.url.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

const fromSource = import.meta.url.endsWith(".ts");

/** The nearest directory above this module that holds a package.json. */
function packageRoot(): URL {
  for (let dir = new URL("./", import.meta.url); ; ) {
    if (existsSync(new URL("package.json", dir))) return dir;
    const up = new URL("../", dir);
    if (up.href === dir.href) throw new Error(`no package.json above ${import.meta.url}`);
    dir = up;
  }
}

export const PACKAGE_ROOT = packageRoot();
/** The child process that replays one trace through hakmem and prints one JSON line. */
export const CHILD_SCRIPT = new URL(fromSource ? "bench/trace/child.ts" : "dist/bench/replay-child.js", PACKAGE_ROOT);
/** The worker_threads entry of --threads. */
export const THREAD_SCRIPT = new URL(fromSource ? "bench/trace/thread-worker.ts" : "dist/bench/replay-thread.js", PACKAGE_ROOT);
/** The native driver's C source. */
export const NATIVE_SOURCE = new URL("native/replay.c", PACKAGE_ROOT);

/** Node arguments that run `script` in a fresh process (from source: through tsx, by its absolute path). */
export function nodeArgs(script: URL): string[] {
  return fromSource ? ["--import", import.meta.resolve("tsx"), fileURLToPath(script)] : [fileURLToPath(script)];
}

/**
 * Starts a worker thread running `script`. From source, tsx is registered inside the worker
 * first: Node 20 does not carry --import hooks into worker threads.
 */
export function startWorker(script: URL, options: WorkerOptions): Worker {
  if (!fromSource) return new Worker(script, options);
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); });`, { ...options, eval: true });
}
