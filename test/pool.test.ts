import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHeap } from "../src/index.ts";
import { FIRST_SPAN_PAGE, H_BIN_HEADS, H_TOP, M_NPAGES, M_SPAN, M_TAG, T_FREE, T_FREE_TAIL, T_META, T_NONE } from "../src/layout.ts";
import { allocSpan, binOf, freeSpan, metaOfPage } from "../src/pool.ts";

function freeSpans(i32: Int32Array): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (let b = 0; b < 128; b++) {
    for (let m = i32[H_BIN_HEADS + b]; m !== 0; m = i32[m + 9]) spans.push([i32[m + 14], i32[m + M_NPAGES]]);
  }
  return spans.sort((a, b) => a[0] - b[0]);
}

function countMeta(i32: Int32Array): number {
  let n = 0;
  for (let page = FIRST_SPAN_PAGE; page < i32[H_TOP]; page++) if (i32[metaOfPage(i32, page) + M_TAG] === T_META) n++;
  return n;
}

describe("shared pool (page spans)", () => {
  it("bins are monotonic and exact up to 64 pages", () => {
    for (let n = 1; n <= 64; n++) assert.equal(binOf(n), n - 1);
    for (let n = 2; n <= 1 << 17; n++) assert.ok(binOf(n) >= binOf(n - 1));
    assert.ok(binOf(1 << 17) < 128);
  });

  it("takes pages at the break and lowers the break when the top span is freed", () => {
    const h = createHeap({ maxBytes: 64 << 20, profile: "lean" });
    const top0 = h.m32[H_TOP];
    const a = allocSpan(h, 3);
    assert.equal(a, top0);
    const b = allocSpan(h, 5);
    assert.equal(b, top0 + 3);
    freeSpan(h, b, 5);
    assert.equal(h.m32[H_TOP], top0 + 3);
    freeSpan(h, a, 3);
    assert.equal(h.m32[H_TOP], top0);
    assert.deepEqual(freeSpans(h.m32), []);
  });

  it("coalesces free neighbours on both sides and reuses the low part of a span", () => {
    const h = createHeap({ maxBytes: 64 << 20, profile: "lean" });
    const s = [2, 3, 4, 1].map((n) => allocSpan(h, n));
    const guard = allocSpan(h, 1);
    freeSpan(h, s[0], 2);
    freeSpan(h, s[2], 4);
    assert.deepEqual(freeSpans(h.m32), [[s[0], 2], [s[2], 4]]);
    freeSpan(h, s[1], 3); // merges left and right
    assert.deepEqual(freeSpans(h.m32), [[s[0], 9]]);
    const i32 = h.m32;
    const head = metaOfPage(i32, s[0]);
    assert.equal(i32[head + M_TAG], T_FREE);
    const tail = metaOfPage(i32, s[0] + 8);
    assert.equal(i32[tail + M_TAG], T_FREE_TAIL);
    assert.equal(i32[tail + M_SPAN], head);
    for (let p = s[0] + 1; p < s[0] + 8; p++) assert.equal(i32[metaOfPage(i32, p) + M_TAG], T_NONE);
    const again = allocSpan(h, 4);
    assert.equal(again, s[0], "lowest part of the span is reused");
    assert.deepEqual(freeSpans(h.m32), [[s[0] + 4, 5]]);
    freeSpan(h, again, 4);
    freeSpan(h, s[3], 1);
    assert.deepEqual(freeSpans(h.m32), [[s[0], 10]]);
    freeSpan(h, guard, 1);
    assert.equal(h.m32[H_TOP], FIRST_SPAN_PAGE, "everything merged back into the break");
  });

  it("creates segment metadata as the break crosses segments and stops at maxBytes", () => {
    const h = createHeap({ maxBytes: 8 << 20, initialBytes: 1 << 20, profile: "lean" });
    const spans: number[] = [];
    for (;;) {
      const p = allocSpan(h, 7);
      if (p < 0) break;
      spans.push(p);
    }
    assert.ok(h.m32[H_TOP] * 16384 <= 8 << 20);
    assert.ok(spans.length >= 60, `${spans.length} spans of 7 pages in 8 MiB`);
    for (const p of spans.reverse()) freeSpan(h, p, 7);
    // Segment metas live in META pages taken at the break; the break falls back to just above the highest.
    let highestMeta = 0;
    for (let page = 0; page < h.m32[H_TOP]; page++) if (h.m32[metaOfPage(h.m32, page) + M_TAG] === T_META) highestMeta = page;
    assert.ok(highestMeta > FIRST_SPAN_PAGE, "8 segments need more than the first META page");
    assert.equal(h.m32[H_TOP], highestMeta + 1);
    assert.deepEqual(freeSpans(h.m32).map(([, n]) => n).reduce((a, b) => a + b, 0), highestMeta + 1 - FIRST_SPAN_PAGE - countMeta(h.m32));
  });
});
