/**
 * The evaluation in Node: the shipped (or given) model on onnxruntime-node, the engine called
 * directly. Shared by `npm run eval` and `npm run results`.
 */
import { generate, resolveOptions } from "../src/decoding/engine.ts";
import { OptionError } from "../src/errors.ts";
import { evalJson, type EvalJson } from "../src/eval/report.ts";
import { runEval, type CellResult, type EvalProgress } from "../src/eval/run.ts";
import { cellOptions, planCells, type EvalPlan } from "../src/eval/settings.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../src/node/model.ts";
import { generateProblems, type Problem } from "../src/problems/generate.ts";
import { heldOutWordProblems, type Categories } from "../src/problems/word-problems.ts";
import type { ProblemSet } from "./eval-args.ts";
import { FLAGS } from "./args.ts";
import type { Dtype } from "../src/model/model-source.ts";

export interface NodeEvalRequest {
  plan: EvalPlan;
  /** v1 when absent. */
  set?: ProblemSet;
  seed: number;
  count: number;
  model: string | undefined;
  /** The graph's dtype; absent: the folder's default for the CPU. */
  dtype?: Dtype | undefined;
}

export interface NodeEvalOutcome {
  cells: CellResult[];
  json: EvalJson;
  /** True when stopped (Ctrl-C) before every generation ran. */
  partial: boolean;
  /** v2 only: each problem's categories, in problem order (CellResult.correct scores them). */
  categories?: Categories[];
}

/** The problems of a set: v2 from its held-out split only. */
export function problemSet(set: ProblemSet, seed: number, count: number): { problems: Problem[]; categories?: Categories[] } {
  if (set === "v1") return { problems: generateProblems(seed, count) };
  const problems = heldOutWordProblems(set, seed, count);
  return { problems, categories: problems.map((p) => p.categories) };
}

export async function evaluateInNode(
  request: NodeEvalRequest,
  hooks: { onProgress?: (progress: EvalProgress) => void; signal?: AbortSignal } = {},
): Promise<NodeEvalOutcome> {
  const modelPath = request.model ?? DEFAULT_MODEL_PATH;
  const loaded = await loadModel(modelPath, request.dtype ? { dtype: request.dtype } : {});
  try {
    const { problems, categories } = problemSet(request.set ?? "v1", request.seed, request.count);
    // Check every cell against the model before the first pass, so a bad flag fails at once.
    const longestPrompt = Math.max(...problems.map((p) => loaded.codec.encode(p.prompt).length));
    for (const cell of planCells(request.plan)) {
      try {
        resolveOptions(cellOptions(cell, request.plan), loaded, longestPrompt);
      } catch (error) {
        if (!(error instanceof OptionError)) throw error;
        const flag = FLAGS[error.option] ?? error.option;
        throw new OptionError(flag, `${error.message.slice(error.option.length + 2)} (setting ${cell.setting}, B0 = ${cell.blockSize})`);
      }
    }
    const started = performance.now();
    const total = problems.length * planCells(request.plan).length;
    let done = 0;
    const cells = await runEval(problems, request.plan, (prompt, options) => generate(loaded, prompt, options, hooks.signal ? { signal: hooks.signal } : {}), {
      onProgress: (progress) => {
        done = progress.done;
        hooks.onProgress?.(progress);
      },
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    const json = evalJson(cells, request.plan, { seed: request.seed, count: request.count, model: modelPath, ms: performance.now() - started });
    return { cells, json, partial: done < total, ...(categories ? { categories } : {}) };
  } finally {
    await loaded.model.dispose();
  }
}
