// The string helpers' contract (mallocString, readString) on every kind of memory and every
// profile: run by test/strings.test.ts in Node and by test/browser.test.ts in Chromium, whose
// TextDecoder and TextEncoder.encodeInto refuse views of shared and of resizable buffers.
import { eachKind, expectThrow, snapshot } from "./heap-kinds.ts";
import { type Case, PROFILES } from "./harness.ts";

const MiB = 1 << 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** ASCII, 2-, 3- and 4-byte characters, a BOM, lone surrogates, long strings on both sides of the scratch buffer's size. */
export const SAMPLE_STRINGS: readonly string[] = [
  "",
  "a",
  "hello, world",
  "héllo wörld",
  "日本語のテキスト",
  "emoji 😀🎉 and 𝄞",
  "\uFEFFstarts with a byte order mark",
  "lone \uD800 high, lone \uDC00 low, reversed \uDC00\uD800, at the end \uD83D",
  "x".repeat(70_000),
  "ü".repeat(40_000),
  "€😀".repeat(20_000),
];

export const STRING_CASES: readonly Case[] = [
  {
    name: "mallocString writes TextEncoder's UTF-8 and a 0 byte; readString reads it back",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert } = t;
        for (const s of SAMPLE_STRINGS) {
          const what = JSON.stringify(s.slice(0, 40));
          const bytes = encoder.encode(s);
          const p = heap.mallocString(s);
          assert.ok(p > 0 && p % 16 === 0, `${what}: a block`);
          assert.ok(heap.usableSize(p) >= bytes.length + 1, `${what}: the block holds the bytes and the 0`);
          const u8 = heap.u8;
          assert.ok(bytes.every((b, i) => u8[p + i] === b), `${what}: the bytes are TextEncoder's`);
          assert.equal(u8[p + bytes.length], 0, `${what}: NUL-terminated`);
          const expected = s.toWellFormed();
          assert.equal(heap.readString(p), expected, `${what}: readString(p)`);
          assert.equal(heap.readString(p, bytes.length), expected, `${what}: readString(p, byteLength)`);
          heap.free(p);
        }
        assert.equal(heap.stats().liveBlocks, 0, "every block freed");
      }),
  },
  {
    name: "readString stops at the first 0 byte unless given a length",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert } = t;
        const p = heap.mallocString("before\0after");
        assert.equal(heap.readString(p), "before");
        assert.equal(heap.readString(p, 12), "before\0after");
        assert.equal(heap.readString(p + 7), "after", "a string inside a block");
        assert.equal(heap.readString(p + 2, 3), "for", "a slice");
        assert.equal(heap.readString(p, 0), "");
        heap.free(p);
      }),
  },
  {
    name: "readString decodes malformed UTF-8 as TextDecoder does",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert } = t;
        const samples = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0x61, 0x80, 0x62], [0xef, 0xbb, 0xbf, 0x41]];
        for (const bytes of samples) {
          const p = heap.malloc(bytes.length + 1);
          heap.u8.set(bytes, p);
          heap.u8[p + bytes.length] = 0;
          const expected = decoder.decode(new Uint8Array(bytes));
          assert.equal(heap.readString(p), expected, `bytes ${bytes.join(",")}`);
          assert.equal(heap.readString(p, bytes.length), expected, `bytes ${bytes.join(",")} with a length`);
          heap.free(p);
        }
      }),
  },
  {
    name: "strings across growth of the heap",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert } = t;
        const p = heap.mallocString("written before growth ✓");
        const growths = heap.stats().growths;
        const big = heap.malloc(3 * MiB);
        assert.ok(heap.stats().growths > growths, "the heap grew");
        const q = heap.mallocString("written after growth ✓");
        assert.equal(heap.readString(p), "written before growth ✓");
        assert.equal(heap.readString(q), "written after growth ✓");
        heap.free(p);
        heap.free(q);
        heap.free(big);
      }),
  },
  {
    name: "mallocString out of memory: 0, nothing allocated",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (_, kind) => {
        const { assert } = t;
        const heap = kind.make(4 * MiB);
        const before = heap.stats().liveBlocks;
        assert.equal(heap.mallocString("é".repeat(3 * MiB)), 0, "6 MiB of UTF-8 in a 4 MiB heap");
        assert.equal(heap.stats().liveBlocks, before, "nothing allocated");
      }),
  },
  {
    name: "string helpers' bad arguments: TypeError / RangeError, the heap unchanged",
    profiles: PROFILES,
    run: (t) =>
      eachKind(t, (heap) => {
        const { assert } = t;
        const p = heap.mallocString("abc");
        const before = snapshot(heap);
        for (const s of [undefined, null, 1, 1n, {}, ["a"], new String("a"), Symbol("a")]) {
          expectThrow(assert, () => heap.mallocString(s as never), TypeError, `mallocString(${typeof s})`);
        }
        const end = heap.buffer.byteLength;
        for (const bad of ["16", null, undefined, 16n, {}]) {
          expectThrow(assert, () => heap.readString(bad as never), TypeError, `readString(${String(bad)})`);
          if (bad !== undefined) expectThrow(assert, () => heap.readString(p, bad as never), TypeError, `readString(p, ${String(bad)})`);
        }
        for (const bad of [-1, 1.5, NaN, Infinity, 0, end, end + 16]) {
          expectThrow(assert, () => heap.readString(bad), RangeError, `readString(${bad})`);
        }
        for (const bad of [-1, 1.5, NaN, Infinity, end]) {
          expectThrow(assert, () => heap.readString(p, bad), RangeError, `readString(p, ${bad})`);
        }
        expectThrow(assert, () => heap.readString(end - 4, 8), RangeError, "readString past the end of the buffer");
        assert.equal(snapshot(heap), before, "the heap unchanged");
        assert.equal(heap.readString(p), "abc");
        heap.free(p);
      }),
  },
];
