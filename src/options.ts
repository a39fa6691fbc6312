/**
 * Heap options and profiles. Each option exists because a user needs it; see the README table.
 */
import { HeapError } from "./errors.ts";
import { MAX_HEAP_BYTES, MIN_HEAP_BYTES, PAGE_SIZE } from "./layout.ts";

export type ProfileName = "fast" | "balanced" | "lean" | "safe";
export const PROFILES: readonly ProfileName[] = ["fast", "balanced", "lean", "safe"];

export interface HeapOptions {
  /** Initial buffer size in bytes, the prefix below `base` included (rounded up to 1 MiB segments). Default 1 MiB. */
  initialBytes?: number;
  /** Ceiling of the buffer in bytes, the prefix below `base` included. Default 1 GiB, at most 2 GiB. */
  maxBytes?: number;
  /** Use a growable SharedArrayBuffer (default: true where SharedArrayBuffer exists). */
  shared?: boolean;
  /** Adopt this memory instead of creating one (the heap owns it from `base` up). */
  memory?: WebAssembly.Memory | SharedArrayBuffer | ArrayBuffer;
  /**
   * Where the heap starts (default 0), rounded up to a 16 KiB page: [0, base) is left alone,
   * e.g. a wasm module's data and stack below its __heap_base.
   */
  base?: number;
  /** "balanced" (default), "fast", "lean" or "safe". */
  profile?: ProfileName;
}

export interface AttachOptions {
  profile?: ProfileName;
  /** The base the heap was created with (the same value, or the rounded heap.base). */
  base?: number;
}

/** What a profile switches; read once at heap creation, constant afterwards. */
export interface Profile {
  readonly name: ProfileName;
  /** Scale of the per-class front caches (1 = the class table's capacity). */
  readonly cacheScale: number;
  /** Bytes of mid-class blocks the front cache may hold (tiny classes are bounded per class). */
  readonly midCacheBytes: number;
  /** Pages the big cache of freed large spans may hold (and the largest span it takes). */
  readonly bigCachePages: number;
  /**
   * The big cache also holds at most the heap's pages (below its break) >> bigCacheShift: with 7,
   * 1/128 of the heap, none below 2 MiB and all of bigCachePages from 16 MiB. A small heap does
   * not pay a large one's cache (issue 13); fast (0) is not scaled.
   */
  readonly bigCacheShift: number;
  /**
   * Empty slabs a worker keeps for reuse before giving the oldest back to the pool: the
   * bounded delay before empty pages return (hakmem's release policy).
   */
  readonly retainEmptySlabs: number;
  /**
   * Before the heap's peak footprint rises (a new slab or large block at the break), give back
   * what the handle holds: front caches, empty slabs (slab.ts, newSlab). Lean only: a heap
   * raises its peak about once per page while it grows, and each time its caches refill again.
   */
  readonly releasesBeforePeak: boolean;
  /** Free pages kept at the top of the heap instead of lowering the break (no footprint jitter). */
  readonly topSlackPages: number;
  /** Take the lowest-addressed fitting free span rather than any fitting one (lower footprint). */
  readonly lowestFit: boolean;
  /**
   * Fill a little-used mid class's front cache with blocks of a slightly larger class instead of
   * making it a slab (sizeclass.ts, classLender). Needs block states that record requested
   * sizes (fast counts blocks at their cache's class size) and no canaries sized by the class.
   */
  readonly lendsMidBlocks: boolean;
  /** Poison freed blocks and put a canary after each block; check both (safe.ts). */
  readonly debug: boolean;
  /**
   * Keep a state per tiny and mid block (live with its requested size, or free): double-free
   * detection, exact liveBytes, reclaim of a dead worker's cached blocks. Off in fast (fast.ts).
   */
  readonly tracksBlocks: boolean;
}

const PROFILE_TABLE: Record<ProfileName, Profile> = {
  fast: { name: "fast", releasesBeforePeak: false, bigCacheShift: 0, lendsMidBlocks: false, cacheScale: 2, midCacheBytes: Infinity, bigCachePages: 1024, retainEmptySlabs: 64, topSlackPages: 64, lowestFit: false, debug: false, tracksBlocks: false },
  balanced: { name: "balanced", releasesBeforePeak: false, bigCacheShift: 7, lendsMidBlocks: true, cacheScale: 1, midCacheBytes: 128 << 10, bigCachePages: 8, retainEmptySlabs: 2, topSlackPages: 2, lowestFit: false, debug: false, tracksBlocks: true },
  lean: { name: "lean", releasesBeforePeak: true, bigCacheShift: 7, lendsMidBlocks: true, cacheScale: 0.5, midCacheBytes: 32 << 10, bigCachePages: 0, retainEmptySlabs: 0, topSlackPages: 0, lowestFit: true, debug: false, tracksBlocks: true },
  safe: { name: "safe", releasesBeforePeak: false, bigCacheShift: 7, lendsMidBlocks: false, cacheScale: 1, midCacheBytes: 128 << 10, bigCachePages: 8, retainEmptySlabs: 2, topSlackPages: 2, lowestFit: false, debug: true, tracksBlocks: true },
};

/** The profile named by the option, else by HAKMEM_PROFILE, else balanced. */
export function profileOf(name: unknown): Profile {
  if (name === undefined) {
    const fromEnv = envVariable("HAKMEM_PROFILE");
    if (fromEnv === undefined) return PROFILE_TABLE.balanced;
    if (!Object.hasOwn(PROFILE_TABLE, fromEnv)) {
      throw new HeapError("INVALID_OPTION", `HAKMEM_PROFILE=${JSON.stringify(fromEnv)} is not a profile; expected one of ${PROFILES.join(", ")}`);
    }
    return PROFILE_TABLE[fromEnv as ProfileName];
  }
  if (typeof name !== "string" || !Object.hasOwn(PROFILE_TABLE, name)) {
    throw new HeapError("INVALID_OPTION", `unknown profile ${JSON.stringify(name)}; expected one of ${PROFILES.join(", ")}`);
  }
  return PROFILE_TABLE[name as ProfileName];
}

/**
 * A HAKMEM_* environment variable, where there is an environment (Node); undefined elsewhere
 * or when unset. The core imports no Node module: it only looks for a global process.
 */
function envVariable(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return value === undefined || value === "" ? undefined : value;
}

/** HAKMEM_STATS: "1" prints a summary of each heap at process exit (Node), "0" or unset does not. */
export function statsAtExit(): boolean {
  const value = envVariable("HAKMEM_STATS");
  if (value === undefined || value === "0") return false;
  if (value === "1") return true;
  throw new HeapError("INVALID_OPTION", `HAKMEM_STATS=${JSON.stringify(value)} must be 0 or 1`);
}

export const DEFAULT_INITIAL_BYTES = 1 << 20;
export const DEFAULT_MAX_BYTES = 1 << 30;

/** The base option rounded up to a page (layout.ts, "Base offset"). */
export function baseOption(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_HEAP_BYTES - MIN_HEAP_BYTES) {
    throw new HeapError("INVALID_OPTION", `base must be an integer between 0 and ${MAX_HEAP_BYTES - MIN_HEAP_BYTES}, got ${String(value)}`);
  }
  return Math.ceil(value / PAGE_SIZE) * PAGE_SIZE;
}

export function byteOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < MIN_HEAP_BYTES || value > MAX_HEAP_BYTES) {
    throw new HeapError("INVALID_OPTION", `${name} must be an integer between ${MIN_HEAP_BYTES} and ${MAX_HEAP_BYTES} (2 GiB), got ${String(value)}`);
  }
  return value;
}
