// The results as a table: plain text for the terminal, Markdown for results.md.
import type { CaseResult, Row } from "./execute.ts";

export interface Machine {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly compiler?: string;
  /** The browser's version, when rows ran in Chromium (`bench --browser`). */
  readonly chromium?: string;
}

const HEADER = ["contender", "M ops/s", "min–max", "CV", "vs hakmem", "peak footprint", "RSS", "cycles"];

function mib(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? "—" : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function mops(x: number): string {
  const m = x / 1e6;
  return m >= 10 ? m.toFixed(1) : m >= 0.1 ? m.toFixed(2) : m.toFixed(4);
}

/** A row's cells; undefined when it has no numbers (skipped, or failed on every run). */
function cells(r: Row): string[] | undefined {
  const s = r.opsPerSec;
  if (s === undefined) return undefined;
  return [
    r.status === "ok" ? r.label : `${r.label} (${r.status})`,
    mops(s.median),
    `${mops(s.min)}–${mops(s.max)}`,
    `${(s.cv * 100).toFixed(1)}%`,
    r.ratio === undefined ? "—" : `${r.ratio >= 10 ? r.ratio.toFixed(1) : r.ratio.toFixed(3)}×`,
    mib(r.peakFootprintBytes),
    mib(r.rssBytes),
    r.cycles === undefined ? "" : r.cycles.toLocaleString("en-US"),
  ];
}

function why(r: Row): string {
  return `— ${r.status}: ${r.reason ?? ""}`;
}

function caption(c: CaseResult): string {
  const p = Object.entries(c.params).map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`).join(", ");
  return `${c.title} — one op = one ${c.unit}; ${p}`;
}

function footnotes(c: CaseResult): string[] {
  return c.rows.filter((r) => r.status !== "ok" && r.opsPerSec !== undefined).map((r) => `${r.label}: ${r.reason}`);
}

export function textReport(results: readonly CaseResult[], m: Machine): string {
  const out = [`hakmem bench — ${m.date}, ${m.cpu} (${m.cores} cores), node ${m.node}, ${m.platform}${m.chromium ? `, Chromium ${m.chromium}` : ""}`];
  for (const c of results) {
    const full = c.rows.map(cells);
    const width = HEADER.map((h, i) => Math.max(h.length, ...full.map((r) => r?.[i].length ?? 0), ...(i === 0 ? c.rows.map((r) => r.label.length) : [])));
    const line = (r: string[]): string => r.map((x, i) => (i === 0 ? x.padEnd(width[0]) : x.padStart(width[i]))).join("  ").trimEnd();
    out.push("", caption(c), line(HEADER), width.map((w) => "-".repeat(w)).join("  "));
    c.rows.forEach((r, i) => out.push(full[i] ? line(full[i]) : `${r.label.padEnd(width[0])}  ${why(r)}`));
    for (const f of footnotes(c)) out.push(`  note: ${f}`);
  }
  return out.join("\n");
}

export function markdownReport(results: readonly CaseResult[], m: Machine, command: string): string {
  const out = [
    "# hakmem bench results",
    "",
    `${m.date} · ${m.cpu}, ${m.cores} cores · node ${m.node} · ${m.platform}${m.compiler ? ` · native: ${m.compiler}` : ""}${m.chromium ? ` · Chromium ${m.chromium}` : ""}`,
    "",
    `Command: \`${command}\``,
    "",
    "How to read it: each contender runs in its own fresh process, the runs interleaved (every",
    "contender's run 1, then every run 2, ...), so drift on a shared machine hits every row alike.",
    "M ops/s is the median over the runs, with min–max and the coefficient of variation; `vs hakmem`",
    "is a row's median over hakmem's (below 1: slower than hakmem). Slow peers do fewer cycles of",
    "the same sequence (the cycles column); ops/s keep the rows comparable. Peak footprint is the",
    "memory the allocator claimed at its high-water mark, where it exposes one; RSS is the whole",
    "process's peak (a Node process starts near 50 MiB). — marks a contender that cannot run the",
    "workload, with the reason.",
  ];
  for (const c of results) {
    out.push("", `## ${c.title}`, "", `One op = one ${c.unit}. ${Object.entries(c.params).map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`).join(", ")}.`, "");
    out.push(`| ${HEADER.join(" | ")} |`, `|${HEADER.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
    for (const r of c.rows) out.push(`| ${(cells(r) ?? [r.label, why(r), "", "", "", "", "", ""]).map((x) => x.replaceAll("|", "\\|")).join(" | ")} |`);
    const notes = footnotes(c);
    if (notes.length > 0) out.push("", ...notes.map((n) => `- ${n}`));
  }
  return `${out.join("\n")}\n`;
}
