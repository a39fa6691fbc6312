// HKT1 trace decoder (format: ../shared/traces/README.md).
// gzip, little endian. Header 16 B: "HKT1", u32 record_count, u32 thread_count, u32 block_count.
// Records 16 B: u8 op, u8 thread, u8 align_log2, u8 0, u32 id, u32 size, u32 old_id.
//
// Records are kept as they are on disk, four u32 words each, in one Uint32Array: decoding is a
// copy of each decompressed chunk, a replay reads one 16-byte record per operation, and the
// array can live in a SharedArrayBuffer for replay workers.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

import { OP_ALIGNED, OP_FREE, OP_MALLOC, OP_REALLOC, R_ID, R_OLD_ID, R_SIZE } from "./ops.ts";

export { OP_ALIGNED, OP_CALLOC, OP_FREE, OP_MALLOC, OP_REALLOC, R_ID, R_OLD_ID, R_SIZE } from "./ops.ts";
export const OP_NAMES = ["", "malloc", "free", "realloc", "calloc", "aligned"] as const;

export const HEADER_BYTES = 16;
export const RECORD_BYTES = 16;

/** More records than this would need more than 4 GiB of arrays; no real trace is near it. */
const MAX_RECORDS = 2 ** 28;
/** Largest alignment hakmem (and posix_memalign in the native driver) is asked for. */
const MAX_ALIGN_LOG2 = 30;

export interface HktTrace {
  readonly name: string;
  readonly recordCount: number;
  readonly threadCount: number;
  readonly blockCount: number;
  /** recordCount × 4 words, as on disk (see R_*). */
  readonly records: Uint32Array;
  /** Per block id (index 0 unused): requested bytes, the record that created it, its thread. */
  readonly blockSize: Uint32Array;
  readonly blockRecord: Uint32Array;
  readonly blockThread: Uint8Array;
  /** Counts per op code (index 1..5). */
  readonly opCounts: readonly number[];
  /** Records per thread. */
  readonly threadRecords: readonly number[];
  /** Frees and reallocs of a block that another thread created (remote frees under --threads). */
  readonly crossThreadFrees: number;
  /** Records whose thread differs from the previous record's (hand-offs under --threads). */
  readonly threadSwitches: number;
  /** Sum of requested bytes of all blocks created. */
  readonly allocatedBytes: number;
  /** Largest sum of requested bytes of live blocks after any record, and the most live blocks. */
  readonly peakLiveBytes: number;
  readonly peakLiveBlocks: number;
  /** Blocks still live after the last record (never freed by the program) and their bytes. */
  readonly liveAtEndBlocks: number;
  readonly liveAtEndBytes: number;
  /** Of those, blocks made by realloc(p, 0): it frees p and returns no block (glibc and hakmem
   *  alike), so the heap does not hold them. */
  readonly liveAtEndEmpty: number;
}

export class HktFormatError extends Error {
  constructor(name: string, problem: string) {
    super(`${name}: ${problem}`);
    this.name = "HktFormatError";
  }
}

// The record words are read through a Uint32Array, which uses the host's byte order.
if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) throw new Error("HKT1 decoding assumes a little-endian host");

export function traceName(path: string): string {
  return basename(path).replace(/\.hkt(\.gz)?$/, "");
}

/**
 * Incremental decoder: push() the uncompressed bytes in pieces of any size, then finish().
 * Memory for the records grows as they arrive, so a corrupt header that claims billions of
 * records fails as truncated instead of allocating them up front.
 */
export class HktDecoder {
  private readonly name: string;
  private readonly shared: boolean;
  private readonly head = new Uint8Array(HEADER_BYTES);
  private headLen = 0;
  private recordCount = 0;
  private threadCount = 0;
  private blockCount = 0;
  private bytes: Uint8Array<ArrayBufferLike> = new Uint8Array(0); // the record image so far
  private filled = 0; // bytes of it filled
  private excess = 0; // bytes past the last record

  /** `shared`: keep the records in a SharedArrayBuffer, for replay workers. */
  constructor(name: string, shared = false) {
    this.name = name;
    this.shared = shared;
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    if (this.headLen < HEADER_BYTES) {
      at = Math.min(chunk.length, HEADER_BYTES - this.headLen);
      this.head.set(chunk.subarray(0, at), this.headLen);
      this.headLen += at;
      if (this.headLen < HEADER_BYTES) return;
      this.readHeader();
    }
    const want = this.recordCount * RECORD_BYTES - this.filled;
    const take = Math.min(want, chunk.length - at);
    if (take > 0) {
      if (this.filled + take > this.bytes.length) this.grow(this.filled + take);
      this.bytes.set(chunk.subarray(at, at + take), this.filled);
      this.filled += take;
    }
    this.excess += chunk.length - at - take;
  }

