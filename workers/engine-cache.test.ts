/**
 * The cache modes through the worker's API in Node (onnxruntime-web WASM, the model folder over
 * HTTP): the KV-cache graph is fetched only when a run asks for a cache, and its runs agree with
 * the Node backend's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../src/decoding/engine.ts";
import type { GenerateOptions } from "../src/decoding/types.ts";
import { loadModel } from "../src/node/model.ts";
import type { ServedFolder } from "../src/node/serve-folder.ts";
import { serveShippedModels } from "./testing.ts";
import { api } from "./engine.worker.ts";

const prompt = "Question: Ben has 13 cups. He wins 4 more. How many cups does Ben have now?\nAnswer:\n";

describe("engine worker API with a KV cache", () => {
  let served: ServedFolder;
  const requested: string[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    served = await serveShippedModels();
    globalThis.fetch = (input, init) => {
      // Downloads only: the cache also asks HEAD for a stored file's version.
      if ((init?.method ?? (input instanceof Request ? input.method : "GET")) === "GET") requested.push(String(input instanceof Request ? input.url : input));
      return realFetch(input, init);
    };
    await api.load({ baseUrl: `${served.url}dllm-tiny/`, backend: "wasm", wasmThreads: 1 });
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await served.close();
  });

  it("fetches the int8 KV-cache graph only for a cached run, then generates as the Node backend does with the same graphs", async () => {
    // WASM runs dllm-tiny's int8 graphs (onnx/variants.json), the KV-cache one included.
    const kvRequests = () => requested.filter((url) => url.endsWith("onnx/model_kv_quantized.onnx")).length;
    await api.generate(prompt, { decoder: "threshold", genLength: 16, blockSize: 8 });
    expect(kvRequests()).toBe(0);
    const node = await loadModel(undefined, { dtype: "q8" });
    try {
      for (const options of [
        { decoder: "adablock", genLength: 32, blockSize: 8, cache: "dual" },
        { decoder: "fixed", genLength: 32, blockSize: 8, steps: 16, cache: "prefix" },
      ] as Partial<GenerateOptions>[]) {
        let steps = 0;
        const result = await api.generate(prompt, options, () => steps++);
        const expected = await generate(node, prompt, options);
        expect(result.tokens).toEqual(expected.tokens);
        expect(result.blocks).toEqual(expected.blocks);
        expect(steps).toBe(result.nfe);
      }
    } finally {
      await node.model.dispose();
      await node.kvModel.dispose();
    }
    expect(kvRequests()).toBe(1);
    expect(api.diagnostics().liveTensors).toBe(0);
  });
});
