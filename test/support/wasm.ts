// Compiles the test's C programs to wasm32-wasi with wasm/malloc.c (clang, wasm-ld and wasi-libc
// from scripts/system-deps.sh). Results are cached under node_modules/.cache, keyed by a hash of
// the sources and the command line, so a second run compiles nothing.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const MALLOC_C = fileURLToPath(new URL("../../wasm/malloc.c", import.meta.url));
const CACHE = fileURLToPath(new URL("../../node_modules/.cache/hakmem-test-wasm/", import.meta.url));

/** The command line users copy (README), with `extra` flags. */
export function clangArgs(sources: string[], out: string, extra: string[] = []): string[] {
  return ["--target=wasm32-wasi", "-O2", ...extra, ...sources, MALLOC_C, "-Wl,--import-memory,--export=__heap_base", "-o", out];
}

/** test/fixtures/c/<name>.c compiled with wasm/malloc.c; `extra` flags as for clang. */
export function buildC(name: string, extra: string[] = []): Uint8Array<ArrayBuffer> {
  const source = fileURLToPath(new URL(`../fixtures/c/${name}.c`, import.meta.url));
  const hash = createHash("sha256");
  for (const f of [source, MALLOC_C]) hash.update(readFileSync(f));
  hash.update(JSON.stringify(extra));
  const out = `${CACHE}${name}-${hash.digest("hex").slice(0, 16)}.wasm`;
  if (!existsSync(out)) {
    mkdirSync(CACHE, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync("clang", clangArgs([source], tmp, extra), { stdio: ["ignore", "inherit", "inherit"] });
    renameSync(tmp, out);
  }
  return new Uint8Array(readFileSync(out));
}