  finish(): HktTrace {
    const name = this.name;
    if (this.headLen < HEADER_BYTES) {
      throw new HktFormatError(name, `truncated: ${this.headLen} bytes, shorter than the ${HEADER_BYTES}-byte header`);
    }
    const total = HEADER_BYTES + this.recordCount * RECORD_BYTES;
    const have = HEADER_BYTES + this.filled;
    if (have < total) {
      const whole = Math.floor(this.filled / RECORD_BYTES);
      throw new HktFormatError(
        name,
        `truncated: header says ${this.recordCount} records (${total} bytes), the data has ${have} bytes; record ${whole} is ${this.filled % RECORD_BYTES === 0 ? "missing" : "cut short"}`,
      );
    }
    if (this.excess > 0) {
      throw new HktFormatError(name, `length mismatch: header says ${this.recordCount} records (${total} bytes), ${this.excess} bytes follow them`);
    }
    const records = new Uint32Array(this.bytes.buffer, 0, this.recordCount * 4);
    return analyse(name, this.recordCount, this.threadCount, this.blockCount, records, this.shared);
  }

  /** Where the data so far ends, for error messages. */
  progress(): string {
    return this.headLen < HEADER_BYTES ? "inside the header" : `after ${Math.floor(this.filled / RECORD_BYTES)} whole records`;
  }

