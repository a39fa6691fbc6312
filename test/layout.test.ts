import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as L from "../src/layout.ts";
import { CLASS_COUNT } from "../src/sizeclass.ts";

describe("layout", () => {
  it("header words do not overlap and fit before the directory", () => {
    const fields = Object.entries(L).filter(([k, v]) => k.startsWith("H_") && typeof v === "number") as [string, number][];
    const used = new Map<number, string>();
    const claim = (from: number, n: number, name: string) => {
      for (let w = from; w < from + n; w++) {
        assert.ok(!used.has(w), `${name} overlaps ${used.get(w)} at word ${w}`);
        used.set(w, name);
      }
    };
    for (const [name, word] of fields) {
      if (name === "H_BIN_MASK") claim(word, L.BIN_MASK_WORDS, name);
      else if (name === "H_BIN_HEADS") claim(word, L.FREE_BINS, name);
      else if (name === "H_BIGCACHE") claim(word, L.BIGCACHE_SLOTS, name);
      else if (name === "H_WORKERS") claim(word, L.WORKER_SLOTS * L.WORKER_WORDS, name);
      else if (name === "H_ABANDONED") claim(word, CLASS_COUNT, name);
      else claim(word, 1, name);
    }
    assert.ok(Math.max(...used.keys()) < L.HEADER_BYTES / 4);
  });

  it("the directory covers the 2 GiB ceiling inside page 0", () => {
    assert.equal(L.MAX_HEAP_BYTES / L.SEGMENT_SIZE, L.MAX_SEGMENTS);
    assert.ok(L.DIR_OFFSET + L.MAX_SEGMENTS * 4 <= L.PAGE_SIZE);
    assert.ok(L.FIRST_META_PAGE >= 1 && L.FIRST_SPAN_PAGE === L.FIRST_META_PAGE + 1);
  });

  it("page metadata: named words fit, mid state slots cover a page of the smallest mid class", () => {
    const words = Object.entries(L).filter(([k]) => k.startsWith("M_") && k !== "M_MID_STATE").map(([, v]) => v as number);
    assert.ok(Math.max(...words) < L.M_MID_STATE, "fields before the mid state slots");
    assert.ok(L.M_MID_STATE + (L.PAGE_SIZE >> L.MID_SLOT_SHIFT) <= L.META_WORDS);
    assert.equal(L.SEGMENT_META_BYTES, L.SEGMENT_PAGES * L.META_BYTES);
    assert.equal(L.PAGE_SIZE % L.SEGMENT_META_BYTES, 0, "META pages hold whole segment metas");
  });

  it("slab tags start above every other tag", () => {
    const tags = Object.entries(L).filter(([k]) => k.startsWith("T_") && k !== "T_SLAB").map(([, v]) => v as number);
    assert.ok(Math.max(...tags) < L.T_SLAB);
    assert.ok(L.TINY_MAX_SLACK < L.TINY_FREE && L.TINY_FREE < L.TINY_NEVER && L.TINY_NEVER <= 0xff);
  });
});
