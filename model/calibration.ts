/**
 * Writes model/fixtures/dllm-tiny.calibration.json: the canvases whose activations set the int8
 * graphs' smoothing of the FFN down projections (quantize.py, called by export.py). Problems of a
 * seed that neither training (TRAIN_SEED_BASE + k) nor evaluation (EVAL_SEED) draws from, laid
 * out as a pass sees them: the prompt, then 64, 128 or 256 answer positions (the canvas lengths
 * the model is trained and measured at) with 0, 8, 24 or 40 tokens of the target shown and the
 * rest masked.
 *
 *   npx tsx model/calibration.ts [--count 48]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CANVAS_LENGTHS } from "../src/eval/settings.ts";
import { TRAIN_SEED_BASE, generateProblems } from "../src/problems/generate.ts";
import { loadCodec } from "./data.ts";

const MODEL_DIR = join(import.meta.dirname, "..", "public", "models", "dllm-tiny");
const OUT = join(import.meta.dirname, "fixtures", "dllm-tiny.calibration.json");
const SEED = TRAIN_SEED_BASE - 3;
const SHOWN = [0, 8, 24, 40];

const { values } = parseArgs({ options: { count: { type: "string", default: "48" } } });
const codec = loadCodec(MODEL_DIR);
const config = JSON.parse(readFileSync(join(MODEL_DIR, "config.json"), "utf8")) as { eos_token_id: number; mask_token_id: number };

const canvases = generateProblems(SEED, Number(values.count)).map((problem, k) => {
  const target = [...codec.encode(problem.target), config.eos_token_id];
  const shown = SHOWN[k % SHOWN.length]!;
  // Lengths cycle with a period prime to SHOWN's, so every length meets every shown count.
  const answerLength = CANVAS_LENGTHS[Math.floor(k / SHOWN.length) % CANVAS_LENGTHS.length]!;
  const answer = Array.from({ length: answerLength }, (_, i) => (i >= shown ? config.mask_token_id : (target[i] ?? config.eos_token_id)));
  return { input_ids: [...codec.encode(problem.prompt), ...answer] };
});
const note = `generateProblems(TRAIN_SEED_BASE - 3, ${canvases.length}) prompts, then ${CANVAS_LENGTHS.join(", ")} answer positions (in turn, every four canvases) with ${SHOWN.join(", ")} tokens of the target (then [EOS]) shown and the rest masked`;
writeFileSync(OUT, `${JSON.stringify({ mask_token_id: config.mask_token_id, note, canvases })}\n`);
console.log(`calibration: ${OUT} (${canvases.length} canvases)`);
