// One C program, three builds: wasm32-wasi with wasi-libc's dlmalloc, wasm32-wasi with hakmem as
// its malloc (wasm/malloc.c forwards every allocation of the program and of libc to the imports
// of hakmem/wasm), and native with the C library's malloc. And how to start each build.
import { fileURLToPath } from "node:url";
import { nodeArgs, PACKAGE_ROOT } from "../trace/scripts.ts";
import { compileObject, link, type ObjectSpec, type Target } from "./toolchain.ts";

export const BUILDS = ["wasm-hakmem", "wasm-dlmalloc", "native"] as const;
export type BuildName = (typeof BUILDS)[number];

export const BUILD_TITLES: Record<BuildName, string> = {
  "wasm-hakmem": "wasm, hakmem (imports)",
  "wasm-dlmalloc": "wasm, dlmalloc (wasi-libc)",
  native: "native, glibc malloc",
};

/** The C side of hakmem/wasm, as users compile it into their programs. */
export const MALLOC_SOURCE = fileURLToPath(new URL("wasm/malloc.c", PACKAGE_ROOT));

const fromSource = import.meta.url.endsWith(".ts");
/** The process that runs a wasm build (bench/wasm/child.ts). */
const WASM_CHILD = new URL(fromSource ? "bench/wasm/child.ts" : "dist/bench/wasm-child.js", PACKAGE_ROOT);

export interface Program {
  /** Names the linked files in the cache. */
  readonly name: string;
  readonly objects: readonly ObjectSpec[];
}

const OPT = ["-O2"];

function targetOf(build: BuildName): Target {
  return build === "native" ? "native" : "wasm32-wasi";
}

/** Compiles (or finds in the cache) and links `program` as `build`; returns the file to run. */
export async function buildProgram(program: Program, build: BuildName): Promise<string> {
  const target = targetOf(build);
  const specs = program.objects.map((o) => ({ ...o, flags: [...OPT, ...o.flags] }));
  if (build === "wasm-hakmem") specs.push({ source: MALLOC_SOURCE, flags: OPT });
  const objects = await Promise.all(specs.map((s) => compileObject(target, s)));
  const flags =
    build === "native"
      ? ["-lm"]
      : build === "wasm-dlmalloc"
        ? ["-Wl,--export=__heap_base"]
        : ["-Wl,--import-memory", "-Wl,--export=__heap_base", `-Wl,--max-memory=${2 ** 32}`];
  return link(target, `${program.name}-${build}`, objects, flags);
}

/** The command line that runs a built program with `args` (see child.ts for the wasm builds). */
export function command(build: BuildName, file: string, args: readonly string[], profile = "balanced"): string[] {
  if (build === "native") return [file, ...args];
  const malloc = build === "wasm-hakmem" ? ["--malloc", "hakmem", "--profile", profile] : ["--malloc", "dlmalloc"];
  return [process.execPath, "--no-turbo-fast-api-calls", "--disable-warning=ExperimentalWarning", ...nodeArgs(WASM_CHILD), file, ...malloc, "--", ...args];
}
