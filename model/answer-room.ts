/**
 * How many held-out answers fit each canvas length the page offers, per answer layout and step
 * count (issue #22): an answer needs its tokens and one [EOS] inside L, so this is the ceiling of
 * exact match at that L for a model that writes the layout.
 *
 *   npx tsx model/answer-room.ts [model folder] [set v2|v2easy|v2mid] [count]
 */
import { loadCodec } from "./data.ts";
import { CANVAS_LENGTHS } from "../src/eval/settings.ts";
import type { TextCodec } from "../src/model/tokenizer.ts";
import { type WordProblem, type WordProblemSet, V2_EVAL_SEED, heldOutWordProblems, spacedTarget } from "../src/problems/word-problems.ts";

/** The generator's compact layout (`28+6=34`) and the v1 layout the shipped model writes (`28 + 6 = 34`). */
export const ANSWER_LAYOUTS: Record<string, (target: string) => string> = { compact: (t) => t, v1: spacedTarget };

/** Per step count, [answers that fit L, problems] when written in `layout`. */
export function answerRoom(codec: TextCodec, problems: readonly WordProblem[], layout: (target: string) => string, genLength: number): Map<number, [number, number]> {
  const bySteps = new Map<number, [number, number]>();
  for (const problem of problems) {
    const fits = codec.encode(layout(problem.target)).length + 1 <= genLength;
    const row = bySteps.get(problem.categories.steps) ?? [0, 0];
    bySteps.set(problem.categories.steps, [row[0] + (fits ? 1 : 0), row[1] + 1]);
  }
  return new Map([...bySteps].sort(([a], [b]) => a - b));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir = "public/models/dllm-tiny", set = "v2", count = "500"] = process.argv.slice(2);
  const codec = loadCodec(dir);
  const problems = heldOutWordProblems(set as WordProblemSet, V2_EVAL_SEED, Number(count));
  for (const [name, layout] of Object.entries(ANSWER_LAYOUTS)) {
    for (const genLength of CANVAS_LENGTHS) {
      const rows = [...answerRoom(codec, problems, layout, genLength)];
      const fit = rows.reduce((sum, [, [n]]) => sum + n, 0);
      console.log(`${name} layout, L = ${genLength}: ${fit} of ${problems.length} fit; by steps ${rows.map(([steps, [n, all]]) => `${steps}: ${n}/${all}`).join(", ")}`);
    }
  }
}
