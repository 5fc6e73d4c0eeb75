/**
 * The position-by-pass confidence heat map (one row per forward pass, one column per generated
 * position), as a figure with axes and a legend, sized to the run: the canvas is exactly as
 * tall as the passes drawn, scaled to the width of the panel and scrolled when tall. Masked
 * positions take a dark-to-bright colour by top-1 confidence, so the low floor, the volatility
 * band and the decoded plateau (pale) show as in ADABLOCK.md; positions committed by the pass
 * are green and each row's block edges white. Rows are painted once, as they arrive, on an
 * offscreen canvas that the visible one copies.
 */
import { axisTicks } from "./axis.ts";
import { element } from "./dom.ts";
import { HeatKind, type RunState } from "./run-state.ts";

const DECODED: readonly [number, number, number] = [222, 226, 232];
const COMMITTED_NOW: readonly [number, number, number] = [64, 214, 140];
const BOUNDARY: readonly [number, number, number] = [255, 255, 255];
/** Confidence 0 -> 1: near black, purple, orange, pale yellow (an inferno-like ramp). */
const RAMP: readonly (readonly [number, number, number])[] = [
  [8, 6, 30],
  [80, 18, 123],
  [182, 54, 121],
  [251, 136, 97],
  [252, 253, 191],
];

/** A position the pass computed no logits for (dual cache, past the block): the canvas background. */
const NOT_COMPUTED: readonly [number, number, number] = [27, 27, 36];

export function heatColour(confidence: number): [number, number, number] {
  if (Number.isNaN(confidence)) return [...NOT_COMPUTED];
  const x = Math.max(0, Math.min(1, confidence)) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2);
  const t = x - i;
  const [a, b] = [RAMP[i]!, RAMP[i + 1]!];
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * t)) as [number, number, number];
}

/** Canvas pixels per position and per pass for a run of `genLength` positions. */
export function heatCellSize(genLength: number): { width: number; height: number } {
  const width = Math.max(1, Math.floor(640 / Math.max(1, genLength)));
  return { width, height: Math.min(8, Math.max(3, width)) };
}

/**
 * On-screen CSS pixels per pass: tall rows for a short run (14 px each for up to 17 passes),
 * thinner as runs grow, never under 3 px; the panel scrolls past 24rem.
 */
export function heatRowPixels(rows: number): number {
  return Math.max(3, Math.min(14, Math.floor(240 / Math.max(1, rows))));
}

/** The cell of the heat map under a point given as fractions of the canvas's width and height. */
export function heatCellAt(fx: number, fy: number, genLength: number, rows: number): { pass: number; index: number } | null {
  if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1) || rows === 0) return null;
  return { index: Math.floor(fx * genLength), pass: Math.floor(fy * rows) + 1 };
}

function legendItem(swatch: string, text: string): HTMLElement {
  const item = element("span", "legend-item");
  const mark = element("span", `swatch ${swatch}`);
  mark.setAttribute("aria-hidden", "true");
  item.append(mark, text);
  return item;
}

export class Heatmap {
  /** The figure to put on the page: axes, the canvas and the legend. */
  readonly figure = element("figure", "heat-figure");
  private readonly scroll = element("div", "heat-scroll");
  private readonly xTicks = element("div", "heat-ticks-x");
  private readonly yTicks = element("div", "heat-ticks-y");
  private readonly offscreen = document.createElement("canvas");
  private readonly context: CanvasRenderingContext2D;
  private readonly offContext: CanvasRenderingContext2D;
  private drawnRows = 0;
  private shownRows = -1;
  private capacity = 0;
  private genLength = 0;
  private cell = { width: 1, height: 3 };

