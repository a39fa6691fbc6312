// mid (hakmem's mid MT): random-mixed's loop over 8–32 KiB blocks, each worker churning its own
// slots with its own tables (seed + worker index); reports cycles per second over all workers.
import type { ContenderModule, ContenderOptions } from "../contender.ts";
import type { RunSpec } from "../spec.ts";
import { makeTables } from "../tables.ts";
import { now, runTeam } from "../team.ts";
import { freeAll, randomMixedLoop } from "./random-mixed-loop.ts";
import { liveAfterFree, type Measurement, type Member, type Workload } from "./workload.ts";

export const MIN_SIZE = 8 << 10;
export const MAX_SIZE = 32 << 10;

function options(spec: RunSpec): ContenderOptions {
  return { liveBytes: spec.workers * spec.ws * MAX_SIZE, maxSize: MAX_SIZE, options: spec.options };
}

async function run(spec: RunSpec, mod: ContenderModule): Promise<Measurement> {
  const a = await mod.create(options(spec));
  let start: number;
  let end: number;
  if (mod.attach === undefined) {
    if (spec.workers !== 1) throw new Error("a single-threaded contender runs mid with 1 worker only");
    const t = makeTables(spec.ws, spec.seed, MIN_SIZE, MAX_SIZE);
    const slots = new Int32Array(spec.ws);
    start = now();
    randomMixedLoop(a, slots, t.slot, t.size, spec.cycles);
    end = now();
    freeAll(a, slots);
  } else {
    const team = await runTeam(spec.workers, mod.share!(a), spec, () => undefined);
    start = team.start;
    end = team.end;
  }
  const peakFootprintBytes = a.peakFootprint();
  return { ops: spec.workers * spec.cycles, seconds: (end - start) / 1000, peakFootprintBytes, problems: liveAfterFree(a), extra: {} };
}

function member(m: Member): { ops: number; end: number } {
  const t = makeTables(m.spec.ws, m.spec.seed + m.data.index, MIN_SIZE, MAX_SIZE);
  const slots = new Int32Array(m.spec.ws);
  m.ready();
  randomMixedLoop(m.a, slots, t.slot, t.size, m.spec.cycles);
  const end = now();
  freeAll(m.a, slots);
  m.mod.detach?.(m.a);
  return { ops: m.spec.cycles, end };
}

export const mid: Workload = { options, run, member };
