/**
 * The engine's time outside the forward: the same generations timed as a whole (generate()'s
 * own `ms`) and as the sum of their raw model calls. engineShare = (generate - model calls) /
 * generate: the part of a generation the engine itself costs. Generations run without hooks
 * (no onStep, so no volatility band: each pass asks only for the rows the decoder needs).
 * Used by `npm run bench` and `npm run bench:engine`.
 */
import { generate, type EngineModel } from "../../src/decoding/engine.ts";
import type { BlockLayout, ForwardModel, RowRequest } from "../../src/model/forward-model.ts";
import { cellOptions, defaultPlan, type SettingName } from "../../src/eval/settings.ts";
import { createRandom } from "../../src/util/random.ts";
import { shuffled } from "./forward-latency.ts";

export interface EngineTiming {
  /** The model's vocabulary (4,001 for dllm-tiny, 151,936 for Qwen3-sized models). */
  vocabSize: number;
  /** Which graph ran, for the report ("dllm-tiny onnx/model_quantized.onnx"). */
  graph: string;
  setting: SettingName;
  genLength: number;
  blockSize: number;
  generations: number;
  nfe: number;
  tokens: number;
  generateMs: number;
  /** The raw forward calls inside generateMs. */
  modelMs: number;
  /** (generateMs - modelMs) / generateMs. */
  engineShare: number;
  tokensPerSecond: number;
  msPerPass: number;
  /** The engine's own ms per pass, outside the forward: (generateMs - modelMs) / nfe. */
  outsideMsPerPass: number;
}

export interface EnginePlan {
  settings: readonly SettingName[];
  genLengths: readonly number[];
  blockSize: number;
  prompts: readonly string[];
  graph: string;
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

interface Totals {
  generateMs: number;
  modelMs: number;
  nfe: number;
  tokens: number;
}

/**
 * Untimed generations per setting before the timed ones: V8 compiles the engine's hot paths
 * over the first few dozen passes, and one generation (about 6 passes at L = 64) left that
 * compile in the first timed rows, L = 64's, as engine time (2.9-3.1 % there against 2.3-3.0 %
 * when the same rows were measured again in the same process).
 */
const WARMUP_GENERATIONS = 5;

/**
 * Per generation length: WARMUP_GENERATIONS untimed generations per setting, then the prompts in
 * turn, each decoded with every setting in an order shuffled per prompt.
 */
export async function measureEngine(engine: EngineModel, plan: EnginePlan, onRow?: (row: EngineTiming) => void): Promise<EngineTiming[]> {
  const rows: EngineTiming[] = [];
  const random = createRandom(19);
  const model = stopwatch(engine.model);
  const timed = { ...engine, model };
  for (const genLength of plan.genLengths) {
    const options = new Map(plan.settings.map((setting) => [setting, cellOptions({ setting, blockSize: plan.blockSize }, defaultPlan({ genLength }))]));
    for (let k = 0; k < WARMUP_GENERATIONS; k++) {
      for (const setting of plan.settings) await generate(timed, plan.prompts[k % plan.prompts.length]!, options.get(setting));
    }
    const totals = new Map<SettingName, Totals>(plan.settings.map((s) => [s, { generateMs: 0, modelMs: 0, nfe: 0, tokens: 0 }]));
    for (const prompt of plan.prompts) {
      for (const setting of shuffled(plan.settings, random.next)) {
        model.ms = 0;
        const result = await generate(timed, prompt, options.get(setting));
        const t = totals.get(setting)!;
        t.generateMs += result.ms;
        t.modelMs += model.ms;
        t.nfe += result.nfe;
        t.tokens += result.tokens.length;
      }
    }
    for (const setting of plan.settings) {
      const t = totals.get(setting)!;
      const row: EngineTiming = {
        vocabSize: engine.model.vocabSize,
        graph: plan.graph,
        setting,
        genLength,
        blockSize: plan.blockSize,
        generations: plan.prompts.length,
        ...t,
        engineShare: (t.generateMs - t.modelMs) / t.generateMs,
        tokensPerSecond: t.generateMs > 0 ? (1000 * t.tokens) / t.generateMs : 0,
        msPerPass: t.nfe > 0 ? t.generateMs / t.nfe : Number.NaN,
        outsideMsPerPass: t.nfe > 0 ? (t.generateMs - t.modelMs) / t.nfe : Number.NaN,
      };
      rows.push(row);
      onRow?.(row);
    }
  }
  return rows;
}
