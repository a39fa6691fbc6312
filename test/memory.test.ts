import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bufferOf, ceilingOf, createBacking, fillBytes, growBacking, zeroBlock, zeroBytes } from "../src/memory.ts";

describe("memory (growth)", () => {
  it("grows each kind of memory by at least a quarter, up to its ceiling", () => {
    const kinds = [
      createBacking(1 << 20, 64 << 20, true),
      createBacking(1 << 20, 64 << 20, false),
      new WebAssembly.Memory({ initial: 16, maximum: 1024, shared: true }),
      new WebAssembly.Memory({ initial: 16, maximum: 1024 }),
    ];
    for (const m of kinds) {
      const ceiling = ceilingOf(m, 64 << 20);
      assert.equal(ceiling, 64 << 20);
      assert.ok(growBacking(m, (1 << 20) + 1, ceiling));
      assert.ok(bufferOf(m).byteLength >= (1 << 20) * 1.25);
      assert.ok(growBacking(m, 64 << 20, ceiling));
      assert.equal(bufferOf(m).byteLength, 64 << 20);
      assert.equal(growBacking(m, (64 << 20) + 1, ceiling), false);
    }
  });

  it("a memory whose declared maximum is lower than asked grows to what it can, then refuses", () => {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 40 }); // 2.5 MiB
    const ceiling = ceilingOf(m, 64 << 20);
    assert.ok(growBacking(m, 2 << 20, ceiling), "exactly what is needed when the generous step fails");
    assert.equal(growBacking(m, 3 << 20, ceiling), false);
  });

  it("a fixed-size buffer never grows", () => {
    const ab = new ArrayBuffer(1 << 20);
    assert.equal(ceilingOf(ab, 64 << 20), 1 << 20);
    assert.equal(growBacking(ab, 2 << 20, 1 << 20), false);
  });

  it("zeroBytes and fillBytes write exactly their range, in shared and plain memory", () => {
    for (const buf of [new SharedArrayBuffer(1 << 18), new ArrayBuffer(1 << 18)]) {
      const u8 = new Uint8Array(buf);
      for (const [at, n] of [[0, 1], [3, 64], [100, 65], [1000, 5000], [7, 150_000]]) {
        u8.fill(9);
        zeroBytes(u8, at, n);
        assert.equal(u8[at - 1] ?? 9, 9);
        assert.ok(u8.subarray(at, at + n).every((b) => b === 0));
        assert.equal(u8[at + n], 9);
        fillBytes(u8, 0xab, at, n);
        assert.ok(u8.subarray(at, at + n).every((b) => b === 0xab));
        assert.equal(u8[at + n], 9);
      }
    }
  });

  it("zeroBlock writes exactly its range, eight bytes a store and then bytes", () => {
    const buf = new SharedArrayBuffer(1 << 16);
    const u8 = new Uint8Array(buf);
    const f64 = new Float64Array(buf);
    for (let n = 0; n <= 600; n++) {
      u8.fill(9);
      zeroBlock(u8, f64, 1024, n);
      assert.equal(u8[1023], 9);
      assert.ok(u8.subarray(1024, 1024 + n).every((b) => b === 0), `n = ${n}`);
      assert.equal(u8[1024 + n], 9, `n = ${n}: the byte after the block (the safe profile's canary) is kept`);
    }
  });
});
