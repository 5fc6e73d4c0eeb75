/**
 * The KV-cache graph (onnx/model_kv.onnx) against the full graph (onnx/model.onnx) of the
 * shipped model, and the cache modes through the engine with every decoder, in Node.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../decoding/engine.ts";
import { cachedPasses } from "../decoding/forward-plan.ts";
import { runViolations } from "../decoding/invariants.ts";
import type { GenerateOptions, StepEvent } from "../decoding/types.ts";
import { DEFAULT_MODEL_PATH, loadModel, type LoadedModel } from "../node/model.ts";
import { EVAL_SEED, generateProblems } from "../problems/generate.ts";
import type { PassRows, RowRequest } from "./forward-model.ts";
import type { OnnxWindowModel } from "./onnx-model.ts";

let loaded: LoadedModel;
let kv: OnnxWindowModel;
beforeAll(async () => {
  loaded = await loadModel();
  kv = await loaded.kvModel();
});
afterAll(async () => {
  await loaded.model.dispose();
  await loaded.kvModel.dispose();
});

/** The cache layout the shipped config.json describes (its depth changes when a run grows the model). */
const config = JSON.parse(readFileSync(join(DEFAULT_MODEL_PATH, "config.json"), "utf8")) as Record<string, number>;
const configKvShape = { layers: config.num_hidden_layers, heads: config.num_attention_heads, headDim: config.hidden_size! / config.num_attention_heads! };

const prompt = generateProblems(EVAL_SEED, 1)[0]!.prompt;

/** A canvas mid-generation: the prompt, `committed` generated tokens, then masks up to `length`. */
function canvasWith(committed: number, length: number): Int32Array {
  const ids = loaded.codec.encode(prompt);
  const canvas = new Int32Array(ids.length + length).fill(loaded.config.maskTokenId);
  canvas.set(ids);
  const answer = loaded.codec.encode("13 + 4 = 17\n#### 17");
  canvas.set(answer.slice(0, committed), ids.length);
  return canvas;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const rowsFrom = (from: number, canvas: Int32Array): RowRequest => ({ from, to: canvas.length, output: "logits" });
const layout = { promptLength: 0, blocks: [] };
function logitsOf(rows: PassRows): Float32Array {
  if (rows.output !== "logits") throw new Error("asked for logits rows");
  return rows.logits;
}
const fullLogits = async (canvas: Int32Array, from: number) => logitsOf(await loaded.model.forward(canvas, rowsFrom(from, canvas)));

describe("the KV-cache graph", () => {
  it("declares its cache layout: [layers, batch, heads, past, head_dim] of the model's config", () => {
    expect(kv.kvShape).toEqual(configKvShape);
  });

  it("a whole-canvas pass with no cache gives the full graph's logits", async () => {
    const canvas = canvasWith(5, 48);
    const full = await fullLogits(canvas, 0);
    const empty = new Float32Array(0);
    const pass = await kv.forwardWindow(canvas, 0, empty, empty, { from: 0, to: canvas.length, output: "logits" });
    expect(maxDifference(logitsOf(pass.rows), full)).toBeLessThan(1e-4);
    const { layers, heads, headDim } = configKvShape;
    expect(pass.keys.length).toBe(layers * heads * canvas.length * headDim);
  });

  for (const mode of ["prefix", "dual"] as const) {
    it(`${mode}: a pass in a block, on the canvas the cache was built from, gives the full pass's logits`, async () => {
      const canvas = canvasWith(5, 48);
      const start = canvas.indexOf(loaded.config.maskTokenId);
      const end = start + 16;
      const plan = cachedPasses(kv, mode);
      const opening = await plan.run(canvas, rowsFrom(start, canvas), true, layout);
      plan.blockOpened(start, end);
      // A later pass of the block (one position already committed; the cache keeps its mask-time keys).
      const later = await plan.run(canvas, rowsFrom(start + 1, canvas), false, layout);
      const full = await fullLogits(canvas, start);
      expect(opening.to).toBe(canvas.length);
      expect(maxDifference(logitsOf(opening), full)).toBeLessThan(1e-4);
      expect(later.from).toBe(start + 1);
      expect(later.to).toBe(mode === "prefix" ? canvas.length : end);
      const rows = full.subarray(loaded.model.vocabSize, (later.to - start) * loaded.model.vocabSize);
      expect(maxDifference(logitsOf(later), rows)).toBeLessThan(1e-4);
      expect(kv.liveTensors).toBe(0);
    });
  }

  it("after commits, a prefix pass differs from the full pass only by the prefix's stale keys (approximate, but close)", async () => {
    const before = canvasWith(0, 48);
    const start = before.indexOf(loaded.config.maskTokenId);
    const plan = cachedPasses(kv, "prefix");
    await plan.run(before, rowsFrom(start, before), true, layout);
    plan.blockOpened(start, start + 16);
    const after = canvasWith(4, 48);
    const cached = await plan.run(after, rowsFrom(start + 4, after), false, layout);
    const full = await fullLogits(after, start + 4);
    const difference = maxDifference(logitsOf(cached), full);
    expect(difference).toBeGreaterThan(0);
    expect(difference).toBeLessThan(5);
  });
});

const settings: Partial<GenerateOptions>[] = [
  { decoder: "fixed", genLength: 32, blockSize: 8, steps: 16 },
  { decoder: "threshold", genLength: 48, blockSize: 8, threshold: 0.9 },
  { decoder: "factor", genLength: 48, blockSize: 16, factor: 1 },
  { decoder: "adablock", genLength: 64, blockSize: 16 },
  { decoder: "adablock", genLength: 40, blockSize: 8, temperature: 0.8, seed: 11 },
];

describe("cache modes on the shipped model", () => {
  for (const cache of ["prefix", "dual"] as const) {
    for (const options of settings) {
      it(`${cache} with ${JSON.stringify(options)}: a consistent run, the first pass as without cache`, async () => {
        const events: StepEvent[] = [];
        const result = await generate(loaded, prompt, { ...options, cache }, { onStep: (e) => events.push(e) });
        expect(runViolations(events, result, options.genLength!, loaded.config.eosTokenId)).toEqual([]);
        expect(result.stopReason).not.toBe("aborted");
        // The opening pass of the first block sees the same canvas with or without a cache.
        const uncached: StepEvent[] = [];
        await generate(loaded, prompt, options, { onStep: (e) => uncached.push(e) });
        expect(Array.from(events[0]!.committed.tokenIds)).toEqual(Array.from(uncached[0]!.committed.tokenIds));
        expect(result.blocks[0]).toEqual(uncached[0]!.block);
        expect(kv.liveTensors).toBe(0);
      });
    }
  }

  it("keeps no tensors alive over many runs (the cache buffers are dropped with each run)", async () => {
    for (let i = 0; i < 10; i++) await generate(loaded, prompt, { decoder: "adablock", genLength: 32, blockSize: 8, cache: i % 2 ? "dual" : "prefix" });
    expect(kv.liveTensors).toBe(0);
    expect(loaded.model.liveTensors).toBe(0);
  });
});
