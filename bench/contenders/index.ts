// Every contender the bench knows: what it can run and how much slower than hakmem it is
// expected to be (cycle-counted workloads give it that many times fewer cycles, so every row
// takes about as long; rows are compared in ops/s). The modules themselves load in load.ts.

export interface ContenderInfo {
  readonly id: string;
  readonly label: string;
  /** Can attach to one heap from several worker_threads Workers. */
  readonly multiWorker: boolean;
  /** Cycle divisor for random-mixed and mid. */
  readonly slowdown: number;
  /** Pure JS that runs in a browser page too (bench/browser/contenders.ts): `bench --browser`. */
  readonly browser?: boolean;
}

export const CONTENDERS: readonly ContenderInfo[] = [
  { id: "hakmem", label: "hakmem", multiWorker: true, slowdown: 1, browser: true },
  { id: "sol", label: "speed of light (unsafe)", multiWorker: false, slowdown: 1, browser: true },
  { id: "native", label: "glibc malloc (C)", multiWorker: true, slowdown: 1 },
  { id: "tlsf", label: "AssemblyScript TLSF", multiWorker: false, slowdown: 1 },
  { id: "gc", label: "new Uint8Array (GC)", multiWorker: false, slowdown: 20, browser: true },
  { id: "cheap", label: "@libmedia/cheap", multiWorker: true, slowdown: 10 },
  { id: "thing", label: "@thi.ng/malloc", multiWorker: false, slowdown: 100 },
  { id: "smo", label: "shared-memory-objects", multiWorker: true, slowdown: 100 },
];

export const DEFAULT_CONTENDERS = ["hakmem", "sol", "native", "tlsf", "gc", "cheap", "thing", "smo"];

export function contenderInfo(id: string): ContenderInfo {
  const info = CONTENDERS.find((c) => c.id === id);
  if (info === undefined) throw new Error(`unknown contender "${id}"`);
  return info;
}

/** A contender as named on the command line: "hakmem", "hakmem:fast", "sol", ... */
export interface ContenderChoice {
  /** Display and result key: "hakmem:balanced", "sol", ... */
  readonly name: string;
  readonly id: string;
  readonly options: Record<string, string>;
}

export function parseContender(text: string): ContenderChoice {
  const [id, profile, ...rest] = text.trim().split(":");
  if (rest.length > 0 || !CONTENDERS.some((c) => c.id === id)) {
    throw new Error(`unknown contender "${text}"; expected one of ${CONTENDERS.map((c) => c.id).join(", ")} (hakmem:fast, hakmem:lean, ... for a profile)`);
  }
  if (id === "hakmem") {
    const p = profile || "balanced";
    return { name: `hakmem:${p}`, id, options: { profile: p } };
  }
  if (profile !== undefined) throw new Error(`contender "${id}" has no profiles (got "${text}")`);
  return { name: id, id, options: {} };
}

export function labelOf(c: ContenderChoice): string {
  return c.id === "hakmem" ? `hakmem ${c.options.profile ?? "balanced"}` : contenderInfo(c.id).label;
}
