/**
 * The position-by-step confidence heat map (one row per forward pass, one column per generated
 * position) on a canvas. Masked positions take a dark-to-bright colour by top-1 confidence, so
 * the low floor, the volatility band and the decoded plateau (pale) show as in ADABLOCK.md;
 * positions committed by the pass are green and each row's block edges white. Rows are painted once, as they arrive.
 */
import { HeatKind, type RunState } from "./run-state.ts";

const ROW_HEIGHT = 3;
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

export class Heatmap {
  private drawnRows = 0;
  private capacity = 0;
  private cellWidth = 1;
  private readonly context: CanvasRenderingContext2D;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const context = canvas.getContext("2d");
    if (!context) throw new Error("the heat map needs a 2D canvas context");
    this.context = context;
  }

  reset(genLength: number): void {
    this.cellWidth = Math.max(1, Math.floor(640 / genLength));
    this.canvas.width = genLength * this.cellWidth;
    this.resize(Math.max(16, genLength / 4));
    this.drawnRows = 0;
    this.canvas.dataset.rows = "0";
  }

  /** Paints the rows not yet painted; grows the canvas (repainting it) when it is full. */
  render(state: RunState): void {
    if (state.heatRows.length > this.capacity) {
      this.resize(Math.max(state.heatRows.length, this.capacity * 2));
      this.drawnRows = 0;
    }
    for (let r = this.drawnRows; r < state.heatRows.length; r++) this.paintRow(state, r);
    this.drawnRows = state.heatRows.length;
    this.canvas.dataset.rows = String(this.drawnRows);
  }

  private resize(rows: number): void {
    this.capacity = Math.ceil(rows);
    // Setting the height clears the canvas, so callers repaint every row afterwards.
    this.canvas.height = this.capacity * ROW_HEIGHT;
    this.context.fillStyle = "#1b1b24";
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  private paintRow(state: RunState, r: number): void {
    const row = state.heatRows[r]!;
    const image = this.context.createImageData(this.canvas.width, ROW_HEIGHT);
    for (let i = 0; i < state.genLength; i++) {
      const kind = row.kinds[i];
      const colour =
        kind === HeatKind.DecodedBefore ? DECODED : kind === HeatKind.CommittedNow ? COMMITTED_NOW : heatColour(row.confidences[i]!);
      for (let x = 0; x < this.cellWidth; x++) {
        // The block's outer pixel columns are its boundary lines.
        const boundary = (i === row.block[0] && x === 0) || (i === row.block[1] - 1 && x === this.cellWidth - 1);
        const [red, green, blue] = boundary ? BOUNDARY : colour;
        for (let y = 0; y < ROW_HEIGHT; y++) {
          const p = (y * this.canvas.width + i * this.cellWidth + x) * 4;
          image.data[p] = red;
          image.data[p + 1] = green;
          image.data[p + 2] = blue;
          image.data[p + 3] = 255;
        }
      }
    }
    this.context.putImageData(image, 0, r * ROW_HEIGHT);
  }
}
