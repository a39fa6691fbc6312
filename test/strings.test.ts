// The string helpers: the shared contract (test/shared/strings.ts, also run in Chromium)
// and a round-trip property over any UTF-16, lone surrogates and 0 characters included.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHeap } from "../src/index.ts";
import { STRING_CASES } from "./shared/strings.ts";
import { runShared } from "./support/shared-cases.ts";

describe("string helpers", () => {
  runShared(STRING_CASES);
});

describe("string helpers: round trip of any string", () => {
  const unit = fc.oneof(fc.constantFrom("\uD800", "\uDC00", "\uDBFF", "\uDFFF", "\0", "\uFEFF", "\u07FF", "\u0800", "\uFFFF"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }));
  const text = fc.oneof(fc.string({ unit, maxLength: 40 }), fc.string({ unit, minLength: 1, maxLength: 20 }).map((s) => s.repeat(Math.ceil(66_000 / s.length))) /* beyond the 64 KiB scratch buffer */);
  const encoder = new TextEncoder();
  for (const shared of [true, false]) {
    it(shared ? "growable SharedArrayBuffer" : "resizable ArrayBuffer", () => {
      const heap = createHeap({ shared });
      fc.assert(
        fc.property(text, (s) => {
          const p = heap.mallocString(s);
          const n = encoder.encode(s).length;
          const wellFormed = s.toWellFormed();
          assert.equal(heap.readString(p, n), wellFormed, "with the byte length");
          assert.equal(heap.readString(p), wellFormed.slice(0, wellFormed.indexOf("\0") >>> 0), "up to the first 0");
          heap.free(p);
        }),
        { numRuns: 300 },
      );
      assert.equal(heap.stats().liveBlocks, 0);
    });
  }
});
