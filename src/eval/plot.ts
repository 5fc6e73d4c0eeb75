/**
 * Accuracy against NFE per generated token, one series per setting and one point per B0,
 * written as a standalone SVG string (no plotting library; the same string is saved by the
 * CLI and shown by the browser panel). Lower NFE per token = fewer forward passes = faster.
 */
import type { CellSummary } from "./run.ts";
import { SETTING_LABELS, type SettingName } from "./settings.ts";
import { axes } from "./table.ts";

const STYLE: Readonly<Record<SettingName, { color: string; marker: "circle" | "square" | "triangle" | "diamond" }>> = {
  vanilla: { color: "#7f7f7f", marker: "circle" },
  threshold: { color: "#1f77b4", marker: "square" },
  adablock: { color: "#d62728", marker: "triangle" },
  cache: { color: "#9467bd", marker: "square" },
  "adablock+cache": { color: "#ff7f0e", marker: "triangle" },
  fixed: { color: "#2ca02c", marker: "diamond" },
};

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 60, right: 170, top: 36, bottom: 50 };

/** Round tick positions (1, 2 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.floor(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toFixed(10)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toFixed(10)));
  return ticks;
}

/** Text made safe inside SVG/XML markup and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function marker(kind: (typeof STYLE)[SettingName]["marker"], x: number, y: number, color: string): string {
  const r = 4.5;
  const f = (n: number): string => n.toFixed(1);
  switch (kind) {
    case "circle":
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${r}" fill="${color}"/>`;
    case "square":
      return `<rect x="${f(x - r)}" y="${f(y - r)}" width="${2 * r}" height="${2 * r}" fill="${color}"/>`;
    case "triangle":
      return `<polygon points="${f(x)},${f(y - r - 1)} ${f(x - r - 1)},${f(y + r)} ${f(x + r + 1)},${f(y + r)}" fill="${color}"/>`;
    case "diamond":
      return `<polygon points="${f(x)},${f(y - r - 1)} ${f(x + r + 1)},${f(y)} ${f(x)},${f(y + r + 1)} ${f(x - r - 1)},${f(y)}" fill="${color}"/>`;
  }
}

export interface PlotOptions {
  title?: string;
}

export function accuracyVsNfeSvg(cells: readonly CellSummary[], options: PlotOptions = {}): string {
  const scored = cells.filter((cell) => cell.summary.problems > 0 && cell.summary.tokens > 0);
  const { settings } = axes(scored);
  const xs = scored.map((cell) => cell.summary.nfePerToken);
  const ys = scored.map((cell) => 100 * cell.summary.accuracy);
  // A little room right of the largest value keeps its marker and label off the frame.
  const xTicks = niceTicks(0, xs.length > 0 ? 1.05 * Math.max(...xs) : 1);
  // Accuracy differences of a few points must stay visible, so the y axis fits the data.
  const yTicks = ys.length > 0 ? niceTicks(Math.max(0, Math.min(...ys) - 2), Math.min(100, Math.max(...ys) + 2)) : niceTicks(0, 100);
  const [x0, x1] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number): number => MARGIN.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="14">${escapeXml(options.title ?? "Accuracy vs NFE per token (labels: B0)")}</text>`,
  ];
  for (const t of xTicks) {
    parts.push(`<line x1="${px(t).toFixed(1)}" y1="${MARGIN.top}" x2="${px(t).toFixed(1)}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text x="${px(t).toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${t}</text>`);
  }
  for (const t of yTicks) {
    parts.push(`<line x1="${MARGIN.left}" y1="${py(t).toFixed(1)}" x2="${MARGIN.left + plotW}" y2="${py(t).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">NFE per generated token (lower = fewer forward passes)</text>`);
  parts.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">accuracy (%)</text>`);
  settings.forEach((setting, index) => {
    const { color, marker: kind } = STYLE[setting];
    const series = scored.filter((cell) => cell.setting === setting).sort((a, b) => a.blockSize - b.blockSize);
    const points = series.map((cell) => [px(cell.summary.nfePerToken), py(100 * cell.summary.accuracy)] as const);
    if (points.length > 1) {
      parts.push(`<polyline points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}" fill="none" stroke="${color}" stroke-width="1.5" opacity="0.6"/>`);
    }
    series.forEach((cell, i) => {
      const [x, y] = points[i]!;
      parts.push(`<g data-setting="${setting}" data-block-size="${cell.blockSize}">${marker(kind, x, y, color)}<text x="${(x + 7).toFixed(1)}" y="${(y - 6).toFixed(1)}" fill="${color}" font-size="10">${cell.blockSize}</text></g>`);
    });
    const ly = MARGIN.top + 10 + index * 20;
    const lx = MARGIN.left + plotW + 16;
    parts.push(`${marker(kind, lx, ly, color)}<text x="${lx + 12}" y="${ly + 4}">${escapeXml(SETTING_LABELS[setting])}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}
