// A worker: attaches to the page's heap (its own front cache, the same heap) and answers requests.
import { attachHeap } from "/hakmem/index.js";

let heap;

onmessage = ({ data }) => {
  if (data.op === "attach") {
    heap = attachHeap(data.buffer);
    postMessage("attached");
  } else if (data.op === "sum") {
    // data.view arrived over a new SharedArrayBuffer object of the same memory: no copy.
    let sum = 0;
    for (const x of data.view) sum += x;
    postMessage({ text: heap.mallocString(`${self.name}: the page's ${data.view.length} numbers add up to ${sum}`) });
  } else if (data.op === "roots") {
    const view = heap.mallocArray(Float64Array, data.n);
    for (let i = 0; i < view.length; i++) view[i] = Math.sqrt(i);
    postMessage({ view, label: heap.mallocString(`${self.name}: √ of 0…${data.n - 1}`) });
  } else if (data.op === "detach") {
    heap.detach(); // its cached blocks and slabs go back to the heap
    postMessage("detached");
  }
};
