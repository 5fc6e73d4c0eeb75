/**
 * The two volatility-band charts as standalone SVG strings (no DOM, no library): the band of
 * one pass, and the paper's averaged view. Colours are presentation attributes, not styles:
 * the page's CSP forbids style attributes, and an exported file or a PNG drawn from it has no
 * stylesheet. The page's stylesheet (player.css) may still recolour them by class for its theme.
 */
import { escapeXml } from "../eval/plot.ts";
import type { BandKind, BandProfile, PassBand } from "../eval/volatility.ts";

const FONT = `font-family="system-ui, sans-serif" font-size="11"`;

export const KIND_COLOURS: Readonly<Record<BandKind, string>> = {
  decoded: "#94a3b8",
  committed: "#16a34a",
  masked: "#9333ea",
};

/** One colour per snapshot of the averaged view, in DECODED_PERCENTS order. */
export const CURVE_COLOURS: readonly string[] = ["#1f77b4", "#2ca02c", "#ff7f0e", "#d62728"];

const f = (n: number): string => n.toFixed(1);

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const plotWidth = (frame: Frame): number => frame.width - frame.left - frame.right;
const plotHeight = (frame: Frame): number => frame.height - frame.top - frame.bottom;
/** Confidence (0..1) to a y coordinate. */
const yOf = (frame: Frame, value: number): number => frame.top + (1 - Math.max(0, Math.min(1, value))) * plotHeight(frame);

/** Gridlines and labels of the confidence axis, and the axis titles. */
function axes(frame: Frame, yTicks: readonly number[], xLabel: string, xTicks: readonly [number, string][]): string {
  const parts: string[] = [];
  const x0 = frame.left;
  const x1 = frame.width - frame.right;
  for (const tick of yTicks) {
    const y = yOf(frame, tick);
    parts.push(`<line class="grid" x1="${x0}" x2="${x1}" y1="${f(y)}" y2="${f(y)}" stroke="#d4d4d8" stroke-width="0.5"/>`);
    parts.push(`<text class="label" x="${x0 - 6}" y="${f(y + 4)}" text-anchor="end" fill="#3f3f46">${tick}</text>`);
  }
  const yBottom = frame.height - frame.bottom;
  parts.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${yBottom}" y2="${yBottom}" stroke="#52525b"/>`);
  parts.push(`<line class="axis" x1="${x0}" x2="${x0}" y1="${frame.top}" y2="${yBottom}" stroke="#52525b"/>`);
  for (const [x, label] of xTicks) parts.push(`<text class="label" x="${f(x)}" y="${yBottom + 14}" text-anchor="middle" fill="#3f3f46">${escapeXml(label)}</text>`);
  parts.push(`<text class="label" x="${f((x0 + x1) / 2)}" y="${frame.height - 4}" text-anchor="middle" fill="#3f3f46">${escapeXml(xLabel)}</text>`);
  parts.push(
    `<text class="label" transform="translate(12 ${f(frame.top + plotHeight(frame) / 2)}) rotate(-90)" text-anchor="middle" fill="#3f3f46">top-1 confidence</text>`,
  );
  return parts.join("");
}

/**
 * Top-1 confidence against position for one pass: the decoded plateau (grey), the positions
 * this pass committed (green), the still-masked band and floor (purple), with the pass's block
 * shaded and AdaBlock's look-ahead window outlined (dashed, with tau_D where finite).
 */
