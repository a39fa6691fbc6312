// Trace replay (issue 5): a synthetic HKT1 trace made here exercises every op type through every
// profile, single-threaded and with one worker per trace thread; malformed traces are reported
// with the record that breaks them; --verify catches a heap that corrupts, moves or misaligns
// blocks; and, when ../shared/traces exists (CI has it), every real trace replays verified,
// single-worker and with --threads, and ends with the trace's live counts.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { createHeap, type ProfileName } from "hakmem";
import { defaultTracesDir, formatReplayTable, type ReplayBenchResult, traceFiles } from "../bench/trace/bench.ts";
import { decodeHkt, HktDecoder, HktFormatError, OP_ALIGNED, OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, readHkt } from "../bench/trace/hkt.ts";
import { nativeDriver, runNative } from "../bench/trace/native.ts";
import { ReplayError, type ReplayHeap, replayVerified } from "../bench/trace/replay.ts";
import { runHakmem } from "../bench/trace/run.ts";
import { main as replayMain } from "../cli/replay.ts";
import { UsageError } from "../cli/usage.ts";

// ---------------------------------------------------------------------------------------------
// Making traces

interface Rec {
  op: number;
  thread?: number;
  align?: number;
  id: number;
  size?: number;
  oldId?: number;
}

function encode(records: readonly Rec[], threads: number, blocks = records.filter((r) => r.op !== OP_FREE).length, count = records.length): Uint8Array {
  const out = new Uint8Array(16 + records.length * 16);
  const dv = new DataView(out.buffer);
  out.set([0x48, 0x4b, 0x54, 0x31]);
  dv.setUint32(4, count, true);
  dv.setUint32(8, threads, true);
  dv.setUint32(12, blocks, true);
  records.forEach((r, i) => {
    const o = 16 + i * 16;
    out[o] = r.op;
    out[o + 1] = r.thread ?? 0;
    out[o + 2] = r.align ?? 0;
    dv.setUint32(o + 4, r.id, true);
    dv.setUint32(o + 8, r.size ?? 0, true);
    dv.setUint32(o + 12, r.oldId ?? 0, true);
  });
  return out;
}

/**
 * A random but valid trace: every op, sizes in every tier (0 B to 300 KiB), alignments up to
 * 1 MiB, reallocs that grow, shrink, cross tiers and go to 0 bytes, threads in stretches with
 * frees of other threads' blocks, and blocks left live at the end.
 */
function synth(seed: number, n: number, threads: number): Uint8Array {
  let x = seed;
  const rand = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const size = (): number => {
    const r = rand();
    if (r < 0.02) return 0;
    if (r < 0.7) return Math.floor(rand() * 257);
    if (r < 0.9) return 257 + Math.floor(rand() * 8000);
    if (r < 0.98) return 8193 + Math.floor(rand() * 57000);
    return 65537 + Math.floor(rand() * 240000);
  };
  const live: number[] = [];
  const recs: Rec[] = [];
  let id = 1;
  let thread = 0;
  for (let i = 0; i < n; i++) {
    if (rand() < 0.05) thread = Math.floor(rand() * threads);
    const r = rand();
    const pick = (): number => {
      const k = Math.floor(rand() * live.length);
      const b = live[k];
      live[k] = live[live.length - 1];
      live.pop();
      return b;
    };
    if (live.length > 8 && r < 0.42) {
      recs.push({ op: OP_FREE, thread, id: pick() });
      continue;
    }
    const kind = rand();
    if (live.length > 0 && kind < 0.15) recs.push({ op: OP_REALLOC, thread, id, size: rand() < 0.05 ? 0 : size(), oldId: pick() });
    else if (kind < 0.3) recs.push({ op: OP_CALLOC, thread, id, size: size() });
    else if (kind < 0.42) recs.push({ op: OP_ALIGNED, thread, id, size: size(), align: rand() < 0.05 ? 20 : Math.floor(rand() * 17) });
    else recs.push({ op: OP_MALLOC, thread, id, size: size() });
    live.push(id++);
  }
  return encode(recs, threads);
}

