// Several workers on one heap, as bodies shared by Node (worker_threads, test/contract.test.ts)
// and Chromium (Web Workers, test/browser.test.ts): a stress run with cross-worker frees while
// the main thread grows the heap, and reclaim() of a worker terminated without detach().
// The main-thread side polls (a page's main thread may not Atomics.wait); members may block.
import { type Lib, PROFILES, type WorkerCase } from "./harness.ts";

const MiB = 1 << 20;
// control words
const READY = 0; // members attached and waiting
const GO = 1; // the start barrier: members start together (module workers start far apart)
const GROWN = 2; // the main thread has grown the heap
const FINISHED = 3; // members done sending blocks to others
const WORKER_ID = 4; // reclaim: the terminated member's workerId
const CONTROL_WORDS = 8;
const SLOTS = 64; // mailbox slots per member
const AFTER_GROWTH = 2000; // iterations each member runs after it has seen the growth

interface StressTask {
  readonly kind: "stress";
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly control: Int32Array;
  readonly mail: Int32Array;
  readonly index: number;
  readonly members: number;
  readonly iters: number;
}

interface HoldTask {
  readonly kind: "hold";
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly control: Int32Array;
  /** [count, p0, p1, …]: the blocks the member holds when it is terminated. */
  readonly blocks: Int32Array;
}

/** [string pointer, array offset, array length] per item: what a member or the main thread made. */
interface PassTask {
  readonly kind: "pass";
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly control: Int32Array;
  readonly index: number;
  /** ITEMS × 3 words the member fills. */
  readonly made: Int32Array;
  /** ITEMS string pointers the main thread fills for this member to read and free. */
  readonly inbox: Int32Array;
}

export type Task = StressTask | HoldTask | PassTask;

interface StressReport {
  readonly ops: number;
  readonly mismatches: number;
  readonly remoteFrees: number;
  readonly afterGrowth: number;
}

function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

type Heap = ReturnType<Lib["attachHeap"]>;

/** A block's cookie: [u32 id][u32 size] then bytes derived from the id (the first 40, the last 8). */
const cookie = (id: number, i: number): number => (id * 31 + i * 7) & 255;

function writeCookie(heap: Heap, p: number, size: number, id: number): void {
  const u8 = heap.u8;
  const u32 = heap.u32;
  u32[p >>> 2] = id;
  u32[(p >>> 2) + 1] = size;
  for (let i = 8; i < Math.min(size, 40); i++) u8[p + i] = cookie(id, i);
  for (let i = Math.max(40, size - 8); i < size; i++) u8[p + i] = cookie(id, i);
}

function cookieIntact(heap: Heap, p: number): boolean {
  const u8 = heap.u8;
  const u32 = heap.u32;
  const id = u32[p >>> 2];
  const size = u32[(p >>> 2) + 1];
  if (size < 16 || heap.usableSize(p) < size) return false;
  for (let i = 8; i < Math.min(size, 40); i++) if (u8[p + i] !== cookie(id, i)) return false;
  for (let i = Math.max(40, size - 8); i < size; i++) if (u8[p + i] !== cookie(id, i)) return false;
  return true;
}

function randomSize(rand: () => number): number {
  const r = rand() % 100;
  if (r < 85) return 16 + (rand() % 1009);
  if (r < 99) return 1024 + (rand() % 65536);
  return 65536 + (rand() % 250_000);
}

function stress(lib: Lib, t: StressTask): StressReport {
  const heap = lib.attachHeap(t.buffer);
  const { control, mail } = t;
  const rand = xorshift(t.index * 7919 + 17);
  const live: number[] = [];
  let mismatches = 0;
  let remoteFrees = 0;
  let nextId = t.index << 24;
  const checkedFree = (p: number): void => {
    if (!cookieIntact(heap, p)) mismatches++;
    heap.free(p);
  };
  const drain = (): void => {
    for (let k = t.index * SLOTS; k < (t.index + 1) * SLOTS; k++) {
      const p = Atomics.exchange(mail, k, 0);
      if (p !== 0) {
        checkedFree(p); // a block another worker allocated: a remote free
        remoteFrees++;
      }
    }
  };
  const send = (p: number): void => {
    const base = ((t.index + 1) % t.members) * SLOTS;
    const k = rand() % SLOTS;
    for (let probe = 0; probe < SLOTS; probe++) if (Atomics.compareExchange(mail, base + ((k + probe) % SLOTS), 0, p) === 0) return;
    checkedFree(p); // the mailbox is full
  };
  Atomics.add(control, READY, 1);
  Atomics.wait(control, GO, 0);
  let grownAt = -1;
  let i = 0;
  for (; i < t.iters || grownAt < 0 || i - grownAt < AFTER_GROWTH; i++) {
    if ((i & 63) === 0 && grownAt < 0 && Atomics.load(control, GROWN) !== 0) grownAt = i;
    const r = rand();
    if (live.length === 0 || (live.length < 200 && (r & 3) !== 0)) {
      const size = randomSize(rand);
      const p = heap.malloc(size);
      if (p === 0) throw new Error(`malloc(${size}) returned 0`);
      writeCookie(heap, p, size, ++nextId);
      live.push(p);
    } else {
      const j = (r >>> 2) % live.length;
      const p = live[j];
      live[j] = live[live.length - 1];
      live.pop();
      if ((r >>> 20) % 4 === 0) send(p);
      else checkedFree(p);
    }
    if ((i & 15) === 0) drain();
  }
  for (const p of live) checkedFree(p);
  Atomics.add(control, FINISHED, 1);
  for (;;) {
    const finished = Atomics.load(control, FINISHED);
    drain();
    if (finished === t.members) break; // every block sent was sent before FINISHED was counted
    Atomics.wait(control, FINISHED, finished, 1);
  }
  heap.detach();
  return { ops: i, mismatches, remoteFrees, afterGrowth: i - grownAt };
}

