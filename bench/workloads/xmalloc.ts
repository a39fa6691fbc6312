// xmalloc (mimalloc-bench's xmalloc-test, `-w N -t 5 -s 64`): half the workers produce, half
// consume. A producer allocates batches of 4096 blocks of 64 B (writing the first byte of each)
// and posts them through a ring of batches in shared memory; its consumer, in another worker,
// frees them: pure cross-worker free traffic. Runs for a set time; reports blocks per second
// (each block = one malloc in one worker + one free in another).
import type { ContenderModule, ContenderOptions } from "../contender.ts";
import type { RunSpec } from "../spec.ts";
import { now, runTeam, STOP } from "../team.ts";
import type { Measurement, Member, Workload } from "./workload.ts";

export const SIZE = 64;
export const BATCH = 4096;
const RING = 4; // batches in flight per producer (few: a first-fit peer frees in O(live blocks))
// Ring layout (Int32 words): DONE flag, RING states (0 empty, 1 full), RING × BATCH pointers.
const DONE = 0;
const STATE = 1;
const PTRS = STATE + RING;
const RING_WORDS = PTRS + RING * BATCH;

export function producersOf(workers: number): number {
  return Math.max(1, workers >> 1);
}

function options(spec: RunSpec): ContenderOptions {
  return { liveBytes: producersOf(spec.workers) * (RING + 1) * BATCH * SIZE, maxSize: SIZE, options: spec.options };
}

async function run(spec: RunSpec, mod: ContenderModule): Promise<Measurement> {
  if (mod.attach === undefined || spec.workers < 2) throw new Error("xmalloc needs a multi-worker contender and at least 2 workers");
  const a = await mod.create(options(spec));
  const rings = Array.from({ length: producersOf(spec.workers) }, () => new Int32Array(new SharedArrayBuffer(RING_WORDS * 4)));
  const team = await runTeam(spec.workers, mod.share!(a), spec, () => rings, spec.seconds);
  const producers = producersOf(spec.workers);
  let freed = 0;
  let made = 0;
  for (let i = 0; i < team.members.length; i++) {
    if (i < producers) made += team.members[i].ops;
    else freed += team.members[i].ops;
  }
  const end = Math.max(...team.members.map((m) => m.end)); // until the last batch was freed
  const peakFootprintBytes = a.peakFootprint();
  const stats = a.stats();
  const problems: string[] = [];
  if (freed !== made) problems.push(`${made} blocks produced but ${freed} freed`);
  if ("liveBlocks" in stats && stats.liveBlocks !== 0) problems.push(`liveBlocks is ${stats.liveBlocks} after every block was freed`);
  return { ops: freed, seconds: (end - team.start) / 1000, peakFootprintBytes, problems, extra: { producers, consumers: spec.workers - producers } };
}

function produce(m: Member, q: Int32Array): number {
  const a = m.a;
  const control = m.data.control;
  let head = 0;
  let made = 0;
  outer: while (Atomics.load(control, STOP) === 0) {
    while (Atomics.load(q, STATE + head) !== 0) {
      if (Atomics.load(control, STOP) !== 0) break outer;
      Atomics.wait(q, STATE + head, 1, 5);
    }
    const base = PTRS + head * BATCH;
    for (let i = 0; i < BATCH; i++) {
      const p = a.malloc(SIZE);
      if (p === 0) throw new Error(`malloc(${SIZE}) returned 0`);
      a.write(p, 0, i & 255);
      q[base + i] = p;
    }
    Atomics.store(q, STATE + head, 1);
    Atomics.notify(q, STATE + head);
    head = (head + 1) % RING;
    made += BATCH;
  }
  Atomics.store(q, DONE, 1);
  Atomics.notify(q, STATE + head);
  return made;
}

function consume(m: Member, rings: Int32Array[]): number {
  const a = m.a;
  const tail = new Int32Array(rings.length);
  const finished = new Uint8Array(rings.length);
  let open = rings.length;
  let freed = 0;
  while (open > 0) {
    let progressed = false;
    let waitOn = -1;
    for (let r = 0; r < rings.length; r++) {
      if (finished[r]) continue;
      const q = rings[r];
      const st = STATE + tail[r];
      if (Atomics.load(q, st) === 1) {
        const base = PTRS + tail[r] * BATCH;
        for (let i = 0; i < BATCH; i++) a.free(q[base + i]);
        Atomics.store(q, st, 0);
        Atomics.notify(q, st);
        tail[r] = (tail[r] + 1) % RING;
        freed += BATCH;
        progressed = true;
      } else if (Atomics.load(q, DONE) === 1 && Atomics.load(q, st) === 0) {
        finished[r] = 1; // batches are published in order before DONE: all are freed
        open--;
      } else if (waitOn < 0) {
        waitOn = r;
      }
    }
    if (!progressed && waitOn >= 0) Atomics.wait(rings[waitOn], STATE + tail[waitOn], 0, 5);
  }
  return freed;
}

function member(m: Member): { ops: number; end: number } {
  const rings = m.data.extra as Int32Array[];
  const producers = rings.length;
  const i = m.data.index;
  m.ready();
  let ops: number;
  if (i < producers) ops = produce(m, rings[i]);
  else {
    const consumers = m.spec.workers - producers;
    ops = consume(m, rings.filter((_, r) => r % consumers === i - producers));
  }
  const end = now();
  m.mod.detach?.(m.a);
  return { ops, end };
}

export const xmalloc: Workload = { options, run, member };
