// The native contender: native/bench.c compiled with the system C compiler on first use, into a
// cache directory named by the source's hash (so an edit recompiles and nothing is rebuilt twice).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export type NativeBinary = { readonly path: string; readonly compiler: string } | { readonly reason: string };

let cached: NativeBinary | undefined;

/** This module is bundled into dist/cli.js: the source is at ../native/bench.c from there. */
export function nativeBinary(source = fileURLToPath(new URL("../native/bench.c", import.meta.url))): NativeBinary {
  if (cached !== undefined) return cached;
  return (cached = compile(source));
}

function compile(source: string): NativeBinary {
  if (!existsSync(source)) return { reason: `${source} is missing` };
  const cc = process.env.CC ?? "cc";
  let compiler: string;
  try {
    compiler = execFileSync(cc, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n")[0].trim();
  } catch {
    return { reason: `no C compiler (\`${cc}\` not found; set CC)` };
  }
  const text = readFileSync(source);
  const hash = createHash("sha256").update(text).update(compiler).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `hakmem-native-${hash}`);
  const path = join(dir, "bench");
  if (existsSync(path)) return { path, compiler };
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}`;
    execFileSync(cc, ["-O2", "-pthread", "-o", tmp, source], { stdio: ["ignore", "ignore", "pipe"] });
    renameSync(tmp, path); // atomic: a concurrent bench never runs a half-written binary
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return { reason: `\`${cc}\` failed to compile ${source}${stderr ? `: ${stderr.split("\n")[0]}` : ""}` };
  }
  return { path, compiler };
}
