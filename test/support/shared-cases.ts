// Registers shared test bodies (test/shared/*.ts) as node:test cases, one per profile, against
// src/. test/browser.test.ts runs the same bodies in Chromium.
import assert from "node:assert/strict";
import { it } from "node:test";
import * as lib from "../../src/index.ts";
import type { Case } from "../shared/harness.ts";

export function runShared(cases: readonly Case[]): void {
  for (const c of cases) {
    for (const profile of c.profiles ?? (["balanced"] as const)) {
      it(c.profiles ? `${c.name} [${profile}]` : c.name, () => c.run({ lib, observe: lib, assert, profile }));
    }
  }
}
