// Runs one RunSpec in a fresh process: `node dist/bench/process.js SPEC` for the JS contenders,
// the compiled native/bench.c for the C library's malloc. Returns the result or why it failed.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { nativeBinary } from "./native.ts";
import { type RunResult, type RunSpec, WASM_MT_WORKLOADS } from "./spec.ts";
import { buildNative, mtProgramOf, mtSource } from "./wasm/mt-build.ts";

export type RunOutcome = { readonly result: RunResult } | { readonly error: string };

/** A bench process's script, relative to a dist/ directory. */
export const PROCESS_SCRIPT = "bench/process.js";

/** This module is bundled into dist/cli.js: the bench processes are in dist/bench/. */
const PROCESS = fileURLToPath(new URL(`./${PROCESS_SCRIPT}`, import.meta.url));

/** Runs `spec` in a fresh process; `script` runs a JS contender from another build's dist/. */
export function runOnce(spec: RunSpec, env: Record<string, string> = {}, script = PROCESS): Promise<RunOutcome> {
  let command: string;
  let args: string[];
  if (spec.contender === "native" && WASM_MT_WORKLOADS.includes(spec.workload)) {
    const bin = buildNative(mtSource(mtProgramOf(spec.workload)));
    if ("reason" in bin) return Promise.resolve({ error: bin.reason });
    command = bin.path;
    args = (spec.workload === "wasm-larson" ? [spec.workers, spec.seconds, spec.seed] : [spec.workers, spec.seconds]).map(String);
  } else if (spec.contender === "native") {
    const bin = nativeBinary();
    if ("reason" in bin) return Promise.resolve({ error: bin.reason });
    command = bin.path;
    args = [spec.workload, spec.workers, spec.cycles, spec.seconds, spec.ws, spec.seed, spec.repeat ?? 1, spec.clock ?? "wall"].map(String);
  } else {
    command = process.execPath;
    args = [script, JSON.stringify(spec)];
  }
  const timeoutMs = 120_000 + spec.seconds * 10_000;
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env }, timeout: timeoutMs });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", (e) => resolve({ error: e.message }));
    child.on("close", (code, signal) => {
      const line = out.split("\n").reverse().find((l) => l.startsWith("{"));
      if (code === 0 && line !== undefined) {
        try {
          resolve({ result: JSON.parse(line) as RunResult });
          return;
        } catch {
          // fall through: report the output
        }
      }
      const why = signal === "SIGTERM" ? `timed out after ${timeoutMs / 1000} s` : signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve({ error: `${why}: ${lastError(err) || out.trim().slice(-300) || "no output"}` });
    });
  });
}

/** The most telling line of a crashed process's stderr: the thrown error's message. */
export function lastError(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("at ") && !l.startsWith("Node.js v"));
  const thrown = lines.findLast((l) => /^(\w*Error|HeapError)\b/.test(l) || /Error: /.test(l));
  return (thrown ?? lines.at(-1) ?? "").slice(0, 300);
}
