// The native reference: native/replay.c replays a trace through the C library's malloc. It is
// compiled with the system C compiler ($CC, else cc) on first use into a temporary directory
// named after a hash of its source and the compiler (so an edit rebuilds it, and a concurrent
// build never runs a half-written binary), and fed the decompressed trace on stdin.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createGunzip } from "node:zlib";
import { NATIVE_SOURCE } from "./scripts.ts";

export interface NativeRun {
  readonly records: number;
  /** Each run's replay time (runs after the first reuse the process's warm heap). */
  readonly seconds: number[];
  /** The same runs' thread CPU time. */
  readonly cpuSeconds: number[];
  readonly liveBlocks: number;
  readonly maxRssBytes: number;
}

/** The driver's path, or why there is none (no cc, or it failed to compile). */
export type NativeDriver = { readonly path: string } | { readonly skipped: string };

let driver: Promise<NativeDriver> | undefined;

export function nativeDriver(): Promise<NativeDriver> {
  driver ??= build();
  return driver;
}

async function build(): Promise<NativeDriver> {
  const source = fileURLToPath(NATIVE_SOURCE);
  if (!existsSync(source)) return { skipped: `the driver's source ${source} is missing` };
  const cc = process.env.CC || "cc";
  const run = promisify(execFile);
  let compiler: string;
  try {
    compiler = (await run(cc, ["--version"])).stdout.split("\n")[0].trim();
  } catch {
    return { skipped: `no C compiler (\`${cc}\` not found; set CC)` };
  }
  const hash = createHash("sha256").update(readFileSync(source)).update(compiler).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `hakmem-native-${hash}`);
  const path = join(dir, "replay");
  if (existsSync(path)) return { path };
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.${process.pid}`;
  try {
    await run(cc, ["-O2", "-o", partial, source]);
  } catch (e) {
    const err = e as Error & { stderr?: string };
    return { skipped: `\`${cc}\` failed to compile ${source}: ${(err.stderr || err.message).trim()}` };
  }
  renameSync(partial, path);
  return { path };
}

/**
 * Replays the trace file (gzip or not) `runs` times in one fresh process of the driver, and
 * more if needed until `minRecords` records have been replayed.
 */
export async function runNative(driverPath: string, tracePath: string, runs: number, minRecords = 0): Promise<NativeRun> {
  return JSON.parse(await runDriver([driverPath, "--runs", String(runs), "--min-records", String(minRecords)], tracePath, "native driver")) as NativeRun;
}

/**
 * Runs `argv` (a build of native/replay.c, or a command that runs one) with the trace file
 * (gzip or not) decompressed on its stdin; resolves to its stdout, rejects with its stderr.
 */
export async function runDriver(argv: readonly string[], tracePath: string, what: string): Promise<string> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
  const fh = await open(tracePath, "r");
  const magic = new Uint8Array(2);
  await fh.read(magic, 0, 2, 0).finally(() => fh.close());
  const source = createReadStream(tracePath, { highWaterMark: 1 << 20 });
  // The driver reports a bad trace and exits early, closing the pipe: that error is its to tell.
  const fed = (magic[0] === 0x1f && magic[1] === 0x8b ? pipeline(source, createGunzip(), child.stdin) : pipeline(source, child.stdin)).catch((e: Error) => e);
  const [code, feedError] = await Promise.all([exited, fed]);
  if (code !== 0) throw new Error(`${what}: ${err.trim() || `exit code ${code}`}`);
  if (feedError) throw new Error(`${what}: feeding the trace failed: ${feedError.message}`);
  return out;
}
