// The SQLite client: native/sqlite-bench.c (an in-memory SQL workload and a VFS with no files)
// linked with the SQLite amalgamation, compiled with the flags that work for wasm32-wasi with
// wasi-libc and for the native build alike.
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT } from "../trace/scripts.ts";
import { amalgamation } from "./amalgamation.ts";
import type { Program } from "./builds.ts";

export const SQLITE_FLAGS = ["-DSQLITE_OS_OTHER=1", "-DSQLITE_THREADSAFE=0", "-DSQLITE_TEMP_STORE=3", "-DSQLITE_OMIT_LOAD_EXTENSION"];

const CLIENT_SOURCE = fileURLToPath(new URL("native/sqlite-bench.c", PACKAGE_ROOT));

/** The program, once the amalgamation is in the cache (fetched with npm pack on first use). */
export async function sqliteProgram(): Promise<Program> {
  const a = await amalgamation();
  return {
    name: "sqlite-bench",
    objects: [
      { source: a.source, headers: [a.header], flags: SQLITE_FLAGS },
      { source: CLIENT_SOURCE, headers: [a.header], flags: [...SQLITE_FLAGS, "-Wall", "-Wextra"] },
    ],
  };
}
