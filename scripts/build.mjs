// Builds the library: one ESM bundle per entry point (esbuild) and the type declarations (tsc);
// then the CLI (dist/cli.js), the bench processes (dist/bench/*.js, plain node: no TS loader in
// the measured processes) and the AssemblyScript TLSF contender (dist/bench/tlsf.wasm).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);
rmSync("dist", { recursive: true, force: true });
// minifySyntax folds `if (OBSERVE)` away where OBSERVE is false; names stay readable.
const lib = { outdir: "dist", bundle: true, format: "esm", target: "es2022", sourcemap: true, minifySyntax: true, logLevel: "warning" };
/** The observe build: src/flags.ts replaced by a module that turns the counters on. */
const observeOn = {
  name: "observe-on",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]flags\.ts$/ }, () => ({ contents: "export const OBSERVE = true;", loader: "ts" }));
  },
};
// The library runs in browsers and Node: no Node built-ins (platform neutral).
await build({ ...lib, entryPoints: { index: "src/index.ts" }, platform: "neutral" });
await build({ ...lib, entryPoints: { observe: "src/index.ts" }, platform: "neutral", plugins: [observeOn] });
// "hakmem/wasm" sits on the public API: it imports the library as ./index.js (the very module of
// "hakmem" at run time, so HeapError and Heap are the same classes), not a bundled copy.
const libraryExternal = {
  name: "library-external",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.ts$/ }, () => ({ path: "./index.js", external: true }));
  },
};
await build({ ...lib, entryPoints: { wasm: "src/wasm/index.ts" }, platform: "neutral", plugins: [libraryExternal] });
// Node-only helpers (worker_threads), "hakmem/node"; they use the library's types only.
await build({ ...lib, entryPoints: { node: "src/node.ts" }, platform: "node" });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { stdio: "inherit" });
writeFileSync("dist/observe.d.ts", 'export * from "./index.js";\n'); // same API as the default build
writeFileSync("dist/wasm.d.ts", 'export * from "./wasm/index.js";\n'); // next to dist/wasm.js

// minifySyntax here too: it inlines the workloads' constants-only modules (larson-params.ts), so
// a timed loop reads literals, as the C versions do, instead of module-level variables.
const node = { bundle: true, format: "esm", platform: "node", target: "node20", sourcemap: true, minifySyntax: true, logLevel: "warning" };
// The bench imports the library as "hakmem", i.e. the dist/index.js just built (a self-reference).
await build({ ...node, entryPoints: { cli: "cli/main.ts" }, outdir: "dist", external: ["hakmem", "playwright-core"] });
await build({
  ...node,
  entryPoints: { process: "bench/process.ts", lockstep: "bench/lockstep-process.ts", thread: "bench/thread.ts", "replay-child": "bench/trace/child.ts", "replay-thread": "bench/trace/thread-worker.ts", "soak-worker": "bench/soak/worker.ts", "wasm-child": "bench/wasm/child.ts", "wasm-mt-thread": "bench/wasm/mt-thread.ts" },
  outdir: "dist/bench",
  splitting: true, // one chunk per contender: a process evaluates only the peer it measures
  external: ["hakmem"],
  // @daneren2005/shared-memory-objects reads Vite's import.meta.env; give it Vite's production value.
  define: { "import.meta.env.MODE": '"production"' },
  alias: { "smo-runtime": "@daneren2005/shared-memory-objects" }, // see bench/contenders/smo-runtime.d.ts
});

// `bench --browser`: the same workloads in a Chromium page (page.js) and its Web Workers
// (worker.js), with the library bundled in (an import map would not reach module workers) and
// the workloads' team (worker_threads) swapped for bench/browser/team.ts (Web Workers).
const webTeam = {
  name: "web-team",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/team\.ts$/ }, (args) => (/[\\/]bench[\\/]workloads$/.test(args.resolveDir) ? { path: resolve("bench/browser/team.ts") } : undefined));
  },
};
await build({
  bundle: true, format: "esm", platform: "browser", target: "es2022", sourcemap: true, minifySyntax: true, logLevel: "warning",
  entryPoints: { page: "bench/browser/page.ts", worker: "bench/browser/worker.ts" },
  outdir: "dist/bench/browser",
  alias: { hakmem: "./dist/index.js" },
  plugins: [webTeam],
});
writeFileSync("dist/bench/browser/index.html", '<!doctype html>\n<meta charset="utf-8">\n<title>hakmem bench</title>\n<script type="module" src="page.js"></script>\n');

// AssemblyScript is a devDependency: without it (an install without dev deps) the row says so.
try {
  const { default: asc } = await import("assemblyscript/asc");
  const source = readFileSync("bench/contenders/tlsf.as", "utf8");
  const out = await asc.compileString({ "tlsf.ts": source }, { runtime: "minimal", optimizeLevel: 3, shrinkLevel: 0, noAssert: true });
  if (out.error) throw out.error;
  mkdirSync("dist/bench", { recursive: true });
  writeFileSync("dist/bench/tlsf.wasm", out.binary);
} catch (e) {
  console.warn(`build: AssemblyScript TLSF contender not built (${e instanceof Error ? e.message : e})`);
}
