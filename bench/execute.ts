// Runs a plan: for each case, run 1 of every contender, then run 2 of every contender, ... (each
// in a fresh process, so drift on a shared machine hits every row alike), then summarizes.
import { labelOf } from "./contenders/index.ts";
import type { PlannedCase } from "./plan.ts";
import { Progress } from "./progress.ts";
import { type RunOutcome, runOnce } from "./runner.ts";
import type { RunResult, RunSpec, WorkloadName } from "./spec.ts";
import { median, type Summary, summarize } from "./stats.ts";
import { makeTables, tableChecksum } from "./tables.ts";
import { MAX_SIZE as RM_MAX, MIN_SIZE as RM_MIN } from "./workloads/random-mixed.ts";
import { MAX_SIZE as MID_MAX, MIN_SIZE as MID_MIN } from "./workloads/mid.ts";

export interface Row {
  /** The contender's name; with "@chromium" for a row run in Chromium. */
  readonly contender: string;
  readonly label: string;
  /** Set on rows run in a Chromium page and its Web Workers (`--browser`); absent for Node. */
  readonly engine?: "chromium";
  readonly status: "ok" | "skipped" | "failed";
  /** Why it was skipped or failed. */
  readonly reason?: string;
  /** Cycles per worker (cycle-counted workloads) for this contender. */
  readonly cycles?: number;
  readonly runs: RunResult[];
  readonly opsPerSec?: Summary;
  /** Median ops/s over the base contender's median ops/s. */
  readonly ratio?: number;
  readonly peakFootprintBytes?: number | null;
  readonly rssBytes?: number | null;
  readonly problems: string[];
}

export interface CaseResult {
  readonly workload: WorkloadName;
  readonly workers: number;
  readonly title: string;
  readonly unit: string;
  readonly params: Record<string, number>;
  /** The row the ratios are relative to (hakmem balanced when it ran). */
  readonly base: string | null;
  readonly rows: Row[];
}

/** Where rows with an engine run (bench/browser/session.ts). */
export interface Engine {
  run(spec: RunSpec): Promise<RunOutcome>;
}

export async function execute(cases: readonly PlannedCase[], runs: number, chromium?: Engine): Promise<CaseResult[]> {
  const total = cases.reduce((n, c) => n + c.rows.filter((r) => r.spec).length * runs, 0);
  const progress = new Progress(total);
  const out: CaseResult[] = [];
  try {
    for (const c of cases) {
      const results = c.rows.map(() => [] as RunResult[]);
      const errors = c.rows.map(() => [] as string[]);
      for (let r = 0; r < runs; r++) {
        for (let i = 0; i < c.rows.length; i++) {
          const { spec, engine } = c.rows[i];
          if (spec === undefined) continue;
          progress.show(`${c.title} · ${c.rows[i].contender.name}${engine ? ` in ${engine}` : ""} · run ${r + 1}/${runs}`);
          const outcome = engine === undefined ? await runOnce(spec) : chromium ? await chromium.run(spec) : { error: "no Chromium session" };
          progress.step();
          if ("error" in outcome) errors[i].push(outcome.error);
          else results[i].push(outcome.result);
        }
      }
      out.push(summarizeCase(c, results, errors));
    }
  } finally {
    progress.end();
  }
  return out;
}

function summarizeCase(c: PlannedCase, results: RunResult[][], errors: string[][]): CaseResult {
  const expected = expectedChecksum(c);
  const rows: Row[] = c.rows.map((p, i) => {
    const base = p.engine === undefined
      ? { contender: p.contender.name, label: labelOf(p.contender), runs: results[i] }
      : { contender: `${p.contender.name}@chromium`, label: `${labelOf(p.contender)} (Chromium)`, engine: p.engine, runs: results[i] };
    if (p.skip !== undefined) return { ...base, status: "skipped", reason: p.skip, problems: [] };
    const problems = [...new Set(results[i].flatMap((r) => r.problems))];
    const sums = results[i].map((r) => r.extra.tableChecksum).filter((x) => x !== undefined);
    if (expected !== undefined && sums.some((s) => s !== expected)) problems.push(`its tables differ from the JS ones (checksum ${sums[0]} ≠ ${expected})`);
    const cycles = p.spec?.cycles || undefined;
    if (errors[i].length > 0) return { ...base, cycles, status: "failed", reason: errors[i][0], problems };
    const ops = results[i].map((r) => r.opsPerSec);
    const feet = results[i].map((r) => r.peakFootprintBytes).filter((x): x is number => x !== null);
    const rss = results[i].map((r) => r.rssBytes).filter((x): x is number => x !== null);
    return {
      ...base,
      cycles,
      status: problems.length > 0 ? "failed" : "ok",
      ...(problems.length > 0 ? { reason: problems[0] } : {}),
      opsPerSec: summarize(ops),
      peakFootprintBytes: feet.length > 0 ? median(feet) : null,
      rssBytes: rss.length > 0 ? median(rss) : null,
      problems,
    };
  });
  const baseRow = rows.find((r) => r.contender === "hakmem:balanced" && r.opsPerSec) ?? rows.find((r) => r.contender.startsWith("hakmem") && r.engine === undefined && r.opsPerSec);
  const withRatio = rows.map((r) => (baseRow?.opsPerSec && r.opsPerSec ? { ...r, ratio: r.opsPerSec.median / baseRow.opsPerSec.median } : r));
  return { workload: c.workload, workers: c.workers, title: c.title, unit: c.unit, params: c.params, base: baseRow?.contender ?? null, rows: withRatio };
}

/** The checksum native/bench.c must report for its tables (random-mixed; mid's worker 0). */
function expectedChecksum(c: PlannedCase): number | undefined {
  const spec = c.rows.find((r) => r.contender.id === "native")?.spec;
  if (spec === undefined) return undefined;
  if (c.workload === "random-mixed") return tableChecksum(makeTables(spec.ws, spec.seed, RM_MIN, RM_MAX));
  if (c.workload === "mid") return tableChecksum(makeTables(spec.ws, spec.seed, MID_MIN, MID_MAX));
  return undefined;
}
