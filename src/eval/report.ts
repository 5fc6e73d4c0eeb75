/**
 * The evaluation's machine-readable result (`npm run eval -- --json`) and the comparisons a
 * reading of it needs: confidence intervals and paired wins/losses between two settings.
 */
import type { CellResult, CellSummary } from "./run.ts";
import { SETTING_LABELS, type EvalPlan, type SettingName } from "./settings.ts";

export interface CellFigures {
  accuracy: number;
  correct: number;
  problems: number;
  nfePerToken: number;
  tokensPerSecond: number;
  meanBlockSize: number;
  nfe: number;
  tokens: number;
  ms: number;
}

export interface EvalJson {
  seed: number;
  count: number;
  genLength: number;
  blockSizes: number[];
  delimiterThreshold: number;
  fixedSteps: number;
  model: string;
  /** Wall-clock time of the whole run, model loading excluded. */
  ms: number;
  settings: Partial<Record<SettingName, { label: string }>>;
  /** results[setting][B0]: B0 keys are the block sizes as strings. */
  results: Partial<Record<SettingName, Record<string, CellFigures>>>;
}

export function figures(cell: CellSummary): CellFigures {
  const { accuracy, correct, problems, nfePerToken, tokensPerSecond, meanBlockSize, nfe, tokens, ms } = cell.summary;
  return { accuracy, correct, problems, nfePerToken, tokensPerSecond, meanBlockSize, nfe, tokens, ms: Math.round(ms) };
}

export function evalJson(cells: readonly CellSummary[], plan: EvalPlan, meta: { seed: number; count: number; model: string; ms: number }): EvalJson {
  const results: EvalJson["results"] = {};
  const settings: EvalJson["settings"] = {};
  for (const cell of cells) {
    settings[cell.setting] = { label: SETTING_LABELS[cell.setting] };
    const row = results[cell.setting] ?? {};
    row[String(cell.blockSize)] = figures(cell);
    results[cell.setting] = row;
  }
  return {
    seed: meta.seed,
    count: meta.count,
    genLength: plan.genLength,
    blockSizes: [...plan.blockSizes],
    delimiterThreshold: plan.delimiterThreshold,
    fixedSteps: plan.fixedSteps,
    model: meta.model,
    ms: Math.round(meta.ms),
    settings,
    results,
  };
}

/** Wilson score interval (95 %) for `correct` out of `n`. */
export function wilsonInterval(correct: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = correct / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export interface PairedComparison {
  blockSize: number;
  a: SettingName;
  b: SettingName;
  /** accuracy(a) - accuracy(b) on the problems both answered. */
  difference: number;
  /** Problems a got right and b wrong, and the reverse (the discordant pairs). */
  onlyA: number;
  onlyB: number;
  /** Exact two-sided sign-test p-value on the discordant pairs (McNemar). */
  pValue: number;
  nfePerTokenA: number;
  nfePerTokenB: number;
}

/** A p-value as the tables print it. */
export function pValueText(p: number): string {
  return p < 0.001 ? "<0.001" : p.toFixed(3);
}

/** Two-sided exact binomial test of k successes in n trials at p = 1/2. */
export function signTestPValue(k: number, n: number): number {
  if (n === 0) return 1;
  const low = Math.min(k, n - k);
  let logChoose = 0; // log C(n, 0)
  let tail = 0;
  for (let i = 0; i <= low; i++) {
    if (i > 0) logChoose += Math.log((n - i + 1) / i);
    tail += Math.exp(logChoose - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}

/** Right answers of a and b and their discordant pairs, over the problems both answered. */
export function discordantPairs(a: readonly boolean[], b: readonly boolean[]): { problems: number; rightA: number; rightB: number; onlyA: number; onlyB: number } {
  const problems = Math.min(a.length, b.length);
  let [rightA, rightB, onlyA, onlyB] = [0, 0, 0, 0];
  for (let i = 0; i < problems; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x) rightA++;
    if (y) rightB++;
    if (x && !y) onlyA++;
    if (y && !x) onlyB++;
  }
  return { problems, rightA, rightB, onlyA, onlyB };
}

export function comparePaired(cells: readonly CellResult[], a: SettingName, b: SettingName, blockSize: number): PairedComparison | undefined {
  const cellA = cells.find((cell) => cell.setting === a && cell.blockSize === blockSize);
  const cellB = cells.find((cell) => cell.setting === b && cell.blockSize === blockSize);
  if (!cellA || !cellB) return undefined;
  const { problems, rightA, rightB, onlyA, onlyB } = discordantPairs(cellA.correct, cellB.correct);
  if (problems === 0) return undefined;
  return {
    blockSize,
    a,
    b,
    difference: (rightA - rightB) / problems,
    onlyA,
    onlyB,
    pValue: signTestPValue(onlyA, onlyA + onlyB),
    nfePerTokenA: cellA.summary.nfePerToken,
    nfePerTokenB: cellB.summary.nfePerToken,
  };
}
