/**
 * A model against a baseline model (`npm run eval -- --baseline DIR`): each cell of the plan on
 * the same problems, paired, so "does this checkpoint beat the shipped weights?" is answered
 * with the discordant pairs and an exact McNemar p rather than two accuracies eyeballed apart.
 * On 500 problems a 2-point gap is inside the noise of either accuracy alone, but a paired test
 * can still separate it when the two models disagree on few problems.
 */
import { discordantPairs, signTestPValue } from "./report.ts";
import type { CellResult } from "./run.ts";
import { SETTING_LABELS, type SettingName } from "./settings.ts";
import { gridToMarkdown, signedPoints } from "./table.ts";

export interface BaselineComparison {
  setting: SettingName;
  blockSize: number;
  /** Problems both models answered (fewer than planned when a run was stopped early). */
  problems: number;
  accuracy: number;
  baselineAccuracy: number;
  /** Right here and wrong in the baseline, and the reverse. */
  onlyModel: number;
  onlyBaseline: number;
  /** Exact two-sided sign test on the discordant pairs. */
  pValue: number;
}

/** One comparison per cell present in both runs, in the model's cell order. */
export function compareWithBaseline(cells: readonly CellResult[], baselineCells: readonly CellResult[]): BaselineComparison[] {
  const comparisons: BaselineComparison[] = [];
  for (const cell of cells) {
    const baseline = baselineCells.find((other) => other.setting === cell.setting && other.blockSize === cell.blockSize);
    if (!baseline) continue;
    const { problems, rightA, rightB, onlyA, onlyB } = discordantPairs(cell.correct, baseline.correct);
    if (problems === 0) continue;
    comparisons.push({
      setting: cell.setting,
      blockSize: cell.blockSize,
      problems,
      accuracy: rightA / problems,
      baselineAccuracy: rightB / problems,
      onlyModel: onlyA,
      onlyBaseline: onlyB,
      pValue: signTestPValue(onlyA, onlyA + onlyB),
    });
  }
  return comparisons;
}

const percent = (x: number): string => (100 * x).toFixed(1);

export function baselineMarkdown(comparisons: readonly BaselineComparison[]): string {
  const header = ["setting", "B0", "problems", "model %", "baseline %", "difference (points)", "only model right / only baseline right", "p (exact McNemar)"];
  const rows = comparisons.map((c) => [
    SETTING_LABELS[c.setting],
    String(c.blockSize),
    String(c.problems),
    percent(c.accuracy),
    percent(c.baselineAccuracy),
    signedPoints(c.accuracy - c.baselineAccuracy),
    `${c.onlyModel} / ${c.onlyBaseline}`,
    c.pValue < 0.001 ? "<0.001" : c.pValue.toFixed(3),
  ]);
  return gridToMarkdown({ header, rows });
}
