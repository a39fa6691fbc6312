// wasm-larson and wasm-xmalloc: the threaded C programs (mt-larson.c, mt-xmalloc.c) compiled to
// wasm and run as one instance per worker over one shared WebAssembly.Memory, every malloc and
// free going to hakmem through "hakmem/wasm" (startThread). The main thread sets up through its
// own instance, the team runs timed, the main thread frees everything; afterwards the heap must
// hold no live block. The native rows run the same C with pthreads and glibc (runner.ts).
import { readFileSync } from "node:fs";
import { createHeap, type Heap } from "hakmem";
import { heapBaseOf, reclaimThread, startThread, threadRecord, type WasmThread } from "hakmem/wasm";
import type { ContenderOptions } from "../contender.ts";
import type { RunSpec, WasmMtWorkloadName } from "../spec.ts";
import { type MemberData, type MemberResult, now, runTeam } from "../team.ts";
import type { Measurement, Workload } from "../workloads/workload.ts";
import { buildWasm, type MtProgram, mtSource } from "./mt-build.ts";
import { SOL_BYTES, type SolShared, solShared, solThread } from "./mt-sol.ts";

/** The worker entry (bench/wasm/mt-thread.ts), bundled next to the other bench processes. */
export const MT_THREAD_SCRIPT = "wasm-mt-thread.js";
/** The module declares 2 GiB as its maximum; a shared memory must declare the same ceiling. */
const MAX_PAGES = 32768;
const INITIAL_PAGES = 32; // 2 MiB: above the module's data and stack; the heap grows it

/** What every member gets: the module, the memory, the heap's base and the program's data. */
export interface MtShared {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly base: number;
  readonly profile: string | undefined;
  /** larson: the areas; xmalloc: the rings. */
  readonly data: number;
  /** The speed-of-light reference instead of hakmem. */
  readonly sol?: SolShared;
}

interface LarsonExports {
  larson_setup(workers: number, seed: number): number;
  larson_area(areas: number, i: number): number;
  larson_life(area: number): number;
  larson_finish(areas: number, workers: number): void;
  larson_warm(seed: number): void;
  mt_set_stop(v: number): void;
  mt_is_stopped(): number;
}

interface XmallocExports {
  xm_setup(producers: number): number;
  xm_ring(rings: number, i: number): number;
  xm_produce(ring: number): number;
  xm_consume(rings: number, nrings: number, first: number, step: number): number;
  xm_finish(rings: number): void;
  mt_set_stop(v: number): void;
}

/** larson_warm's seed: the thread's own seed mixed as the native build's threads mix it. */
function warmSeed(data: MemberData): number {
  return ((data.spec as RunSpec).seed + 1 + data.index) ^ 0x5bd1e995;
}

export function producersOf(workers: number): number {
  return Math.max(1, workers >> 1);
}

function options(spec: RunSpec): ContenderOptions {
  return { liveBytes: 0, maxSize: 0, options: spec.options };
}

function load(program: MtProgram): WebAssembly.Module {
  const b = buildWasm(mtSource(program));
  if ("reason" in b) throw new Error(b.reason);
  return new WebAssembly.Module(readFileSync(b.path));
}

/** The run's memory and heap, and the main thread's own instance. */
async function open(program: MtProgram, spec: RunSpec): Promise<{ module: WebAssembly.Module; memory: WebAssembly.Memory; heap: Heap; main: WasmThread }> {
  const module = load(program);
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
  const profile = spec.options.profile as "balanced" | undefined;
  const heap = createHeap({ memory, base: await heapBaseOf(module, memory), ...(profile ? { profile } : {}) });
  const main = await startThread(module, memory, { heap });
  return { module, memory, heap, main };
}

/**
 * Runs the team (records recover any member that died). cpuSeconds: the process's CPU time from
 * GO to STOP, so that ops per CPU second can be compared on a machine other jobs load.
 */
async function team(spec: RunSpec, shared: MtShared, heap: Heap | undefined, stop: () => void): Promise<{ members: MemberResult[]; start: number; end: number; cpuSeconds: number }> {
  const records = Array.from({ length: spec.workers }, () => (heap === undefined ? 0 : threadRecord(heap)));
  let cpu = 0;
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  try {
    const onGo = (): void => void (cpu = cpuNow());
    const onStop = (): void => {
      cpu = cpuNow() - cpu;
      stop();
    };
    const run = await runTeam(spec.workers, shared, spec, (i) => records[i], spec.seconds, { script: MT_THREAD_SCRIPT, onGo, onStop });
    return { ...run, cpuSeconds: cpu };
  } finally {
    if (heap !== undefined) {
      for (const r of records) {
        reclaimThread(heap, r);
        heap.free(r);
      }
    }
  }
}

function liveProblems(heap: Heap): string[] {
  const s = heap.stats();
  return s.liveBlocks === 0 ? [] : [`${s.liveBlocks} blocks (${s.liveBytes} bytes) live after the program freed everything`];
}

