/**
 * Heap options and profiles. Each option exists because a user needs it; see the README table.
 */
import { HeapError } from "./errors.ts";
import { MAX_HEAP_BYTES, MIN_HEAP_BYTES } from "./layout.ts";

export type ProfileName = "fast" | "balanced" | "lean" | "safe";
export const PROFILES: readonly ProfileName[] = ["fast", "balanced", "lean", "safe"];

export interface HeapOptions {
  /** Initial buffer size in bytes (rounded up to 1 MiB segments). Default 1 MiB. */
  initialBytes?: number;
  /** Ceiling of the buffer in bytes. Default 1 GiB, at most 2 GiB. */
  maxBytes?: number;
  /** Use a growable SharedArrayBuffer (default: true where SharedArrayBuffer exists). */
  shared?: boolean;
  /** Adopt this memory instead of creating one (the heap owns it from offset 0). */
  memory?: WebAssembly.Memory | SharedArrayBuffer | ArrayBuffer;
  /** "balanced" (default), "fast", "lean" or "safe". */
  profile?: ProfileName;
}

export interface AttachOptions {
  profile?: ProfileName;
}

/** What a profile switches; read once at heap creation, constant afterwards. */
export interface Profile {
  readonly name: ProfileName;
  /** Scale of the per-class front caches (1 = the class table's capacity). */
  readonly cacheScale: number;
  /** Bytes of mid-class blocks the front cache may hold (tiny classes are bounded per class). */
  readonly midCacheBytes: number;
  /** Pages the big cache of freed large spans may hold; a span of up to half of that is cached. */
  readonly bigCachePages: number;
}

const PROFILE_TABLE: Record<ProfileName, Profile> = {
  fast: { name: "fast", cacheScale: 2, midCacheBytes: 1 << 20, bigCachePages: 1024 },
  balanced: { name: "balanced", cacheScale: 1, midCacheBytes: 128 << 10, bigCachePages: 16 },
  lean: { name: "lean", cacheScale: 0.5, midCacheBytes: 32 << 10, bigCachePages: 0 },
  safe: { name: "safe", cacheScale: 1, midCacheBytes: 128 << 10, bigCachePages: 16 },
};

export function profileOf(name: unknown): Profile {
  if (name === undefined) return PROFILE_TABLE.balanced;
  if (typeof name !== "string" || !Object.hasOwn(PROFILE_TABLE, name)) {
    throw new HeapError("INVALID_OPTION", `unknown profile ${JSON.stringify(name)}; expected one of ${PROFILES.join(", ")}`);
  }
  return PROFILE_TABLE[name as ProfileName];
}

export const DEFAULT_INITIAL_BYTES = 1 << 20;
export const DEFAULT_MAX_BYTES = 1 << 30;

export function byteOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < MIN_HEAP_BYTES || value > MAX_HEAP_BYTES) {
    throw new HeapError("INVALID_OPTION", `${name} must be an integer between ${MIN_HEAP_BYTES} and ${MAX_HEAP_BYTES} (2 GiB), got ${String(value)}`);
  }
  return value;
}
