/**
 * Exact match per category of the v2 word problems (issue #22): by worked steps, by largest
 * number, by sentence shape, by unit kind, tense and distractor, so the weak spots are visible
 * beside the overall accuracy. A problem counts once in each group and once under every shape
 * it uses.
 */
import type { Categories, WordProblemSet } from "../problems/word-problems.ts";

/** The held-out word-problem sets the model card and the results page measure, easiest first. */
export const REPORTED_WORD_PROBLEM_SETS: readonly WordProblemSet[] = ["v2easy", "v2mid", "v2"];

/** What each held-out word-problem set holds, as the model card and the results page name it. */
export const WORD_PROBLEM_SET_LABELS: Record<WordProblemSet, string> = {
  v2easy: "two-digit numbers, 1-3 steps (`--set v2easy`)",
  v2mid: "numbers to 999, 1-3 steps (`--set v2mid`)",
  v2: "the whole distribution: numbers to 999, results to 9,999, 1-6 steps (`--set v2`)",
};

export type CategoryGroup = "steps" | "size" | "shape" | "kind" | "tense" | "distractor";

export const CATEGORY_GROUPS: readonly CategoryGroup[] = ["steps", "size", "shape", "kind", "tense", "distractor"];

export interface CategoryRow {
  group: CategoryGroup;
  value: string;
  correct: number;
  total: number;
  accuracy: number;
}

function valuesOf(group: CategoryGroup, categories: Categories): string[] {
  switch (group) {
    case "steps":
      return [String(categories.steps)];
    case "size":
      return [categories.size];
    case "shape":
      return categories.shapes;
    case "kind":
      return [categories.kind];
    case "tense":
      return [categories.tense];
    case "distractor":
      return [categories.distractor ? "yes" : "no"];
  }
}

/** Fixed orders where the values have one (steps ascending, sizes small to large); else by name. */
const SIZE_ORDER = ["<=99", "100-999", ">=1000"];
function order(group: CategoryGroup, a: string, b: string): number {
  if (group === "steps") return Number(a) - Number(b);
  if (group === "size") return SIZE_ORDER.indexOf(a) - SIZE_ORDER.indexOf(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One row per (group, value) seen, in CATEGORY_GROUPS order. `correct[i]` scores `categories[i]`. */
export function categoryRows(categories: readonly Categories[], correct: readonly boolean[]): CategoryRow[] {
  if (correct.length > categories.length) throw new RangeError(`${correct.length} outcomes for ${categories.length} problems`);
  const rows: CategoryRow[] = [];
  for (const group of CATEGORY_GROUPS) {
    const tally = new Map<string, [number, number]>();
    correct.forEach((ok, i) => {
      for (const value of valuesOf(group, categories[i]!)) {
        const [hit, total] = tally.get(value) ?? [0, 0];
        tally.set(value, [hit + (ok ? 1 : 0), total + 1]);
      }
    });
    for (const value of [...tally.keys()].sort((a, b) => order(group, a, b))) {
      const [hit, total] = tally.get(value)!;
      rows.push({ group, value, correct: hit, total, accuracy: hit / total });
    }
  }
  return rows;
}

/** The rows as one Markdown table per group: value, accuracy %, correct/total. */
export function categoryMarkdown(rows: readonly CategoryRow[], title: string): string {
  const parts = [`${title}\n`];
  for (const group of CATEGORY_GROUPS) {
    const mine = rows.filter((row) => row.group === group);
    if (mine.length === 0) continue;
    parts.push(`| ${group} | exact % | correct |\n|---|---|---|`);
    for (const row of mine) parts.push(`| ${row.value} | ${(100 * row.accuracy).toFixed(1)} | ${row.correct}/${row.total} |`);
    parts.push("");
  }
  return parts.join("\n");
}
