/**
 * The engine's share of generate(): the same generations timed as a whole and as the sum of
 * their raw model calls, side by side in one run, on the shipped model's int8 graph.
 * Share = (generate - model calls) / generate. (`npm run bench` also measures it at 151,936.)
 *
 *   npm run bench:engine -- [--runs N] [--json]
 */
import { integerFlag } from "../cli/args.ts";
import { scriptArgs } from "../cli/script-args.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../src/node/model.ts";
import { EVAL_SEED, generateProblems } from "../src/problems/generate.ts";
import { measureEngine } from "./lib/engine-timing.ts";
import { openInNode } from "./lib/node-runtimes.ts";

const USAGE = `usage: npm run bench:engine -- [--runs N] [--json]
  the engine's share of generate() on the shipped model's int8 graph: N prompts (default 5) at L = 64 and 128`;
const flags = { runs: { type: "string", default: "5" }, json: { type: "boolean" } } as const;
const { runs, json } = scriptArgs({ name: "bench:engine", usage: USAGE }, flags, (values) => ({
  runs: integerFlag("--runs", values.runs),
  json: values.json === true,
}));
const loaded = await loadModel(DEFAULT_MODEL_PATH);
await loaded.model.dispose();
const graph = "onnx/model_quantized.onnx";
const model = await openInNode("node-native", DEFAULT_MODEL_PATH, graph, loaded.config.vocabSize);
const prompts = generateProblems(EVAL_SEED, runs).map((p) => p.prompt);
const rows = await measureEngine({ ...loaded, model }, { settings: ["vanilla", "threshold", "adablock"], genLengths: [64, 128], blockSize: 16, prompts, graph });
await model.dispose();
if (json) {
  console.log(JSON.stringify(rows.map(({ setting, genLength, nfe, generateMs, modelMs, engineShare }) => ({ setting, genLength, nfe, generateMs, modelMs, engineShare }))));
} else {
  console.log("setting    L    NFE   generate ms  model ms  engine share");
  for (const r of rows) {
    console.log(`${r.setting.padEnd(10)} ${String(r.genLength).padStart(3)} ${String(r.nfe).padStart(5)} ${r.generateMs.toFixed(0).padStart(12)} ${r.modelMs.toFixed(0).padStart(9)} ${(100 * r.engineShare).toFixed(2).padStart(11)}%`);
  }
}
