// The SQLite amalgamation, fetched at bench time from the npm tarball of better-sqlite3 (which
// ships it under package/deps/sqlite3/) with `npm pack` into the cache, and never committed.
// better-sqlite3 itself is not installed: only its two C files are extracted.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { BuildError, CACHE_DIR } from "./toolchain.ts";

const run = promisify(execFile);

export const AMALGAMATION_PACKAGE = "better-sqlite3@12.11.1";

export interface Amalgamation {
  readonly source: string;
  readonly header: string;
}

let fetched: Promise<Amalgamation> | undefined;

/** sqlite3.c and sqlite3.h in the cache, fetched on first use. */
export function amalgamation(): Promise<Amalgamation> {
  fetched ??= fetch();
  return fetched;
}

async function fetch(): Promise<Amalgamation> {
  const dir = join(CACHE_DIR, AMALGAMATION_PACKAGE.replace("@", "-"));
  const result = { source: join(dir, "sqlite3.c"), header: join(dir, "sqlite3.h") };
  if (existsSync(result.source) && existsSync(result.header)) return result;
  mkdirSync(CACHE_DIR, { recursive: true });
  const work = mkdtempSync(join(CACHE_DIR, "fetch-"));
  try {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const packed = await run(npm, ["pack", AMALGAMATION_PACKAGE, "--json", "--pack-destination", work], { maxBuffer: 64 << 20 });
    const [{ filename }] = JSON.parse(packed.stdout) as { filename: string }[];
    await run("tar", ["-xzf", join(work, filename), "-C", work, "package/deps/sqlite3/sqlite3.c", "package/deps/sqlite3/sqlite3.h"]);
    renameSync(join(work, "package/deps/sqlite3"), dir); // atomic: a concurrent fetch never sees half a file
  } catch (e) {
    if (existsSync(result.source)) return result; // another process won the race
    const err = e as Error & { stderr?: string };
    throw new BuildError(`could not fetch the SQLite amalgamation from ${AMALGAMATION_PACKAGE} with npm pack: ${(err.stderr || err.message).trim().split("\n")[0]}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return result;
}
