// Turns the raw log hkrec.c wrote for one process into an HKT1 trace (format: the shared
// traces' README): pointers become block ids, numbered in order of creation.
//   node --import tsx bench/trace/record/compact.ts RAW OUT.hkt.gz
// A free or realloc of a pointer the log never saw allocated (made before the recorder was
// loaded) is dropped and counted.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Bytes per raw record (see hkrec.c). */
export const RAW_BYTES = 32;

export interface Compacted {
  /** The uncompressed HKT1 image. */
  readonly hkt: Uint8Array;
  readonly records: number;
  readonly threads: number;
  readonly blocks: number;
  readonly liveAtEnd: number;
  readonly dropped: number;
}

export function compact(raw: Uint8Array): Compacted {
  const data = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = Math.floor(data.length / RAW_BYTES);
  const out = Buffer.alloc(16 + n * 16);
  const live = new Map<bigint, number>();
  let count = 0;
  let blocks = 0;
  let threads = 0;
  let dropped = 0;
  for (let i = 0; i < n; i++) {
    const at = i * RAW_BYTES;
    const op = data[at];
    const ptr = data.readBigUInt64LE(at + 8);
    const size = Number(data.readBigUInt64LE(at + 16));
    if (op < 1 || op > 5) throw new Error(`record ${i}: unknown op ${op}`);
    if (size > 0xffffffff) throw new Error(`record ${i}: size ${size} does not fit the format`);
    let old = 0;
    if (op === 2 || op === 3) {
      const key = op === 2 ? ptr : data.readBigUInt64LE(at + 24);
      old = live.get(key) ?? 0;
      if (old === 0) {
        dropped++;
        continue;
      }
      live.delete(key);
    }
    let id = old;
    if (op !== 2) {
      id = ++blocks;
      live.set(ptr, id);
    }
    const w = 16 + count * 16;
    out[w] = op;
    out[w + 1] = data[at + 1];
    out[w + 2] = op === 5 ? data[at + 2] : 0;
    out.writeUInt32LE(id, w + 4);
    out.writeUInt32LE(op === 2 ? 0 : size, w + 8);
    out.writeUInt32LE(op === 3 ? old : 0, w + 12);
    threads = Math.max(threads, data[at + 1] + 1);
    count++;
  }
  out.write("HKT1", 0, "latin1");
  out.writeUInt32LE(count, 4);
  out.writeUInt32LE(Math.max(threads, 1), 8);
  out.writeUInt32LE(blocks, 12);
  return { hkt: out.subarray(0, 16 + count * 16), records: count, threads, blocks, liveAtEnd: live.size, dropped };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [raw, dest] = process.argv.slice(2);
  if (raw === undefined || dest === undefined) throw new Error("usage: compact.ts RAW OUT.hkt.gz");
  const c = compact(readFileSync(raw));
  writeFileSync(dest, gzipSync(c.hkt, { level: 9 }));
  console.log(`${dest}: ${c.records} records, ${c.threads} threads, ${c.blocks} blocks, ${c.liveAtEnd} live at the end, ${c.dropped} records of unknown pointers dropped`);
}
