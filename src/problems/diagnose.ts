/**
 * Where a worked answer first goes wrong, so a model card can say what limits accuracy instead
 * of guessing: the answer is read line by line against the reference steps, and the first line
 * that differs decides the fault.
 */
import type { Problem } from "./generate.ts";
import { extractAnswer } from "./score.ts";
import { applyWordStep, parseWorkedLine, type WorkedStep } from "./word-problems.ts";

export type AnswerFault =
  /** The `####` answer is right. */
  | "correct"
  /** A line is not `a op b = c` or a rate's `x+k*m=x+p=r` (spaced or compact), or there is no `#### n` line. */
  | "layout"
  /** A number or operation taken from the question is wrong. */
  | "copy"
  /** An operand that is an earlier line's result is wrong (v1: a line not starting from the previous result). */
  | "carry"
  /** The line's operands are right but its result is not. */
  | "arithmetic"
  /** Every written step is right but there are too few or too many of them. */
  | "step-count"
  /** The steps are right but the `####` number is not the last result. */
  | "final-line";

export const ANSWER_FAULTS: readonly AnswerFault[] = ["correct", "layout", "copy", "carry", "arithmetic", "step-count", "final-line"];

/** Splits an answer into its step lines and its `####` line (blank lines ignored). */
function splitAnswer(text: string): { steps: string[]; hasFinal: boolean } {
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  const finalAt = lines.findIndex((line) => line.startsWith("####"));
  return finalAt < 0 ? { steps: lines, hasFinal: false } : { steps: lines.slice(0, finalAt), hasFinal: true };
}

export function diagnoseAnswer(problem: Pick<Problem, "target" | "answer">, text: string): AnswerFault {
  if (extractAnswer(text) === problem.answer) return "correct";
  // Operation by operation, so a rate's one line (product and sum) is checked as two.
  const truth = splitAnswer(problem.target).steps.flatMap((line) => parseWorkedLine(line)!);
  const written = splitAnswer(text);
  // Results of the lines checked so far: an operand the truth takes from them is carried, any other copied.
  // (v1 answers are a chain, so there a wrong left operand after the first line is a carry fault;
  // a v2 rate's sum takes its product's result.)
  const earlier = new Set<number>();
  const steps: WorkedStep[] = [];
  let unreadable = false;
  for (const line of written.steps) {
    const parsed = parseWorkedLine(line);
    if (parsed === null) {
      unreadable = true;
      break;
    }
    steps.push(...parsed);
  }
  for (const [i, step] of steps.entries()) {
    const expected = truth[i];
    if (expected === undefined) return "step-count";
    if (step.left !== expected.left) return earlier.has(expected.left) ? "carry" : "copy";
    if (step.op !== expected.op) return "copy";
    if (step.right !== expected.right) return earlier.has(expected.right) ? "carry" : "copy";
    if (step.result !== applyWordStep(step.left, step.op, step.right)) return "arithmetic";
    earlier.add(expected.result);
  }
  if (unreadable || !written.hasFinal || extractAnswer(text) === null) return "layout";
  if (steps.length !== truth.length) return "step-count";
  return "final-line";
}

/** What each fault means, for the tables that count them (the model card, `npm run eval`). */
export const FAULT_MEANINGS: Record<AnswerFault, string> = {
  correct: "the `####` answer is right",
  layout: "a line is not `a op b = c` (nor a rate's `x+k*m=x+p=r`), or no `#### n` line",
  copy: "a number or operation taken from the question is wrong",
  carry: "a step does not start from the previous result",
  arithmetic: "right operands, wrong result",
  "step-count": "right steps, but too few or too many",
  "final-line": "right steps, wrong `####` number",
};

/** Counts of each fault over a run, every fault present (zero when none). */
export function countFaults(faults: readonly AnswerFault[]): Record<AnswerFault, number> {
  const counts = Object.fromEntries(ANSWER_FAULTS.map((fault) => [fault, 0])) as Record<AnswerFault, number>;
  for (const fault of faults) counts[fault]++;
  return counts;
}
