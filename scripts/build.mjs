// Builds the library: one ESM bundle per entry point (esbuild) and the type declarations (tsc).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { index: "src/index.ts" },
  outdir: "dist",
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
});
// Node-only helpers (worker_threads), "hakmem/node"; they use the library's types only.
await build({ entryPoints: { node: "src/node.ts" }, outdir: "dist", bundle: true, format: "esm", platform: "node", target: "es2022", sourcemap: true, logLevel: "warning" });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" });
