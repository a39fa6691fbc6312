// bench/wasm/ (issue 10): the plumbing of `hakmem bench sqlite-wasm` — one C program built three
// ways (wasm32-wasi with wasi-libc's dlmalloc, with hakmem through wasm/malloc.c, and native),
// each run in a fresh process, digests compared, memory measured — with a tiny program standing
// in for SQLite, whose build takes a minute (the bench builds it; the tests do not). The trace
// replay in wasm is tested in replay.test.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { BUILDS, buildProgram, type Program } from "../bench/wasm/builds.ts";
import { formatClientTable, runClientBench } from "../bench/wasm/client.ts";

const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const TINY: Program = { name: "tiny-client", objects: [{ source: fixture("tiny-client.c"), flags: ["-Wall"] }] };
const BIN = fileURLToPath(new URL("../bin/hakmem.mjs", import.meta.url));

describe("the wasm bench (bench/wasm)", () => {
  it("builds a C program three ways, runs each in fresh processes, compares digests and measures memory", { timeout: 180_000 }, async () => {
    const r = await runClientBench({ program: TINY, args: ["--blocks", "4000"], builds: [...BUILDS], runs: 2 });
    assert.ok(r.ok, JSON.stringify(r.builds));
    assert.ok(r.sameResults);
    assert.equal(r.results.length, 6);
    assert.deepEqual(r.builds.map((b) => b.build), ["wasm-hakmem", "wasm-dlmalloc", "native"]);
    // Interleaved: each round runs every build once, in a rotated order.
    assert.deepEqual(r.results.map((x) => x.build), ["wasm-hakmem", "wasm-dlmalloc", "native", "wasm-dlmalloc", "native", "wasm-hakmem"]);
    const [hakmem, dlmalloc, native] = r.builds;
    for (const b of [hakmem, dlmalloc]) {
      assert.equal(b.status, "ok", b.reason);
      assert.ok(b.peakHeapBytes! > 0 && b.memoryBytes! >= b.peakHeapBytes!, `${b.build}: ${b.peakHeapBytes} ${b.memoryBytes}`);
      assert.ok(b.speedVsDlmalloc! > 0);
    }
    assert.equal(dlmalloc.speedVsDlmalloc, 1);
    assert.equal(dlmalloc.peakHeapVsDlmalloc, 1);
    assert.ok(hakmem.peakHeapVsDlmalloc! > 0);
    for (const x of r.results.filter((x) => x.build !== "native")) {
      assert.equal(x.wasm!.malloc, x.build === "wasm-hakmem" ? "hakmem" : "dlmalloc");
      assert.ok(x.wasm!.heapBase > 0 && x.wasm!.heapBase < x.wasm!.memoryBytes);
    }
    assert.equal(native.peakHeapBytes, undefined);
    const table = formatClientTable(r, "tiny");
    assert.match(table, /wasm, hakmem \(imports\)\s+\d/);
    assert.match(table, /every run of every build printed the same digest/);
  });

  it("reports results that differ between builds", { timeout: 120_000 }, async () => {
    const program = { name: "differs", objects: [{ source: fixture("differs.c"), flags: [] }] };
    const r = await runClientBench({ program, args: [], builds: ["wasm-dlmalloc", "native"], runs: 1 });
    for (const b of r.builds) assert.equal(b.status, "ok", b.reason);
    assert.equal(r.sameResults, false);
    assert.equal(r.ok, false);
    assert.match(formatClientTable(r, "differs"), /RESULTS DIFFER/);
  });

  it("a program that fails, or does not compile, is a failed row saying why", { timeout: 120_000 }, async () => {
    const r = await runClientBench({ program: TINY, args: ["--blocks", "-1"], builds: ["wasm-dlmalloc", "native"], runs: 1 });
    assert.equal(r.ok, false);
    for (const b of r.builds) assert.match(b.reason ?? "", /exit|signal|SIG/, b.build);
    const broken = { name: "broken", objects: [{ source: fixture("tiny-client.c"), flags: ["-DNOT_C=1", "-include", "/nonexistent.h"] }] };
    const s = await runClientBench({ program: broken, args: [], builds: ["wasm-dlmalloc"], runs: 1 });
    assert.equal(s.builds[0].status, "failed");
    assert.match(s.builds[0].reason ?? "", /clang.*failed.*nonexistent/s);
  });

  it("caches what it builds: the same program is not compiled or linked again", { timeout: 60_000 }, async () => {
    const first = await buildProgram(TINY, "wasm-hakmem");
    const mtime = statSync(first).mtimeMs;
    assert.equal(await buildProgram(TINY, "wasm-hakmem"), first);
    assert.equal(statSync(first).mtimeMs, mtime);
  });

  it("hakmem bench sqlite-wasm: help, and usage errors exit 2", () => {
    const help = spawnSync(process.execPath, [BIN, "bench", "sqlite-wasm", "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /usage: hakmem bench sqlite-wasm/);
    for (const args of [["--vs", "wasm-tlsf"], ["--profile", "turbo"], ["--rows", "0"], ["--clock", "sundial"], ["--frob"]]) {
      const r = spawnSync(process.execPath, [BIN, "bench", "sqlite-wasm", ...args], { encoding: "utf8" });
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /hakmem bench: /);
    }
  });
});
