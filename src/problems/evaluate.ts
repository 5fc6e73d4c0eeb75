/**
 * Accuracy of one decoder setting on a list of problems, with the cost figures the paper
 * reports beside it. Runs the same engine as the page and the CLI. The tally functions let
 * other runners (the multi-setting evaluation, the browser panel) add results one at a time.
 */
import { generate, type EngineModel } from "../decoding/engine.ts";
import type { GenerateOptions, GenerateResult } from "../decoding/types.ts";
import type { Problem } from "./generate.ts";
import { isCorrect } from "./score.ts";

export interface EvalSummary {
  problems: number;
  correct: number;
  accuracy: number;
  nfe: number;
  /** Generated tokens up to (not including) [EOS]. */
  tokens: number;
  nfePerToken: number;
  tokensPerSecond: number;
  meanBlockSize: number;
  ms: number;
}

/** Running sums from which an EvalSummary is derived. */
export interface EvalTally {
  problems: number;
  correct: number;
  nfe: number;
  tokens: number;
  ms: number;
  blocks: number;
  blockTokens: number;
}

export function emptyTally(): EvalTally {
  return { problems: 0, correct: 0, nfe: 0, tokens: 0, ms: 0, blocks: 0, blockTokens: 0 };
}

/** The tally with one more scored generation added (the input is left as it was). */
export function addResult(tally: EvalTally, result: GenerateResult, correct: boolean): EvalTally {
  let blockTokens = 0;
  for (const [start, end] of result.blocks) blockTokens += end - start;
  return {
    problems: tally.problems + 1,
    correct: tally.correct + (correct ? 1 : 0),
    nfe: tally.nfe + result.nfe,
    tokens: tally.tokens + result.tokens.length,
    ms: tally.ms + result.ms,
    blocks: tally.blocks + result.blocks.length,
    blockTokens: tally.blockTokens + blockTokens,
  };
}

export function summarize(tally: EvalTally): EvalSummary {
  const { problems, correct, nfe, tokens, ms, blocks, blockTokens } = tally;
  return {
    problems,
    correct,
    accuracy: problems > 0 ? correct / problems : 0,
    nfe,
    tokens,
    nfePerToken: tokens > 0 ? nfe / tokens : 0,
    tokensPerSecond: ms > 0 ? (tokens / ms) * 1000 : 0,
    meanBlockSize: blocks > 0 ? blockTokens / blocks : 0,
    ms,
  };
}

export async function evaluate(
  engine: EngineModel,
  problems: readonly Problem[],
  options: Partial<GenerateOptions>,
  /** After each problem; `result` lets a caller look at the answer itself (e.g. diagnose it). */
  onProgress?: (done: number, correct: number, result: GenerateResult, problem: Problem) => void,
  signal?: AbortSignal,
): Promise<EvalSummary> {
  let tally = emptyTally();
  for (const problem of problems) {
    if (signal?.aborted) break;
    const result = await generate(engine, problem.prompt, options, signal ? { signal } : {});
    tally = addResult(tally, result, isCorrect(result.text, problem.answer));
    onProgress?.(tally.problems, tally.correct, result, problem);
  }
  return summarize(tally);
}
