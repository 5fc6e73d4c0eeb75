/**
 * Picks the execution provider for a model: WebGPU when navigator.gpu yields a hardware adapter
 * and a session on it opens and runs one pass, WASM otherwise. The plan is made before
 * onnxruntime is imported, so a page that will run on WASM loads the plain WASM build (the
 * WebGPU-capable one measured 3-14 % slower on WASM). The reason is kept so the page can say
 * why. onnxruntime itself is only touched through createOnnxModel.
 */
import { ModelLoadError, OptionError } from "../src/errors.ts";
import { createOnnxModel, createOnnxWindowModel, type GraphSource, type OnnxModel, type OnnxModelOptions, type OnnxWindowModel, type OrtModule } from "../src/model/onnx-model.ts";
import type { BackendChoice, BackendInfo, BackendName } from "./api.ts";

export interface OpenedModel {
  model: OnnxModel;
  info: Omit<BackendInfo, "wasmThreads" | "threadsReason" | "crossOriginIsolated">;
}

/** What the backend choice comes to before anything is loaded: an adapter to try, or WASM and why. */
export interface BackendPlan {
  choice: BackendChoice;
  /** The WebGPU adapter to try (its display name), or null for WASM. */
  adapter: string | null;
  /** Whether the adapter has the shader-f16 feature that fp16 and q4f16 graphs need on WebGPU. */
  shaderF16: boolean;
  reason: string;
}

interface AdapterFlags {
  isFallbackAdapter?: boolean;
}

/**
 * The adapter's name for display, or the reason there is none. A software adapter (the
 * browser's fallback, e.g. SwiftShader on the CPU) is ~500x slower than WASM: `auto` passes it
 * over; asked for by hand it is used.
 */
async function findAdapter(allowSoftware: boolean): Promise<{ adapter: string; shaderF16: boolean } | { missing: string }> {
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
  const name = [vendor, architecture, description].filter(Boolean).join(" ") || "unnamed adapter";
  const software = (adapter.info as AdapterFlags).isFallbackAdapter === true || (adapter as AdapterFlags).isFallbackAdapter === true || /swiftshader/i.test(name);
  if (software && !allowSoftware) return { missing: `the only WebGPU adapter is a software one (${name}), far slower than WASM` };
  return { adapter: name, shaderF16: adapter.features?.has("shader-f16") === true };
}

const CHOICES: readonly BackendChoice[] = ["auto", "webgpu", "wasm"];

export async function planBackend(choice: BackendChoice): Promise<BackendPlan> {
  if (!CHOICES.includes(choice)) throw new OptionError("backend", `must be one of ${CHOICES.join(", ")}, got ${String(choice)}`);
  if (choice === "wasm") return { choice, adapter: null, shaderF16: false, reason: "WASM was asked for" };
  const found = await findAdapter(choice === "webgpu");
  if ("adapter" in found) return { choice, adapter: found.adapter, shaderF16: found.shaderF16, reason: `WebGPU adapter found (${choice === "auto" ? "auto" : "asked for"})` };
  if (choice === "webgpu") throw new ModelLoadError("backend", `WebGPU was asked for but ${found.missing}`);
  return { choice, adapter: null, shaderF16: false, reason: `fell back to WASM: ${found.missing}` };
}

/** The graph for a backend (its dtype may differ: int8 on WASM, fp32 on WebGPU). */
export type GraphFor = (backend: BackendName) => Promise<GraphSource>;

type ModelOptions = Omit<OnnxModelOptions, "executionProviders">;

async function openWebGpu(ort: OrtModule, graph: GraphSource, options: ModelOptions): Promise<OnnxModel> {
  const model = await createOnnxModel(ort, graph, { ...options, executionProviders: ["webgpu"] });
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

export async function openModel(ort: OrtModule, plan: BackendPlan, graphFor: GraphFor, options: ModelOptions = {}): Promise<OpenedModel> {
  let fallbackReason = plan.reason;
  if (plan.adapter !== null) {
    try {
      const model = await openWebGpu(ort, await graphFor("webgpu"), options);
      return { model, info: { backend: "webgpu", adapter: plan.adapter, reason: plan.reason } };
    } catch (error) {
      if (plan.choice === "webgpu") throw new ModelLoadError("backend", `WebGPU was asked for but WebGPU session failed: ${(error as Error).message}`);
      fallbackReason = `fell back to WASM: WebGPU session failed: ${(error as Error).message}`;
    }
  }
  const model = await createOnnxModel(ort, await graphFor("wasm"), { ...options, executionProviders: ["wasm"] });
  return { model, info: { backend: "wasm", adapter: "", reason: fallbackReason } };
}

/**
 * The KV-cache graph on the backend the model runs on. Should WebGPU fail for this graph while
 * the full one runs, the cached passes run on WASM rather than not at all.
 */
export async function openKvModel(ort: OrtModule, graph: GraphSource, vocabSize: number, backend: BackendName): Promise<OnnxWindowModel> {
  if (backend === "webgpu") {
    try {
      return await createOnnxWindowModel(ort, graph, { executionProviders: ["webgpu"], vocabSize });
    } catch (error) {
      console.warn(`${graph.name}: WebGPU session failed (${(error as Error).message}); cached passes run on WASM`);
    }
  }
  return createOnnxWindowModel(ort, graph, { executionProviders: ["wasm"], vocabSize });
}
