/**
 * Engine overhead: the same generations timed as a whole and as the sum of their raw model
 * calls, side by side in one run. Overhead = (generate - model calls) / model calls.
 *
 *   npm run bench:engine -- [--runs N] [--json]
 */
import { parseArgs } from "node:util";
import { generate } from "../src/decoding/engine.ts";
import type { GenerateOptions } from "../src/decoding/types.ts";
import type { ForwardModel } from "../src/model/onnx-model.ts";
import { loadModel } from "../src/node/model.ts";
import { EVAL_SEED, generateProblems } from "../src/problems/generate.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, json: { type: "boolean" } } });
const runs = Number(values.runs);
const loaded = await loadModel();

/** The shipped model with a stopwatch around every forward call. */
function timed(model: ForwardModel): ForwardModel & { ms: number } {
  const wrapper = {
    vocabSize: model.vocabSize,
    ms: 0,
    async forward(ids: Int32Array, from: number, to: number) {
      const t = performance.now();
      const out = await model.forward(ids, from, to);
      wrapper.ms += performance.now() - t;
      return out;
    },
    dispose: () => model.dispose(),
  };
  return wrapper;
}

const settings: Record<string, Partial<GenerateOptions>> = {
  vanilla: { decoder: "threshold", threshold: 1, blockSize: 16 },
  threshold: { decoder: "threshold", threshold: 0.9, blockSize: 16 },
  adablock: { decoder: "adablock", threshold: 0.9, blockSize: 16 },
};
const prompts = generateProblems(EVAL_SEED, runs).map((p) => p.prompt);
const rows: { setting: string; genLength: number; nfe: number; generateMs: number; modelMs: number; overhead: number }[] = [];
for (const genLength of [64, 128]) {
  for (const [setting, options] of Object.entries(settings)) {
    const model = timed(loaded.model);
    let generateMs = 0;
    let nfe = 0;
    await generate({ ...loaded, model }, prompts[0]!, { ...options, genLength }); // warm-up
    model.ms = 0;
    for (const prompt of prompts) {
      const result = await generate({ ...loaded, model }, prompt, { ...options, genLength });
      generateMs += result.ms;
      nfe += result.nfe;
    }
    rows.push({ setting, genLength, nfe, generateMs, modelMs: model.ms, overhead: (generateMs - model.ms) / model.ms });
  }
}
await loaded.model.dispose();
if (values.json) {
  console.log(JSON.stringify(rows));
} else {
  console.log("setting    L    NFE   generate ms  model ms  overhead");
  for (const r of rows) {
    console.log(`${r.setting.padEnd(10)} ${String(r.genLength).padStart(3)} ${String(r.nfe).padStart(5)} ${r.generateMs.toFixed(0).padStart(12)} ${r.modelMs.toFixed(0).padStart(9)} ${(100 * r.overhead).toFixed(1).padStart(8)}%`);
  }
}
