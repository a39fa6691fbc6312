import { HeapError } from "../../src/index.ts";

/** What f throws: a HeapError's code, another error's name, or undefined when it returns. */
export function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof HeapError ? e.code : (e as Error).name;
  }
  return undefined;
}
