// What one benchmark run is (passed to a fresh process as JSON) and what it reports back.

/** Workloads over a JavaScript contender (bench/workloads), in Node or in a browser. */
export type JsWorkloadName = "random-mixed" | "larson" | "mid" | "xmalloc";
/** Threaded C programs, compiled to wasm (bench/wasm): Node only. */
export type WasmMtWorkloadName = "wasm-larson" | "wasm-xmalloc";
export type WorkloadName = JsWorkloadName | WasmMtWorkloadName;
/** The default set of `hakmem bench`. */
export const WORKLOADS: readonly JsWorkloadName[] = ["random-mixed", "larson", "mid", "xmalloc"];
/** Threaded C programs compiled to wasm (bench/wasm): run by name only, they need clang. */
export const WASM_MT_WORKLOADS: readonly WorkloadName[] = ["wasm-larson", "wasm-xmalloc"] satisfies WasmMtWorkloadName[];

export function isWasmMt(w: WorkloadName): w is WasmMtWorkloadName {
  return w === "wasm-larson" || w === "wasm-xmalloc";
}
export const ALL_WORKLOADS: readonly WorkloadName[] = [...WORKLOADS, ...WASM_MT_WORKLOADS];

export interface RunSpec {
  readonly workload: WorkloadName;
  /** Contender id: hakmem, sol, thing, tlsf, cheap, smo, gc, native. */
  readonly contender: string;
  /** Heap options (hakmem: profile). */
  readonly options: Record<string, string>;
  readonly workers: number;
  /** random-mixed and mid: cycles per worker. */
  readonly cycles: number;
  /** larson and xmalloc: seconds of the timed phase. */
  readonly seconds: number;
  /** random-mixed and mid: slots per worker. */
  readonly ws: number;
  readonly seed: number;
  /** random-mixed only: timed repetitions in the process (same contender, slots emptied between
   *  them); the fastest counts, as interference on a shared machine only ever slows a run. */
  readonly repeat?: number;
  /** random-mixed only: time by the wall clock (default) or by the process's CPU time, which a
   *  busy machine's descheduling does not inflate. */
  readonly clock?: "wall" | "cpu";
  /** random-mixed only: the untimed full-block fill/verify loop instead of timing. */
  readonly check?: boolean;
}

export interface RunResult {
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  /** Memory the allocator claimed at its high-water mark, where it exposes it. */
  readonly peakFootprintBytes: number | null;
  /** Peak resident set of the whole process (null in a browser page, which cannot see it). */
  readonly rssBytes: number | null;
  /** Problems found (check mode, stats not back to zero, checksum mismatch); empty = fine. */
  readonly problems: readonly string[];
  readonly extra: Record<string, number>;
}
