// A bar chart of the results a person can look at: one group per case, one bar per contender
// (median ops/s on a log scale, since rows span three or four orders of magnitude).
import type { CaseResult } from "./execute.ts";

const ROW = 18;
const LABEL = 190;
const BAR = 520;
const VALUE = 110;
const WIDTH = LABEL + BAR + VALUE;

function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

export function svgChart(results: readonly CaseResult[], subtitle: string): string {
  const all = results.flatMap((c) => c.rows.flatMap((r) => (r.opsPerSec ? [r.opsPerSec.median] : [])));
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(1, Math.min(...all, 1e6)))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 10 * lo))));
  const x = (v: number): number => (BAR * Math.log10(v / lo)) / Math.log10(hi / lo);
  const parts: string[] = [];
  let y = 44;
  for (const c of results) {
    parts.push(`<text x="0" y="${y + 12}" class="h">${esc(c.title)}</text>`);
    y += 20;
    for (const r of c.rows) {
      const hakmem = r.contender.startsWith("hakmem");
      parts.push(`<text x="${LABEL - 6}" y="${y + 12}" text-anchor="end">${esc(r.label)}</text>`);
      if (r.opsPerSec) {
        const w = Math.max(1, x(r.opsPerSec.median));
        parts.push(`<rect x="${LABEL}" y="${y + 2}" width="${w.toFixed(1)}" height="${ROW - 4}" fill="${hakmem ? "#d9480f" : r.contender === "native" ? "#495057" : "#74c0fc"}"/>`);
        parts.push(`<text x="${(LABEL + w + 4).toFixed(1)}" y="${y + 12}">${(r.opsPerSec.median / 1e6).toPrecision(3)} M</text>`);
      } else {
        parts.push(`<text x="${LABEL + 4}" y="${y + 12}" class="n">— ${esc(r.reason ?? r.status)}</text>`);
      }
      y += ROW;
    }
    y += 10;
  }
  const ticks: string[] = [];
  for (let v = lo; v <= hi; v *= 10) {
    const tx = LABEL + x(v);
    ticks.push(`<line x1="${tx}" y1="36" x2="${tx}" y2="${y}" stroke="#dee2e6"/><text x="${tx}" y="${y + 14}" text-anchor="middle" class="n">${v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : v}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 24}" viewBox="0 0 ${WIDTH} ${y + 24}" font-family="system-ui, sans-serif" font-size="12">
<style>.h{font-weight:600}.n{fill:#868e96}</style>
<rect width="100%" height="100%" fill="white"/>
<text x="0" y="16" class="h" font-size="15">hakmem bench: median ops/s (log scale)</text>
<text x="0" y="32" class="n">${esc(subtitle)}</text>
${ticks.join("\n")}
${parts.join("\n")}
</svg>
`;
}
