// The shared test bodies (test/shared/) in real Chromium (/usr/bin/chromium through
// playwright-core), against the built library (dist/, which npm test builds first) served by a
// local server: once in a cross-origin isolated page (SharedArrayBuffer, Web Workers sharing a
// heap) and once in a page that is not (no SharedArrayBuffer: the fallback). One Chromium for
// the file; each page in a fresh context. About 15 s on the 2-core CI machine.
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { launchChromium } from "../bench/browser/chromium.ts";
import { NOT_ISOLATED, serveStatic, type StaticServer } from "../bench/browser/server.ts";
import { pageCases } from "./browser/cases.ts";
import type { Outcome, TestPage } from "./browser/page.ts";

const DIST = fileURLToPath(new URL("../dist", import.meta.url));
const MODES = { isolated: "/test/page.html", "not isolated": `${NOT_ISOLATED}/test/page.html` } as const;
type Mode = keyof typeof MODES;

interface PageRun {
  readonly crossOriginIsolated: boolean;
  readonly sharedArrayBuffer: string;
  readonly outcomes: Map<string, Outcome>;
  /** Console errors and uncaught page errors, for failure messages. */
  readonly log: string[];
}

async function bundle(dir: string): Promise<void> {
  await build({
    entryPoints: { page: fileURLToPath(new URL("./browser/page.ts", import.meta.url)), worker: fileURLToPath(new URL("./browser/worker.ts", import.meta.url)) },
    bundle: true, format: "esm", platform: "browser", target: "es2022", outdir: dir, logLevel: "warning",
  });
  writeFileSync(join(dir, "page.html"), '<!doctype html>\n<meta charset="utf-8">\n<script type="module" src="page.js"></script>\n');
}

async function runPage(browser: Browser, url: string): Promise<PageRun> {
  const context = await browser.newContext();
  const log: string[] = [];
  try {
    const page = await context.newPage();
    page.on("console", (m) => (m.type() === "error" ? log.push(`console: ${m.text()}`) : undefined));
    page.on("pageerror", (e) => log.push(`page error: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => "runCases" in globalThis);
    const [crossOriginIsolated, sharedArrayBuffer] = await page.evaluate(() => [globalThis.crossOriginIsolated, typeof SharedArrayBuffer] as const);
    const outcomes = await page.evaluate(() => (globalThis as unknown as TestPage).runCases());

    return { crossOriginIsolated, sharedArrayBuffer, outcomes: new Map(outcomes.map((o) => [o.name, o])), log };
  } finally {
    await context.close();
  }
}

describe("in Chromium (test/shared/ bodies against dist/)", () => {
  const runs = new Map<Mode, PageRun>();
  let dir: string | undefined;
  let server: StaticServer | undefined;
  let browser: Browser | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "hakmem-browser-"));
    await bundle(dir);
    server = await serveStatic({ "/": DIST, "/test/": dir });
    browser = await launchChromium();
    for (const [mode, path] of Object.entries(MODES) as [Mode, string][]) runs.set(mode, await runPage(browser, server.origin + path));
  }, { timeout: 300_000 });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("the page under /test/ is cross-origin isolated (SharedArrayBuffer); under /plain/test/ it is not", () => {
    assert.deepEqual([runs.get("isolated")?.crossOriginIsolated, runs.get("isolated")?.sharedArrayBuffer], [true, "function"]);
    assert.deepEqual([runs.get("not isolated")?.crossOriginIsolated, runs.get("not isolated")?.sharedArrayBuffer], [false, "undefined"]);
  });

  for (const mode of Object.keys(MODES) as Mode[]) {
    for (const { name } of pageCases(mode === "isolated")) {
      it(`[${mode}] ${name}`, () => {
        const run = runs.get(mode);
        const o = run?.outcomes.get(name);
        assert.ok(o !== undefined, `the page did not run it${run ? `; page log: ${run.log.join(" | ")}` : ""}`);
        if (o.error !== undefined) assert.fail(`${o.error}${run!.log.length > 0 ? `\npage log: ${run!.log.join(" | ")}` : ""}`);
      });
    }
  }
});
