/**
 * Loading steps that need no browser: a model too big for WASM's heap is refused naming
 * WebGPU, before any weights are fetched; a repo id resolves against the hub given.
 */
import * as ortWeb from "onnxruntime-web";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelLoadError } from "../src/errors.ts";
import type { ServedFolder } from "../src/node/serve-folder.ts";
import { serveShippedModels } from "./testing.ts";
import { cachedModelFiles, type CachedModelFiles } from "./cached-files.ts";
import { loadWebModel, WASM_MAX_MODEL_BYTES, webModelSource, type WebOrt } from "./load-model.ts";

/** The shipped folder, except that its manifest says the int8 graph weighs 3 GiB. */
function withHugeManifest(files: CachedModelFiles, fetched: string[]): CachedModelFiles {
  const manifest = { default: { wasm: "q8" }, variants: [{ dtype: "q8", file: "onnx/model_quantized.onnx", bytes: 3 * 2 ** 30 }] };
  return Object.assign(Object.create(files) as CachedModelFiles, {
    bytes: (file: string, onProgress?: Parameters<CachedModelFiles["bytes"]>[1]) => {
      fetched.push(file);
      return file === "onnx/variants.json" ? Promise.resolve(new TextEncoder().encode(JSON.stringify(manifest))) : files.bytes(file, onProgress);
    },
    externalData: (file: string) => {
      fetched.push(file);
      return files.externalData(file);
    },
  });
}

describe("loading in the worker", () => {
  let served: ServedFolder;
  beforeAll(async () => {
    served = await serveShippedModels();
  });
  afterAll(async () => {
    await served.close();
  });

  it(`refuses a graph over ${WASM_MAX_MODEL_BYTES / 2 ** 30} GiB on WASM, naming WebGPU, before fetching it`, async () => {
    const fetched: string[] = [];
    const error = await loadWebModel({
      model: `${served.url}dllm-tiny/`,
      backend: "wasm",
      files: (baseUrl) => withHugeManifest(cachedModelFiles(baseUrl, false), fetched),
      importOrt: async () => ortWeb as unknown as WebOrt,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/^onnx\/model_quantized\.onnx: is 3\.0 GiB with its weights, more than WASM's heap holds \(2 GiB\): .*run it on WebGPU/);
    expect(fetched).not.toContain("onnx/model_quantized.onnx");
  });

  it("a repo id resolves against the hub given; a relative folder against the page", () => {
    expect(webModelSource("naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX", "http://127.0.0.1:9/")).toMatchObject({
      kind: "hub",
      baseUrl: "http://127.0.0.1:9/naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX/resolve/main/",
    });
    expect(webModelSource("http://example.test/m/", undefined)).toEqual({ kind: "url", baseUrl: "http://example.test/m/" });
  });
});
