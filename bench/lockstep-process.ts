// One side of a lockstep pair (bench/lockstep.ts) in its own fresh process: random-mixed for one
// hakmem configuration, warmed up, then stepped on the parent's command over the IPC channel.
// Bundled to dist/bench/lockstep.js.
import { loadContender } from "./contenders/load.ts";
import type { LockstepReply, LockstepRequest } from "./lockstep.ts";
import type { RunSpec } from "./spec.ts";
import { STEP_CYCLES, stepped } from "./workloads/random-mixed.ts";

/** Untimed cycles before the first step: V8 has optimized the loop and the heap is at its steady size. */
const WARMUP_CYCLES = 16 * STEP_CYCLES;

const spec = JSON.parse(process.argv[2] ?? "") as RunSpec;
const run = await stepped(spec, await loadContender(spec.contender));
for (let done = 0; done < WARMUP_CYCLES; done += STEP_CYCLES) run.step(STEP_CYCLES);

function reply(r: LockstepReply): void {
  process.send!(r);
}

process.on("message", (m: LockstepRequest) => {
  if ("step" in m) {
    reply({ seconds: run.step(m.step) });
  } else {
    const r = run.finish();
    reply({ ...r, rssBytes: process.resourceUsage().maxRSS * 1024 });
    process.disconnect();
  }
});
reply({ ready: true });
