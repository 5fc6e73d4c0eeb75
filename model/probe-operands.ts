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
import { V2_EVAL_SEED, heldOutWordProblems, spacedTarget, type WordProblem } from "../src/problems/word-problems.ts";
import { loadCodec } from "./data.ts";
import { digitRuns } from "./probe-layouts.ts";

/**
 * "last result": the line above's result; "older result": one from further up (a rate adds to the
 * value before it); "question": a number of the question after those taken before it;
 * "question, earlier": one before a number already taken (a rate's start value, written after k*m);
 * "unwritten": in the question as words ("twice", "half").
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

/** The sources of each step's two operands, in answer order (a number's first place in the question counts). */
export function operandSources(problem: Pick<WordProblem, "prompt" | "steps">): OperandSource[] {
  const sources: OperandSource[] = [];
  const results: number[] = [];
  let furthest = -1;
  for (const step of problem.steps) {
    for (const n of [step.left, step.right]) {
      if (n === results.at(-1)) sources.push("last result");
      else if (results.includes(n)) sources.push("older result");
      else {
        const at = new RegExp(`(?<!\\d)${n}(?!\\d)`).exec(problem.prompt)?.index ?? -1;
        sources.push(at < 0 ? "unwritten" : at < furthest ? "question, earlier" : "question");
        furthest = Math.max(furthest, at);
      }
    }
    results.push(step.result);
  }
  return sources;
}

export function operandProblems(modelDir: string, count: number): OperandProblem[] {
  const codec = loadCodec(modelDir);
  return heldOutWordProblems("v2mid", V2_EVAL_SEED, count).map((p) => {
    const promptLen = codec.encode(p.prompt).length;
    const ids = codec.encode(p.prompt + spacedTarget(p.target));
    const numbers = digitRuns(codec, ids, promptLen);
    const sources = operandSources(p);
    const operands = sources.map((source, k) => ({ source, positions: numbers[Math.floor(k / 2) * 3 + (k % 2)]! }));
    return { ids, promptLen, rate: p.categories.shapes.includes("rate"), operands };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[3] ?? "model/work/operands.json";
  writeFileSync(out, JSON.stringify(operandProblems(process.argv[2] ?? "public/models/dllm-tiny", 500)));
  console.log(`probe-operands: ${out}`);
}
