/**
 * The "safe" profile's debugging aids, on top of every check of "balanced":
 * - each block gets CANARY bytes right after its requested size, checked when it is freed: a
 *   write past the end is reported (HeapError BUFFER_OVERFLOW, the block stays allocated);
 * - freed tiny and mid blocks are poisoned (from byte 4: the first word may hold a free-list
 *   link) and checked when handed out again: a write after free is reported (HeapError
 *   WRITE_AFTER_FREE with the offset written) and the block is never handed out.
 * usableSize() is the requested size: the bytes after it belong to the canary.
 */
import { checkAlignment, checkSize, HeapError } from "./errors.ts";
import { Heap } from "./heap.ts";
import { largeUsable } from "./large.ts";
import { fillBytes } from "./memory.ts";
import { GRANULE, M_SIZE, POISON, POISON_BYTE, TINY_MAX_SLACK, W_LIVE_BYTES } from "./layout.ts";
import { alignedClassOf, classOfGranules, classSize, MID_MAX, TINY_CLASSES, TINY_MAX } from "./sizeclass.ts";

const CANARY = 8;
const CANARY_BYTE = 0xca;

export class SafeHeap extends Heap {
  override malloc(size: number): number {
    if (size >>> 0 !== size) checkSize(size, "size");
    const padded = size + CANARY;
    if (padded > this.ceiling) return 0;
    if (padded <= MID_MAX) {
      const p = this.mallocClass(classOfGranules[(padded + 15) >>> 4], size);
      return p === 0 ? 0 : this.arm(p, size);
    }
    const p = this.mallocSlow(padded, GRANULE);
    if (p === 0) return 0;
    this.locate(p);
    this.record(size);
    return this.arm(p, size);
  }

  override alignedAlloc(align: number, size: number): number {
    checkAlignment(align);
    if (align <= GRANULE) return this.malloc(size);
    checkSize(size, "size");
    let padded = size + CANARY;
    // A tiny class records the requested size as slack bytes; a block that large for its size
    // (high alignment, small size) must come from a mid class.
    const c = alignedClassOf(padded, align);
    if (c >= 0 && c < TINY_CLASSES && classSize[c] - size > TINY_MAX_SLACK) padded = TINY_MAX + 1;
    const p = super.alignedAlloc(align, padded);
    if (p === 0) return 0;
    this.locate(p);
    this.record(size);
    return this.arm(p, size);
  }

  override realloc(p: number, size: number): number {
    if (p === 0) return this.malloc(size);
    if (size >>> 0 !== size) checkSize(size, "size");
    if (size === 0) {
      this.free(p);
      return 0;
    }
    this.locate(p);
    const old = this.lkRequested;
    const q = this.malloc(size); // always moves: the canary follows the new size
    if (q === 0) return 0;
    this.m8.copyWithin(q, p, p + Math.min(old, size));
    this.free(p);
    return q;
  }

  override usableSize(p: number): number {
    this.locate(p);
    return this.lkRequested;
  }

  override free(p: number): void {
    if (p === 0) return;
    this.locate(p);
    const n = this.lkRequested;
    const u8 = this.m8;
    for (let i = p + n; i < p + n + CANARY; i++) {
      if (u8[i] !== CANARY_BYTE) {
        throw new HeapError("BUFFER_OVERFLOW", `block ${p} (${n} bytes) was written past its end, at offset ${i}`, p);
      }
    }
    const end = p + this.usable();
    fillBytes(this.m8, POISON_BYTE, p + 4, end - p - 4);
    super.free(p);
  }

  /** The block was just handed out for `size` bytes: check its poison, write its canary. */
  private arm(p: number, size: number): number {
    this.locate(p);
    if (this.lkClass >= 0) {
      const i32 = this.m32;
      const end = (p + classSize[this.lkClass]) >> 2;
      for (let w = (p >> 2) + 1; w < end; w++) {
        if (i32[w] !== POISON) {
          // Keep the block out of circulation: it stays allocated (and counted) forever.
          throw new HeapError("WRITE_AFTER_FREE", `freed block ${p} was written after free, at offset ${w << 2}`, p);
        }
      }
    }
    this.m8.fill(CANARY_BYTE, p + size, p + size + CANARY);
    return p;
  }

  /** Makes the located block's recorded size `size` (it was allocated with the canary added). */
  private record(size: number): void {
    const delta = size - this.lkRequested;
    if (this.lkClass < 0) this.m32[this.lkMeta + M_SIZE] = size;
    else if (this.lkClass < TINY_CLASSES) this.m8[this.lkState] = classSize[this.lkClass] - size;
    else this.m32[this.lkState] += delta;
    this.m32[this.statWord + W_LIVE_BYTES] += delta;
  }

  private usable(): number {
    return this.lkClass >= 0 ? classSize[this.lkClass] : largeUsable(this.m32, this.lkMeta);
  }
}
