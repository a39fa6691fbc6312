/**
 * The "safe" profile's debugging aids, on top of every check of "balanced":
 * - each block gets CANARY bytes right after its requested size, checked when it is freed: a
 *   write past the end is reported (HeapError BUFFER_OVERFLOW, the block stays allocated);
 * - freed tiny and mid blocks are poisoned (poison.ts: their first 64 and last 32 bytes) and
 *   checked when handed out again: a write after free is reported (HeapError WRITE_AFTER_FREE
 *   with the offset written) and the block is never handed out.
 * usableSize() is the requested size: the bytes after it belong to the canary.
 */
import { checkAlignment, checkSize, HeapError } from "./errors.ts";
import { Heap } from "./heap.ts";
import { poisonBlock, poisonBroken } from "./poison.ts";
import { GRANULE, M_SIZE, TINY_MAX_SLACK, W_LIVE_BYTES } from "./layout.ts";
import { alignedClassOf, classOfGranules, classSize, MID_MAX, TINY_CLASSES, TINY_MAX } from "./sizeclass.ts";

const CANARY = 8;
const CANARY_BYTE = 0xca;

export class SafeHeap extends Heap {
  override malloc(size: number): number {
    if (size >>> 0 !== size) checkSize(size, "size");
    const padded = size + CANARY;
    if (padded > this.ceiling) return 0;
    if (padded <= MID_MAX) {
      const c = classOfGranules[(padded + 15) >>> 4];
      const p = this.mallocClass(c, size);
      return p === 0 ? 0 : this.arm(p, size, classSize[c]);
    }
    const p = this.mallocSlow(padded, GRANULE);
    if (p === 0) return 0;
    this.locate(p);
    this.record(size);
    return this.arm(p, size, 0);
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
    return this.arm(p, size, this.lkClass >= 0 ? classSize[this.lkClass] : 0);
  }

  /** A block always moves on realloc: its canary follows the new size. */
  protected override resizeInPlace(_size: number): boolean {
    return false;
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
    const q = p - this.base; // heap coordinates
    for (let i = q + n; i < q + n + CANARY; i++) {
      if (u8[i] !== CANARY_BYTE) {
        throw new HeapError("BUFFER_OVERFLOW", `block ${p} (${n} bytes) was written past its end, at offset ${this.base + i}`, p);
      }
    }
    if (this.lkClass >= 0) poisonBlock(this.m32, q, classSize[this.lkClass]);
    super.free(p);
  }

  /**
   * Block p (a tiny or mid block of `usable` bytes; 0 for a large one) was just handed out for
   * `size` bytes: check its poison, write its canary.
   */
  private arm(p: number, size: number, usable: number): number {
    const q = p - this.base; // heap coordinates
    if (usable !== 0) {
      const at = poisonBroken(this.m32, q, usable);
      // The block stays allocated (and counted) forever: out of circulation.
      if (at >= 0) throw new HeapError("WRITE_AFTER_FREE", `freed block ${p} was written after free, at offset ${this.base + at}`, p);
    }
    const u8 = this.m8;
    for (let i = q + size; i < q + size + CANARY; i++) u8[i] = CANARY_BYTE;
    return p;
  }

  /** Makes the located block's recorded size `size` (it was allocated with the canary added). */
  private record(size: number): void {
    const delta = size - this.lkRequested;
    if (this.lkClass >= TINY_CLASSES) this.m32[this.lkState] += delta;
    else if (this.lkClass >= 0) this.m8[this.lkState] = classSize[this.lkClass] - size;
    else {
      // large blocks are counted in the worker's slot; slab blocks by their states (live.ts)
      this.m32[this.lkMeta + M_SIZE] = size;
      this.m32[this.statWord + W_LIVE_BYTES] += delta;
    }
  }
}