function hold(lib: Lib, t: HoldTask): never {
  const heap = lib.attachHeap(t.buffer);
  const sizes = [24, 100, 1000, 5000, 40_000, 200_000];
  const n = t.blocks.length - 1;
  for (let k = 0; k < n; k++) {
    const size = sizes[k % sizes.length];
    const p = heap.malloc(size);
    writeCookie(heap, p, size, k + 1);
    t.blocks[k + 1] = p;
  }
  for (let k = 0; k < 100; k++) heap.free(heap.malloc(64)); // blocks in its front cache too
  t.blocks[0] = n;
  Atomics.store(t.control, WORKER_ID, heap.workerId);
  Atomics.store(t.control, READY, 1);
  for (;;) Atomics.wait(t.control, GO, 0); // until terminated, without detach()
}

const ITEMS = 20;

/** Item k's text, from `who`: non-ASCII, a surrogate pair, and one long enough (> 64 KiB of UTF-8) to be copied whole. */
function text(who: string, k: number): string {
  return k === ITEMS - 1 ? `${who}: ${"ü".repeat(40_000)}` : `${who} #${k}: héllo wörld ✓ 😀 ${"·".repeat(k * 7)}`;
}

/** Element i of item k's Float64Array, from `who`. */
const element = (who: number, k: number, i: number): number => who * 1000 + k + i / 8;

/** Makes ITEMS strings and Float64Arrays for the main thread, then reads and frees the strings it was given. */
function pass(lib: Lib, t: PassTask): { mismatches: number; read: number } {
  const heap = lib.attachHeap(t.buffer);
  for (let k = 0; k < ITEMS; k++) {
    const view = heap.mallocArray(Float64Array, 100 + k)!;
    for (let i = 0; i < view.length; i++) view[i] = element(t.index, k, i);
    t.made.set([heap.mallocString(text(`worker ${t.index}`, k)), view.byteOffset, view.length], k * 3);
  }
  Atomics.add(t.control, READY, 1);
  Atomics.wait(t.control, GO, 0);
  let mismatches = 0;
  for (let k = 0; k < ITEMS; k++) {
    const p = t.inbox[k];
    if (heap.readString(p) !== text(`page for ${t.index}`, k)) mismatches++;
    heap.free(p); // the main thread's block: a remote free
  }
  heap.detach();
  return { mismatches, read: ITEMS };
}

/** A member's body (test/fixtures/shared-worker.ts, test/browser/worker.ts). */
export function runTask(lib: Lib, task: Task): unknown {
  return task.kind === "stress" ? stress(lib, task) : task.kind === "hold" ? hold(lib, task) : pass(lib, task);
}

