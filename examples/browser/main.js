// The page: creates the heap, starts two workers on it, and passes typed arrays and strings
// back and forth. Modules are imported by URL: an import map does not apply inside module workers.
import { createHeap } from "/hakmem/index.js";

const out = document.getElementById("log");
const log = (line) => (out.textContent += `${line}\n`);

/** Sends a message to a worker and resolves with its answer. */
function ask(worker, message) {
  return new Promise((resolve, reject) => {
    worker.addEventListener("message", (e) => resolve(e.data), { once: true });
    worker.addEventListener("error", (e) => reject(new Error(`${worker.name}: ${e.message || "failed to load"}`)), { once: true });
    worker.postMessage(message);
  });
}

async function main() {
  if (!crossOriginIsolated) throw new Error("the page is not cross-origin isolated: serve it with server.mjs (COOP/COEP headers)");
  const heap = createHeap({ maxBytes: 256 << 20 });
  const workers = ["worker A", "worker B"].map((name) => Object.assign(new Worker("./worker.js", { type: "module", name }), { name }));
  // Start barrier: workers start hundreds of ms apart; go on once both have attached.
  await Promise.all(workers.map((w) => ask(w, { op: "attach", buffer: heap.buffer })));
  log(`heap of ${heap.stats().bufferBytes >> 20} MiB shared with ${workers.length} workers`);

  // A: sums a Float64Array the page filled, answers with a string it allocated.
  // B: at the same time, allocates 16 MiB of square roots (the heap grows) and a label.
  const xs = heap.mallocArray(Float64Array, 1000);
  for (let i = 0; i < xs.length; i++) xs[i] = i / 2;
  const [sum, roots] = await Promise.all([ask(workers[0], { op: "sum", view: xs }), ask(workers[1], { op: "roots", n: 2_000_000 })]);
  log(heap.readString(sum.text));
  heap.free(sum.text); // a string worker A allocated, freed by the page
  heap.freeArray(xs);

  const { view, label } = roots; // a Float64Array over the heap, from worker B
  log(`${heap.readString(label)}: √1 000 000 = ${view[1_000_000]}; the heap grew ${heap.stats().growths} time(s), to ${heap.stats().bufferBytes >> 20} MiB`);
  const longer = heap.reallocArray(view, 3_000_000); // resize B's block here: contents kept
  log(`reallocArray to ${longer.length} elements keeps them: √1 999 999 = ${longer[1_999_999].toFixed(3)}`);
  heap.freeArray(longer);
  heap.free(label);

  await Promise.all(workers.map((w) => ask(w, { op: "detach" })));
  workers.forEach((w) => w.terminate());
  const s = heap.stats();
  log(`workers detached; live blocks: ${s.liveBlocks}, live bytes: ${s.liveBytes}`);
  return s.liveBlocks === 0 && s.liveBytes === 0;
}

main().then(
  (ok) => {
    log(ok ? "done ✓" : "blocks were left live ✗");
    globalThis.demo = { ok, log: out.textContent };
  },
  (e) => {
    log(`error: ${e.message}`);
    globalThis.demo = { ok: false, log: out.textContent };
  },
);
