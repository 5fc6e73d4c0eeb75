/**
 * Where each cell's wrong answers first go wrong (diagnose.ts), one row per (setting, B0): the
 * accuracy table says how many answers fail, this says whether reading the question, the
 * arithmetic or the answer's shape is what to train next.
 */
import { ANSWER_FAULTS, FAULT_MEANINGS, countFaults, type AnswerFault } from "../problems/diagnose.ts";
import type { CellResult } from "./run.ts";
import { SETTING_LABELS } from "./settings.ts";
import { axes } from "./table.ts";

/** Fault counts per setting and B0, for eval.json: {setting: {B0: {fault: problems}}}. */
export function faultCounts(cells: readonly CellResult[]): Record<string, Record<string, Record<AnswerFault, number>>> {
  const counts: Record<string, Record<string, Record<AnswerFault, number>>> = {};
  for (const cell of cells) {
    counts[cell.setting] = { ...counts[cell.setting], [String(cell.blockSize)]: countFaults(cell.faults) };
  }
  return counts;
}

/** A Markdown table of problems per first fault, a row per cell in table order, and what each fault means. */
export function faultMarkdown(cells: readonly CellResult[]): string {
  const { settings, blockSizes } = axes(cells);
  const rows: string[] = [];
  for (const setting of settings) {
    for (const blockSize of blockSizes) {
      const cell = cells.find((c) => c.setting === setting && c.blockSize === blockSize);
      if (cell === undefined) continue;
      const counts = countFaults(cell.faults);
      rows.push(`| ${SETTING_LABELS[setting]} | ${blockSize} | ${ANSWER_FAULTS.map((fault) => counts[fault]).join(" | ")} |`);
    }
  }
  const legend = ANSWER_FAULTS.map((fault) => `- *${fault}*: ${FAULT_MEANINGS[fault]}`);
  return [
    `| setting | B0 | ${ANSWER_FAULTS.join(" | ")} |`,
    `|---|---:|${ANSWER_FAULTS.map(() => "---:").join("|")}|`,
    ...rows,
    "",
    ...legend,
    "",
  ].join("\n");
}