export function passBandSvg(band: PassBand, title = `pass ${band.pass + 1}`): string {
  const frame: Frame = { width: 640, height: 220, left: 44, right: 12, top: 22, bottom: 34 };
  const step = plotWidth(frame) / band.genLength;
  const xOf = (i: number): number => frame.left + i * step;
  const parts: string[] = [];
  parts.push(`<rect class="bg" width="${frame.width}" height="${frame.height}" fill="#ffffff"/>`);
  const [blockStart, blockEnd] = band.block;
  parts.push(
    `<rect class="band-block" x="${f(xOf(blockStart))}" y="${frame.top}" width="${f((blockEnd - blockStart) * step)}" height="${plotHeight(frame)}" fill="#3b82f6" fill-opacity="0.14"/>`,
  );
  if (band.window) {
    const [start, end] = band.window;
    parts.push(
      `<rect class="band-window" x="${f(xOf(start))}" y="${frame.top}" width="${f((end - start) * step)}" height="${plotHeight(frame)}" fill="none" stroke="#f59e0b" stroke-dasharray="4 3"/>`,
    );
    if (band.delimiterThreshold !== null && Number.isFinite(band.delimiterThreshold)) {
      const y = yOf(frame, band.delimiterThreshold);
      parts.push(`<line class="band-tau" x1="${f(xOf(start))}" x2="${f(xOf(end))}" y1="${f(y)}" y2="${f(y)}" stroke="#f59e0b" stroke-dasharray="2 2"/>`);
    }
  }
  parts.push(axes(frame, [0, 0.5, 1], "generated position", [[xOf(0), "0"], [xOf(band.genLength / 2), String(Math.round(band.genLength / 2))], [xOf(band.genLength), String(band.genLength)]]));
  const radius = Math.max(1.2, Math.min(3, step / 2.5));
  band.confidences.forEach((confidence, i) => {
    if (confidence === null) return;
    const kind = band.kinds[i]!;
    parts.push(`<circle class="point ${kind}" cx="${f(xOf(i + 0.5))}" cy="${f(yOf(frame, confidence))}" r="${f(radius)}" fill="${KIND_COLOURS[kind]}"/>`);
  });
  const legend: [string, string][] = [
    ["decoded", KIND_COLOURS.decoded],
    ["committed this pass", KIND_COLOURS.committed],
    ["masked", KIND_COLOURS.masked],
  ];
  let x = frame.left;
  for (const [label, colour] of legend) {
    parts.push(`<circle cx="${x + 4}" cy="10" r="3.5" fill="${colour}"/><text class="label" x="${x + 11}" y="14" fill="#3f3f46">${escapeXml(label)}</text>`);
    x += 20 + label.length * 6;
  }
  parts.push(`<rect x="${x}" y="5" width="12" height="10" fill="#3b82f6" fill-opacity="0.25"/><text class="label" x="${x + 16}" y="14" fill="#3f3f46">block</text>`);
  x += 56;
  if (band.window) parts.push(`<rect x="${x}" y="5" width="12" height="10" fill="none" stroke="#f59e0b" stroke-dasharray="4 3"/><text class="label" x="${x + 16}" y="14" fill="#3f3f46">AdaBlock window</text>`);
  parts.push(`<text class="label" x="${frame.width - frame.right}" y="14" text-anchor="end" fill="#3f3f46">${escapeXml(title)}</text>`);
  return svgRoot(frame, `Top-1 confidence by position, ${title}`, parts);
}

function svgRoot(frame: Frame, label: string, parts: readonly string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="band-svg" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" role="img" aria-label="${escapeXml(label)}" ${FONT}>` +
    `<title>${escapeXml(label)}</title>${parts.join("")}</svg>`
  );
}

/** A path through the points, broken where a bin has no value. */
function curvePath(points: readonly ([number, number] | null)[]): string {
  let d = "";
  let pen = false;
  for (const point of points) {
    if (!point) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${f(point[0])} ${f(point[1])}`;
    pen = true;
  }
  return d;
}

/**
 * The paper's figure: mean top-1 confidence against relative position, one line per decoded
 * percentage, averaged over the problems run. `subtitle` names the settings.
 */
export function bandProfileSvg(profile: BandProfile, subtitle = ""): string {
  const frame: Frame = { width: 640, height: 360, left: 52, right: 120, top: 44, bottom: 40 };
  const xOf = (relative: number): number => frame.left + relative * plotWidth(frame);
  const parts: string[] = [];
  parts.push(`<rect class="bg" width="${frame.width}" height="${frame.height}" fill="#ffffff"/>`);
  const problems = `${profile.problems} problem${profile.problems === 1 ? "" : "s"}${profile.stopped ? " (stopped early)" : ""}`;
  parts.push(`<text class="title" x="${frame.left}" y="18" font-size="13" font-weight="600" fill="#18181b">Top-1 confidence by relative position, mean over ${escapeXml(problems)}</text>`);
  if (subtitle) parts.push(`<text class="label" x="${frame.left}" y="34" fill="#3f3f46">${escapeXml(subtitle)}</text>`);
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  parts.push(axes(frame, ticks, "relative position in the generation", ticks.map((t) => [xOf(t), String(t)] as [number, string])));
  profile.curves.forEach((curve, c) => {
    const colour = CURVE_COLOURS[c % CURVE_COLOURS.length]!;
    const points = curve.means.map((mean, b): [number, number] | null => (mean === null ? null : [xOf(profile.positions[b]!), yOf(frame, mean)]));
    const d = curvePath(points);
    if (d) parts.push(`<path class="curve" data-percent="${curve.percent}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const point of points) if (point) parts.push(`<circle cx="${f(point[0])}" cy="${f(point[1])}" r="2" fill="${colour}"/>`);
    const y = frame.top + 26 + c * 20;
    const x = frame.width - frame.right + 14;
    parts.push(`<line x1="${x}" x2="${x + 20}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2"/>`);
    parts.push(`<text class="label legend" x="${x + 26}" y="${y + 4}" fill="#3f3f46">${curve.percent} % (n=${curve.problems})</text>`);
  });
  parts.push(`<text class="label" x="${frame.width - frame.right + 14}" y="${frame.top + 8}" font-weight="600" fill="#3f3f46">decoded</text>`);
  return svgRoot(frame, `Top-1 confidence by relative position at ${profile.curves.map((c) => `${c.percent} %`).join(", ")} decoded, mean over ${problems}`, parts);
}
