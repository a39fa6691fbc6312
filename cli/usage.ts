// Command-line errors: a UsageError is the user's mistake (exit code 2, with a pointer to help).
import { parseArgs, type ParseArgsConfig } from "node:util";

/** The options that shape a workload run, shared by `hakmem bench` and `hakmem ab`. */
export const RUN_OPTIONS = {
  runs: { type: "string" },
  quick: { type: "boolean" },
  cycles: { type: "string" },
  seconds: { type: "string" },
  workers: { type: "string" },
  ws: { type: "string" },
  seed: { type: "string" },
  clock: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs, strict, with its errors turned into UsageErrors. */
export function parse<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, "") : String(e));
  }
}

export function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

export function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${text}"`);
  return n;
}

export function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer, got "${text}"`);
  return n;
}

export function clockOption(text: string | undefined): "wall" | "cpu" | undefined {
  if (text === undefined || text === "wall" || text === "cpu") return text;
  throw new UsageError(`--clock must be wall or cpu, got "${text}"`);
}