/** Resolves when cond() holds; polls, as a page's main thread cannot block. */
async function until(cond: () => boolean, what: string, failed: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 60_000;
  let stop = false;
  const poll = (async () => {
    while (!cond()) {
      if (stop) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  const ended = failed.then(
    () => {
      if (!stop) throw new Error(`a member ended while waiting for ${what}`);
    },
    (e: unknown) => {
      if (!stop) throw e;
    },
  );
  ended.catch(() => {}); // settles late (or never) once cond() held: nothing to report then
  try {
    await Promise.race([poll, ended]);
  } finally {
    stop = true;
  }
}

export const WORKER_CASES: readonly WorkerCase[] = [
  {
    name: "3 workers share a heap: cross-worker frees while the main thread grows it; cookies intact, nothing leaks",
    profiles: PROFILES,
    async run({ lib, assert, profile, spawn }) {
      const heap = lib.createHeap({ profile, initialBytes: MiB, maxBytes: 256 * MiB });
      const members = 3;
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
      const mail = new Int32Array(new SharedArrayBuffer(members * SLOTS * 4));
      const team = Array.from({ length: members }, (_, index) => spawn({ kind: "stress", buffer: heap.buffer, control, mail, index, members, iters: 20_000 } satisfies Task));
      try {
        const anyDone = Promise.race(team.map((m) => m.done));
        await until(() => Atomics.load(control, READY) === members, "every member to attach", anyDone);
        const growths = heap.stats().growths;
        Atomics.store(control, GO, 1);
        Atomics.notify(control, GO);
        // Grow the heap while the members run (they cannot finish before GROWN).
        const big: number[] = [];
        while (heap.stats().growths < growths + 3 && big.length < 40) {
          const p = heap.malloc(4 * MiB);
          assert.ok(p > 0, "malloc(4 MiB)");
          heap.u8[p] = 1;
          heap.u8[p + 4 * MiB - 1] = 2;
          big.push(p);
        }
        Atomics.store(control, GROWN, 1);
        const reports = (await Promise.all(team.map((m) => m.done))) as StressReport[];
        assert.ok(heap.stats().growths >= growths + 3, "the heap grew during the run");
        for (const [k, r] of reports.entries()) {
          assert.equal(r.mismatches, 0, `worker ${k}: blocks with a broken cookie`);
          assert.ok(r.remoteFrees > 0, `worker ${k} freed no block of another worker`);
          assert.ok(r.afterGrowth >= 2000, `worker ${k} ran ${r.afterGrowth} iterations after the growth`);
        }
        assert.equal(heap.u8.length, heap.buffer.byteLength);
        assert.ok(big.every((p) => heap.u8[p] === 1 && heap.u8[p + 4 * MiB - 1] === 2), "the main thread's blocks");
        for (const p of big) heap.free(p);
        assert.deepEqual([heap.stats().liveBlocks, heap.stats().liveBytes], [0, 0], "every block freed");
      } finally {
        for (const m of team) await m.terminate();
      }
    },
  },
  {
    name: "reclaim() of a worker terminated without detach() recovers its blocks and its cache",
    profiles: ["balanced", "lean", "safe"],
    async run({ lib, assert, profile, spawn }) {
      const heap = lib.createHeap({ profile });
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
      const blocks = new Int32Array(new SharedArrayBuffer(61 * 4));
      const member = spawn({ kind: "hold", buffer: heap.buffer, control, blocks } satisfies Task);
      try {
        await until(() => Atomics.load(control, READY) === 1, "the member's blocks", member.done);
      } finally {
        await member.terminate();
      }
      const id = Atomics.load(control, WORKER_ID);
      const held = Array.from(blocks.subarray(1, 1 + blocks[0]));
      assert.equal(heap.stats().liveBlocks, held.length);
      assert.equal(heap.reclaim(id), true);
      assert.equal(heap.reclaim(id), false, "already reclaimed");
      assert.ok(held.every((p) => cookieIntact(heap, p)), "its blocks outlive it");
      for (const p of held) heap.free(p);
      assert.deepEqual([heap.stats().liveBlocks, heap.stats().liveBytes], [0, 0]);
      // Its cached blocks came back too: the same allocations fit in the same footprint.
      const footprint = heap.stats().footprintBytes;
      const again = Array.from({ length: 100 }, () => heap.malloc(64));
      assert.ok(heap.stats().footprintBytes <= footprint, "no new memory for blocks it had cached");
      for (const p of again) heap.free(p);
    },
  },
  {
    name: "strings and typed arrays made in one worker are read and freed in another, across a growth (2 workers)",
    profiles: ["balanced", "safe"],
    async run({ lib, assert, profile, spawn }) {
      const heap = lib.createHeap({ profile, initialBytes: MiB });
      const members = 2;
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
      const made = Array.from({ length: members }, () => new Int32Array(new SharedArrayBuffer(ITEMS * 3 * 4)));
      const inbox = Array.from({ length: members }, () => new Int32Array(new SharedArrayBuffer(ITEMS * 4)));
      for (const [index, box] of inbox.entries()) for (let k = 0; k < ITEMS; k++) box[k] = heap.mallocString(text(`page for ${index}`, k));
      const team = made.map((m, index) => spawn({ kind: "pass", buffer: heap.buffer, control, index, made: m, inbox: inbox[index] } satisfies Task));
      try {
        await until(() => Atomics.load(control, READY) === members, "every member's strings and arrays", Promise.race(team.map((m) => m.done)));
        const buffer = heap.buffer;
        const big = heap.malloc(16 * MiB); // the heap grows under the strings and views
        assert.ok(big > 0 && heap.buffer.byteLength > 16 * MiB, "the heap grew");
        Atomics.store(control, GO, 1);
        Atomics.notify(control, GO);
        for (const [index, m] of made.entries()) {
          for (let k = 0; k < ITEMS; k++) {
            const [p, offset, length] = m.subarray(k * 3, k * 3 + 3);
            assert.equal(heap.readString(p), text(`worker ${index}`, k), `worker ${index}'s string ${k}`);
            const view = new Float64Array(buffer, offset, length); // a view taken before the growth stays valid on shared memory
            assert.ok(view.every((x, i) => x === element(index, k, i)), `worker ${index}'s array ${k}`);
            heap.freeArray(view);
            heap.free(p);
          }
        }
        const reports = (await Promise.all(team.map((m) => m.done))) as { mismatches: number; read: number }[];
        assert.deepEqual(reports, Array.from({ length: members }, () => ({ mismatches: 0, read: ITEMS })));
        heap.free(big);
        assert.deepEqual([heap.stats().liveBlocks, heap.stats().liveBytes], [0, 0], "every block freed");
      } finally {
        for (const m of team) await m.terminate();
      }
    },
  },
];