  constructor(private readonly canvas: HTMLCanvasElement) {
    const context = canvas.getContext("2d");
    const offContext = this.offscreen.getContext("2d");
    if (!context || !offContext) throw new Error("the heat map needs a 2D canvas context");
    this.context = context;
    this.offContext = offContext;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "confidence heat map: one row per forward pass, one column per generated position");
    const yLabel = element("span", "heat-y-label", "pass ↓");
    const xLabel = element("span", "heat-x-label", "position →");
    const corner = element("span", "heat-corner");
    const body = element("div", "heat-body");
    body.append(corner, this.xTicks, this.yTicks, canvas);
    this.scroll.append(body);
    const legend = element("figcaption", "heat-legend");
    const ramp = element("span", "legend-item");
    const bar = element("span", "ramp");
    bar.setAttribute("aria-hidden", "true");
    ramp.append("masked, top-1 confidence 0", bar, "1");
    legend.append(
      ramp,
      legendItem("committed-now", "committed in this pass"),
      legendItem("decoded", "decoded earlier"),
      legendItem("not-computed", "not computed (dual cache)"),
      legendItem("edge", "block edges"),
    );
    this.figure.append(xLabel, yLabel, this.scroll, legend);
  }

  reset(genLength: number): void {
    this.genLength = genLength;
    this.cell = heatCellSize(genLength);
    this.canvas.width = genLength * this.cell.width;
    this.offscreen.width = this.canvas.width;
    this.resize(Math.max(16, genLength / 4));
    this.drawnRows = 0;
    this.shownRows = -1;
    this.canvas.dataset.rows = "0";
    this.canvas.dataset.rowPx = String(this.cell.height);
    this.canvas.dataset.columnPx = String(this.cell.width);
    this.xTicks.replaceChildren(
      ...axisTicks(0, genLength - 1).map((position) => this.tick(position, "left", ((position + 0.5) / Math.max(1, genLength)) * 100)),
    );
    this.showRows(0);
  }

  /** Paints the rows not yet painted; grows the offscreen canvas (repainting it) when it is full. */
  render(state: RunState): void {
    if (state.heatRows.length > this.capacity) {
      this.resize(Math.max(state.heatRows.length, this.capacity * 2));
      this.drawnRows = 0;
    }
    for (let r = this.drawnRows; r < state.heatRows.length; r++) this.paintRow(state, r);
    this.drawnRows = state.heatRows.length;
    this.canvas.dataset.rows = String(this.drawnRows);
    this.showRows(this.drawnRows);
  }

  /** Hears the heat-map cell under the pointer (null when it leaves). */
  onHover(listener: (cell: { pass: number; index: number } | null, event: MouseEvent) => void): void {
    this.canvas.addEventListener("mousemove", (event) => {
      const box = this.canvas.getBoundingClientRect();
      listener(heatCellAt((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height, this.genLength, this.drawnRows), event);
    });
    this.canvas.addEventListener("mouseleave", (event) => listener(null, event));
  }

  /** The visible canvas: exactly `rows` passes tall, copied from the offscreen one. */
  private showRows(rows: number): void {
    if (rows === this.shownRows) return;
    this.shownRows = rows;
    this.canvas.height = Math.max(1, rows) * this.cell.height;
    // The width follows the panel; the height follows the number of passes, whatever the width.
    this.canvas.style.height = `${Math.max(1, rows) * heatRowPixels(rows)}px`;
    this.context.fillStyle = "#1b1b24";
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (rows > 0) this.context.drawImage(this.offscreen, 0, 0, this.canvas.width, rows * this.cell.height, 0, 0, this.canvas.width, rows * this.cell.height);
    this.yTicks.replaceChildren(...(rows > 0 ? axisTicks(1, rows) : []).map((pass) => this.tick(pass, "top", ((pass - 0.5) / rows) * 100)));
  }

  private tick(value: number, side: "left" | "top", percent: number): HTMLElement {
    const label = element("span", "", String(value));
    label.style[side] = `${percent}%`;
    return label;
  }

  private resize(rows: number): void {
    this.capacity = Math.ceil(rows);
    // Setting the height clears the canvas, so callers repaint every row afterwards.
    this.offscreen.height = this.capacity * this.cell.height;
    this.offContext.fillStyle = "#1b1b24";
    this.offContext.fillRect(0, 0, this.offscreen.width, this.offscreen.height);
  }

  private paintRow(state: RunState, r: number): void {
    const row = state.heatRows[r]!;
    const { width: cellWidth, height: rowHeight } = this.cell;
    const image = this.offContext.createImageData(this.offscreen.width, rowHeight);
    for (let i = 0; i < state.genLength; i++) {
      const kind = row.kinds[i];
      const colour =
        kind === HeatKind.DecodedBefore ? DECODED : kind === HeatKind.CommittedNow ? COMMITTED_NOW : heatColour(row.confidences[i]!);
      for (let x = 0; x < cellWidth; x++) {
        // The block's outer pixel columns are its boundary lines.
        const boundary = (i === row.block[0] && x === 0) || (i === row.block[1] - 1 && x === cellWidth - 1);
        const [red, green, blue] = boundary ? BOUNDARY : colour;
        for (let y = 0; y < rowHeight; y++) {
          const p = (y * this.offscreen.width + i * cellWidth + x) * 4;
          image.data[p] = red;
          image.data[p + 1] = green;
          image.data[p + 2] = blue;
          image.data[p + 3] = 255;
        }
      }
    }
    this.offContext.putImageData(image, 0, r * rowHeight);
  }
}
