/**
 * Picks the execution provider for a model: WebGPU when navigator.gpu yields an adapter and a
 * session on it opens and runs one pass, WASM otherwise. The reason is kept so the page can say
 * why it fell back. onnxruntime itself is only touched through createOnnxModel.
 */
import { ModelLoadError, OptionError } from "../src/errors.ts";
import { createOnnxModel, createOnnxWindowModel, type OnnxModel, type OnnxWindowModel, type OrtModule } from "../src/model/onnx-model.ts";
import type { BackendChoice, BackendInfo, BackendName } from "./api.ts";

export interface OpenedModel {
  model: OnnxModel;
  info: Omit<BackendInfo, "wasmThreads" | "crossOriginIsolated">;
}

/** The adapter's name for display, or the reason there is none. */
async function findAdapter(): Promise<{ adapter: string } | { missing: string }> {
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) return { missing: "this browser has no navigator.gpu" };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return { missing: `navigator.gpu.requestAdapter() failed (${(error as Error).message})` };
  }
  if (!adapter) return { missing: "navigator.gpu gave no adapter" };
  const { vendor, architecture, description } = adapter.info;
  return { adapter: [vendor, architecture, description].filter(Boolean).join(" ") || "unnamed adapter" };
}

async function openWebGpu(ort: OrtModule, onnx: Uint8Array, vocabSize: number): Promise<OnnxModel> {
  const model = await createOnnxModel(ort, onnx, { executionProviders: ["webgpu"], vocabSize });
  try {
    // Opening can succeed while the first run fails (shader compilation, missing kernels);
    // one tiny pass finds that out before generation depends on it.
    await model.forward(new Int32Array([0, 0]), { from: 0, to: 1, output: "top" });
  } catch (error) {
    await model.dispose();
    throw error;
  }
  return model;
}

const CHOICES: readonly BackendChoice[] = ["auto", "webgpu", "wasm"];

export async function openModel(ort: OrtModule, onnx: Uint8Array, vocabSize: number, choice: BackendChoice): Promise<OpenedModel> {
  if (!CHOICES.includes(choice)) throw new OptionError("backend", `must be one of ${CHOICES.join(", ")}, got ${String(choice)}`);
  let fallbackReason = "WASM was asked for";
  if (choice !== "wasm") {
    const found = await findAdapter();
    if ("adapter" in found) {
      try {
        const model = await openWebGpu(ort, onnx, vocabSize);
        return { model, info: { backend: "webgpu", adapter: found.adapter, reason: `WebGPU adapter found (${choice === "auto" ? "auto" : "asked for"})` } };
      } catch (error) {
        fallbackReason = `WebGPU session failed: ${(error as Error).message}`;
      }
    } else {
      fallbackReason = found.missing;
    }
    if (choice === "webgpu") throw new ModelLoadError("backend", `WebGPU was asked for but ${fallbackReason}`);
  }
  const model = await createOnnxModel(ort, onnx, { executionProviders: ["wasm"], vocabSize });
  return { model, info: { backend: "wasm", adapter: "", reason: choice === "wasm" ? fallbackReason : `fell back to WASM: ${fallbackReason}` } };
}

/**
 * The KV-cache graph on the backend the model runs on. Should WebGPU fail for this graph while
 * the full one runs, the cached passes run on WASM rather than not at all.
 */
export async function openKvModel(ort: OrtModule, onnx: Uint8Array, vocabSize: number, backend: BackendName): Promise<OnnxWindowModel> {
  if (backend === "webgpu") {
    try {
      return await createOnnxWindowModel(ort, onnx, { executionProviders: ["webgpu"], vocabSize });
    } catch (error) {
      console.warn(`onnx/model_kv.onnx: WebGPU session failed (${(error as Error).message}); cached passes run on WASM`);
    }
  }
  return createOnnxWindowModel(ort, onnx, { executionProviders: ["wasm"], vocabSize });
}