const dir = mkdtempSync(join(tmpdir(), "hakmem-replay-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeTrace(name: string, bytes: Uint8Array, gzip = true): string {
  const path = join(dir, `${name}.hkt${gzip ? ".gz" : ""}`);
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

/** Runs the replay command, returning its exit code and what it printed. */
async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  const log = console.log;
  let out = "";
  console.log = (...a: unknown[]) => void (out += `${a.join(" ")}\n`);
  try {
    return { code: await replayMain(argv), out };
  } finally {
    console.log = log;
  }
}

const PROFILES: readonly ProfileName[] = ["balanced", "fast", "lean", "safe"];
const single = synth(0x9e3779b9, 30_000, 1);
const multi = synth(12345, 30_000, 3);
const singlePath = writeTrace("synth-single", single);
const multiPath = writeTrace("synth-threads", multi, false);

// ---------------------------------------------------------------------------------------------

describe("HKT1 decoding", () => {
  it("the synthetic traces use every op, several threads and cross-thread frees", () => {
    for (const t of [decodeHkt(single), decodeHkt(multi)]) {
      for (let op = 1; op <= 5; op++) assert.ok(t.opCounts[op] > 100, `op ${op}: ${t.opCounts[op]} records`);
      assert.ok(t.liveAtEndBlocks > 0 && t.liveAtEndEmpty > 0);
    }
    const m = decodeHkt(multi);
    assert.equal(m.threadRecords.filter((n) => n > 0).length, 3);
    assert.ok(m.crossThreadFrees > 1000 && m.threadSwitches > 100, `${m.crossThreadFrees} cross-thread frees, ${m.threadSwitches} switches`);
  });

  it("decodes the same whatever the chunk boundaries", async () => {
    const whole = decodeHkt(multi);
    const d = new HktDecoder("chunks");
    for (let at = 0, k = 1; at < multi.length; at += k, k = (k % 37) + 1) d.push(multi.subarray(at, at + k));
    const chunked = d.finish();
    assert.deepEqual(chunked.records, whole.records);
    assert.equal(chunked.peakLiveBytes, whole.peakLiveBytes);
    const streamed = await readHkt(multiPath);
    assert.deepEqual(streamed.records, whole.records);
    assert.equal((await readHkt(singlePath)).liveAtEndBytes, decodeHkt(single).liveAtEndBytes);
  });

  const m = (id: number, size = 8, thread = 0): Rec => ({ op: OP_MALLOC, id, size, thread });
  const bad: [string, Uint8Array, RegExp][] = [
    ["bad magic", Uint8Array.from([0x48, 0x4b, 0x54, 0x32, ...encode([m(1)], 1).subarray(4)]), /bad magic: expected "HKT1" \(48 4b 54 31\), got 48 4b 54 32/],
    ["a short header", encode([m(1)], 1).subarray(0, 10), /truncated: 10 bytes, shorter than the 16-byte header/],
    ["a record cut short", encode([m(1), m(2), m(3)], 1).subarray(0, 16 + 2 * 16 + 5), /truncated: header says 3 records .* record 2 is cut short/],
    ["missing records", encode([m(1), m(2)], 1, 3, 5), /truncated: header says 5 records .* record 2 is missing/],
    ["bytes after the last record", Uint8Array.from([...encode([m(1)], 1), 0, 0]), /length mismatch: .* 2 bytes follow them/],
    ["a free of a freed block", encode([m(1), { op: OP_FREE, id: 1 }, { op: OP_FREE, id: 1 }], 1), /record 2: free of block 1, which is not live \(already freed\)/],
    ["a free of a block never made", encode([m(1), { op: OP_FREE, id: 7 }], 1, 1), /record 1: free of block 7, which is not live \(never created\)/],
    ["a realloc of a dead block", encode([m(1), { op: OP_FREE, id: 1 }, { op: OP_REALLOC, id: 2, size: 9, oldId: 1 }], 1), /record 2: realloc of block 1, which is not live \(already freed\)/],
    ["an unknown op", encode([m(1), { op: 9, id: 2 }], 1), /record 1: unknown op 9/],
    ["ids out of order", encode([m(1), m(3)], 1), /record 1: new block id 3, expected 2/],
    ["a thread beyond the header's count", encode([m(1), m(2, 8, 2)], 2), /record 1: thread 2, but the header says 2 threads/],
    ["an alignment beyond 2^30", encode([m(1), { op: OP_ALIGNED, id: 2, size: 8, align: 31 }], 1), /record 1: align_log2 31, more than 30/],
    ["a wrong block count", encode([m(1), m(2), { op: OP_FREE, id: 2 }], 1, 3), /header says 3 blocks, the records create 2/],
    ["more blocks than records", encode([m(1)], 1, 2), /header says 2 blocks in 1 records/],
  ];
  for (const [what, bytes, message] of bad) {
    it(`rejects ${what}, naming the problem`, async () => {
      assert.throws(() => decodeHkt(bytes, "bad"), (e: unknown) => e instanceof HktFormatError && message.test(e.message));
      const path = writeTrace(`bad-${what.replaceAll(" ", "-")}`, bytes);
      await assert.rejects(readHkt(path), (e: unknown) => e instanceof HktFormatError && message.test(e.message));
    });
  }

  it("rejects a cut-off gzip file, saying how far it got", async () => {
    const gz = gzipSync(single);
    const path = join(dir, "cut.hkt.gz");
    writeFileSync(path, gz.subarray(0, gz.length >> 1));
    await assert.rejects(readHkt(path), /cut: gzip data is corrupt or truncated \(.*\) after \d+ whole records/);
  });
});

describe("verified replay catches a misbehaving heap", () => {
  /** A real heap with one fault injected into one kind of call. */
  function faulty(fault: "realloc-no-copy" | "calloc-dirty" | "overlap" | "misaligned"): ReplayHeap {
    const h = createHeap({ maxBytes: 64 << 20 });
    let last = 0;
    return {
      malloc(n) {
        if (fault === "overlap" && last !== 0 && n > 0 && n <= 16) return last; // hands a live block out again
        last = h.malloc(n);
        return last;
      },
      free: (p) => h.free(p),
      realloc(p, n) {
        if (fault !== "realloc-no-copy" || p === 0 || n === 0) return h.realloc(p, n);
        const q = h.malloc(n);
        h.u8.fill(0, q, q + n); // moved without its contents
        h.free(p);
        return q;
      },
      calloc(c, n) {
        const p = h.calloc(c, n);
        if (fault === "calloc-dirty" && n > 20) h.u8[p + 20] = 1;
        return p;
      },
      alignedAlloc: (a, n) => (fault === "misaligned" && a >= 64 ? h.alignedAlloc(a, n + 16) + 16 : h.alignedAlloc(a, n)),
      get u8() {
        return h.u8;
      },
      get i32() {
        return h.i32;
      },
    };
  }

  const cases: [Parameters<typeof faulty>[0], Rec[], RegExp][] = [
    [
      "realloc-no-copy",
      [{ op: OP_MALLOC, id: 1, size: 40 }, { op: OP_REALLOC, id: 2, size: 5000, oldId: 1 }],
      /record 1 \(realloc of block 1 to 5000 bytes as block 2\): block 1 \(40 bytes .*, created by record 0\) is corrupt after realloc \(contents must be kept up to the smaller size\): byte 0 is 0, expected 1/,
    ],
    ["calloc-dirty", [{ op: OP_CALLOC, id: 1, size: 64 }], /record 0 \(calloc of 64 bytes as block 1\): calloc'd block at offset \d+: byte 20 is 1, expected 0/],
    [
      "overlap",
      [{ op: OP_MALLOC, id: 1, size: 16 }, { op: OP_MALLOC, id: 2, size: 16 }, { op: OP_FREE, id: 1 }],
      /record 2 \(free of block 1\): block 1 \(16 bytes at offset \d+, created by record 0\) is corrupt: byte 0 is 2, expected 1/,
    ],
    ["misaligned", [{ op: OP_ALIGNED, id: 1, size: 100, align: 8 }], /record 0 \(aligned of 100 bytes aligned to 256 as block 1\): offset \d+ is not a multiple of 256/],
  ];
  for (const [fault, recs, message] of cases) {
    it(`${fault}: stops with the record and the block`, () => {
      const t = decodeHkt(encode(recs, 1), "fault");
      const off = new Int32Array(t.blockCount + 1);
      assert.throws(
        () => replayVerified(faulty(fault), t, off, 0, t.recordCount),
        (e: unknown) => e instanceof ReplayError && message.test(e.message) && e.record === recs.length - 1 && e.blockId >= 1,
      );
    });
  }

  it("a heap error names the record (double free through the real heap)", () => {
    const t = decodeHkt(encode([{ op: OP_MALLOC, id: 1, size: 8 }, { op: OP_MALLOC, id: 2, size: 8 }, { op: OP_FREE, id: 2 }], 1), "df");
    const h = createHeap({ maxBytes: 64 << 20 });
    const off = new Int32Array(t.blockCount + 1);
    replayVerified(h, t, off, 0, 2);
    h.free(off[2]); // behind the replay's back: its record 2 is now a double free
    assert.throws(() => replayVerified(h, t, off, 2, 3), /df: record 2 \(free of block 2\): .*DOUBLE_FREE/);
  });
});

describe("replay of the synthetic traces", () => {
  for (const profile of PROFILES) {
    it(`${profile}: verified and timed, single worker, ends with the trace's live set`, async () => {
      const t = decodeHkt(single);
      for (const verify of [true, false]) {
        const r = await runHakmem(singlePath, { profile, verify, threads: false, runs: 2 });
        assert.equal(r.liveBlocks, t.liveAtEndBlocks - t.liveAtEndEmpty);
        // fast counts tiny and mid blocks at their usable size (src/fast.ts)
        if (profile === "fast") assert.ok(r.liveBytes >= t.liveAtEndBytes);
        else assert.equal(r.liveBytes, t.liveAtEndBytes);
        assert.equal(r.seconds.length, 2);
        assert.ok(r.peakFootprintBytes >= r.peakLiveBytes);
      }
    });
  }

  it("a record the heap cannot satisfy stops the replay, naming it; with --threads the waiting workers stop too", { timeout: 60_000 }, async () => {
    const recs: Rec[] = [
      { op: OP_MALLOC, id: 1, size: 8, thread: 0 },
      { op: OP_MALLOC, id: 2, size: 3_000_000_000, thread: 1 },
      { op: OP_FREE, id: 1, thread: 0 },
    ];
    const path = writeTrace("oom", encode(recs, 2));
    for (const threads of [false, true]) {
      await assert.rejects(
        runHakmem(path, { profile: "balanced", verify: true, threads, runs: 1 }),
        (e: unknown) => e instanceof ReplayError && e.record === 1 && e.blockId === 2 && /oom: record 1 \(malloc of 3000000000 bytes as block 2, thread 1\): the heap returned 0 \(out of memory\)/.test(e.message),
      );
    }
  });

  it("--threads: one worker per trace thread, cross-thread frees are remote frees, verified", { timeout: 60_000 }, async () => {
    const t = decodeHkt(multi);
    const r = await runHakmem(multiPath, { profile: "balanced", verify: true, threads: true, runs: 2 });
    assert.equal(r.mode, "threads, verified");
    assert.equal(r.liveBlocks, t.liveAtEndBlocks - t.liveAtEndEmpty);
    assert.equal(r.liveBytes, t.liveAtEndBytes);
  });
});

describe("hakmem replay (command line)", () => {
  it("compares hakmem profiles with the C library, each in its own process", { timeout: 120_000 }, async () => {
    const { code, out } = await cli([singlePath, "--vs", "native,hakmem:lean,tlsf", "--runs", "2", "--min-records", "0", "--json"]);
    const r = JSON.parse(out) as ReplayBenchResult;
    assert.equal(code, 0, out);
    assert.deepEqual(
      r.rows.map((row) => row.contender),
      ["hakmem:balanced", "native", "hakmem:lean", "tlsf"],
    );
    const [balanced, native, lean, tlsf] = r.rows;
    for (const h of [balanced, lean]) {
      assert.equal(h.status, "ok", h.reason);
      assert.equal(h.seconds?.length, 2);
      assert.ok(h.hakmem!.footprintRatio >= 1);
    }
    assert.equal(tlsf.status, "skipped");
    const driver = await nativeDriver();
    if ("path" in driver) {
      assert.equal(native.status, "ok", native.reason);
      assert.ok(balanced.vsNative! > 0);
    } else {
      assert.equal(native.status, "skipped");
      assert.match(native.reason ?? "", /C compiler|failed to compile/);
    }
  });

  it("--min-records: a short trace gets more runs, as many for hakmem as for the C replay", { timeout: 120_000 }, async () => {
    const records = decodeHkt(single).recordCount;
    const { code, out } = await cli([singlePath, "--vs", "native", "--runs", "2", "--min-records", String(4 * records + 1), "--json"]);
    const r = JSON.parse(out) as ReplayBenchResult;
    assert.equal(code, 0, out);
    assert.equal(r.minRecords, 4 * records + 1);
    assert.equal(r.rows[0].seconds?.length, 5, "hakmem: 5 runs replay more than 4 × the records");
    if (r.rows[1].status === "ok") assert.equal(r.rows[1].seconds?.length, 5, "native: the same 5 runs");
    assert.match(formatReplayTable(r), /fastest of 2 runs, or of as many as replay [\d,]+ records, per fresh process/);
    const few = JSON.parse((await cli([singlePath, "--runs", "2", "--min-records", String(records), "--json"])).out) as ReplayBenchResult;
    assert.equal(few.rows[0].seconds?.length, 2, "never fewer than --runs");
    await assert.rejects(replayMain([singlePath, "--min-records=-1"]), /min-?[rR]ecords must be a non-negative integer/);
  });

  it("the C replay compiled to wasm32-wasi, with dlmalloc and with hakmem through the imports", { timeout: 120_000 }, async () => {
    const { code, out } = await cli([singlePath, "--vs", "wasm-dlmalloc,wasm-hakmem", "--runs", "2", "--min-records", "0", "--json"]);
    const r = JSON.parse(out) as ReplayBenchResult;
    assert.equal(code, 0, out);
    assert.deepEqual(
      r.rows.map((row) => row.contender),
      ["hakmem:balanced", "wasm-dlmalloc", "wasm-hakmem:balanced"],
    );
    const [, dlmalloc, hakmem] = r.rows;
    for (const w of [dlmalloc, hakmem]) {
      assert.equal(w.status, "ok", w.reason);
      assert.equal(w.records, decodeHkt(single).recordCount);
      assert.equal(w.seconds?.length, 2);
      assert.ok(w.wasm!.peakHeapBytes > 0 && w.wasm!.memoryBytes > w.wasm!.peakHeapBytes);
    }
    assert.equal(dlmalloc.wasm!.malloc, "dlmalloc");
    assert.equal(hakmem.wasm!.malloc, "hakmem");
    assert.equal(dlmalloc.vsWasmDlmalloc, 1);
    assert.equal(dlmalloc.cpuVsWasmDlmalloc, 1);
    assert.ok(hakmem.vsWasmDlmalloc! > 0 && hakmem.cpuVsWasmDlmalloc! > 0);
    assert.equal(hakmem.cpuSeconds?.length, 2);
    assert.ok(r.notes.some((n) => /^wasm-hakmem:balanced \/ wasm-dlmalloc, geometric mean over 1 trace: \d+\.\d+× \(by thread CPU time: \d+\.\d+×\)$/.test(n)), r.notes.join("\n"));
    const verified = await cli([singlePath, "--vs", "wasm-hakmem:lean", "--verify"]);
    assert.equal(verified.code, 0, verified.out);
    assert.match(verified.out, /wasm-hakmem:lean .* skipped/);
    assert.match(verified.out, /skipped: wasm-hakmem:lean: timed mode only/);
  });

  it("--threads --verify on a directory, with a table", { timeout: 120_000 }, async () => {
    const sub = mkdtempSync(join(dir, "dir-"));
    writeFileSync(join(sub, "a.hkt.gz"), gzipSync(multi));
    writeFileSync(join(sub, "b.hkt"), single);
    writeFileSync(join(sub, "ignored.txt"), "not a trace");
    const { code, out } = await cli(["--traces", sub, "--threads", "--verify"]);
    assert.equal(code, 0, out);
    assert.match(out, /\ba\s+hakmem:balanced .* ok\n/);
    assert.match(out, /\bb\s+hakmem:balanced .* ok\n/);
    assert.match(out, /note: --threads is a correctness mode/);
  });

  it("a malformed trace fails with exit code 1, naming the record; the native row is skipped", { timeout: 60_000 }, async () => {
    const path = writeTrace("dead-realloc", encode([{ op: OP_MALLOC, id: 1, size: 8 }, { op: OP_FREE, id: 1 }, { op: OP_REALLOC, id: 2, size: 9, oldId: 1 }], 1));
    const { code, out } = await cli([path]);
    assert.equal(code, 1);
    assert.match(out, /FAILED hakmem:balanced: dead-realloc: record 2: realloc of block 1, which is not live/);
    assert.doesNotMatch(out, /FAILED native/);
  });

  it("usage errors", async () => {
    await assert.rejects(replayMain(["--bogus"]), UsageError);
    await assert.rejects(replayMain([singlePath, "--vs", "nonesuch"]), /unknown contender "nonesuch"/);
    await assert.rejects(replayMain([singlePath, "--profile", "turbo"]), /unknown hakmem profile "turbo"/);
    await assert.rejects(replayMain([singlePath, "--runs", "0"]), /--runs must be a positive integer/);
    await assert.rejects(replayMain([join(dir, "missing.hkt.gz")]), /no such file or directory/);
    await assert.rejects(replayMain([singlePath, "--verify", "--no-verify"]), /contradict/);
    const help = await cli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /usage: hakmem replay/);
  });

  it("the native driver reports a malformed trace instead of replaying it (or says why there is no driver)", async () => {
    const driver = await nativeDriver();
    if (!("path" in driver)) {
      assert.match(driver.skipped, /C compiler|failed to compile|missing/);
      return;
    }
    const path = writeTrace("native-bad", encode([{ op: OP_MALLOC, id: 1, size: 8 }, { op: OP_FREE, id: 1 }, { op: OP_FREE, id: 1 }], 1));
    await assert.rejects(runNative(driver.path, path, 1), /record 2: free of block 1, which is not live/);
    const ok = await runNative(driver.path, singlePath, 2);
    assert.equal(ok.seconds.length, 2);
    assert.equal((await runNative(driver.path, singlePath, 1, 3 * ok.records)).seconds.length, 3);
    assert.equal(ok.records, decodeHkt(single).recordCount);
  });
});

describe("the real-program traces (../shared/traces)", () => {
  const shared = defaultTracesDir();
  if (shared === undefined) {
    it("are not here: skipped (CI has them)", (t) => t.skip("../shared/traces does not exist"));
    return;
  }
  for (const file of traceFiles(shared).filter((f) => existsSync(f))) {
    it(`${file.replace(/.*\//, "")}: verified, single worker and --threads, ends with the trace's live set`, { timeout: 120_000 }, async () => {
      const t = await readHkt(file);
      for (const threads of [false, true]) {
        const r = await runHakmem(file, { profile: "balanced", verify: true, threads, runs: 1 });
        assert.equal(r.liveBlocks, t.liveAtEndBlocks - t.liveAtEndEmpty);
        assert.equal(r.liveBytes, t.liveAtEndBytes);
        assert.equal(r.mode, threads ? "threads, verified" : "verified");
      }
    });
  }
});
