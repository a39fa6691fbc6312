import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PAGE_SIZE, TINY_MAX_SLACK } from "../src/layout.ts";
import {
  CACHE_STRIDE,
  CLASS_COUNT,
  MID_MAX,
  TINY_CLASSES,
  TINY_MAX,
  alignedClassOf,
  classCacheCap,
  classCapacity,
  classPages,
  classRecip,
  classSize,
  classStateOffset,
  classLender,
  LEND_MAX,
  sizeClassOf,
} from "../src/sizeclass.ts";

/** The largest power of two dividing n. */
const pow2Factor = (n: number) => n & -n;

describe("size classes", () => {
  it("are increasing multiples of 16 ending at the tiny and mid limits", () => {
    for (let c = 0; c < CLASS_COUNT; c++) {
      assert.equal(classSize[c] % 16, 0);
      if (c > 0) assert.ok(classSize[c] > classSize[c - 1]);
    }
    assert.equal(classSize[TINY_CLASSES - 1], TINY_MAX);
    assert.equal(classSize[CLASS_COUNT - 1], MID_MAX);
  });

  it("are spaced at most 25 % apart above 128 bytes (bounded internal waste)", () => {
    for (let c = 1; c < CLASS_COUNT; c++) {
      if (classSize[c - 1] < 128) continue;
      assert.ok(classSize[c] / classSize[c - 1] <= 1.25, `class ${c}: ${classSize[c - 1]} → ${classSize[c]}`);
    }
  });

  it("map every size to the smallest class that holds it", () => {
    for (let n = 0; n <= MID_MAX; n++) {
      const c = sizeClassOf(n);
      assert.ok(classSize[c] >= n);
      if (c > 0 && classSize[c - 1] >= n) assert.fail(`size ${n} should use class ${c - 1}`);
      if (c < TINY_CLASSES) assert.ok(classSize[c] - n <= TINY_MAX_SLACK, `slack of ${n} must fit a state byte`);
    }
  });

  it("slabs fit their blocks and state bytes in their pages", () => {
    for (let c = 0; c < CLASS_COUNT; c++) {
      const bytes = classPages[c] * PAGE_SIZE;
      assert.ok(classCapacity[c] >= 1);
      const stateBytes = c < TINY_CLASSES ? classCapacity[c] : 0;
      assert.ok(classCapacity[c] * classSize[c] + stateBytes <= bytes, `class ${c}`);
      if (c < TINY_CLASSES) assert.equal(classStateOffset[c], classCapacity[c] * classSize[c]);
      else assert.ok(PAGE_SIZE / classSize[c] <= 16, "mid blocks need distinct state slots per page");
      // tail waste stays small
      assert.ok((bytes - classCapacity[c] * classSize[c] - stateBytes) / bytes < 0.1, `class ${c} waste`);
      assert.ok(classCacheCap[c] >= 2 && classCacheCap[c] <= CACHE_STRIDE);
    }
  });

  it("the reciprocal gives the exact block index for every granule of every slab", () => {
    for (let c = 0; c < CLASS_COUNT; c++) {
      const size = classSize[c];
      const end = classPages[c] * PAGE_SIZE;
      for (let d = 0; d < end; d += 16) {
        assert.equal((d * classRecip[c]) | 0, Math.floor(d / size), `class ${c} (size ${size}) offset ${d}`);
      }
    }
  });

  it("alignedClassOf picks a class whose size is a multiple of the alignment", () => {
    for (const align of [32, 64, 128, 256, 512, 1024, 4096, 16384]) {
      for (const n of [1, 17, 100, 1000, 5000, 16384]) {
        const c = alignedClassOf(n, align);
        if (c < 0) continue;
        assert.equal(classSize[c] % align, 0);
        assert.ok(classSize[c] >= n);
      }
    }
    assert.equal(alignedClassOf(100, 65536), -1, "beyond a page: large tier");
    assert.equal(alignedClassOf(MID_MAX + 1, 32), -1);
  });

  it("lenders: the next mid class up to LEND_MAX, with at least the borrower's alignment", () => {
    let lent = 0;
    for (let c = 0; c < CLASS_COUNT; c++) {
      const l = classLender[c];
      if (l === c) continue;
      lent++;
      assert.ok(c >= TINY_CLASSES, `class ${c}: tiny blocks record their slack against their cache's class`);
      assert.equal(l, c + 1);
      assert.equal(classLender[l], l, "a lender borrows from nobody");
      assert.ok(classSize[l] <= LEND_MAX);
      assert.ok(pow2Factor(classSize[l]) >= pow2Factor(classSize[c]), `class ${c} (${classSize[c]}) from ${l} (${classSize[l]})`);
    }
    assert.equal(lent, 12);
  });
});
