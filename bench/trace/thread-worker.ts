// A --threads worker (see threads.ts): attaches to the heap, runs its thread's stretches of
// records when the sequence counter reaches them, and stays attached until the trace ends, as
// the program's threads did.
import { parentPort, workerData } from "node:worker_threads";
import { attachHeap } from "hakmem";
import { replayTimed, replayVerified, ReplayError } from "./replay.ts";
import { SEQ, STOPPED, type ThreadJob, type ThreadMessage } from "./threads.ts";

const job = workerData as ThreadJob;
const port = parentPort!;
const post = (m: ThreadMessage): void => port.postMessage(m);
const { trace: t, off, control, thread } = job;

/** Stretches [start, end) of consecutive records of this worker's thread. */
function stretches(): number[] {
  const rec = t.records;
  const out: number[] = [];
  for (let i = 0; i < t.recordCount; ) {
    if (((rec[i * 4] >>> 8) & 255) !== thread) {
      i++;
      continue;
    }
    const start = i;
    while (i < t.recordCount && ((rec[i * 4] >>> 8) & 255) === thread) i++;
    out.push(start, i);
  }
  return out;
}

class Stopped extends Error {}

/** Blocks until record `i` is next. */
function waitFor(i: number): void {
  for (;;) {
    const v = Atomics.load(control, SEQ);
    if (v === i) return;
    if (v === STOPPED) throw new Stopped();
    Atomics.wait(control, SEQ, v);
  }
}

const work = stretches();
const heap = attachHeap(job.buffer, { profile: job.profile });
const replay = job.verify ? replayVerified : replayTimed;
post({ type: "ready" });
try {
  for (let k = 0; k < work.length; k += 2) {
    waitFor(work[k]);
    replay(heap, t, off, work[k], work[k + 1]);
    Atomics.store(control, SEQ, work[k + 1]);
    Atomics.notify(control, SEQ);
  }
  waitFor(t.recordCount);
  heap.detach();
  post({ type: "done" });
} catch (e) {
  // Stopped: another worker failed and reports it. Anything else stops the others at once.
  if (!(e instanceof Stopped)) {
    Atomics.store(control, SEQ, STOPPED);
    Atomics.notify(control, SEQ);
    if (!(e instanceof ReplayError)) throw e;
    post({ type: "error", message: e.message, record: e.record, blockId: e.blockId });
  }
}