  private readHeader(): void {
    const h = this.head;
    if (h[0] !== 0x48 || h[1] !== 0x4b || h[2] !== 0x54 || h[3] !== 0x31) {
      const got = Array.from(h.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
      throw new HktFormatError(this.name, `bad magic: expected "HKT1" (48 4b 54 31), got ${got}`);
    }
    const dv = new DataView(h.buffer);
    this.recordCount = dv.getUint32(4, true);
    this.threadCount = dv.getUint32(8, true);
    this.blockCount = dv.getUint32(12, true);
    if (this.recordCount > MAX_RECORDS) throw new HktFormatError(this.name, `header says ${this.recordCount} records, more than the ${MAX_RECORDS} this tool handles`);
    if (this.threadCount < 1 || this.threadCount > 256) throw new HktFormatError(this.name, `header says ${this.threadCount} threads (1..256 possible)`);
    if (this.blockCount > this.recordCount) throw new HktFormatError(this.name, `header says ${this.blockCount} blocks in ${this.recordCount} records`);
    this.grow(Math.min(this.recordCount, 1 << 16) * RECORD_BYTES);
  }

  /** Makes room for at least `need` bytes: doubling, capped at the header's record count. */
  private grow(need: number): void {
    const cap = Math.min(this.recordCount * RECORD_BYTES, Math.max(need, this.bytes.length * 2));
    const next = new Uint8Array(this.shared ? new SharedArrayBuffer(cap) : new ArrayBuffer(cap));
    next.set(this.bytes.subarray(0, this.filled));
    this.bytes = next;
  }
}

/** Decodes an uncompressed HKT1 image held in memory. */
export function decodeHkt(data: Uint8Array, name = "trace", shared = false): HktTrace {
  const d = new HktDecoder(name, shared);
  d.push(data);
  return d.finish();
}

/** Streams a .hkt.gz (or an uncompressed .hkt) file through the decoder. */
export async function readHkt(path: string, shared = false): Promise<HktTrace> {
  const name = traceName(path);
  const d = new HktDecoder(name, shared);
  const fh = await open(path, "r").catch((e: NodeJS.ErrnoException) => {
    throw new HktFormatError(name, `cannot open ${path}: ${e.code ?? e.message}`);
  });
  const magic = new Uint8Array(2);
  await fh.read(magic, 0, 2, 0).finally(() => fh.close());
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  // The decoder's own error, thrown inside the pipeline, reaches the catch below wrapped in an
  // AbortError: keep it to rethrow as it was.
  let formatError: HktFormatError | undefined;
  const sink = async (source: AsyncIterable<Uint8Array>): Promise<void> => {
    for await (const chunk of source) {
      try {
        d.push(chunk);
      } catch (e) {
        formatError = e as HktFormatError;
        throw e;
      }
    }
  };
  const bigChunks = { highWaterMark: 1 << 20 };
  try {
    if (gzip) await pipeline(createReadStream(path, bigChunks), createGunzip({ chunkSize: 1 << 20 }), sink);
    else await pipeline(createReadStream(path, bigChunks), sink);
  } catch (e) {
    if (formatError !== undefined) throw formatError;
    // zlib reports a cut-off gzip member as "unexpected end of file"; say what was decoded.
    const err = e as NodeJS.ErrnoException;
    throw new HktFormatError(name, `${gzip ? "gzip data is corrupt or truncated" : "reading failed"} (${err.code ?? err.message}) ${d.progress()}`);
  }
  return d.finish();
}

/**
 * One pass over the records: checks every rule of the format (so a replay never hands the
 * allocator a dead id) and gathers the live-set figures. Throws HktFormatError naming the
 * first bad record.
 */
function analyse(name: string, recordCount: number, threadCount: number, blockCount: number, records: Uint32Array, shared: boolean): HktTrace {
  const words = (n: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
  const blockSize = new Uint32Array(words(blockCount + 1));
  const blockRecord = new Uint32Array(words(blockCount + 1));
  const blockThread = new Uint8Array(shared ? new SharedArrayBuffer(blockCount + 1) : new ArrayBuffer(blockCount + 1));
  const live = new Uint8Array(blockCount + 1);
  const opCounts = [0, 0, 0, 0, 0, 0];
  const threadRecords = new Array<number>(threadCount).fill(0);
  let crossThreadFrees = 0;
  let threadSwitches = 0;
  let allocatedBytes = 0;
  let nextId = 1;
  let liveBytes = 0;
  let liveBlocks = 0;
  let peakLiveBytes = 0;
  let peakLiveBlocks = 0;
  let prevThread = recordCount > 0 ? (records[0] >>> 8) & 255 : 0;
  const bad = (i: number, problem: string): never => {
    throw new HktFormatError(name, `record ${i}: ${problem}`);
  };
  for (let i = 0, r = 0; i < recordCount; i++, r += 4) {
    const w = records[r];
    const k = w & 255;
    const t = (w >>> 8) & 255;
    const b = records[r + R_ID];
    if (k < OP_MALLOC || k > OP_ALIGNED) bad(i, `unknown op ${k}`);
    if (t >= threadCount) bad(i, `thread ${t}, but the header says ${threadCount} thread${threadCount === 1 ? "" : "s"}`);
    opCounts[k]++;
    threadRecords[t]++;
    if (t !== prevThread) threadSwitches++;
    prevThread = t;
    if (k === OP_FREE) {
      if (b < 1 || b > blockCount || live[b] === 0) bad(i, `free of block ${b}, which is not live${b >= nextId || b < 1 ? " (never created)" : " (already freed)"}`);
      if (blockThread[b] !== t) crossThreadFrees++;
      live[b] = 0;
      liveBytes -= blockSize[b];
      liveBlocks--;
      continue;
    }
    if (b !== nextId) bad(i, `new block id ${b}, expected ${nextId} (ids are assigned once, in order)`);
    if (b > blockCount) bad(i, `block id ${b}, but the header says ${blockCount} blocks`);
    nextId++;
    if (k === OP_REALLOC) {
      const ob = records[r + R_OLD_ID];
      if (ob < 1 || ob > blockCount || live[ob] === 0) bad(i, `realloc of block ${ob}, which is not live${ob >= nextId || ob < 1 ? " (never created)" : " (already freed)"}`);
      if (blockThread[ob] !== t) crossThreadFrees++;
      live[ob] = 0;
      liveBytes -= blockSize[ob];
      liveBlocks--;
    } else if (k === OP_ALIGNED && ((w >>> 16) & 255) > MAX_ALIGN_LOG2) {
      bad(i, `align_log2 ${(w >>> 16) & 255}, more than ${MAX_ALIGN_LOG2}`);
    }
    const n = records[r + R_SIZE];
    live[b] = 1;
    blockSize[b] = n;
    blockRecord[b] = i;
    blockThread[b] = t;
    allocatedBytes += n;
    liveBytes += n;
    liveBlocks++;
    if (liveBytes > peakLiveBytes) peakLiveBytes = liveBytes;
    if (liveBlocks > peakLiveBlocks) peakLiveBlocks = liveBlocks;
  }
  if (nextId - 1 !== blockCount) throw new HktFormatError(name, `header says ${blockCount} blocks, the records create ${nextId - 1}`);
  let liveAtEndEmpty = 0;
  for (let b = 1; b <= blockCount; b++) {
    if (live[b] !== 0 && blockSize[b] === 0 && (records[blockRecord[b] * 4] & 255) === OP_REALLOC) liveAtEndEmpty++;
  }
  return {
    name,
    recordCount,
    threadCount,
    blockCount,
    records,
    blockSize,
    blockRecord,
    blockThread,
    opCounts,
    threadRecords,
    crossThreadFrees,
    threadSwitches,
    allocatedBytes,
    peakLiveBytes,
    peakLiveBlocks,
    liveAtEndBlocks: liveBlocks,
    liveAtEndBytes: liveBytes,
    liveAtEndEmpty,
  };
}
