/** Test helper: one evaluated cell with chosen figures. */
import { emptyTally, summarize } from "../problems/evaluate.ts";
import type { CellSummary } from "./run.ts";
import type { SettingName } from "./settings.ts";

export function cell(setting: SettingName, blockSize: number, correct: number, problems = 100, nfe = 50, tokens = 100, ms = 1000): CellSummary {
  return { setting, blockSize, options: {}, summary: summarize({ ...emptyTally(), problems, correct, nfe, tokens, ms, blocks: 10, blockTokens: 10 * blockSize }) };
}
