// The allocation recorder (bench/trace/record/): hkrec.c interposed on a real program gives a
// log that compact.ts turns into a trace the replay accepts and verifies; the small-heap traces
// recorded with it (bench/trace/small/) replay verified, every block checked.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeHkt, OP_FREE, OP_MALLOC, OP_REALLOC, R_ID, R_OLD_ID, R_SIZE } from "../bench/trace/hkt.ts";
import { compact, RAW_BYTES } from "../bench/trace/record/compact.ts";
import { runHakmem } from "../bench/trace/run.ts";

const dir = mkdtempSync(join(tmpdir(), "hkrec-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function raw(records: [op: number, ptr: number, size: number, old?: number][]): Uint8Array {
  const b = Buffer.alloc(records.length * RAW_BYTES);
  records.forEach(([op, ptr, size, old], i) => {
    b[i * RAW_BYTES] = op;
    b.writeBigUInt64LE(BigInt(ptr), i * RAW_BYTES + 8);
    b.writeBigUInt64LE(BigInt(size), i * RAW_BYTES + 16);
    b.writeBigUInt64LE(BigInt(old ?? 0), i * RAW_BYTES + 24);
  });
  return b;
}

describe("compact", () => {
  it("numbers blocks in order of creation, follows reallocs and reused addresses, drops unknown frees", () => {
    const c = compact(raw([[1, 0x1000, 10], [1, 0x2000, 20], [2, 0x1000, 0], [1, 0x1000, 30], [3, 0x3000, 40, 0x2000], [2, 0x9000, 0]]));
    assert.deepEqual([c.records, c.blocks, c.liveAtEnd, c.dropped], [5, 4, 2, 1]);
    const t = decodeHkt(c.hkt);
    const rec = (i: number) => [t.records[i * 4] & 255, t.records[i * 4 + R_ID], t.records[i * 4 + R_SIZE], t.records[i * 4 + R_OLD_ID]];
    assert.deepEqual(rec(2), [OP_FREE, 1, 0, 0]);
    assert.deepEqual(rec(3), [OP_MALLOC, 3, 30, 0], "a reused address is a new block");
    assert.deepEqual(rec(4), [OP_REALLOC, 4, 40, 2]);
  });
});

describe("hkrec.c", () => {
  it("records a real program that the replay verifies", (t) => {
    const so = join(dir, "hkrec.so");
    const src = fileURLToPath(new URL("../bench/trace/record/hkrec.c", import.meta.url));
    const cc = spawnSync("cc", ["-O2", "-Wall", "-Werror", "-shared", "-fPIC", "-o", so, src, "-ldl", "-lpthread"], { encoding: "utf8" });
    if (cc.error !== undefined) return t.skip("no C compiler");
    assert.equal(cc.status, 0, cc.stderr);
    execFileSync("sort", ["-r", fileURLToPath(new URL("../package.json", import.meta.url))], { env: { ...process.env, LD_PRELOAD: so, HKREC_OUT: join(dir, "sort") }, stdio: "ignore" });
    const logs = readdirSync(dir).filter((f) => f.startsWith("sort.sort."));
    assert.equal(logs.length, 1, `one log for the one process, named after it: ${readdirSync(dir).join(", ")}`);
    const c = compact(readFileSync(join(dir, logs[0])));
    assert.ok(c.records > 10 && c.dropped === 0, `${c.records} records, ${c.dropped} dropped`);
  });
});

describe("small-heap traces", () => {
  const small = fileURLToPath(new URL("../bench/trace/small/", import.meta.url));
  for (const f of readdirSync(small).filter((n) => n.endsWith(".hkt.gz"))) {
    it(`${f} replays verified`, async () => {
      const r = await runHakmem(join(small, f), { profile: "balanced", verify: true, threads: false, runs: 1 });
      assert.ok(r.peakLiveBytes > 500_000 && r.peakLiveBytes < 8 << 20, `a small heap: ${r.peakLiveBytes} bytes peak live`);
      assert.equal(r.liveBlocks, r.liveAtEndBlocks); // runHakmem also checks every live block's bytes
    });
  }
});
