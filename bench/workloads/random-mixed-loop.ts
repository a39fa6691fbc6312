// The timed loop of bench_random_mixed, shared by every contender (and by mid, per worker). Each
// process runs one contender, so `a.malloc` / `a.free` / `a.write` are monomorphic call sites
// that V8 inlines.
import type { Contender } from "../contender.ts";

/**
 * Runs `cycles` cycles: pick slot t.slot[i]; if live, free it, else malloc t.size[i] into it and
 * write one byte. Returns the number of mallocs done. Throws on out-of-memory.
 */
export function randomMixedLoop(
  a: Contender,
  slots: Int32Array,
  slotTab: Int32Array,
  sizeTab: Int32Array,
  cycles: number,
): number {
  const mask = slotTab.length - 1;
  let mallocs = 0;
  for (let i = 0; i < cycles; i++) {
    const j = i & mask;
    const s = slotTab[j];
    const p = slots[s];
    if (p !== 0) {
      a.free(p);
      slots[s] = 0;
    } else {
      const q = a.malloc(sizeTab[j]);
      if (q === 0) throw new Error(`malloc(${sizeTab[j]}) returned 0 at cycle ${i}`);
      a.write(q, 0, s & 255);
      slots[s] = q;
      mallocs++;
    }
  }
  return mallocs;
}

/** Frees every live slot (after timing). Returns how many were freed. */
export function freeAll(a: Contender, slots: Int32Array): number {
  let n = 0;
  for (let s = 0; s < slots.length; s++) {
    const p = slots[s];
    if (p !== 0) {
      a.free(p);
      slots[s] = 0;
      n++;
    }
  }
  return n;
}

/**
 * Untimed correctness run of the same workload: every block is filled entirely with a
 * per-allocation byte and checked in full just before it is freed, offsets must be 16-byte
 * aligned, and one byte per live slot is checked at the end. Returns a list of problems (empty =
 * OK); stops at the first 20.
 */
export function checkedLoop(
  a: Contender,
  slots: Int32Array,
  slotTab: Int32Array,
  sizeTab: Int32Array,
  cycles: number,
): string[] {
  const problems: string[] = [];
  const mask = slotTab.length - 1;
  const sizes = new Int32Array(slots.length);
  const fills = new Uint8Array(slots.length);
  const view = a.view;
  if (view === undefined) return ["this contender exposes no byte view to check"];
  const check = (s: number, when: string): void => {
    const p = slots[s];
    const n = sizes[s];
    const v = fills[s];
    const u8 = view.call(a);
    for (let k = 0; k < n; k++) {
      if (u8[p + k] !== v) {
        problems.push(
          `${when}: slot ${s} block ${p} (size ${n}) byte ${k} is ${u8[p + k]}, expected ${v} (overlap or corruption)`,
        );
        return;
      }
    }
  };
  for (let i = 0; i < cycles && problems.length < 20; i++) {
    const j = i & mask;
    const s = slotTab[j];
    const p = slots[s];
    if (p !== 0) {
      check(s, `cycle ${i} before free`);
      a.free(p);
      slots[s] = 0;
    } else {
      const n = sizeTab[j];
      const q = a.malloc(n);
      if (q === 0) {
        problems.push(`cycle ${i}: malloc(${n}) returned 0`);
        break;
      }
      if ((q & 15) !== 0 || q < 0) problems.push(`cycle ${i}: malloc(${n}) returned ${q}, not 16-byte aligned`);
      const v = (i * 7 + 1) & 255;
      view.call(a).fill(v, q, q + n);
      slots[s] = q;
      sizes[s] = n;
      fills[s] = v;
    }
  }
  for (let s = 0; s < slots.length && problems.length < 20; s++) if (slots[s] !== 0) check(s, "end");
  return problems;
}
