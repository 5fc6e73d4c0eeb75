/**
 * The comparisons a reading of the table needs, computed rather than eyeballed: per B0,
 * +AdaBlock against threshold (same commit rule, fixed blocks) and against fixed top-k, on the
 * same problems (paired), with the forward passes each spent. Written as a Markdown table.
 */
import { comparePaired, pValueText, wilsonInterval } from "./report.ts";
import type { CellResult } from "./run.ts";
import { SETTING_LABELS, type SettingName } from "./settings.ts";
import { axes, gridToMarkdown, signedPoints } from "./table.ts";

const percent = (x: number): string => (100 * x).toFixed(1);

/** One row per (B0, other setting): accuracy difference, discordant pairs, p, NFE/token of both, block sizes. */
export function pairedComparisonTable(cells: readonly CellResult[], against: readonly SettingName[] = ["threshold", "fixed"]): string {
  const { blockSizes } = axes(cells);
  const rows: string[][] = [];
  for (const blockSize of blockSizes) {
    for (const other of against) {
      const comparison = comparePaired(cells, "adablock", other, blockSize);
      if (!comparison) continue;
      const ada = cells.find((c) => c.setting === "adablock" && c.blockSize === blockSize)!;
      const ref = cells.find((c) => c.setting === other && c.blockSize === blockSize)!;
      rows.push([
        String(blockSize),
        SETTING_LABELS[other],
        `${signedPoints(comparison.difference)}`,
        `${comparison.onlyA} / ${comparison.onlyB}`,
        pValueText(comparison.pValue),
        `${ada.summary.nfePerToken.toFixed(3)} vs ${ref.summary.nfePerToken.toFixed(3)}`,
        `${ada.summary.meanBlockSize.toFixed(1)} vs ${ref.summary.meanBlockSize.toFixed(1)}`,
      ]);
    }
  }
  const header = ["B0", "+AdaBlock vs", "accuracy difference (points)", "only AdaBlock right / only other right", "p (exact McNemar)", "NFE per token (AdaBlock vs other)", "mean block (AdaBlock vs other)"];
  return gridToMarkdown({ header, rows });
}

/** Accuracy with its 95 % Wilson interval, per cell, for judging which differences are noise. */
export function intervalTable(cells: readonly CellResult[]): string {
  const { settings, blockSizes } = axes(cells);
  const rows = settings.map((setting) => [
    SETTING_LABELS[setting],
    ...blockSizes.map((blockSize) => {
      const cell = cells.find((c) => c.setting === setting && c.blockSize === blockSize);
      if (!cell || cell.summary.problems === 0) return "–";
      const [low, high] = wilsonInterval(cell.summary.correct, cell.summary.problems);
      return `${percent(cell.summary.accuracy)} [${percent(low)}, ${percent(high)}]`;
    }),
  ]);
  return gridToMarkdown({ header: ["setting", ...blockSizes.map((b) => `B0 = ${b}`)], rows });
}

/** The cells of one evaluation at one canvas length L. */
export interface CanvasLengthCells {
  genLength: number;
  cells: CellResult[];
}

/**
 * Accuracy (with its Wilson interval) and NFE per token of each setting and B0 at each canvas
 * length: whether an answer depends on how much room it was given.
 */
export function canvasLengthTable(byLength: readonly CanvasLengthCells[]): string {
  return settingColumnsTable(byLength.map(({ genLength, cells }) => ({ label: `L = ${genLength}`, cells })));
}

/** Accuracy [Wilson interval] and NFE per token of each setting and B0 (a row each) in each column's run. */
export function settingColumnsTable(columns: readonly { label: string; cells: readonly CellResult[] }[]): string {
  // The rows are the first column's cells; every column is looked up for each.
  const rows = (columns[0]?.cells ?? []).map(({ setting, blockSize }) => [
    `${SETTING_LABELS[setting]}, B0 = ${blockSize}`,
    ...columns.map(({ cells }) => {
      const cell = cells.find((c) => c.setting === setting && c.blockSize === blockSize);
      if (!cell || cell.summary.problems === 0) return "–";
      const [low, high] = wilsonInterval(cell.summary.correct, cell.summary.problems);
      return `${percent(cell.summary.accuracy)} [${percent(low)}, ${percent(high)}], ${cell.summary.nfePerToken.toFixed(3)} NFE/token`;
    }),
  ]);
  return gridToMarkdown({ header: ["setting", ...columns.map(({ label }) => label)], rows });
}
