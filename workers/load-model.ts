/**
 * Loading a model in the browser, step by step: plan the backend (before onnxruntime is
 * imported, so WASM runs get the plain WASM build), pick the WASM thread count, read the
 * folder's text files, choose the graph for the backend (int8 on WASM and fp32 on WebGPU for
 * dllm-tiny; the dtype asked for otherwise), check it fits, and open it. The worker only wires
 * this to its API.
 */
import { ModelLoadError } from "../src/errors.ts";
import { catalogModel } from "../src/model/catalog.ts";
import { lazyKvModel, modelFolderFor, readModelMetadata, type FileProgress, type LazyModel, type ModelFolder } from "../src/model/model-folder.ts";
import { chooseGraph, kvGraphFile, resolveModelSource, type Dtype, type GraphVariant, type ModelSource } from "../src/model/model-source.ts";
import { loadGraphSource } from "../src/model/onnx-external-data.ts";
import type { GraphSource, OnnxModel, OnnxWindowModel, OrtModule } from "../src/model/onnx-model.ts";
import type { BackendChoice, BackendInfo } from "./api.ts";
import { openKvModel, openModel, planBackend, type BackendPlan } from "./backend.ts";
import type { CachedModelFiles } from "./cached-files.ts";
import { chooseWasmThreads } from "./threads.ts";

/** onnxruntime-web as the worker imports it: the WebGPU-capable build or the plain WASM one. */
export type WebOrt = OrtModule & { env: { logLevel?: string; wasm: { numThreads?: number } } };

/**
 * WASM's heap is 32-bit: a graph and its weights past this do not fit with room for the
 * activations (4 GiB addressable, onnxruntime's arena and the copies it makes while loading).
 */
export const WASM_MAX_MODEL_BYTES = 2 * 2 ** 30;

export interface LoadSteps {
  model: string;
  backend?: BackendChoice;
  dtype?: Dtype;
  hubUrl?: string;
  wasmThreads?: number;
  /** The folder's files (Cache Storage or memory) for a resolved base URL. */
  files: (baseUrl: string) => CachedModelFiles;
  importOrt: (build: "webgpu" | "wasm") => Promise<WebOrt>;
  onProgress?: (progress: FileProgress) => void;
}

export interface LoadedWebModel extends ModelFolder {
  model: OnnxModel;
  kvModel: LazyModel<OnnxWindowModel>;
  backend: BackendInfo;
  graph: GraphVariant;
  source: ModelSource;
  files: CachedModelFiles;
}

/** The name a user gave (a folder URL, relative to the page, or a repo id) as a source. */
export function webModelSource(model: string, hubUrl: string | undefined): ModelSource {
  const source = resolveModelSource(model, { hubUrl });
  if (source.kind !== "url") return source;
  try {
    return { kind: "url", baseUrl: new URL(source.baseUrl, globalThis.location?.href).href };
  } catch {
    throw new ModelLoadError(model, "is not a valid URL");
  }
}

export async function loadWebModel(steps: LoadSteps): Promise<LoadedWebModel> {
  const plan: BackendPlan = await planBackend(steps.backend ?? "auto");
  const ort = await steps.importOrt(plan.adapter !== null ? "webgpu" : "wasm");
  // Its warnings (e.g. shape ops placed on the CPU) arrive as console errors and say nothing a user can act on.
  ort.env.logLevel = "error";
  const isolated = globalThis.crossOriginIsolated === true;
  const threads = chooseWasmThreads({ requested: steps.wasmThreads, crossOriginIsolated: isolated, cores: globalThis.navigator?.hardwareConcurrency });
  ort.env.wasm.numThreads = threads.threads;

  const source = webModelSource(steps.model, steps.hubUrl);
  if (source.kind === "path") throw new ModelLoadError(steps.model, "is a local path; the page loads models by URL or repo id");
  const files = steps.files(source.baseUrl);
  const meta = await readModelMetadata(files, steps.onProgress);
  const known = source.kind === "hub" ? catalogModel(source.repo)?.variants : undefined;
  let graph: GraphVariant | undefined;
  const sources: GraphSource[] = [];
  const opened = await openModel(
    ort,
    plan,
    async (backend) => {
      graph = await chooseGraph(files, { dtype: steps.dtype, backend, source, known });
      if (backend === "webgpu" && (graph.dtype === "fp16" || graph.dtype === "q4f16") && !plan.shaderF16) {
        // auto then falls back to WASM with this reason; WebGPU asked for by hand fails with it.
        throw new ModelLoadError(graph.file, `is ${graph.dtype}, which needs WebGPU's shader-f16 feature, and this adapter (${plan.adapter}) lacks it`);
      }
      if (backend === "wasm" && (graph.bytes ?? 0) > WASM_MAX_MODEL_BYTES) {
        throw new ModelLoadError(
          graph.file,
          `is ${(graph.bytes! / 2 ** 30).toFixed(1)} GiB with its weights, more than WASM's heap holds (${WASM_MAX_MODEL_BYTES / 2 ** 30} GiB): choose a smaller dtype (q4f16) or run it on WebGPU`,
        );
      }
      const chosen = graph.file;
      await files.ensureRoom([chosen]);
      const opened = await loadGraphSource(files, chosen, steps.onProgress, (dataFiles) => files.ensureRoom([chosen, ...dataFiles]));
      sources.push(opened);
      return opened;
    },
    typeof meta.config.vocab_size === "number" ? { vocabSize: meta.config.vocab_size } : {},
  ).finally(() => {
    // Sessions hold their own copies once created: the cached parts' blob: URLs can go.
    for (const source of sources) {
      for (const url of [source.graph, ...(source.externalData ?? []).map((d) => d.data)]) {
        if (typeof url === "string" && url.startsWith("blob:")) URL.revokeObjectURL(url);
      }
    }
  });
  const folder = await modelFolderFor(meta, opened.model);
  const vocabSize = folder.config.vocabSize;
  // The KV-cache graph is fetched (through the same Cache Storage) only when a run asks for a cache.
  const kvModel = lazyKvModel(files, (onnx, name) => openKvModel(ort, { name, graph: onnx }, vocabSize, opened.info.backend), () => kvGraphFile(files, graph!));
  return {
    ...folder,
    model: opened.model,
    kvModel,
    backend: { ...opened.info, wasmThreads: threads.threads, threadsReason: threads.reason, crossOriginIsolated: isolated },
    graph: graph!,
    source,
    files,
  };
}
