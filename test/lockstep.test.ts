// The stepped random-mixed run behind `hakmem ab`'s lockstep pairs (bench/lockstep.ts; the pairs
// themselves are exercised end to end in cli.test.ts): steps cover exactly the requested cycles,
// two stepped runs of the same spec do identical work step by step, and a run ends with nothing live.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadContender } from "../bench/contenders/load.ts";
import { stepsOf } from "../bench/lockstep.ts";
import type { RunSpec } from "../bench/spec.ts";
import { STEP_CYCLES, stepped } from "../bench/workloads/random-mixed.ts";

const SPEC: RunSpec = { workload: "random-mixed", contender: "sol", options: {}, workers: 1, cycles: 0, seconds: 0, ws: 400, seed: 1, clock: "cpu" };

describe("lockstep steps", () => {
  it("stepsOf: whole steps, the last one shorter, summing to the cycles", () => {
    assert.deepEqual(stepsOf(1), [1]);
    assert.deepEqual(stepsOf(STEP_CYCLES), [STEP_CYCLES]);
    assert.deepEqual(stepsOf(2 * STEP_CYCLES + 5), [STEP_CYCLES, STEP_CYCLES, 5]);
  });

  it("a stepped run times each step, rejects out-of-range steps and ends with nothing live", async () => {
    for (const contender of ["sol", "hakmem"]) {
      const run = await stepped({ ...SPEC, contender }, await loadContender(contender));
      for (let i = 0; i < 6; i++) assert.ok(run.step(STEP_CYCLES / 8) >= 0);
      assert.throws(() => run.step(0), RangeError);
      assert.throws(() => run.step(STEP_CYCLES + 1), RangeError);
      const end = run.finish();
      assert.deepEqual(end.problems, [], contender);
      assert.ok(end.peakFootprintBytes === null || end.peakFootprintBytes > 0);
    }
  });

  it("two runs of the same spec do the same work at every step", async () => {
    const mod = await loadContender("hakmem");
    const footprints = [];
    for (let r = 0; r < 2; r++) {
      const run = await stepped({ ...SPEC, contender: "hakmem" }, mod);
      for (let i = 0; i < 9; i++) run.step(STEP_CYCLES); // more than the four table windows
      footprints.push(run.finish().peakFootprintBytes);
    }
    assert.equal(footprints[0], footprints[1]);
  });
});
