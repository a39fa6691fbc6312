// The package as users get it: `npm pack` (of the dist/ that npm test just built), installed from
// the tarball into a fresh project with no network, then used the four ways a user would: Node
// ESM imports of every entry point, a consumer type-checked by tsc --strict against the shipped
// declarations, an esbuild browser bundle (no Node built-ins) run in Chromium, and the `hakmem`
// command. About 15 s on the 2-core CI machine, most of it npm.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { launchChromium } from "../bench/browser/chromium.ts";
import { serveStatic } from "../bench/browser/server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const TSC = require.resolve("typescript/bin/tsc");
const NODE_TYPES = join(ROOT, "node_modules", "@types");

interface PackedFile {
  path: string;
  size: number;
}

/** The tarball's files, for the checks on what `files` lets in. */
let packed: PackedFile[] = [];
let tmp = "";
let app = "";

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function write(file: string, text: string): string {
  const path = join(app, file);
  writeFileSync(path, text);
  return path;
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), "hakmem-package-"));
  // --ignore-scripts: pack the dist/ npm test built instead of rebuilding it (prepare).
  const [info] = JSON.parse(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], ROOT)) as [{ filename: string; files: PackedFile[] }];
  packed = info.files;
  app = join(tmp, "app");
  mkdirSync(app);
  write("package.json", JSON.stringify({ name: "app", private: true, type: "module" }));
  // The library has no dependencies: the tarball is all an offline install needs.
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(tmp, info.filename)], app);
});

after(() => rmSync(tmp, { recursive: true, force: true }));

