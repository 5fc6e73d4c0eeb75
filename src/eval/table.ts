/**
 * The paper's table layout: rows = settings, columns = B0. One grid per figure (accuracy, NFE
 * per token, tokens/s, mean block size); the accuracy grid's AdaBlock row also shows its
 * difference to the threshold row, as the paper does. Grids are plain strings so the CLI can
 * print them as Markdown and the browser panel as an HTML table.
 */
import type { CellSummary } from "./run.ts";
import { SETTING_LABELS, SETTING_NAMES, type SettingName } from "./settings.ts";

export type Metric = "accuracy" | "nfePerToken" | "tokensPerSecond" | "meanBlockSize";

export const METRIC_TITLES: Readonly<Record<Metric, string>> = {
  accuracy: "Accuracy (%, exact match on ####)",
  nfePerToken: "NFE per generated token",
  tokensPerSecond: "Tokens per second",
  meanBlockSize: "Mean block size (tokens)",
};

export interface Grid {
  header: string[];
  rows: string[][];
}

/** Shown where a cell has no scored problem yet. */
export const EMPTY_CELL = "–";

function formatMetric(metric: Metric, value: number): string {
  switch (metric) {
    case "accuracy":
      return (100 * value).toFixed(1);
    case "nfePerToken":
      return value.toFixed(3);
    case "tokensPerSecond":
      return value.toFixed(0);
    case "meanBlockSize":
      return value.toFixed(1);
  }
}

/** "+1.5" / "-0.5" / "±0.0", in percentage points. */
export function signedPoints(difference: number): string {
  const points = Number((100 * difference).toFixed(1));
  if (points === 0) return "±0.0";
  return `${points > 0 ? "+" : ""}${points.toFixed(1)}`;
}

/** The settings and B0s present in `cells`, in table order. */
export function axes(cells: readonly CellSummary[]): { settings: SettingName[]; blockSizes: number[] } {
  const settings = SETTING_NAMES.filter((name) => cells.some((cell) => cell.setting === name));
  const blockSizes = [...new Set(cells.map((cell) => cell.blockSize))].sort((a, b) => a - b);
  return { settings, blockSizes };
}

export function metricGrid(cells: readonly CellSummary[], metric: Metric): Grid {
  const { settings, blockSizes } = axes(cells);
  const find = (setting: SettingName, blockSize: number): CellSummary | undefined =>
    cells.find((cell) => cell.setting === setting && cell.blockSize === blockSize && cell.summary.problems > 0);
  const rows = settings.map((setting) => [
    SETTING_LABELS[setting],
    ...blockSizes.map((blockSize) => {
      const cell = find(setting, blockSize);
      if (!cell) return EMPTY_CELL;
      const text = formatMetric(metric, cell.summary[metric]);
      // AdaBlock's gain is read against the same decoder without it (the paper's comparisons).
      const base = setting === "adablock" ? "threshold" : setting === "adablock+cache" ? "cache" : undefined;
      const reference = base && metric === "accuracy" ? find(base, blockSize) : undefined;
      return reference ? `${text} (${signedPoints(cell.summary.accuracy - reference.summary.accuracy)})` : text;
    }),
  ]);
  return { header: ["setting", ...blockSizes.map((b) => `B0 = ${b}`)], rows };
}

export function gridToMarkdown(grid: Grid): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  const rule = `|---|${grid.header.slice(1).map(() => "---:").join("|")}|`;
  return [line(grid.header), rule, ...grid.rows.map(line)].join("\n");
}

export const METRICS: readonly Metric[] = ["accuracy", "nfePerToken", "tokensPerSecond", "meanBlockSize"];

/** All four grids as Markdown, each under a bold title. */
export function markdownTables(cells: readonly CellSummary[]): string {
  return METRICS.map((metric) => `**${METRIC_TITLES[metric]}**\n\n${gridToMarkdown(metricGrid(cells, metric))}`).join("\n\n");
}
