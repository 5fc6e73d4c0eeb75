/**
 * The WebGPU -> WASM fallback with a stubbed navigator.gpu and an onnxruntime whose WebGPU
 * sessions fail in each way they can: no adapter, requestAdapter() throwing, the session not
 * opening, the first run failing. Each falls back to WASM and says why (the page shows it).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ortNode from "onnxruntime-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ModelLoadError } from "../src/errors.ts";
import type { OrtModule } from "../src/model/onnx-model.ts";
import { DEFAULT_MODEL_PATH } from "../src/node/model.ts";
import { openModel, planBackend } from "./backend.ts";

const ONNX = new Uint8Array(readFileSync(join(DEFAULT_MODEL_PATH, "onnx/model.onnx")));
const GRAPH = async () => ({ name: "onnx/model.onnx", graph: ONNX });
const VOCAB = (JSON.parse(readFileSync(join(DEFAULT_MODEL_PATH, "config.json"), "utf8")) as { vocab_size: number }).vocab_size;

type Failure = "open" | "run" | null;

/** onnxruntime-node standing in for onnxruntime-web: "wasm" runs on the CPU, "webgpu" fails as asked. */
function fakeOrt(webgpu: Failure) {
  const released: string[] = [];
  const create = async (bytes: Uint8Array | string, options: { executionProviders: string[] }) => {
    const provider = options.executionProviders[0]!;
    if (provider === "webgpu" && webgpu === "open") throw new Error("no kernel for MatMulNBits on webgpu");
    const session = typeof bytes === "string" ? await ortNode.InferenceSession.create(bytes) : await ortNode.InferenceSession.create(bytes);
    return {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      inputMetadata: session.inputMetadata,
      outputMetadata: session.outputMetadata,
      run: provider === "webgpu" && webgpu === "run" ? () => Promise.reject(new Error("shader compilation failed")) : session.run.bind(session),
      release: async () => {
        released.push(provider);
        await session.release();
      },
    };
  };
  return { ort: { InferenceSession: { create }, Tensor: ortNode.Tensor } as unknown as OrtModule, released };
}

/** Plans the backend as the worker does, then opens the model on it. */
async function open(ort: OrtModule, choice: "auto" | "webgpu" | "wasm") {
  return openModel(ort, await planBackend(choice), GRAPH, { vocabSize: VOCAB });
}

function stubAdapter(requestAdapter: () => Promise<unknown>): void {
  vi.stubGlobal("navigator", { gpu: { requestAdapter } });
}
const ADAPTER = async () => ({ info: { vendor: "test", architecture: "fake", description: "" } });

describe("backend choice", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("no navigator.gpu: WASM, saying so", async () => {
    vi.stubGlobal("navigator", {});
    const { model, info } = await open(fakeOrt(null).ort, "auto");
    expect(info).toMatchObject({ backend: "wasm", reason: "fell back to WASM: this browser has no navigator.gpu" });
    await model.dispose();
  });

  it("requestAdapter() throwing or giving none: WASM with the reason", async () => {
    stubAdapter(() => Promise.reject(new Error("GPU process crashed")));
    const thrown = await open(fakeOrt(null).ort, "auto");
    expect(thrown.info.reason).toBe("fell back to WASM: navigator.gpu.requestAdapter() failed (GPU process crashed)");
    await thrown.model.dispose();
    stubAdapter(async () => null);
    const none = await open(fakeOrt(null).ort, "auto");
    expect(none.info.reason).toBe("fell back to WASM: navigator.gpu gave no adapter");
    await none.model.dispose();
  });

  it("a WebGPU session that does not open: WASM with the reason", async () => {
    stubAdapter(ADAPTER);
    const { model, info } = await open(fakeOrt("open").ort, "auto");
    expect(info.backend).toBe("wasm");
    expect(info.reason).toMatch(/^fell back to WASM: WebGPU session failed: .*no kernel for MatMulNBits/);
    const rows = await model.forward(new Int32Array([5, 6, 2]), { from: 0, to: 3, output: "logits" });
    expect(rows.output === "logits" && rows.logits.length).toBe(3 * VOCAB);
    await model.dispose();
  });

  it("a WebGPU session whose first run fails: released, then WASM with the reason", async () => {
    stubAdapter(ADAPTER);
    const fake = fakeOrt("run");
    const { model, info } = await open(fake.ort, "auto");
    expect(info.reason).toMatch(/WebGPU session failed: .*shader compilation failed/);
    expect(fake.released).toEqual(["webgpu"]);
    await model.dispose();
  });

  it("WebGPU asked for explicitly and failing is an error, not a silent fallback", async () => {
    stubAdapter(ADAPTER);
    const error = await open(fakeOrt("open").ort, "webgpu").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/^backend: WebGPU was asked for but WebGPU session failed/);
  });

  it("a working adapter and session: WebGPU", async () => {
    stubAdapter(ADAPTER);
    const { model, info } = await open(fakeOrt(null).ort, "auto");
    expect(info).toMatchObject({ backend: "webgpu", adapter: "test fake" });
    await model.dispose();
  });

  it("auto passes over a software adapter (SwiftShader) and says so; asked for by hand it is used", async () => {
    stubAdapter(async () => ({ info: { vendor: "google", architecture: "swiftshader", description: "" } }));
    const auto = await planBackend("auto");
    expect(auto).toMatchObject({ adapter: null, reason: "fell back to WASM: the only WebGPU adapter is a software one (google swiftshader), far slower than WASM" });
    expect((await planBackend("webgpu")).adapter).toBe("google swiftshader");
    stubAdapter(async () => ({ info: { vendor: "acme", architecture: "", description: "", isFallbackAdapter: true } }));
    expect((await planBackend("auto")).adapter).toBeNull();
  });
});
