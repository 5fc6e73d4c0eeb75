/**
 * A model against a baseline model (`npm run eval -- --baseline DIR`): each cell of the plan on
 * the same problems, paired, so "does this checkpoint beat the shipped weights?" is answered
 * with the discordant pairs and an exact McNemar p rather than two accuracies eyeballed apart.
 * On 500 problems a 2-point gap is inside the noise of either accuracy alone, but a paired test
 * can still separate it when the two models disagree on few problems.
 */
import type { Categories } from "../problems/word-problems.ts";
import { CATEGORY_GROUPS, categoryRows, type CategoryGroup } from "./categories.ts";
import { discordantPairs, pValueText, signTestPValue } from "./report.ts";
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

/** The baseline's cell of the same setting and B0 as `cell`, if it ran one. */
export function baselineCellOf(cell: CellResult, baselineCells: readonly CellResult[]): CellResult | undefined {
  return baselineCells.find((other) => other.setting === cell.setting && other.blockSize === cell.blockSize);
}

/** One comparison per cell present in both runs, in the model's cell order. */
export function compareWithBaseline(cells: readonly CellResult[], baselineCells: readonly CellResult[]): BaselineComparison[] {
  const comparisons: BaselineComparison[] = [];
  for (const cell of cells) {
    const baseline = baselineCellOf(cell, baselineCells);
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
    pValueText(c.pValue),
  ]);
  return gridToMarkdown({ header, rows });
}

export interface CategoryVersusBaseline {
  group: CategoryGroup;
  value: string;
  /** Problems of this category both models answered. */
  total: number;
  correct: number;
  baselineCorrect: number;
  onlyModel: number;
  onlyBaseline: number;
  pValue: number;
}

/**
 * The word-problem categories (steps, number size, shape, ...) of one cell against the
 * baseline's same cell: where a checkpoint gains and where it loses. A category's discordant
 * pairs are categoryRows over the outcome "right here, wrong there" (and the reverse), so a
 * problem counts in them exactly as it counts in the accuracy rows.
 */
export function categoriesVersusBaseline(categories: readonly Categories[], correct: readonly boolean[], baselineCorrect: readonly boolean[]): CategoryVersusBaseline[] {
  const { problems } = discordantPairs(correct, baselineCorrect);
  const [mine, theirs] = [correct.slice(0, problems), baselineCorrect.slice(0, problems)];
  const model = categoryRows(categories, mine);
  const baseline = categoryRows(categories, theirs);
  const onlyModel = categoryRows(categories, mine.map((ok, i) => ok && !theirs[i]));
  const onlyBaseline = categoryRows(categories, theirs.map((ok, i) => ok && !mine[i]));
  return model.map((row, i) => ({
    group: row.group,
    value: row.value,
    total: row.total,
    correct: row.correct,
    baselineCorrect: baseline[i]!.correct,
    onlyModel: onlyModel[i]!.correct,
    onlyBaseline: onlyBaseline[i]!.correct,
    pValue: signTestPValue(onlyModel[i]!.correct, onlyModel[i]!.correct + onlyBaseline[i]!.correct),
  }));
}

/** One Markdown table per category group: model and baseline exact %, discordant pairs, p. */
export function categoriesVersusMarkdown(rows: readonly CategoryVersusBaseline[], title: string): string {
  const parts = [`${title}\n`];
  for (const group of CATEGORY_GROUPS) {
    const mine = rows.filter((row) => row.group === group);
    if (mine.length === 0) continue;
    parts.push(`| ${group} | model % | baseline % | problems | only model right / only baseline right | p |\n|---|---|---|---|---|---|`);
    for (const row of mine) {
      parts.push(`| ${row.value} | ${percent(row.correct / row.total)} | ${percent(row.baselineCorrect / row.total)} | ${row.total} | ${row.onlyModel} / ${row.onlyBaseline} | ${pValueText(row.pValue)} |`);
    }
    parts.push("");
  }
  return parts.join("\n");
}
