// Builds the threaded C programs (mt-larson.c, mt-xmalloc.c) on first use: for wasm32 with
// atomics and a shared memory (clang, freestanding), and natively with `cc -pthread` and the C
// library's malloc. Cached in the wasm bench's cache (toolchain.ts) under a name that hashes the
// sources, mt.h, the compiler and the flags, so an edit rebuilds and a concurrent bench never
// sees half a file. Synchronous (a few hundred ms once), because the bench plans its rows with it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT } from "../trace/scripts.ts";
import { CACHE_DIR } from "./toolchain.ts";

export type MtProgram = "larson" | "xmalloc";
export type Built = { readonly path: string } | { readonly reason: string };

/** The compile and link line of a threaded freestanding module (README, "Threaded modules"). */
export const WASM_FLAGS = ["--target=wasm32", "-O2", "-matomics", "-mbulk-memory", "-mmutable-globals", "-ftls-model=local-exec", "-nostdlib", "-ffreestanding"];
export const WASM_LINK = [
  "--no-entry",
  "--import-memory",
  "--shared-memory",
  "--max-memory=2147483648",
  "--export=__heap_base",
  "--export=__stack_pointer",
  "--export=__wasm_init_tls",
  "--export=__tls_size",
  "--export=__tls_align",
  "--export=__tls_base",
];

/** What every program includes (hashed with each source). */
const HEADER = fileURLToPath(new URL("bench/wasm/mt.h", PACKAGE_ROOT));

const built = new Map<string, Built>();

/** `source` (a path) compiled for wasm threads, into a cached .wasm. */
export function buildWasm(source: string): Built {
  const clang = process.env.CLANG ?? "clang";
  return cached(`wasm:${source}`, source, [clang, "--version"], ".wasm", (out) => [clang, [...WASM_FLAGS, `-Wl,${WASM_LINK.join(",")}`, "-o", out, source]]);
}

/** `source` compiled natively with pthreads and the C library's malloc. */
export function buildNative(source: string): Built {
  const cc = process.env.CC ?? "cc";
  return cached(`native:${source}`, source, [cc, "--version"], "", (out) => [cc, ["-O2", "-pthread", "-o", out, source]]);
}

/** The program of a wasm-* workload ("wasm-larson" → "larson"). */
export function mtProgramOf(workload: string): MtProgram {
  return workload.slice("wasm-".length) as MtProgram;
}

export function mtSource(program: MtProgram): string {
  return fileURLToPath(new URL(`bench/wasm/mt-${program}.c`, PACKAGE_ROOT));
}

function cached(key: string, source: string, version: [string, string], ext: string, command: (out: string) => [string, string[]]): Built {
  let b = built.get(key);
  if (b === undefined) built.set(key, (b = compile(source, version, ext, command)));
  return b;
}

function compile(source: string, [tool, flag]: [string, string], ext: string, command: (out: string) => [string, string[]]): Built {
  if (!existsSync(source)) return { reason: `${source} is missing` };
  let compiler: string;
  try {
    compiler = execFileSync(tool, [flag], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n")[0].trim();
  } catch {
    return { reason: `no \`${tool}\` (install clang and lld: scripts/system-deps.sh)` };
  }
  const [bin, args] = command("OUT");
  const hash = createHash("sha256").update(readFileSync(source)).update(readFileSync(HEADER)).update(compiler).update(args.join(" ")).digest("hex").slice(0, 16);
  const path = join(CACHE_DIR, `${source.replace(/^.*[\\/]/, "").replace(/\.c$/, "")}-${hash}${ext}`);
  if (existsSync(path)) return { path };
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${path}.${process.pid}`;
    execFileSync(bin, command(tmp)[1], { stdio: ["ignore", "ignore", "pipe"] });
    renameSync(tmp, path); // atomic: a concurrent bench never runs a half-written file
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return { reason: `\`${bin}\` failed on ${source}${stderr ? `: ${stderr.split("\n")[0]}` : ""}` };
  }
  return { path };
}
