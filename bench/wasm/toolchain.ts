// Compiling C for the wasm bench: to wasm32-wasi with clang and wasi-libc, and natively with the
// system compiler ($CC, else cc). Every object and every linked program goes into a cache
// directory under a name that hashes everything it is made of (sources, headers, flags, compiler
// version), so an edit rebuilds it and nothing is built twice: sqlite3.c takes about 45 s.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PACKAGE_ROOT } from "../trace/scripts.ts";

const run = promisify(execFile);

export type Target = "wasm32-wasi" | "native";

/** Where fetched sources and built objects live (gitignored): .cache/wasm in the package. */
export const CACHE_DIR = fileURLToPath(new URL(".cache/wasm/", PACKAGE_ROOT));

export class BuildError extends Error {
  override readonly name = "BuildError";
}

export interface Compiler {
  readonly target: Target;
  readonly command: string;
  /** The first line of `--version`. */
  readonly version: string;
  /** Flags every compile and link for this target takes. */
  readonly flags: readonly string[];
}

const compilers = new Map<Target, Promise<Compiler>>();

/** clang for wasm32-wasi; $CC or cc natively. Rejects with a BuildError saying what is missing. */
export function compiler(target: Target): Promise<Compiler> {
  let c = compilers.get(target);
  if (c === undefined) compilers.set(target, (c = findCompiler(target)));
  return c;
}

async function findCompiler(target: Target): Promise<Compiler> {
  const command = target === "native" ? process.env.CC || "cc" : "clang";
  let version: string;
  try {
    version = (await run(command, ["--version"])).stdout.split("\n")[0].trim();
  } catch {
    throw new BuildError(`no C compiler for ${target} (\`${command}\` not found${target === "native" ? "; set CC" : "; scripts/system-deps.sh installs clang, lld and wasi-libc"})`);
  }
  return { target, command, version, flags: target === "native" ? [] : ["--target=wasm32-wasi"] };
}

function hashOf(parts: readonly (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Runs the compiler to produce `out` unless it exists or is being made (two builds share an
 * object); writes beside it and renames, so no process ever sees half a file.
 */
function produce(c: Compiler, out: string, args: readonly string[]): Promise<string> {
  let p = inFlight.get(out);
  if (p === undefined) inFlight.set(out, (p = existsSync(out) ? Promise.resolve(out) : runCompiler(c, out, args)));
  return p;
}

async function runCompiler(c: Compiler, out: string, args: readonly string[]): Promise<string> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const partial = `${out}.${process.pid}.tmp`;
  try {
    await run(c.command, [...c.flags, ...args, "-o", partial], { maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    const text = (err.stderr || err.message).trim().split("\n").slice(0, 6).join("\n");
    throw new BuildError(`\`${c.command}\` (${c.target}) failed: ${text}`);
  }
  renameSync(partial, out);
  return out;
}

export interface ObjectSpec {
  readonly source: string;
  /** Headers the source includes (hashed with it) and the directories to find them in. */
  readonly headers?: readonly string[];
  readonly flags: readonly string[];
}

/** Compiles one C file to an object file, cached. */
export async function compileObject(target: Target, spec: ObjectSpec): Promise<string> {
  const c = await compiler(target);
  const includes = [...new Set((spec.headers ?? []).map((h) => join(h, "..")))].map((d) => `-I${d}`);
  const key = hashOf([c.version, ...c.flags, ...spec.flags, readFileSync(spec.source), ...(spec.headers ?? []).map((h) => readFileSync(h))]);
  const out = join(CACHE_DIR, `${basename(spec.source, ".c")}-${target}-${key}.o`);
  return produce(c, out, [...spec.flags, ...includes, "-c", spec.source]);
}

/** Links objects into a program (`name.wasm` for wasm32-wasi), cached by the objects' names. */
export async function link(target: Target, name: string, objects: readonly string[], flags: readonly string[]): Promise<string> {
  const c = await compiler(target);
  const key = hashOf([c.version, ...c.flags, ...flags, ...objects.map((o) => basename(o))]);
  const out = join(CACHE_DIR, `${name}-${key}${target === "native" ? "" : ".wasm"}`);
  return produce(c, out, [...objects, ...flags]);
}
