/**
 * Accuracy of one decoder setting on a list of problems, with the cost figures the paper
 * reports beside it. Runs the same engine as the page and the CLI.
 */
import { generate, type EngineModel } from "../decoding/engine.ts";
import type { GenerateOptions } from "../decoding/types.ts";
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

export async function evaluate(
  engine: EngineModel,
  problems: readonly Problem[],
  options: Partial<GenerateOptions>,
  onProgress?: (done: number, correct: number) => void,
  signal?: AbortSignal,
): Promise<EvalSummary> {
  let correct = 0;
  let nfe = 0;
  let tokens = 0;
  let ms = 0;
  let blocks = 0;
  let blockTokens = 0;
  let done = 0;
  for (const problem of problems) {
    if (signal?.aborted) break;
    const result = await generate(engine, problem.prompt, options, signal ? { signal } : {});
    if (isCorrect(result.text, problem.answer)) correct++;
    nfe += result.nfe;
    tokens += result.tokens.length;
    ms += result.ms;
    blocks += result.blocks.length;
    for (const [start, end] of result.blocks) blockTokens += end - start;
    onProgress?.(++done, correct);
  }
  return {
    problems: done,
    correct,
    accuracy: done > 0 ? correct / done : 0,
    nfe,
    tokens,
    nfePerToken: tokens > 0 ? nfe / tokens : 0,
    tokensPerSecond: ms > 0 ? (tokens / ms) * 1000 : 0,
    meanBlockSize: blocks > 0 ? blockTokens / blocks : 0,
    ms,
  };
}
