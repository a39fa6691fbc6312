// `hakmem soak` end to end, from the built bundle (npm test builds first): three-second soaks of
// random-mixed, larson with 2 workers and a replay of a tiny synthetic trace give a well-formed
// JSON run, CSV and chart; bad flags exit with 2. The summary's arithmetic is checked on epochs
// whose answers are known.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Epoch } from "../bench/soak/epochs.ts";
import { summarize } from "../bench/soak/summary.ts";
import { OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC } from "../bench/trace/hkt.ts";

const BIN = fileURLToPath(new URL("../bin/hakmem.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "hakmem-soak-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function hakmem(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A tiny valid HKT1 trace (uncompressed): 40 blocks of one thread made by malloc, calloc and
 * realloc, half freed on the way, some left live at the end (the soak frees them between passes).
 */
function tinyTrace(): Uint8Array {
  const recs: [op: number, id: number, size: number, oldId: number][] = [];
  let id = 0;
  for (let i = 0; i < 20; i++) {
    recs.push([OP_MALLOC, ++id, 16 + 24 * i, 0]);
    recs.push([OP_CALLOC, ++id, 2000 + 100 * i, 0]);
    recs.push([OP_REALLOC, ++id, 40 * i, id - 2]);
    if (i % 2 === 0) recs.push([OP_FREE, id - 1, 0, 0]);
  }
  const out = new Uint8Array(16 + recs.length * 16);
  const dv = new DataView(out.buffer);
  out.set([0x48, 0x4b, 0x54, 0x31]);
  dv.setUint32(4, recs.length, true);
  dv.setUint32(8, 1, true);
  dv.setUint32(12, id, true);
  recs.forEach(([op, b, size, old], i) => {
    out[16 + i * 16] = op;
    dv.setUint32(16 + i * 16 + 4, b, true);
    dv.setUint32(16 + i * 16 + 8, size, true);
    dv.setUint32(16 + i * 16 + 12, old, true);
  });
  return out;
}

interface SoakDoc {
  tool: string;
  workload: string;
  profile: string;
  machine: { cpu: string; cores: number; loadAverage: { start: number[]; end: number[] } };
  summary: {
    epochs: number;
    meanOpsPerSec: number;
    cv: number;
    latencyNs: { p50: number; p99: number };
    footprint: { firstMeanBytes: number; lastMeanBytes: number; driftPercent: number };
    rss: { firstMeanBytes: number; lastMeanBytes: number; driftPercent: number };
    growths: { total: number; afterWarmup: number; per1e8Ops: number | null };
    goals: { footprintDrift: boolean; rssDrift: boolean; growths: boolean | null };
  };
  problems: string[];
  epochs: Epoch[];
}

function finite(x: unknown, what: string): void {
  assert.ok(typeof x === "number" && Number.isFinite(x), `${what} is ${x}`);
}

describe("hakmem soak", () => {
  const trace = join(dir, "tiny.hkt");
  writeFileSync(trace, tinyTrace());
  const cases: [string, string[]][] = [
    ["random-mixed", []],
    ["larson", ["--workers", "2"]],
    ["replay", ["--trace", trace]],
  ];
  for (const [workload, extra] of cases) {
    it(`--seconds 3 --workload ${workload}: JSON, CSV and chart`, () => {
      const csv = join(dir, `${workload}.csv`);
      const out = join(dir, workload);
      const r = hakmem("soak", "--seconds", "3", "--workload", workload, ...extra, "--json", "--csv", csv, "--out", out);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as SoakDoc;
      assert.equal(doc.tool, "hakmem soak");
      assert.equal(doc.workload, workload);
      assert.equal(doc.profile, "balanced");
      assert.deepEqual(doc.problems, []);
      assert.equal(doc.machine.loadAverage.start.length, 3);
      const s = doc.summary;
      assert.ok(doc.epochs.length >= 2 && s.epochs === doc.epochs.length, `${doc.epochs.length} epochs`);
      let elapsed = 0;
      for (const e of doc.epochs) {
        for (const k of ["seconds", "ops", "opsPerSec", "footprintBytes", "rssBytes", "growths"] as const) finite(e[k], `epoch ${e.index} ${k}`);
        // Epochs end on a 1 s grid from the start: one that closed late makes the next shorter.
        elapsed += e.seconds;
        assert.ok(e.ops > 0 && e.seconds > 0 && elapsed >= e.index + 1 - 1e-6 && e.footprintBytes > 0 && e.rssBytes > e.footprintBytes, JSON.stringify(e));
      }
      for (const [k, x] of Object.entries({ mean: s.meanOpsPerSec, cv: s.cv, p50: s.latencyNs.p50, p99: s.latencyNs.p99 })) finite(x, k);
      assert.ok(s.latencyNs.p50 <= s.latencyNs.p99);
      for (const d of [s.footprint, s.rss]) for (const x of Object.values(d)) finite(x, "drift field");
      finite(s.growths.per1e8Ops, "growths per 1e8 ops");
      for (const g of Object.values(s.goals)) assert.equal(typeof g, "boolean");
      const lines = readFileSync(csv, "utf8").trimEnd().split("\n");
      assert.equal(lines[0], "epoch,seconds,ops,ops_per_sec,footprint_bytes,rss_bytes,growths");
      assert.equal(lines.length, doc.epochs.length + 1);
      assert.deepEqual(JSON.parse(readFileSync(join(out, "soak.json"), "utf8")), doc);
      const svg = readFileSync(join(out, "soak.svg"), "utf8");
      assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
      assert.equal((svg.match(/<polyline /g) ?? []).length, 3); // throughput; footprint and RSS
    });
  }

  it("prints a readable summary without --json", () => {
    const r = hakmem("soak", "--seconds", "2");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^hakmem soak: random-mixed, profile balanced\n/);
    for (const w of ["throughput", "latency", "footprint", "RSS", "growths"]) assert.match(r.stdout, new RegExp(`\\n  ${w} +\\S`));
  });

  it("rejects bad flags with exit code 2 and says why", () => {
    for (const args of [
      ["--frob"],
      ["--seconds", "0"],
      ["--minutes", "x"],
      ["--minutes", "1", "--seconds", "1"],
      ["--workload", "nope"],
      ["--profile", "quick"],
      ["--workers", "2"],
      ["--workload", "larson", "--workers", "0"],
      ["--workload", "larson", "--workers", "64"],
      ["--trace", trace],
      ["--workload", "replay", "--trace", join(dir, "missing.hkt")],
      ["stray"],
    ]) {
      const r = hakmem("soak", ...args);
      assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}, ${r.stderr}`);
      assert.match(r.stderr, /^hakmem soak: .+\nRun 'hakmem soak --help' for usage\./, args.join(" "));
      assert.equal(r.stdout, "");
    }
    const help = hakmem("soak", "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: hakmem soak/);
  });
});

describe("soak summary", () => {
  const epoch = (index: number, ops: number, footprintBytes: number, rssBytes: number, growths: number): Epoch => ({
    index,
    seconds: 1,
    ops,
    opsPerSec: ops,
    footprintBytes,
    rssBytes,
    growths,
  });

  it("drifts compare the means of the first and last 10% of epochs; growths count after the first 10%", () => {
    // 20 epochs: windows of 2. Footprint 100 → 100 (0%), RSS mean 1000 → 1030 (+3%).
    const epochs = Array.from({ length: 20 }, (_, i) => epoch(i, 1e8, 100, i < 2 ? 1000 : i >= 18 ? [1020, 1040][i - 18] : 1010, i < 2 ? 5 + i : 7 + (i >= 10 ? 1 : 0)));
    const s = summarize(epochs);
    assert.equal(s.windowEpochs, 2);
    assert.equal(s.footprint.driftPercent, 0);
    assert.ok(Math.abs(s.rss.driftPercent - 3) < 1e-9, `${s.rss.driftPercent}`);
    assert.deepEqual([s.rss.firstMaxBytes, s.rss.lastMaxBytes], [1000, 1040]);
    assert.equal(s.growths.total, 8);
    assert.equal(s.growths.afterWarmup, 2); // 6 at the end of epoch 1, 8 at the end
    assert.equal(s.growths.per1e8Ops, 2 / 18);
    assert.deepEqual(s.goals, { footprintDrift: true, rssDrift: false, growths: true });
    assert.equal(s.latencyNs.p50, 10);
    assert.equal(s.cv, 0);
  });

  it("a one-epoch run cannot tell growths after warm-up", () => {
    const s = summarize([epoch(0, 1000, 1, 2, 3)]);
    assert.equal(s.growths.per1e8Ops, null);
    assert.equal(s.goals.growths, null);
    assert.equal(s.footprint.driftPercent, 0);
  });
});
