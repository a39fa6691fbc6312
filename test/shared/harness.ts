// What the test bodies shared by Node and Chromium (test/shared/*.ts) are given: the library
// (src/ in Node, dist/ by URL in a page), an assert with node:assert's names, and the profile.
// test/contract.test.ts runs them in Node, test/browser.test.ts in Chromium.
import type * as hakmem from "../../src/index.ts";

export type Lib = Pick<typeof hakmem, "createHeap" | "attachHeap" | "HeapError">;
export type Heap = ReturnType<Lib["createHeap"]>;
export type Profile = "balanced" | "fast" | "lean" | "safe";
export const PROFILES: readonly Profile[] = ["balanced", "fast", "lean", "safe"];

/** The part of node:assert/strict the shared bodies use (test/browser/assert.ts in a page). */
export interface Assert {
  ok(value: unknown, message?: string): void;
  equal(actual: unknown, expected: unknown, message?: string): void;
  notEqual(actual: unknown, expected: unknown, message?: string): void;
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
}

export interface Context {
  /** The default build. */
  readonly lib: Lib;
  /** The observe build (hakmem/observe). */
  readonly observe: Lib;
  readonly assert: Assert;
  readonly profile: Profile;
}

export interface Case {
  readonly name: string;
  /** The profiles to run it with (default: balanced only, named without a suffix). */
  readonly profiles?: readonly Profile[];
  /**
   * "shared": needs SharedArrayBuffer (a cross-origin isolated page, or Node).
   * "unshared": about a place without it (a page that is not isolated; in Node the runner hides
   * globalThis.SharedArrayBuffer for the case).
   */
  readonly needs?: "shared" | "unshared";
  run(t: Context): void | Promise<void>;
}

/** A member started by a multi-worker case: a worker_threads Worker or a Web Worker. */
export interface Member {
  /** What runTask returned, or its error. */
  readonly done: Promise<unknown>;
  terminate(): unknown;
}

/** Starts a worker that runs test/shared/workers.ts's runTask(lib, task). */
export type Spawn = (task: unknown) => Member;

export interface WorkerContext extends Context {
  readonly spawn: Spawn;
}

export interface WorkerCase {
  readonly name: string;
  readonly profiles?: readonly Profile[];
  run(t: WorkerContext): Promise<void>;
}

/** What f throws: a HeapError's code, another error's name, or undefined when it returns. */
export function code(lib: Lib, f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof lib.HeapError ? e.code : (e as Error).name;
  }
  return undefined;
}
