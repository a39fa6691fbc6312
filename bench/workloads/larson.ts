// larson (mimalloc-bench's `larson 5 8 1000 5000 100 4141 N`, the seconds scaled by a flag): the
// main thread allocates workers × 5000 blocks of 8–999 B, shuffles them and does 4 × that many
// random replacements; each worker owns a slice of 5000 slots and does 100 × 5000 iterations of
// "free a random slot, allocate a new random size, write two bytes", then hands its slots to a
// successor (hakmem: detach, then a new handle attaches in the same worker), until the main thread
// sets the stop flag. Reports replacements per second. Blocks freed by a worker mostly come from
// another thread (the main thread or a predecessor): remote frees.
import type { Contender, ContenderModule, ContenderOptions } from "../contender.ts";
import type { RunSpec } from "../spec.ts";
import { below } from "../tables.ts";
import { now, runTeam, STOP } from "../team.ts";
import { CHUNKS, GOLDEN, MAX_SIZE, MIN_SIZE, RANGE, ROUNDS } from "./larson-params.ts";
import { liveAfterFree, type Measurement, type Member, type Workload } from "./workload.ts";

export { CHUNKS, MAX_SIZE, MIN_SIZE, ROUNDS } from "./larson-params.ts";

/** splitmix32's output for state s (the state advances by GOLDEN per draw; see tables.ts). */
function mix(s: number): number {
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function allocate(a: Contender, size: number): number {
  const p = a.malloc(size);
  if (p === 0) throw new Error(`malloc(${size}) returned 0`);
  a.write(p, 0, 97);
  a.write(p, 1, 98);
  return p;
}

/** The main thread's setup: fill, shuffle, 4 × n replacements. */
export function setup(a: Contender, slots: Int32Array, seed: number): void {
  const n = slots.length;
  let s = seed | 0;
  for (let i = 0; i < n; i++) slots[i] = allocate(a, MIN_SIZE + below(mix((s = (s + GOLDEN) | 0)), RANGE));
  for (let i = 0; i < n; i++) {
    const v = below(mix((s = (s + GOLDEN) | 0)), n);
    const t = slots[i];
    slots[i] = slots[v];
    slots[v] = t;
  }
  for (let i = 4 * n; i > 0; i--) {
    const v = below(mix((s = (s + GOLDEN) | 0)), n);
    a.free(slots[v]);
    slots[v] = allocate(a, MIN_SIZE + below(mix((s = (s + GOLDEN) | 0)), RANGE));
  }
}

/**
 * Up to `iterations` replacements in slots [lo, lo + CHUNKS) (a thread's life is ROUNDS × CHUNKS),
 * polling `stopped` every 64. rng[0] is the splitmix state, kept across successors. Returns the count.
 */
export function exercise(a: Contender, slots: Int32Array, lo: number, rng: Int32Array, iterations: number, stopped: () => boolean): number {
  let s = rng[0];
  let i = 0;
  for (; i < iterations; i++) {
    if ((i & 63) === 0 && stopped()) break;
    const v = lo + below(mix((s = (s + GOLDEN) | 0)), CHUNKS);
    a.free(slots[v]);
    slots[v] = allocate(a, MIN_SIZE + below(mix((s = (s + GOLDEN) | 0)), RANGE));
  }
  rng[0] = s;
  return i;
}

/**
 * Replacements each team member runs before it reports ready, on blocks of its own that it frees
 * again: a fresh worker's JIT warm-up (tens of ms of CPU per isolate, measured: the first 32,768
 * replacements of a fresh isolate cost about 15× the later ones) is not allocator throughput,
 * and with more workers than cores it would fill much of a 1-second timed phase. Bounded in
 * time too, for the slow peers.
 */
export const WARMUP = 200_000;
const WARMUP_MS = 500;

function warmUp(a: Contender, seed: number): void {
  const own = new Int32Array(CHUNKS);
  for (let v = 0; v < CHUNKS; v++) own[v] = allocate(a, MIN_SIZE);
  const deadline = now() + WARMUP_MS;
  exercise(a, own, 0, Int32Array.of(seed), WARMUP, () => now() >= deadline);
  freeSlice(a, own, 0);
}

/**
 * Before that, where threads hand over to successors (detach): the paths the first round and
 * each handover take, so that their first run does not send the hot functions back to the
 * interpreter inside the timed phase (measured: 126 deoptimizations in the timed second at 8
 * workers without this). Frees of another handle's blocks, live and then detached (remote frees,
 * adoption), and a handover. Returns the handle to go on with.
 */
async function warmUpHandover(a: Contender, mod: ContenderModule, m: Member): Promise<Contender> {
  const other = await mod.attach!(m.data.shared, m.options);
  const theirs = new Int32Array(CHUNKS);
  for (let v = 0; v < CHUNKS; v++) theirs[v] = allocate(other, MIN_SIZE + (v % RANGE));
  for (let v = 0; v < CHUNKS; v += 2) a.free(theirs[v]);
  mod.detach!(other);
  for (let v = 1; v < CHUNKS; v += 2) a.free(theirs[v]);
  mod.detach!(a);
  return mod.attach!(m.data.shared, m.options);
}

export function freeSlice(a: Contender, slots: Int32Array, lo: number): void {
  for (let v = lo; v < lo + CHUNKS; v++) {
    a.free(slots[v]);
    slots[v] = 0;
  }
}

function options(spec: RunSpec): ContenderOptions {
  return { liveBytes: spec.workers * CHUNKS * MAX_SIZE, maxSize: MAX_SIZE, options: spec.options };
}

async function run(spec: RunSpec, mod: ContenderModule): Promise<Measurement> {
  const a = await mod.create(options(spec));
  const n = spec.workers * CHUNKS;
  const team = mod.attach !== undefined;
  const slots = new Int32Array(team ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
  setup(a, slots, spec.seed);
  let ops = 0;
  let start: number;
  let end: number;
  let successors = 0;
  if (!team) {
    // A single-threaded allocator: its one larson thread runs right here.
    if (spec.workers !== 1) throw new Error("a single-threaded contender runs larson with 1 worker only");
    start = now();
    const deadline = start + spec.seconds * 1000;
    const stopped = (): boolean => now() >= deadline;
    const rng = Int32Array.of(spec.seed + 1);
    while (!stopped()) ops += exercise(a, slots, 0, rng, ROUNDS * CHUNKS, stopped);
    end = now();
    freeSlice(a, slots, 0);
  } else {
    const run = await runTeam(spec.workers, mod.share!(a), spec, () => slots, spec.seconds);
    for (const m of run.members) {
      ops += m.ops;
      successors += m.extra?.successors ?? 0;
    }
    start = run.start;
    end = run.end;
  }
  const peakFootprintBytes = a.peakFootprint();
  return { ops, seconds: (end - start) / 1000, peakFootprintBytes, problems: liveAfterFree(a), extra: { successors } };
}

async function member(m: Member): Promise<{ ops: number; end: number; extra: Record<string, number> }> {
  const { data, mod } = m;
  const slots = data.extra as Int32Array;
  const lo = data.index * CHUNKS;
  const control = data.control;
  const stopped = (): boolean => Atomics.load(control, STOP) !== 0;
  const rng = Int32Array.of(m.spec.seed + 1 + data.index);
  let a = m.a;
  let ops = 0;
  let successors = 0;
  if (mod.detach !== undefined) a = await warmUpHandover(a, mod, m);
  warmUp(a, ~m.spec.seed - data.index);
  m.ready();
  for (;;) {
    ops += exercise(a, slots, lo, rng, ROUNDS * CHUNKS, stopped);
    if (stopped()) break;
    if (mod.detach !== undefined) {
      // This thread exits; its successor is a fresh handle in the same worker.
      mod.detach(a);
      a = await mod.attach!(data.shared, m.options);
      successors++;
    }
  }
  const end = now();
  freeSlice(a, slots, lo);
  mod.detach?.(a);
  return { ops, end, extra: { successors } };
}

export const larson: Workload = { options, run, member };
