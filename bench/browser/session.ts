// `hakmem bench --browser`: one Chromium and one static server for the whole bench; each run
// gets a fresh browser context (its own renderer process, so no JIT state carries over, as each
// Node run gets a fresh process), opens the bench page and runs one RunSpec there.
import type { Browser } from "playwright-core";
import { fileURLToPath } from "node:url";
import type { RunOutcome } from "../runner.ts";
import type { RunSpec } from "../spec.ts";
import { launchChromium } from "./chromium.ts";
import type { BenchPage } from "./page.ts";
import { serveStatic, type StaticServer } from "./server.ts";

/** This module is bundled into dist/cli.js: the page and its workers are in dist/bench/browser/. */
const DIST = fileURLToPath(new URL(".", import.meta.url));
const PAGE = "/bench/browser/index.html";

export class BrowserBench {
  private constructor(
    private readonly server: StaticServer,
    private readonly browser: Browser,
  ) {}

  /** Serves `dist` (default: the dist/ this bundle is in) and starts Chromium. */
  static async start(dist = DIST): Promise<BrowserBench> {
    const server = await serveStatic({ "/": dist });
    try {
      return new BrowserBench(server, await launchChromium());
    } catch (e) {
      await server.close();
      throw e;
    }
  }

  /** Chromium's version, as it reports it. */
  get version(): string {
    return this.browser.version();
  }

  async run(spec: RunSpec): Promise<RunOutcome> {
    const timeoutMs = 120_000 + spec.seconds * 10_000;
    const context = await this.browser.newContext();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const page = await context.newPage();
      const aborted = new Promise<never>((_, reject) => {
        page.on("pageerror", (e) => reject(e));
        page.on("crash", () => reject(new Error("the page crashed")));
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
      });
      await page.goto(this.server.origin + PAGE);
      await page.waitForFunction(() => "runBench" in globalThis);
      const running = page.evaluate((s) => (globalThis as unknown as BenchPage).runBench(s), spec);
      // Whichever loses the race settles later (or never), unobserved.
      for (const p of [aborted, running]) p.catch(() => {});
      return { result: await Promise.race([running, aborted]) };
    } catch (e) {
      return { error: `Chromium: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` };
    } finally {
      clearTimeout(timer);
      await context.close();
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.close();
  }
}
