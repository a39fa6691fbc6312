// node:assert/strict's ok, equal, notEqual and deepEqual for the shared test bodies in a page.
import type { Assert } from "../shared/harness.ts";

function fail(message: string | undefined, detail: string): never {
  const e = new Error(message === undefined ? detail : `${message} (${detail})`);
  e.name = "AssertionError";
  throw e;
}

function show(v: unknown): string {
  try {
    return typeof v === "bigint" ? `${v}n` : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export const assert: Assert = {
  ok(value, message) {
    if (!value) fail(message, `got ${show(value)}`);
  },
  equal(actual, expected, message) {
    if (!Object.is(actual, expected)) fail(message, `${show(actual)} !== ${show(expected)}`);
  },
  notEqual(actual, expected, message) {
    if (Object.is(actual, expected)) fail(message, `both ${show(actual)}`);
  },
  deepEqual(actual, expected, message) {
    if (!same(actual, expected)) fail(message, `${show(actual)} is not deep-equal to ${show(expected)}`);
  },
};
