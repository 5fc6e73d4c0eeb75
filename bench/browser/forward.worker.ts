/**
 * Opens the model with onnxruntime-web on the asked backend (through the project's one
 * onnxruntime module) and times raw forward passes with the same code Node's bench uses.
 */
import { createOnnxModel } from "../../src/model/onnx-model.ts";
import { measureForward } from "../lib/forward-latency.ts";
import type { BenchFailure, BenchReport, BenchRequest } from "./protocol.ts";

async function adapterInfo(): Promise<{ adapter: string; software: boolean }> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error("navigator.gpu gave no adapter");
  const { vendor, architecture, description } = adapter.info;
  const name = [vendor, architecture, description].filter(Boolean).join(" ") || "unnamed adapter";
  const fallback = (adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { adapter: name, software: fallback || /swiftshader|llvmpipe|software|microsoft basic/i.test(name) };
}

async function run(request: BenchRequest): Promise<BenchReport> {
  const ort = await import("onnxruntime-web");
  ort.env.logLevel = "error";
  // onnxruntime's own default is half the cores (1 on a 2-core machine), so "all cores" is explicit.
  ort.env.wasm.numThreads = request.threads > 0 ? request.threads : navigator.hardwareConcurrency;
  const gpu = request.backend === "webgpu" ? await adapterInfo() : { adapter: "", software: false };
  const config = (await (await fetch(new URL("config.json", request.modelUrl))).json()) as { vocab_size: number; mask_token_id: number };
  const response = await fetch(new URL("onnx/model.onnx", request.modelUrl));
  if (!response.ok) throw new Error(`onnx/model.onnx: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const model = await createOnnxModel(ort, bytes, { vocabSize: config.vocab_size, executionProviders: [request.backend] });
  try {
    const timings = await measureForward(model, config.mask_token_id, request);
    return {
      ok: true,
      backend: request.backend,
      // onnxruntime lowers numThreads to 1 without cross-origin isolation.
      threads: crossOriginIsolated ? (ort.env.wasm.numThreads ?? 1) : 1,
      crossOriginIsolated,
      ...gpu,
      timings,
    };
  } finally {
    await model.dispose();
  }
}

self.onmessage = (event: MessageEvent<BenchRequest>) => {
  run(event.data).then(
    (report) => self.postMessage(report),
    (error: unknown) => self.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies BenchFailure),
  );
};
