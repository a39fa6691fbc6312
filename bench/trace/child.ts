// One replay in a fresh process: `hakmem replay` and `hakmem bench replay` start this once per
// trace and contender, so no contender's JIT state or heap touches another's. Prints one JSON
// line: the HakmemRun, or { error, record?, blockId? }. Exit code 0 either way when the result
// line was written (the parent reads it), 1 when it could not be.
//   node --import tsx bench/trace/child.ts FILE --profile balanced [--verify] [--threads] [--runs N] [--min-records M]
import { parseArgs } from "node:util";
import type { ProfileName } from "hakmem";
import { HktFormatError } from "./hkt.ts";
import { ReplayError } from "./replay.ts";
import { runHakmem } from "./run.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    profile: { type: "string", default: "balanced" },
    verify: { type: "boolean", default: false },
    threads: { type: "boolean", default: false },
    runs: { type: "string", default: "1" },
    "min-records": { type: "string", default: "0" },
  },
});

try {
  const run = await runHakmem(positionals[0], {
    profile: values.profile as ProfileName,
    verify: values.verify,
    threads: values.threads,
    runs: Number(values.runs),
    minRecords: Number(values["min-records"]),
  });
  console.log(JSON.stringify(run));
} catch (e) {
  if (e instanceof ReplayError) console.log(JSON.stringify({ error: e.message, record: e.record, blockId: e.blockId }));
  else if (e instanceof HktFormatError) console.log(JSON.stringify({ error: e.message, format: true }));
  else console.log(JSON.stringify({ error: (e as Error).stack ?? String(e) }));
}
