/**
 * Opens the model's graphs with onnxruntime-web on the asked backend (through the project's one
 * onnxruntime module), then times rounds of the variants' passes on request, with the same code
 * Node's bench uses.
 */
import { fetchModelFiles } from "../../src/model/model-folder.ts";
import { chooseGraph } from "../../src/model/model-source.ts";
import { loadGraphSource } from "../../src/model/onnx-external-data.ts";
import { createOnnxModel, type OnnxModel } from "../../src/model/onnx-model.ts";
import { createRandom } from "../../src/util/random.ts";
import { benchCanvas, REPLICA_MASK_ID, REPLICA_VARIANTS, replicaFolderName, timeRound, VARIANTS, type MeasuredVariant } from "../lib/forward-latency.ts";
import type { PageReady, PageRequest, WorkerReply, WorkerRequest } from "./protocol.ts";

async function adapterInfo(): Promise<{ adapter: string; software: boolean }> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error("navigator.gpu gave no adapter");
  const { vendor, architecture, description } = adapter.info;
  const name = [vendor, architecture, description].filter(Boolean).join(" ") || "unnamed adapter";
  const fallback = (adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { adapter: name, software: fallback || /swiftshader|llvmpipe|software|microsoft basic/i.test(name) };
}

const REPLICA_VOCAB = 151_936;
const random = createRandom(19);
const variants: MeasuredVariant[] = [];
let maskTokenId = 0;

async function open(request: PageRequest): Promise<PageReady> {
  // The page's build choice (workers/load-model.ts): the plain WASM binary unless WebGPU is
  // used; the WebGPU-capable one is 3-14 % slower on WASM.
  const ort = request.backend === "webgpu" ? await import("onnxruntime-web") : await import("onnxruntime-web/wasm");
  ort.env.logLevel = "error";
  // onnxruntime's own default is half the cores (1 on a 2-core machine), so "all cores" is explicit.
  ort.env.wasm.numThreads = request.threads > 0 ? request.threads : navigator.hardwareConcurrency;
  const gpu = request.backend === "webgpu" ? await adapterInfo() : { adapter: "", software: false };
  const config = (await (await fetch(new URL("config.json", request.modelUrl))).json()) as { vocab_size: number; mask_token_id: number };
  maskTokenId = config.mask_token_id;
  // One session per graph file: fp32-full and fp32-rows share model.onnx.
  const sessions = new Map<string, OnnxModel | Error>();
  const session = async (file: string): Promise<OnnxModel | Error> => {
    try {
      const response = await fetch(new URL(file, request.modelUrl));
      if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return await createOnnxModel(ort, { name: file, graph: bytes }, { vocabSize: config.vocab_size, executionProviders: [request.backend] });
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };
  const failed: PageReady["failed"] = [];
  for (const variant of VARIANTS.filter((v) => request.variants.includes(v.name))) {
    if (!sessions.has(variant.graph)) sessions.set(variant.graph, await session(variant.graph));
    const model = sessions.get(variant.graph)!;
    if (model instanceof Error) failed.push({ variant: variant.name, reason: model.message.split("\n")[0]! });
    else variants.push({ name: variant.name, model });
  }
  // The Qwen3 replica's folders (graph + external data, as the app loads them), one session per folder and dtype.
  for (const variant of REPLICA_VARIANTS.filter((v) => request.variants.includes(v.name))) {
    maskTokenId = REPLICA_MASK_ID;
    const key = `${variant.folder}/${variant.dtype}`;
    if (!sessions.has(key)) {
      try {
        const files = fetchModelFiles(new URL(`${replicaFolderName(variant.folder)}/`, request.replicaUrl).href);
        const { file } = await chooseGraph(files, { dtype: variant.dtype, backend: request.backend });
        sessions.set(key, await createOnnxModel(ort, await loadGraphSource(files, file), { vocabSize: REPLICA_VOCAB, executionProviders: [request.backend] }));
      } catch (error) {
        sessions.set(key, error instanceof Error ? error : new Error(String(error)));
      }
    }
    const model = sessions.get(key)!;
    if (model instanceof Error) failed.push({ variant: variant.name, reason: model.message.split("\n")[0]! });
    else variants.push({ name: variant.name, lengths: variant.lengths, model });
  }
  return {
    ok: true,
    backend: request.backend,
    // onnxruntime lowers numThreads to 1 without cross-origin isolation.
    threads: crossOriginIsolated ? (ort.env.wasm.numThreads ?? 1) : 1,
    crossOriginIsolated,
    ...gpu,
    variants: variants.map((v) => v.name),
    failed,
  };
}

const reply = (message: WorkerReply) => self.postMessage(message);
const failure = (error: unknown) => reply({ kind: "error", error: error instanceof Error ? error.message : String(error) });

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  if (message.kind === "open") open(message.request).then((ready) => reply({ kind: "ready", ready }), failure);
  else timeRound(variants, benchCanvas(message.length, maskTokenId), random.next).then((samples) => reply({ kind: "round", samples }), failure);
};
