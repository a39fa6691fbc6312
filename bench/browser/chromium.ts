// Starts the system's Chromium, headless, through playwright-core (a devDependency that
// downloads no browser). The Debian package's binary; scripts/system-deps.sh installs it.
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

// --no-sandbox: Chromium refuses to start its sandbox as root (CI runs as root). The rest keep
// a headless run quiet and reproducible: no GPU process, no QUIC, no first-run or background
// traffic, no component updates or sync. playwright-core gives every launch a fresh profile.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** A headless Chromium; close() it when done. Throws a clear error when something is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM} (scripts/system-deps.sh installs it)`);
  let chromium: typeof import("playwright-core").chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch {
    throw new Error("playwright-core is not installed (a devDependency of hakmem: npm install --no-save playwright-core)");
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}
