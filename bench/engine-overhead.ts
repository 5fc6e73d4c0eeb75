/**
 * Engine overhead: the same generations timed as a whole and as the sum of their raw model
 * calls, side by side in one run. Overhead = (generate - model calls) / model calls.
 * (`npm run bench` runs the same measurement next to the others.)
 *
 *   npm run bench:engine -- [--runs N] [--json]
 */
import { parseArgs } from "node:util";
import { loadModel } from "../src/node/model.ts";
import { EVAL_SEED, generateProblems } from "../src/problems/generate.ts";
import { measureEngine } from "./lib/engine-timing.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, json: { type: "boolean" } } });
const runs = Number(values.runs);
const loaded = await loadModel();
const prompts = generateProblems(EVAL_SEED, runs).map((p) => p.prompt);
const rows = await measureEngine(loaded, { settings: ["vanilla", "threshold", "adablock"], genLengths: [64, 128], blockSize: 16, prompts });
await loaded.model.dispose();
if (values.json) {
  console.log(JSON.stringify(rows.map(({ setting, genLength, nfe, generateMs, modelMs, overhead }) => ({ setting, genLength, nfe, generateMs, modelMs, overhead }))));
} else {
  console.log("setting    L    NFE   generate ms  model ms  overhead");
  for (const r of rows) {
    console.log(`${r.setting.padEnd(10)} ${String(r.genLength).padStart(3)} ${String(r.nfe).padStart(5)} ${r.generateMs.toFixed(0).padStart(12)} ${r.modelMs.toFixed(0).padStart(9)} ${(100 * r.overhead).toFixed(1).padStart(8)}%`);
  }
}
