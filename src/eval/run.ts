/**
 * Runs every (setting, B0) cell over the same problems, problem by problem, so that all cells
 * fill in together and partial results are comparable on the same problems. The generation
 * itself is passed in: the Node CLI calls the engine directly, the browser panel the worker.
 */
import type { GenerateOptions, GenerateResult } from "../decoding/types.ts";
import type { Problem } from "../problems/generate.ts";
import { addResult, emptyTally, summarize, type EvalSummary, type EvalTally } from "../problems/evaluate.ts";
import { diagnoseAnswer, type AnswerFault } from "../problems/diagnose.ts";
import { cellOptions, planCells, type EvalCell, type EvalPlan } from "./settings.ts";

export type GenerateFn = (prompt: string, options: Partial<GenerateOptions>) => Promise<GenerateResult>;

export interface CellSummary extends EvalCell {
  options: Partial<GenerateOptions>;
  summary: EvalSummary;
}

export interface CellResult extends CellSummary {
  /** Per problem, in problem order: answered correctly. Lets paired comparisons be made. */
  correct: boolean[];
  /** Per problem, in problem order: where its answer first goes wrong ("correct" when it does not). */
  faults: AnswerFault[];
}

export interface EvalProgress {
  /** Generations finished, over all cells. */
  done: number;
  total: number;
  elapsedMs: number;
  /** Every cell's figures so far (without the per-problem list, to keep updates cheap). */
  cells: CellSummary[];
}

export interface RunEvalHooks {
  onProgress?: (progress: EvalProgress) => void;
  /** Stops before the next generation; an aborted generation is not scored. */
  signal?: AbortSignal;
  now?: () => number;
}

interface CellState extends EvalCell {
  options: Partial<GenerateOptions>;
  tally: EvalTally;
  correct: boolean[];
  faults: AnswerFault[];
}

const summaryOf = (state: CellState): CellSummary => ({
  setting: state.setting,
  blockSize: state.blockSize,
  options: state.options,
  summary: summarize(state.tally),
});

export async function runEval(problems: readonly Problem[], plan: EvalPlan, generateFn: GenerateFn, hooks: RunEvalHooks = {}): Promise<CellResult[]> {
  const now = hooks.now ?? (() => globalThis.performance.now());
  const started = now();
  const states: CellState[] = planCells(plan).map((cell) => ({ ...cell, options: cellOptions(cell, plan), tally: emptyTally(), correct: [], faults: [] }));
  const total = problems.length * states.length;
  let done = 0;
  outer: for (const problem of problems) {
    for (const state of states) {
      if (hooks.signal?.aborted) break outer;
      const result = await generateFn(problem.prompt, state.options);
      if (result.stopReason === "aborted") break outer;
      // diagnoseAnswer says "correct" exactly when isCorrect would (the same `####` read).
      const fault = diagnoseAnswer(problem, result.text);
      const correct = fault === "correct";
      state.tally = addResult(state.tally, result, correct);
      state.correct.push(correct);
      state.faults.push(fault);
      done++;
      hooks.onProgress?.({ done, total, elapsedMs: now() - started, cells: states.map(summaryOf) });
    }
  }
  return states.map((state) => ({ ...summaryOf(state), correct: [...state.correct], faults: [...state.faults] }));
}
