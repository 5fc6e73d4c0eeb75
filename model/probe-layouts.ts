/**
 * Step-result accuracy of a model in several answer layouts (issue #22: how numbers are written).
 * This writes the v1 held-out problems in each layout as token ids, with each step line's result
 * digit positions; model/probe_layouts.py then hides each result and everything after it (its copies
 * in later lines too) and counts the results the model writes right in one pass.
 *
 *   npx tsx model/probe-layouts.ts [model folder] [out.json]
 *   /usr/bin/python3 model/probe_layouts.py <model.onnx | checkpoint.pt> [out.json]
 */
import { writeFileSync } from "node:fs";
import { EVAL_SEED, generateProblems } from "../src/problems/generate.ts";
import { compactTarget } from "../src/problems/word-problems.ts";
import { loadCodec } from "./data.ts";
import type { TextCodec } from "../src/model/tokenizer.ts";

const STEP = /^(\d+) ([-+*/]) (\d+) = (\d+)$/gm;
/** The v1 layout and shorter ones: which spaces can go without losing what the model knows? */
export const LAYOUTS: Record<string, (target: string) => string> = {
  spaced: (t) => t,
  compact: compactTarget,
  "no space after operators": (t) => t.replace(STEP, "$1 $2$3 =$4"),
  "no space after the operator": (t) => t.replace(STEP, "$1 $2$3 = $4"),
};

export interface ProbeProblem {
  ids: number[];
  promptLen: number;
  /** Per step line, the positions of its result's digits. */
  results: number[][];
}

/**
 * Positions of each run of digit tokens in `ids` from `from` on: in a worked answer three a step line
 * (left, right, result), then the `####` answer's.
 */
export function digitRuns(codec: TextCodec, ids: readonly number[], from: number): number[][] {
  const runs: number[][] = [];
  for (let i = from; i < ids.length; i++) {
    if (!/^\d$/.test(codec.decode([ids[i]!]))) continue;
    if (runs.at(-1)?.at(-1) === i - 1) runs.at(-1)!.push(i);
    else runs.push([i]);
  }
  return runs;
}

export function probeProblems(modelDir: string, count: number): Record<string, ProbeProblem[]> {
  const codec = loadCodec(modelDir);
  const problems = generateProblems(EVAL_SEED, count);
  const out: Record<string, ProbeProblem[]> = {};
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    out[name] = problems.map((p) => {
      const promptLen = codec.encode(p.prompt).length;
      const ids = codec.encode(p.prompt + layout(p.target));
      const results = digitRuns(codec, ids, promptLen).filter((_, k) => k % 3 === 2);
      return { ids, promptLen, results };
    });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[3] ?? "model/work/layouts.json";
  writeFileSync(out, JSON.stringify(probeProblems(process.argv[2] ?? "public/models/dllm-tiny", 120)));
  console.log(`probe-layouts: ${out}`);
}
