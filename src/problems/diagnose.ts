/**
 * Where a worked answer first goes wrong, so a model card can say what limits accuracy instead
 * of guessing: the answer is read line by line against the reference steps, and the first line
 * that differs decides the fault.
 */
import { apply, type Op, type Problem } from "./generate.ts";
import { extractAnswer } from "./score.ts";

export type AnswerFault =
  /** The `####` answer is right. */
  | "correct"
  /** A line is not `a op b = c` or there is no `#### n` line. */
  | "layout"
  /** A number or operation taken from the question is wrong (the first line's start, any operand or operator). */
  | "copy"
  /** A line does not start from the previous line's result. */
  | "carry"
  /** The line's operands are right but its result is not. */
  | "arithmetic"
  /** Every written step is right but there are too few or too many of them. */
  | "step-count"
  /** The steps are right but the `####` number is not the last result. */
  | "final-line";

export const ANSWER_FAULTS: readonly AnswerFault[] = ["correct", "layout", "copy", "carry", "arithmetic", "step-count", "final-line"];

interface StepLine {
  left: number;
  op: Op;
  right: number;
  result: number;
}

const STEP = /^(\d+) ([+*-]) (\d+) = (\d+)$/;

function parseStep(line: string): StepLine | null {
  const match = STEP.exec(line.trim());
  return match ? { left: Number(match[1]), op: match[2] as Op, right: Number(match[3]), result: Number(match[4]) } : null;
}

/** Splits an answer into its step lines and its `####` line (blank lines ignored). */
function splitAnswer(text: string): { steps: string[]; hasFinal: boolean } {
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  const finalAt = lines.findIndex((line) => line.startsWith("####"));
  return finalAt < 0 ? { steps: lines, hasFinal: false } : { steps: lines.slice(0, finalAt), hasFinal: true };
}

export function diagnoseAnswer(problem: Pick<Problem, "target" | "answer">, text: string): AnswerFault {
  if (extractAnswer(text) === problem.answer) return "correct";
  const truth = splitAnswer(problem.target).steps.map((line) => parseStep(line)!);
  const written = splitAnswer(text);
  let previous: StepLine | null = null;
  for (const [i, line] of written.steps.entries()) {
    const step = parseStep(line);
    if (step === null) return "layout";
    const expected = truth[i];
    if (expected === undefined) return "step-count";
    if (previous === null ? step.left !== expected.left : step.left !== previous.result) return previous === null ? "copy" : "carry";
    if (step.op !== expected.op || step.right !== expected.right) return "copy";
    if (step.result !== apply(step.left, { op: step.op, operand: step.right })) return "arithmetic";
    previous = step;
  }
  if (!written.hasFinal || extractAnswer(text) === null) return "layout";
  if (written.steps.length !== truth.length) return "step-count";
  return "final-line";
}

/** Counts of each fault over a run, every fault present (zero when none). */
export function countFaults(faults: readonly AnswerFault[]): Record<AnswerFault, number> {
  const counts = Object.fromEntries(ANSWER_FAULTS.map((fault) => [fault, 0])) as Record<AnswerFault, number>;
  for (const fault of faults) counts[fault]++;
  return counts;
}