async function runLarson(spec: RunSpec): Promise<Measurement> {
  if (spec.contender === "sol") return runLarsonSol(spec);
  const { module, memory, heap, main } = await open("larson", spec);
  const e = main.exports as unknown as LarsonExports;
  const areas = e.larson_setup(spec.workers, spec.seed);
  const shared: MtShared = { module, memory, base: heap.base, profile: spec.options.profile, data: areas };
  const run = await team(spec, shared, heap, () => e.mt_set_stop(1));
  e.larson_finish(areas, spec.workers);
  main.exit();
  let ops = 0;
  let successors = 0;
  for (const m of run.members) {
    ops += m.ops;
    successors += m.extra?.successors ?? 0;
  }
  return { ops, seconds: (run.end - run.start) / 1000, peakFootprintBytes: heap.stats().peakFootprintBytes - heap.base, problems: liveProblems(heap), extra: { successors, cpuSeconds: run.cpuSeconds } };
}

/** The speed-of-light reference (mt-sol.ts): 1 worker, no heap to check. */
async function runLarsonSol(spec: RunSpec): Promise<Measurement> {
  if (spec.workers !== 1) throw new Error("the speed-of-light reference runs 1 worker only");
  const module = load("larson");
  const memory = new WebAssembly.Memory({ initial: SOL_BYTES >>> 16, maximum: MAX_PAGES, shared: true });
  const sol = solShared(memory, await heapBaseOf(module, memory));
  const e = (await solThread(module, sol)) as unknown as LarsonExports;
  const areas = e.larson_setup(1, spec.seed);
  const run = await team(spec, { module, memory, base: 0, profile: undefined, data: areas, sol }, undefined, () => e.mt_set_stop(1));
  e.larson_finish(areas, 1);
  return { ops: run.members[0].ops, seconds: (run.end - run.start) / 1000, peakFootprintBytes: null, problems: [], extra: { cpuSeconds: run.cpuSeconds } };
}

async function runXmalloc(spec: RunSpec): Promise<Measurement> {
  if (spec.workers < 2) throw new Error("wasm-xmalloc needs at least 2 workers");
  const { module, memory, heap, main } = await open("xmalloc", spec);
  const e = main.exports as unknown as XmallocExports;
  const producers = producersOf(spec.workers);
  const rings = e.xm_setup(producers);
  const shared: MtShared = { module, memory, base: heap.base, profile: spec.options.profile, data: rings };
  const run = await team(spec, shared, heap, () => e.mt_set_stop(1));
  e.xm_finish(rings);
  main.exit();
  let made = 0;
  let freed = 0;
  run.members.forEach((m, i) => (i < producers ? (made += m.ops) : (freed += m.ops)));
  const problems = liveProblems(heap);
  if (made !== freed) problems.push(`${made} blocks produced but ${freed} freed`);
  const end = Math.max(...run.members.map((m) => m.end)); // until the last batch was freed
  return { ops: freed, seconds: (end - run.start) / 1000, peakFootprintBytes: heap.stats().peakFootprintBytes - heap.base, problems, extra: { producers, consumers: spec.workers - producers, cpuSeconds: run.cpuSeconds } };
}

/** A member (in its worker): its first thread starts before the team's GO, successors after. */
async function memberLarson(data: MemberData, ready: () => void): Promise<MemberResult> {
  const s = data.shared as MtShared;
  const record = data.extra as number;
  if (s.sol !== undefined) return memberLarsonSol(data, s.sol, ready);
  const start = () => startThread(s.module, s.memory, { base: s.base, record, profile: s.profile as never });
  let t = await start();
  (t.exports as unknown as LarsonExports).larson_warm(warmSeed(data));
  ready();
  let ops = 0;
  let successors = 0;
  for (;;) {
    const e = t.exports as unknown as LarsonExports;
    ops += e.larson_life(e.larson_area(s.data, data.index));
    const stopped = e.mt_is_stopped() !== 0;
    t.exit(); // this thread ends; its successor is a new instance in the same worker
    if (stopped) break;
    t = await start();
    successors++;
  }
  return { ops, end: now(), extra: { successors } };
}

async function memberLarsonSol(data: MemberData, sol: SolShared, ready: () => void): Promise<MemberResult> {
  const s = data.shared as MtShared;
  const e = (await solThread(s.module, sol)) as unknown as LarsonExports;
  e.larson_warm(warmSeed(data));
  ready();
  let ops = 0;
  do ops += e.larson_life(e.larson_area(s.data, data.index));
  while (e.mt_is_stopped() === 0);
  return { ops, end: now() };
}

async function memberXmalloc(data: MemberData, ready: () => void): Promise<MemberResult> {
  const s = data.shared as MtShared;
  const spec = data.spec as RunSpec;
  const t = await startThread(s.module, s.memory, { base: s.base, record: data.extra as number, profile: s.profile as never });
  const e = t.exports as unknown as XmallocExports;
  const producers = producersOf(spec.workers);
  const i = data.index;
  ready();
  const ops = i < producers ? e.xm_produce(e.xm_ring(s.data, i)) : e.xm_consume(s.data, producers, i - producers, spec.workers - producers);
  const end = now();
  t.exit();
  return { ops, end };
}

export const WASM_MT_IMPL: Record<WasmMtWorkloadName, Workload> = {
  "wasm-larson": { options, run: (spec) => runLarson(spec) },
  "wasm-xmalloc": { options, run: (spec) => runXmalloc(spec) },
};
export const MT_MEMBERS: Record<WasmMtWorkloadName, (data: MemberData, ready: () => void) => Promise<MemberResult>> = {
  "wasm-larson": memberLarson,
  "wasm-xmalloc": memberXmalloc,
};
