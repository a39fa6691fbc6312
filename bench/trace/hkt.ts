// HKT1 trace decoder (format: /work/shared/traces/README.md).
// gzip, little endian. Header 16 B: "HKT1", u32 record_count, u32 thread_count, u32 block_count.
// Records 16 B: u8 op, u8 thread, u8 align_log2, u8 0, u32 id, u32 size, u32 old_id.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";

export const OP_MALLOC = 1;
export const OP_FREE = 2;
export const OP_REALLOC = 3;
export const OP_CALLOC = 4;
export const OP_ALIGNED = 5;

export const HEADER_BYTES = 16;
export const RECORD_BYTES = 16;

export interface HktTrace {
  readonly name: string;
  readonly recordCount: number;
  readonly threadCount: number;
  readonly blockCount: number;
  readonly op: Uint8Array;
  readonly thread: Uint8Array;
  readonly alignLog2: Uint8Array;
  readonly id: Uint32Array;
  readonly size: Uint32Array;
  readonly oldId: Uint32Array;
  /** Counts per op code (index 1..5). */
  readonly opCounts: Uint32Array;
  /** Largest sum of requested bytes of live blocks at any point (after each record). */
  readonly peakLiveBytes: number;
  readonly peakLiveBlocks: number;
  /** Blocks never freed (still live after the last record) and their requested bytes. */
  readonly liveAtEndBlocks: number;
  readonly liveAtEndBytes: number;
}

export class HktFormatError extends Error {
  constructor(name: string, problem: string) {
    super(`${name}: ${problem}`);
    this.name = "HktFormatError";
  }
}

/** Reads and decodes a .hkt.gz (or an uncompressed .hkt) file. */
export function readHkt(path: string): HktTrace {
  const raw = readFileSync(path);
  const name = basename(path).replace(/\.hkt(\.gz)?$/, "");
  let data: Uint8Array = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      data = gunzipSync(raw, { maxOutputLength: 2 ** 31 - 1 });
    } catch (e) {
      throw new HktFormatError(name, `gzip stream is corrupt or truncated (${(e as Error).message})`);
    }
  }
  return decodeHkt(data, name);
}

/**
 * Decodes an uncompressed HKT1 image. Throws HktFormatError on a bad magic, a truncated or
 * over-long file, or (with `validate`, the default) a record that breaks the format's rules: an
 * unknown op, a thread index out of range, ids not assigned in order, a free/realloc of a block
 * that is not live.
 */
export function decodeHkt(data: Uint8Array, name = "trace", validate = true): HktTrace {
  if (data.length < HEADER_BYTES) {
    throw new HktFormatError(name, `truncated: ${data.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data[0] !== 0x48 || data[1] !== 0x4b || data[2] !== 0x54 || data[3] !== 0x31) {
    const got = Array.from(data.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new HktFormatError(name, `bad magic: expected "HKT1" (48 4b 54 31), got ${got}`);
  }
  const recordCount = dv.getUint32(4, true);
  const threadCount = dv.getUint32(8, true);
  const blockCount = dv.getUint32(12, true);
  const expected = HEADER_BYTES + recordCount * RECORD_BYTES;
  if (data.length < expected) {
    const whole = Math.floor((data.length - HEADER_BYTES) / RECORD_BYTES);
    throw new HktFormatError(
      name,
      `truncated: header says ${recordCount} records (${expected} bytes), file has ${data.length} bytes (${whole} whole records)`,
    );
  }
  if (data.length > expected) {
    throw new HktFormatError(name, `length mismatch: header says ${recordCount} records (${expected} bytes), file has ${data.length} bytes`);
  }

  const op = new Uint8Array(recordCount);
  const thread = new Uint8Array(recordCount);
  const alignLog2 = new Uint8Array(recordCount);
  const id = new Uint32Array(recordCount);
  const size = new Uint32Array(recordCount);
  const oldId = new Uint32Array(recordCount);
  for (let i = 0, o = HEADER_BYTES; i < recordCount; i++, o += RECORD_BYTES) {
    op[i] = data[o];
    thread[i] = data[o + 1];
    alignLog2[i] = data[o + 2];
    id[i] = dv.getUint32(o + 4, true);
    size[i] = dv.getUint32(o + 8, true);
    oldId[i] = dv.getUint32(o + 12, true);
  }

  // Live-set accounting (and, optionally, validation).
  const opCounts = new Uint32Array(6);
  const blockSize = new Float64Array(blockCount + 1); // requested bytes of each block
  const live = new Uint8Array(blockCount + 1);
  let nextId = 1;
  let liveBytes = 0;
  let liveBlocks = 0;
  let peakLiveBytes = 0;
  let peakLiveBlocks = 0;
  const bad = (i: number, problem: string): never => {
    throw new HktFormatError(name, `record ${i}: ${problem}`);
  };
  for (let i = 0; i < recordCount; i++) {
    const k = op[i];
    const b = id[i];
    if (k < 1 || k > 5) bad(i, `unknown op ${k}`);
    opCounts[k]++;
    if (validate && thread[i] >= threadCount) bad(i, `thread ${thread[i]} >= thread_count ${threadCount}`);
    if (k === OP_FREE) {
      if (b < 1 || b > blockCount || live[b] === 0) bad(i, `free of block ${b}, which is not live`);
      live[b] = 0;
      liveBytes -= blockSize[b];
      liveBlocks--;
      continue;
    }
    if (b !== nextId) bad(i, `new block id ${b}, expected ${nextId} (ids are assigned once, in order)`);
    if (b > blockCount) bad(i, `block id ${b} > block_count ${blockCount}`);
    nextId++;
    if (k === OP_REALLOC) {
      const ob = oldId[i];
      if (ob < 1 || ob > blockCount || live[ob] === 0) bad(i, `realloc of block ${ob}, which is not live`);
      live[ob] = 0;
      liveBytes -= blockSize[ob];
      liveBlocks--;
    } else if (k === OP_ALIGNED && validate && alignLog2[i] > 30) {
      bad(i, `align_log2 ${alignLog2[i]} out of range`);
    }
    live[b] = 1;
    blockSize[b] = size[i];
    liveBytes += size[i];
    liveBlocks++;
    if (liveBytes > peakLiveBytes) peakLiveBytes = liveBytes;
    if (liveBlocks > peakLiveBlocks) peakLiveBlocks = liveBlocks;
  }
  if (validate && nextId - 1 !== blockCount) {
    throw new HktFormatError(name, `header says ${blockCount} blocks, records create ${nextId - 1}`);
  }

  return {
    name,
    recordCount,
    threadCount,
    blockCount,
    op,
    thread,
    alignLog2,
    id,
    size,
    oldId,
    opCounts,
    peakLiveBytes,
    peakLiveBlocks,
    liveAtEndBlocks: liveBlocks,
    liveAtEndBytes: liveBytes,
  };
}
