/**
 * The engine over the raw model: the same generations timed as a whole and as the sum of
 * their model calls. Overhead = (generate - model calls) / model calls; tokens/s counts the
 * generated tokens up to [EOS]. Used by `npm run bench` and `npm run bench:engine`.
 */
import { generate, type EngineModel } from "../../src/decoding/engine.ts";
import type { BlockLayout, ForwardModel, RowRequest } from "../../src/model/forward-model.ts";
import { cellOptions, defaultPlan, type SettingName } from "../../src/eval/settings.ts";

export interface EngineTiming {
  setting: SettingName;
  genLength: number;
  blockSize: number;
  generations: number;
  nfe: number;
  tokens: number;
  generateMs: number;
  modelMs: number;
  /** (generateMs - modelMs) / modelMs. */
  overhead: number;
  tokensPerSecond: number;
  msPerToken: number;
  msPerPass: number;
}

export interface EnginePlan {
  settings: readonly SettingName[];
  genLengths: readonly number[];
  blockSize: number;
  prompts: readonly string[];
}

/** The model with a stopwatch around every forward call. */
function stopwatch(model: ForwardModel): ForwardModel & { ms: number } {
  const wrapper = {
    vocabSize: model.vocabSize,
    attention: model.attention,
    ms: 0,
    async forward(ids: Int32Array, rows: RowRequest, layout?: BlockLayout) {
      const started = performance.now();
      const out = await model.forward(ids, rows, layout);
      wrapper.ms += performance.now() - started;
      return out;
    },
    dispose: () => model.dispose(),
  };
  return wrapper;
}

export async function measureEngine(engine: EngineModel, plan: EnginePlan, onRow?: (row: EngineTiming) => void): Promise<EngineTiming[]> {
  const rows: EngineTiming[] = [];
  for (const genLength of plan.genLengths) {
    for (const setting of plan.settings) {
      const options = cellOptions({ setting, blockSize: plan.blockSize }, defaultPlan({ genLength }));
      const model = stopwatch(engine.model);
      const timed = { ...engine, model };
      await generate(timed, plan.prompts[0]!, options); // warm-up at this canvas length
      model.ms = 0;
      let generateMs = 0;
      let nfe = 0;
      let tokens = 0;
      for (const prompt of plan.prompts) {
        const result = await generate(timed, prompt, options);
        generateMs += result.ms;
        nfe += result.nfe;
        tokens += result.tokens.length;
      }
      const row: EngineTiming = {
        setting,
        genLength,
        blockSize: plan.blockSize,
        generations: plan.prompts.length,
        nfe,
        tokens,
        generateMs,
        modelMs: model.ms,
        overhead: (generateMs - model.ms) / model.ms,
        tokensPerSecond: generateMs > 0 ? (1000 * tokens) / generateMs : 0,
        msPerToken: tokens > 0 ? generateMs / tokens : Number.NaN,
        msPerPass: nfe > 0 ? generateMs / nfe : Number.NaN,
      };
      rows.push(row);
      onRow?.(row);
    }
  }
  return rows;
}