describe("the package as users get it (npm pack, then npm install of the tarball)", () => {
  it("holds what users run and nothing else: no tests, no TypeScript sources, no maps of the bench processes", () => {
    const paths = packed.map((f) => f.path);
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, string | Record<string, string>>; bin: Record<string, string> };
    const targets = [...Object.values(manifest.exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e))), ...Object.values(manifest.bin)];
    for (const target of targets) assert.ok(paths.includes(target.replace(/^\.\//, "")), `${target} (exports / bin) is in the tarball`);
    const stray = paths.filter((p) => /^(test|src|scripts|cli|docs)\/|^bench\/(?!wasm\/mt)|\.ts$(?<!\.d\.ts)|^dist\/(bench\/.*|cli\.js)\.map$/.test(p));
    assert.deepEqual(stray, [], "files that users never run");
    const bytes = packed.reduce((n, f) => n + f.size, 0);
    assert.ok(bytes < 2_000_000, `unpacked ${bytes} bytes`);
  });

  it("every entry point imports in Node (ESM) and works", () => {
    write(
      "check.mjs",
      `import { createHeap, attachHeap, HeapError } from "hakmem";
import * as observe from "hakmem/observe";
import { announceWorker, reclaimOnExit } from "hakmem/node";
import { mallocImports, instantiate } from "hakmem/wasm";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
const heap = createHeap();
const f = heap.mallocArray(Float64Array, 8);
f[7] = 2.5;
const s = heap.mallocString("héllo");
const o = observe.createHeap();
o.free(o.malloc(10));
console.log(JSON.stringify({
  array: heap.reallocArray(f, 16)[7],
  string: heap.readString(s),
  attach: attachHeap(heap.buffer).workerId > 0,
  error: (() => { try { heap.free(12345); } catch (e) { return e instanceof HeapError && e.code; } })(),
  counters: o.counters().mallocHit + o.counters().mallocMiss,
  node: typeof announceWorker + typeof reclaimOnExit,
  wasm: typeof mallocImports(heap).malloc + typeof instantiate,
  malloc_c: existsSync(fileURLToPath(import.meta.resolve("hakmem/wasm/malloc.c"))),
}));
`,
    );
    const out = JSON.parse(run(process.execPath, ["check.mjs"], app)) as Record<string, unknown>;
    assert.deepEqual(out, { array: 2.5, string: "héllo", attach: true, error: "INVALID_POINTER", counters: 1, node: "functionfunction", wasm: "functionfunction", malloc_c: true });
  });

  it("a consumer type-checks under tsc --strict against the shipped declarations, which are not `any`", () => {
    write(
      "tsconfig.json",
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], skipLibCheck: false, types: ["node"], typeRoots: [NODE_TYPES] },
        files: ["consumer.ts"],
      }),
    );
    write(
      "consumer.ts",
      `import { createHeap, attachHeap, HeapError, type Heap, type HeapStats } from "hakmem";
import { createHeap as createObserved } from "hakmem/observe";
import { reclaimOnExit } from "hakmem/node";
import { mallocImports } from "hakmem/wasm";
const heap: Heap = createHeap({ maxBytes: 1 << 24, profile: "safe" });
const f: Float64Array | null = heap.mallocArray(Float64Array, 10);
const b: BigInt64Array | null = heap.callocArray(BigInt64Array, 4);
const g: Float64Array | null = f && heap.reallocArray(f, 20);
if (g) heap.freeArray(g);
if (b) b[0] = 1n;
const p: number = heap.mallocString("x");
const s: string = heap.readString(p, 1);
const stats: HeapStats = heap.stats();
const e: HeapError | undefined = undefined;
const h2: Heap = attachHeap(heap.buffer);
const counts: number = createObserved().counters().mallocHit;
const imports: (n: number) => number = mallocImports(heap).malloc;
// The declarations carry the view types: were they \`any\`, this directive would be an error.
// @ts-expect-error an Int32Array is not a Float64Array
const wrong: Float64Array | null = heap.mallocArray(Int32Array, 1);
export { s, stats, e, h2, counts, imports, reclaimOnExit, wrong };
`,
    );
    // skipLibCheck off: the shipped .d.ts files are checked too (each must resolve every name).
    const tsc = spawnSync(process.execPath, [TSC, "-p", "."], { cwd: app, encoding: "utf8" });
    assert.equal(tsc.status, 0, `tsc --strict: ${tsc.stdout}${tsc.stderr}`);
  });

  it("an esbuild browser bundle of a consumer has no Node built-ins and runs in Chromium", async () => {
    const entry = write(
      "page.ts",
      `import { createHeap } from "hakmem";
import { createHeap as createObserved } from "hakmem/observe";
import { mallocImports } from "hakmem/wasm";
const heap = createHeap();
const f = heap.mallocArray(Float64Array, 4)!;
f[3] = 1.25;
const p = heap.mallocString("päge");
const o = createObserved();
o.free(o.malloc(16));
(globalThis as { result?: unknown }).result = {
  shared: heap.buffer instanceof SharedArrayBuffer,
  array: heap.reallocArray(f, 5000)![3],
  string: heap.readString(p),
  counters: o.counters().mallocHit + o.counters().mallocMiss,
  wasm: typeof mallocImports(heap).free,
};
`,
    );
    const out = join(app, "www");
    const r = await build({ absWorkingDir: app, entryPoints: { page: entry }, bundle: true, platform: "browser", format: "esm", outdir: out, metafile: true, logLevel: "silent" });
    const inputs = Object.keys((r.metafile as Metafile).inputs);
    assert.deepEqual(inputs.filter((i) => !i.startsWith("node_modules/hakmem/dist/") && i !== "page.ts"), [], "the bundle holds the consumer and hakmem's dist/ only");
    const code = readFileSync(join(out, "page.js"), "utf8");
    assert.doesNotMatch(code, /\brequire\(|from\s*"node:|import\("node:|process\.env/, "no Node built-ins");
    writeFileSync(join(out, "index.html"), '<!doctype html>\n<meta charset="utf-8">\n<script type="module" src="page.js"></script>\n');
    const server = await serveStatic({ "/": out });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.origin}/index.html`);
      const result = await page.waitForFunction(() => (globalThis as { result?: unknown }).result, null, { timeout: 30_000 }).catch(() => undefined);
      assert.deepEqual(await result?.jsonValue(), { shared: true, array: 1.25, string: "päge", counters: 1, wasm: "function" }, errors.join(" | "));
    } finally {
      await browser.close();
      await server.close();
    }
  });

  it("`npx hakmem bench --help` runs from the installed package", () => {
    const help = run("npx", ["--offline", "hakmem", "bench", "--help"], app);
    assert.match(help, /hakmem bench/);
    assert.match(help, /--quick/);
  });
});
