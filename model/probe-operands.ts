/**
 * Where the operands of a worked answer come from, and how often a model writes each kind right
 * (issue #22: rates were right 4-7 % of the time, every other shape near 45 %). This writes the
 * held-out v2mid problems in the v1 layout as token ids, with each step operand's digit positions
 * and its source; model/probe_operands.py then shows the answer up to an operand, hides it and
 * everything after, and counts the operands the model writes right in one pass, per source and
 * for problems with and without a rate.
 *
 *   npx tsx model/probe-operands.ts [model folder] [out.json]
 *   /usr/bin/python3 model/probe_operands.py <model.onnx | checkpoint.pt> [out.json]
 */
import { writeFileSync } from "node:fs";
import { V2_EVAL_SEED, heldOutWordProblems, spacedTarget, stepsByLine, type WordProblem } from "../src/problems/word-problems.ts";
import { loadCodec } from "./data.ts";
import { digitRuns } from "./probe-layouts.ts";

/**
 * "last result": the line above's result; "older result": one from further up (in the two-line
 * rate layout, `k*m=p` then `p+x`, x is the value before the product); "question": a number of the
 * question after those taken before it; "question, earlier": one before a number already taken
 * (there, a rate's start value, written after k*m); "unwritten": in the question as words ("twice", "half").
 */
export type OperandSource = "last result" | "older result" | "question" | "question, earlier" | "unwritten";

export interface ProbeOperand {
  positions: number[];
  source: OperandSource;
}

export interface OperandProblem {
  ids: number[];
  promptLen: number;
  rate: boolean;
  operands: ProbeOperand[];
}

/**
 * The numbers each line takes from outside itself, in the order it writes them, and how many
 * numbers the line writes: `a op b = c` takes a and b of 3; a rate's `x+k*m=x+p=r` takes x, k, m of 6.
 */
function lineOperands(steps: WordProblem["steps"]): { taken: number[]; written: number; results: number[] }[] {
  return stepsByLine(steps).map(([step, apply]) =>
    apply === undefined
      ? { taken: [step.left, step.right], written: 3, results: [step.result] }
      : { taken: [apply.left, step.left, step.right], written: 6, results: [step.result, apply.result] },
  );
}

/** The sources of the numbers each line takes, in answer order (a number's first place in the question counts). */
export function operandSources(problem: Pick<WordProblem, "prompt" | "steps">): OperandSource[] {
  const sources: OperandSource[] = [];
  const results: number[] = [];
  let furthest = -1;
  for (const line of lineOperands(problem.steps)) {
    for (const n of line.taken) {
      if (n === results.at(-1)) sources.push("last result");
      else if (results.includes(n)) sources.push("older result");
      else {
        const at = new RegExp(`(?<!\\d)${n}(?!\\d)`).exec(problem.prompt)?.index ?? -1;
        sources.push(at < 0 ? "unwritten" : at < furthest ? "question, earlier" : "question");
        furthest = Math.max(furthest, at);
      }
    }
    results.push(...line.results);
  }
  return sources;
}

export function operandProblems(modelDir: string, count: number): OperandProblem[] {
  const codec = loadCodec(modelDir);
  return heldOutWordProblems("v2mid", V2_EVAL_SEED, count).map((p) => {
    const promptLen = codec.encode(p.prompt).length;
    const ids = codec.encode(p.prompt + spacedTarget(p.target));
    const numbers = digitRuns(codec, ids, promptLen);
    const positions: number[][] = [];
    let run = 0;
    for (const line of lineOperands(p.steps)) {
      positions.push(...numbers.slice(run, run + line.taken.length));
      run += line.written;
    }
    const operands = operandSources(p).map((source, k) => ({ source, positions: positions[k]! }));
    return { ids, promptLen, rate: p.categories.shapes.includes("rate"), operands };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[3] ?? "model/work/operands.json";
  writeFileSync(out, JSON.stringify(operandProblems(process.argv[2] ?? "public/models/dllm-tiny", 500)));
  console.log(`probe-operands: ${out}`);
}
