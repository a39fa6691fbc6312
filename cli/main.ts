// `hakmem`: the command-line entry. Dispatches to one module per command; each exports
// main(argv) → exit code. Bundled to dist/cli.js (bin/hakmem.mjs runs it).
import { UsageError } from "./usage.ts";

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> | number }> }> = {
  bench: { summary: "benchmark hakmem against JS peers and the C library's malloc", load: () => import("./bench.ts") },
  ab: { summary: "A/B two configurations: paired runs, confidence interval, GO / NEUTRAL / NO-GO", load: () => import("./ab.ts") },
  replay: { summary: "replay real-program allocation traces", load: () => import("./replay.ts") },
  soak: { summary: "run a workload for minutes: throughput, footprint and RSS drift", load: () => import("./soak.ts") },
};

export const HELP = `usage: hakmem <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`)
  .join("\n")}

Run 'hakmem <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  try {
    if (entry === undefined) throw new UsageError(`unknown command "${command}"`);
    return await (await entry.load()).main(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`hakmem${entry ? ` ${command}` : ""}: ${e.message}\nRun 'hakmem ${entry ? `${command} ` : ""}--help' for usage.`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
