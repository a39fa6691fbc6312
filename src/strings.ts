/**
 * Strings in the heap as NUL-terminated UTF-8: mallocString / readString. A binding on top of
 * the heap's public API (malloc, u8).
 *
 * TextEncoder.encodeInto and TextDecoder.decode work directly on the heap only when its buffer
 * is a plain fixed-length ArrayBuffer: Chrome's decode rejects views of a SharedArrayBuffer,
 * encodeInto into shared memory is not allowed everywhere, and Web IDL rejects views of
 * resizable buffers. Other heaps go through a non-shared scratch buffer. ASCII is written with
 * a loop, which needs neither.
 */
import { checkSize } from "./errors.ts";
import type { Heap } from "./heap.ts";

const encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the string, as mallocString wrote it.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const SCRATCH_MAX = 1 << 16;
let scratch = new Uint8Array(256);

/**
 * Copies `s` into a new block as UTF-8 followed by a 0 byte; returns the block's pointer, or 0
 * when out of memory. Lone surrogates become U+FFFD, as TextEncoder writes them.
 */
export function mallocString(heap: Heap, s: string): number {
  if (typeof s !== "string") throw new TypeError(`mallocString needs a string, got ${typeof s}`);
  const n = utf8Length(s);
  const p = heap.malloc(n + 1);
  if (p === 0) return 0;
  const u8 = heap.u8;
  if (n === s.length) {
    for (let i = 0; i < n; i++) u8[p + i] = s.charCodeAt(i);
  } else if (isPlain(u8.buffer)) {
    encoder.encodeInto(s, u8.subarray(p, p + n));
  } else {
    u8.set(encoded(s, n), p);
  }
  u8[p + n] = 0;
  return p;
}

/**
 * Decodes the UTF-8 at p: `byteLength` bytes, or up to the first 0 byte when no length is given.
 * Malformed UTF-8 becomes U+FFFD, as TextDecoder reads it.
 */
export function readString(heap: Heap, p: number, byteLength?: number): string {
  if (checkSize(p, "pointer") === 0) throw new RangeError("readString(0): 0 is the null pointer");
  const u8 = heap.u8;
  let n: number;
  if (byteLength === undefined) {
    n = u8.indexOf(0, p) - p;
    if (n < 0) throw new RangeError(`no 0 byte after offset ${p}: not a string in this heap`);
  } else {
    n = checkSize(byteLength, "byteLength");
    if (p + n > u8.length) throw new RangeError(`bytes ${p}…${p + n} lie beyond the heap's buffer (${u8.length} bytes)`);
  }
  if (isPlain(u8.buffer)) return decoder.decode(u8.subarray(p, p + n));
  if (n > SCRATCH_MAX) return decoder.decode(u8.slice(p, p + n)); // slice copies into a new plain ArrayBuffer
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  scratch.set(u8.subarray(p, p + n));
  return decoder.decode(scratch.subarray(0, n));
}

/** UTF-8 bytes TextEncoder writes for s (a lone surrogate: the 3 bytes of U+FFFD). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 4 bytes for 2 code units
      i++;
    } else n += 2;
  }
  return n;
}

/** The n bytes of s in UTF-8, in a non-shared array. */
function encoded(s: string, n: number): Uint8Array {
  if (n > SCRATCH_MAX) return encoder.encode(s);
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  encoder.encodeInto(s, scratch);
  return scratch.subarray(0, n);
}

function isPlain(buffer: ArrayBufferLike): boolean {
  return buffer instanceof ArrayBuffer && !buffer.resizable;
}
