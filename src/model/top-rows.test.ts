/**
 * The in-graph top-2 (float32 softmax) against the float64 reference: on the shipped model's
 * held-out problems, decoding with the graph's top rows commits exactly the tokens that
 * decoding from full logits rows (reduced in float64 in JavaScript) commits. Also the reduction
 * graph for logits-only models gives the same rows.
 */
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../decoding/engine.ts";
import { loadModel, type LoadedModel } from "../node/model.ts";
import { EVAL_SEED, generateProblems } from "../problems/generate.ts";
import { rowsFromLogits, type ForwardModel } from "./forward-model.ts";
import { topRowsGraph } from "./reduce-graph.ts";

let loaded: LoadedModel;
beforeAll(async () => {
  loaded = await loadModel();
});
afterAll(async () => {
  await loaded.model.dispose();
});

/** The same model, asked for full logits rows and reduced in float64 in JavaScript. */
function viaJavaScript(model: ForwardModel): ForwardModel {
  return {
    vocabSize: model.vocabSize,
    attention: model.attention,
    async forward(ids, rows, layout) {
      const full = await model.forward(ids, { ...rows, output: "logits" }, layout);
      if (full.output !== "logits") throw new Error("asked for logits rows");
      return rowsFromLogits(full.logits, model.vocabSize, rows);
    },
    dispose: () => model.dispose(),
  };
}

describe("top rows computed in the graph (float32)", () => {
  it("commit the same tokens as float64 softmax in JavaScript on 12 held-out problems, AdaBlock and threshold", async () => {
    expect(loaded.model.reduction).toBe("graph");
    const reference = { ...loaded, model: viaJavaScript(loaded.model) };
    for (const problem of generateProblems(EVAL_SEED, 12)) {
      for (const decoder of ["adablock", "threshold"] as const) {
        const options = { decoder, genLength: 64, blockSize: 16 };
        const inGraph = await generate(loaded, problem.prompt, options);
        const inJs = await generate(reference, problem.prompt, options);
        expect(inGraph.tokens).toEqual(inJs.tokens);
        expect(inGraph.blocks).toEqual(inJs.blocks);
      }
    }
  });

  it("a pass at temperature 0 reads 16 bytes a row", async () => {
    const ids = loaded.codec.encode(generateProblems(EVAL_SEED, 1)[0]!.prompt);
    const canvas = Int32Array.from([...ids, ...new Array(64).fill(loaded.config.maskTokenId)]);
    const rows = await loaded.model.forward(canvas, { from: ids.length, to: ids.length + 16, output: "top" });
    expect(rows.output).toBe("top");
    expect(loaded.model.lastBytesRead).toBe(16 * 16);
  });
});

describe("the reduction graph for logits-only models", () => {
  it("gives the top-2 ids and float32 probabilities of the rows asked for", async () => {
    const session = await ort.InferenceSession.create(topRowsGraph());
    const [T, V] = [6, 300];
    const logits = Float32Array.from({ length: T * V }, (_, i) => Math.sin(i * 0.37) * 4);
    logits[2 * V + 17] = 9;
    logits[2 * V + 250] = 9; // a tie: the lower id first, as argmax gives
    const out = await session.run({ logits: new ort.Tensor("float32", logits, [1, T, V]), row_range: new ort.Tensor("int64", BigInt64Array.of(1n, 5n), [2]) });
    const expected = rowsFromLogits(logits.subarray(V, 5 * V), V, { from: 1, to: 5, output: "top" });
    if (expected.output !== "top") throw new Error("top rows expected");
    expect(out.top_ids!.dims).toEqual([1, 4, 2]);
    expect(Array.from(out.top_ids!.data as Int32Array)).toEqual(Array.from(expected.topIds));
    const probs = out.top_probs!.data as Float32Array;
    const worst = Math.max(...Array.from(expected.topProbs, (p, i) => Math.abs(probs[i]! - p)));
    expect(worst).toBeLessThan(1e-6);
    expect(Array.from(expected.topIds.subarray(2, 4))).toEqual([17, 250]);
    await session.release();
  });
});
