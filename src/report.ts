/** HAKMEM_STATS=1: a readable summary of each heap handle when the process exits (Node). */
import type { Heap } from "./heap.ts";
import { OBSERVE } from "./flags.ts";

interface ExitEmitter {
  once(event: "exit", listener: () => void): void;
}

export function reportAtExit(heap: Heap): void {
  const proc = (globalThis as { process?: ExitEmitter }).process;
  proc?.once("exit", () => {
    if (heap.detached) return;
    const s = heap.stats();
    const mib = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;
    const lines = [
      `hakmem heap (worker ${heap.workerId}, profile ${heap.profile.name})`,
      `  live        ${s.liveBlocks} blocks, ${s.liveBytes} bytes`,
      `  footprint   ${mib(s.footprintBytes)} (peak ${mib(s.peakFootprintBytes)}), buffer ${mib(s.bufferBytes)} of ${mib(s.maxBytes)}, ${s.growths} growths`,
    ];
    if (OBSERVE) {
      for (const [name, value] of Object.entries(heap.counters())) lines.push(`  ${name.padEnd(12)}${value}`);
    }
    console.error(lines.join("\n"));
  });
}
