// What the results were measured on, stamped into every report.
import { cpus } from "node:os";
import { cores } from "../bench/plan.ts";
import { nativeBinary } from "../bench/native.ts";
import type { Machine } from "../bench/report.ts";

export function machine(withCompiler: boolean, chromium?: string): Machine {
  const bin = withCompiler ? nativeBinary() : undefined;
  return {
    date: new Date().toISOString().slice(0, 10),
    cpu: cpus()[0]?.model.trim() ?? "unknown CPU",
    cores: cores(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    ...(bin && "compiler" in bin ? { compiler: bin.compiler } : {}),
    ...(chromium ? { chromium } : {}),
  };
}
