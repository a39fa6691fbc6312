// The `hakmem` command end to end, from the built bundle (npm test builds first): help and usage
// errors, `bench --quick --json` on tiny counts (every contender ran or says why not), and `ab`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/hakmem.mjs", import.meta.url));

function hakmem(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("hakmem CLI", () => {
  it("prints help for itself and for each command", () => {
    const top = hakmem("--help");
    assert.equal(top.code, 0);
    for (const c of ["bench", "ab", "replay", "soak"]) assert.match(top.stdout, new RegExp(`\\b${c}\\b`));
    for (const c of ["bench", "ab"]) {
      const r = hakmem(c, "--help");
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`usage: hakmem ${c}`));
    }
  });

  it("rejects unknown commands, flags, workloads and contenders with exit code 2", () => {
    for (const args of [["frobnicate"], ["bench", "--frob"], ["bench", "nope"], ["bench", "--vs", "nope"], ["bench", "--runs", "0"], ["ab", "--a", "profile=balanced"], ["ab", "--a", "profile=quick", "--b", "profile=fast"]]) {
      const r = hakmem(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}, ${r.stderr}`);
      assert.match(r.stderr, /^hakmem.*: .+\nRun 'hakmem .*--help' for usage\./, args.join(" "));
      assert.equal(r.stdout, "");
    }
  });

  it("bench --quick --json --out: every contender in every case ran or says why not", () => {
    const out = mkdtempSync(join(tmpdir(), "hakmem-cli-"));
    const r = hakmem("bench", "--quick", "--json", "--runs", "1", "--cycles", "20000", "--seconds", "0.1", "--out", out);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      machine: { cpu: string; cores: number; node: string };
      cases: {
        workload: string;
        workers: number;
        title: string;
        base: string | null;
        rows: { contender: string; status: string; reason?: string; runs: unknown[]; opsPerSec?: { median: number; min: number; max: number; cv: number } }[];
      }[];
    };
    assert.equal(typeof doc.machine.cpu, "string");
    assert.deepEqual([...new Set(doc.cases.map((c) => c.workload))], ["random-mixed", "larson", "mid", "xmalloc"]);
    const contenders = ["hakmem:balanced", "sol", "native", "tlsf", "gc", "cheap", "thing", "smo"];
    for (const c of doc.cases) {
      assert.deepEqual(c.rows.map((row) => row.contender), contenders, c.title);
      for (const row of c.rows) {
        const where = `${c.title} / ${row.contender}`;
        assert.ok(["ok", "skipped", "failed"].includes(row.status), where);
        if (row.status === "ok") {
          assert.ok(row.opsPerSec !== undefined && row.opsPerSec.median > 0, where);
          assert.equal(row.runs.length, 1, where);
        } else {
          assert.ok(typeof row.reason === "string" && row.reason.length > 0, `${where}: ${row.status} without a reason`);
        }
      }
      // Single-threaded peers can only run 1-worker cases; hakmem runs everything.
      if (c.workers > 1) for (const id of ["sol", "tlsf", "gc", "thing"]) assert.equal(c.rows.find((row) => row.contender === id)!.status, "skipped");
      const hakmemRow = c.rows[0];
      assert.equal(hakmemRow.status, "ok", `${c.title}: hakmem ${hakmemRow.reason ?? ""}`);
      assert.equal(c.base, "hakmem:balanced");
    }
    assert.equal(r.code, doc.cases.some((c) => c.rows.some((row) => row.status === "failed")) ? 1 : 0);
    assert.deepEqual(JSON.parse(readFileSync(join(out, "results.json"), "utf8")), doc);
    const md = readFileSync(join(out, "results.md"), "utf8");
    for (const c of doc.cases) assert.ok(md.includes(`## ${c.title}`), c.title);
    const svg = readFileSync(join(out, "chart.svg"), "utf8");
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    assert.equal((svg.match(/<rect /g) ?? []).length - 1, doc.cases.flatMap((c) => c.rows).filter((row) => row.opsPerSec).length);
    rmSync(out, { recursive: true });
  });

  it("bench wasm-larson wasm-xmalloc: the threaded C programs on hakmem, the speed-of-light imports and glibc", () => {
    const r = hakmem("bench", "wasm-larson", "wasm-xmalloc", "--json", "--runs", "1", "--seconds", "0.2");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { cases: { title: string; workers: number; rows: { contender: string; status: string; reason?: string; runs: { ops: number; problems: string[]; extra: { cpuSeconds: number } }[] }[] }[] };
    assert.deepEqual(
      doc.cases.map((c) => c.title),
      ["wasm-larson, 1 worker", "wasm-larson, 2 workers", "wasm-xmalloc, 2 workers"],
    );
    for (const c of doc.cases) {
      assert.deepEqual(c.rows.map((row) => row.contender), ["hakmem:balanced", "sol", "native"], c.title);
      for (const row of c.rows) {
        if (row.contender === "sol" && c.title !== "wasm-larson, 1 worker") {
          assert.equal(row.status, "skipped", c.title);
          continue;
        }
        assert.equal(row.status, "ok", `${c.title} / ${row.contender}: ${row.reason ?? ""}`);
        assert.ok(row.runs[0].ops > 0 && row.runs[0].extra.cpuSeconds > 0, `${c.title} / ${row.contender}`);
        assert.deepEqual(row.runs[0].problems, []);
      }
    }
  });

  it("bench --browser: Chromium rows (page and Web Workers) beside Node's, in the same JSON", () => {
    const r = hakmem("bench", "random-mixed", "xmalloc", "--browser", "--quick", "--json", "--runs", "1", "--vs", "hakmem,sol", "--cycles", "100000", "--seconds", "0.2");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { machine: { chromium?: string }; cases: { title: string; base: string; rows: { contender: string; label: string; engine?: string; status: string; reason?: string; ratio?: number; runs: { rssBytes: number | null }[] }[] }[] };
    assert.match(doc.machine.chromium ?? "", /^\d+\.\d+\.\d+\.\d+$/, "the browser's version is in the machine record");
    assert.deepEqual(doc.cases.map((c) => c.title), ["random-mixed, ws 400", "xmalloc, 2 workers"]);
    for (const c of doc.cases) {
      assert.deepEqual(c.rows.map((row) => row.contender), ["hakmem:balanced", "sol", "hakmem:balanced@chromium", "sol@chromium"], c.title);
      assert.equal(c.base, "hakmem:balanced", "ratios stay relative to Node's hakmem row");
      const [node, , chromium, solChromium] = c.rows;
      assert.equal(chromium.label, "hakmem balanced (Chromium)");
      assert.equal(chromium.engine, "chromium");
      assert.equal(node.engine, undefined);
      assert.equal(chromium.status, "ok", `${c.title}: ${chromium.reason}`);
      assert.ok(chromium.ratio !== undefined && chromium.ratio > 0);
      assert.equal(chromium.runs[0].rssBytes, null, "a page cannot see its RSS");
      assert.equal(solChromium.status, c.title.startsWith("xmalloc") ? "skipped" : "ok", solChromium.reason);
    }
  });

  it("ab: lockstep pairs on random-mixed, a bootstrap interval and a verdict", () => {
    const r = hakmem("ab", "--a", "profile=balanced", "--b", "profile=balanced", "--runs", "3", "--max-runs", "3", "--cycles", "600000", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as AbDoc;
    assert.equal(doc.pairs, 3);
    assert.match(doc.method, /^lockstep pairs of fresh processes, 3 steps each/);
    assert.equal(doc.a.opsPerSec.length, 3);
    assert.equal(doc.b.opsPerSec.length, 3);
    assert.equal(doc.deltas.length, 3);
    assert.ok(doc.a.opsPerSec.every((x) => x > 0) && doc.b.opsPerSec.every((x) => x > 0));
    assert.ok(doc.ci[0] <= doc.medianDelta && doc.medianDelta <= doc.ci[1]);
    assert.ok(["GO", "NEUTRAL", "NO-GO", "INCONCLUSIVE"].includes(doc.verdict));
  });

  it("ab: runs pairs past --runs only while the interval is undecided, never past --max-runs", () => {
    const r = hakmem("ab", "--a", "profile=balanced", "--b", "profile=fast", "--runs", "2", "--max-runs", "4", "--cycles", "300000", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as AbDoc;
    assert.ok(doc.pairs >= 2 && doc.pairs <= 4, `${doc.pairs} pairs`);
    if (doc.verdict === "INCONCLUSIVE") assert.equal(doc.pairs, 4);
    assert.equal(doc.deltas.length, doc.pairs);
  });

  it("ab: whole runs for the other workloads", () => {
    const r = hakmem("ab", "--a", "profile=balanced", "--b", "profile=lean", "--workload", "mid", "--workers", "1", "--cycles", "20000", "--runs", "2", "--max-runs", "2", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as AbDoc;
    assert.equal(doc.pairs, 2);
    assert.match(doc.method, /^whole runs/);
  });

  it("ab: a configuration the heap rejects fails the run with the heap's message (exit 1)", () => {
    for (const workload of ["random-mixed", "mid"]) {
      const r = hakmem("ab", "--a", "profile=balanced", "--b", "HAKMEM_PROFILE=quick", "--workload", workload, "--workers", "1", "--cycles", "20000", "--runs", "2");
      assert.equal(r.code, 1, `${workload}: ${r.stderr}`);
      assert.match(r.stderr, /^hakmem ab: pair 1 failed: B: .*HAKMEM_PROFILE="quick" is not a profile/, workload);
      assert.equal(r.stdout, "");
    }
  });

  it("ab: build=DIR runs a side from another build's dist/ (here: this one's)", () => {
    const dist = fileURLToPath(new URL("../dist", import.meta.url));
    for (const workload of ["random-mixed", "mid"]) {
      const r = hakmem("ab", "--a", "profile=balanced", "--b", `profile=balanced,build=${dist}`, "--workload", workload, "--workers", "1", "--cycles", "20000", "--runs", "2", "--max-runs", "2", "--json");
      assert.equal(r.code, 0, `${workload}: ${r.stderr}`);
      assert.equal((JSON.parse(r.stdout) as AbDoc).pairs, 2);
    }
    const bad = hakmem("ab", "--a", "profile=balanced", "--b", "build=/no/such/dist");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--b: build=\/no\/such\/dist: .*bench\/lockstep\.js does not exist/);
  });

  it("ab: --max-runs below --runs is a usage error", () => {
    const r = hakmem("ab", "--a", "profile=balanced", "--b", "profile=fast", "--runs", "5", "--max-runs", "4");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--max-runs \(4\) is below --runs \(5\)/);
  });
});

interface AbDoc {
  pairs: number;
  method: string;
  a: { opsPerSec: number[] };
  b: { opsPerSec: number[] };
  deltas: number[];
  medianDelta: number;
  ci: [number, number];
  verdict: string;
}
