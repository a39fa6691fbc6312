// The soak over time as a picture: throughput per epoch on top, the heap's footprint and the
// process's RSS below, both against seconds since the start; y axes start at 0 so a drift of a
// few percent looks like what it is.
import type { Epoch } from "./epochs.ts";

const WIDTH = 760;
const LEFT = 70;
const RIGHT = 20;
const PLOT = WIDTH - LEFT - RIGHT;
const PANEL = 180;
const MiB = 1024 * 1024;

interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
}

function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A step of 1, 2 or 5 × 10^k that cuts `max` into about `parts` pieces. */
function niceStep(max: number, parts: number): number {
  const raw = max / parts;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

function panel(top: number, title: string, unit: string, times: readonly number[], series: readonly Series[], tEnd: number): string {
  const vmax = Math.max(...series.flatMap((s) => s.values), 1e-9);
  const step = niceStep(vmax, 4);
  const ymax = Math.ceil(vmax / step) * step;
  const x = (t: number): number => LEFT + (PLOT * t) / tEnd;
  const y = (v: number): number => top + PANEL - (PANEL * v) / ymax;
  const out = [`<text x="${LEFT}" y="${top - 8}" class="h">${esc(title)}</text>`];
  for (let v = 0; v <= ymax + step / 2; v += step) {
    out.push(`<line x1="${LEFT}" y1="${y(v).toFixed(1)}" x2="${LEFT + PLOT}" y2="${y(v).toFixed(1)}" stroke="#dee2e6"/>`);
    out.push(`<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="n">${+v.toPrecision(6)} ${unit}</text>`);
  }
  const tStep = niceStep(tEnd, 8);
  for (let t = 0; t <= tEnd + 1e-9; t += tStep) {
    out.push(`<text x="${x(t).toFixed(1)}" y="${top + PANEL + 14}" text-anchor="middle" class="n">${+t.toPrecision(6)} s</text>`);
  }
  series.forEach((s, k) => {
    const points = s.values.map((v, i) => `${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${points}"/>`);
    // The legend sits on the title's line, right-aligned, clear of the lines.
    out.push(`<text x="${LEFT + PLOT - 130 * k}" y="${top - 8}" text-anchor="end" fill="${s.color}">— ${esc(s.label)}</text>`);
  });
  return out.join("\n");
}

export function soakChart(epochs: readonly Epoch[], title: string, subtitle: string): string {
  const times: number[] = [];
  let t = 0;
  for (const e of epochs) times.push((t += e.seconds));
  const tEnd = Math.max(t, 1);
  const top1 = 70;
  const top2 = top1 + PANEL + 60;
  const height = top2 + PANEL + 30;
  const body = [
    panel(top1, "throughput per epoch", "M", times, [{ label: "M ops/s", color: "#d9480f", values: epochs.map((e) => e.opsPerSec / 1e6) }], tEnd),
    panel(
      top2,
      "memory at the end of each epoch",
      "MiB",
      times,
      [
        { label: "heap footprint", color: "#d9480f", values: epochs.map((e) => e.footprintBytes / MiB) },
        { label: "process RSS", color: "#495057", values: epochs.map((e) => e.rssBytes / MiB) },
      ],
      tEnd,
    ),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">
<style>.h{font-weight:600}.n{fill:#868e96}</style>
<rect width="100%" height="100%" fill="white"/>
<text x="0" y="18" class="h" font-size="15">${esc(title)}</text>
<text x="0" y="36" class="n">${esc(subtitle)}</text>
${body.join("\n")}
</svg>
`;
}
