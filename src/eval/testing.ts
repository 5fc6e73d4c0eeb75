/** Test helper: one evaluated cell with chosen figures. */
import { emptyTally, summarize } from "../problems/evaluate.ts";
import type { CellResult, CellSummary } from "./run.ts";
import type { SettingName } from "./settings.ts";

export function cell(setting: SettingName, blockSize: number, correct: number, problems = 100, nfe = 50, tokens = 100, ms = 1000): CellSummary {
  return { setting, blockSize, options: {}, summary: summarize({ ...emptyTally(), problems, correct, nfe, tokens, ms, blocks: 10, blockTokens: 10 * blockSize }) };
}

/** Test helper: one evaluated cell with each problem's outcome, in problem order. */
export function cellResult(setting: SettingName, blockSize: number, correct: boolean[]): CellResult {
  const right = correct.filter(Boolean).length;
  return { setting, blockSize, options: {}, correct, faults: correct.map((ok) => (ok ? "correct" : "arithmetic")), summary: summarize({ ...emptyTally(), problems: correct.length, correct: right, nfe: 20, tokens: 40, ms: 400, blocks: 4, blockTokens: 32 }) };
}
