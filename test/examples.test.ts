// examples/browser/ works: its server (started as a user would) serves the page and the workers'
// scripts with the isolation headers, and the page's workers share the heap in Chromium.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../bench/browser/chromium.ts";

const SERVER = fileURLToPath(new URL("../examples/browser/server.mjs", import.meta.url));

it("examples/browser: two Web Workers and the page share a heap, pass typed arrays and strings, and free each other's blocks", async () => {
  const server = spawn(process.execPath, [SERVER, "0"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const [first] = (await once(server.stdout, "data")) as [Buffer];
    const url = String(first).trim();
    const response = await fetch(`${url}worker.js`);
    for (const [h, v] of [["cross-origin-opener-policy", "same-origin"], ["cross-origin-embedder-policy", "require-corp"], ["cross-origin-resource-policy", "same-origin"]]) {
      assert.equal(response.headers.get(h), v, `a worker script's ${h}`);
    }
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(url);
      const demo = (await (await page.waitForFunction(() => (globalThis as { demo?: unknown }).demo, null, { timeout: 60_000 })).jsonValue()) as { ok: boolean; log: string };
      assert.ok(demo.ok, demo.log);
      assert.match(demo.log, /worker A: the page's 1000 numbers add up to 249750\n/);
      assert.match(demo.log, /√1 000 000 = 1000; the heap grew [1-9]/);
      assert.match(demo.log, /√1 999 999 = 1414\.213\n/);
      assert.match(demo.log, /live blocks: 0, live bytes: 0\ndone ✓/);
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
  }
});
