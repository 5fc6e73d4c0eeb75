/**
 * The engine worker: wires model loading, the backend choice and the decoding engine together
 * and exposes them with comlink (EngineWorkerApi). No decoding logic lives here.
 */
import * as Comlink from "comlink";
import { generate, resolveOptions, type EngineModel } from "../src/decoding/engine.ts";
import { checkPrompt } from "../src/decoding/options.ts";
import type { StepEvent } from "../src/decoding/types.ts";
import { InferenceError, OptionError } from "../src/errors.ts";
import { BandAverager, binCount } from "../src/eval/volatility.ts";
import { EVAL_SEED, generateProblems } from "../src/problems/generate.ts";
import type { FileProgress, LazyModel } from "../src/model/model-folder.ts";
import type { ForwardModel, WindowModel } from "../src/model/forward-model.ts";
import type { OnnxModel, OnnxWindowModel } from "../src/model/onnx-model.ts";
import type { BackendInfo, EngineWorkerApi, LoadRequest, PromptInput } from "./api.ts";
import { generateChatTurn } from "../src/decoding/chat.ts";
import { renderChat, type ChatMessage, type ChatTemplateInput } from "../src/model/chat.ts";
import { cachedModelFiles, clearModelCache } from "./cached-files.ts";
import { loadWebModel } from "./load-model.ts";
import { throttleProgress } from "./progress.ts";
import { trackWasmMemory, wasmMemoryBytes } from "./wasm-memory.ts";

trackWasmMemory();

let loaded: (EngineModel & ChatTemplateInput & { model: OnnxModel; kvModel: LazyModel<OnnxWindowModel> }) | null = null;
let backend: BackendInfo | null = null;
let running: AbortController | null = null;
let loading = false;

/**
 * A callback from the main thread arrives as a comlink proxy: calling it posts a message and
 * returns a promise. Steps are not awaited (postMessage keeps their order); a failure in the
 * page's handler is logged here rather than lost.
 */
function post<T>(callback: ((value: T) => void) | undefined, value: T, transfer: Transferable[] = []): void {
  if (!callback) return;
  Promise.resolve(callback(Comlink.transfer(value, transfer))).catch((error: unknown) => console.error("callback failed:", error));
}

/** Frees the message channel behind a proxied callback (a no-op for a plain function). */
function release(callback: unknown): void {
  if (typeof callback === "function") (callback as Partial<Record<typeof Comlink.releaseProxy, () => void>>)[Comlink.releaseProxy]?.();
}

/** The buffers behind a step's arrays, each once: a buffer listed twice fails the transfer. */
function stepTransferables(event: StepEvent): Transferable[] {
  const { committed, masked } = event;
  const arrays = [committed.positions, committed.tokenIds, committed.confidences, masked.positions, masked.tokenIds, masked.confidences];
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}

/**
 * onnxruntime's WASM run can settle without ever leaving the microtask queue, and then the
 * engine loop would never let the worker read its messages: cancel() would only arrive after
 * the whole generation. Yielding one macrotask before each pass lets it in, so Stop takes
 * effect at the next pass. A MessageChannel hop avoids setTimeout's 4 ms clamp.
 */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

function withMessageBreaks(model: ForwardModel): ForwardModel {
  return {
    vocabSize: model.vocabSize,
    attention: model.attention,
    forward: async (inputIds, rows, layout) => {
      await yieldToMessages();
      return model.forward(inputIds, rows, layout);
    },
    dispose: () => model.dispose(),
  };
}

function kvWithMessageBreaks(model: WindowModel): WindowModel {
  return {
    vocabSize: model.vocabSize,
    kvShape: model.kvShape,
    forwardWindow: async (windowIds, start, pastKeys, pastValues, rows) => {
      await yieldToMessages();
      return model.forwardWindow(windowIds, start, pastKeys, pastValues, rows);
    },
    dispose: () => model.dispose(),
  };
}

/** The chat template and the tokens it may print, when the folder has one. */
function chatTemplateOf(folder: ChatTemplateInput): ChatTemplateInput {
  return Object.fromEntries(Object.entries({ chatTemplate: folder.chatTemplate, bosToken: folder.bosToken, eosToken: folder.eosToken }).filter(([, v]) => v !== undefined));
}

/** A conversation, as opposed to a plain prompt (anything else is checked as a prompt and refused). */
function isChat(input: PromptInput): input is { messages: ChatMessage[] } {
  return typeof input === "object" && input !== null && Array.isArray((input as { messages?: unknown }).messages);
}

function promptText(engine: ChatTemplateInput, input: PromptInput): string {
  return isChat(input) ? renderChat(engine, input.messages) : checkPrompt(input);
}

function requireModel(): NonNullable<typeof loaded> {
  if (!loaded) throw new InferenceError("no model is loaded: call load() first");
  return loaded;
}

async function unload(): Promise<void> {
  running?.abort();
  const previous = loaded;
  loaded = null;
  backend = null;
  await previous?.model.dispose();
  await previous?.kvModel.dispose();
}

/** The most problems one band profile runs: the held-out set's size (src/eval/problems.ts). */
const MAX_BAND_PROBLEMS = 500;

function checkBandRequest(count: unknown, bins: unknown): void {
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_BAND_PROBLEMS) {
    throw new OptionError("count", `must be an integer from 1 to ${MAX_BAND_PROBLEMS}, got ${JSON.stringify(count)}`);
  }
  if (bins !== undefined && (typeof bins !== "number" || !Number.isInteger(bins) || bins < 1)) {
    throw new OptionError("bins", `must be an integer >= 1, got ${JSON.stringify(bins)}`);
  }
}

/** The worker's API; exported so tests can drive it without a worker. */
export const api: EngineWorkerApi = {
  async load(request: LoadRequest, onProgress?: (progress: FileProgress) => void) {
    const started = performance.now();
    // Two loads at once would each unload and then keep their own model: one would leak.
    if (loading) {
      release(onProgress);
      throw new InferenceError("a model is already loading: wait for that load() to finish");
    }
    loading = true;
    try {
      await unload();
      const report = throttleProgress((progress) => post(onProgress, progress));
      // Files that came over the network: "from cache" means none did.
      const downloaded = new Set<string>();
      const web = await loadWebModel({
        model: request.baseUrl,
        ...(request.backend ? { backend: request.backend } : {}),
        ...(request.dtype ? { dtype: request.dtype } : {}),
        ...(request.hubUrl ? { hubUrl: request.hubUrl } : {}),
        ...(request.wasmThreads !== undefined ? { wasmThreads: request.wasmThreads } : {}),
        files: (baseUrl) => cachedModelFiles(baseUrl, request.useCache ?? true),
        // The plain WASM build where WebGPU will not be tried: the WebGPU-capable one runs WASM 3-14 % slower.
        importOrt: (build) => (build === "webgpu" ? import("onnxruntime-web") : import("onnxruntime-web/wasm")),
        onProgress: (progress) => {
          if (!progress.fromCache) downloaded.add(progress.file);
          report(progress);
        },
      });
      loaded = { model: web.model, codec: web.codec, config: web.config, kvModel: web.kvModel, ...chatTemplateOf(web) };
      backend = web.backend;
      return {
        backend,
        config: web.config,
        modelUrl: web.files.origin,
        fromCache: downloaded.size === 0 && web.files.cachedFiles.size > 0,
        bytes: web.graph.bytes ?? 0,
        dtype: web.graph.dtype,
        graphFile: web.graph.file,
        ms: performance.now() - started,
        vocab: Array.from({ length: web.config.vocabSize }, (_, id) => web.codec.tokenText(id)),
        specialTokenIds: [...web.specialTokenIds],
        ...(web.chatTemplate !== undefined ? { chatTemplate: web.chatTemplate } : {}),
        notices: [...web.files.notices],
      };
    } finally {
      loading = false;
      release(onProgress);
    }
  },

  async resolve(input, options) {
    const engine = requireModel();
    const prompt = promptText(engine, input);
    const ids = engine.codec.encode(prompt);
    return {
      prompt,
      promptLength: ids.length,
      promptTokens: ids.map((id) => engine.codec.tokenText(id)),
      options: resolveOptions(options, engine, ids.length),
    };
  },

  async generate(input, options, onStep) {
    const engine = requireModel();
    if (running) throw new InferenceError("a generation is already running: cancel() it or wait for it to finish");
    const controller = new AbortController();
    running = controller;
    try {
      const kvModel = async () => kvWithMessageBreaks(await engine.kvModel());
      const wired = { ...engine, model: withMessageBreaks(engine.model), kvModel };
      const hooks = { signal: controller.signal, onStep: (event: StepEvent) => post(onStep, event, stepTransferables(event)) };
      const run = isChat(input) ? generateChatTurn(wired, input.messages, options, hooks) : generate(wired, input, options, hooks);
      const result = await run.catch((error: unknown) => {
        if (loaded === engine) throw error;
        return null;
      });
      // A load() during the run unloaded its model: the run fails rather than passing off a cut-short result.
      if (loaded !== engine || result === null) throw new InferenceError("the model was unloaded during the run (load() was called); the run was stopped");
      return result;
    } finally {
      running = null;
      release(onStep);
    }
  },

  async bandProfile(request, onProgress) {
    try {
      const engine = requireModel();
      if (running) throw new InferenceError("a generation is already running: cancel() it or wait for it to finish");
      checkBandRequest(request?.count, request?.bins);
      const problems = generateProblems(EVAL_SEED, request.count);
      const promptLengths = problems.map((problem) => engine.codec.encode(problem.prompt).length);
      // Every problem's options are checked before the first pass (OptionError names a bad one).
      const options = promptLengths.map((length) => resolveOptions(request.options, engine, length));
      const averager = new BandAverager(binCount(options[0]!.genLength, request.bins));
      const controller = new AbortController();
      running = controller;
      try {
        const kvModel = async () => kvWithMessageBreaks(await engine.kvModel());
        const wired = { ...engine, model: withMessageBreaks(engine.model), kvModel };
        let stopped = false;
        for (const [k, problem] of problems.entries()) {
          const run = averager.run(promptLengths[k]!, options[k]!.genLength);
          // With onStep the engine predicts every masked row (the band), which this view averages.
          const result = await generate(wired, problem.prompt, options[k]!, { signal: controller.signal, onStep: (event) => run.observe(event) });
          if (loaded !== engine) throw new InferenceError("the model was unloaded during the band profile (load() was called); it was stopped");
          if (result.stopReason === "aborted") {
            stopped = true;
            break;
          }
          run.finish();
          post(onProgress, { done: k + 1, total: problems.length });
        }
        return averager.profile(problems.length, stopped);
      } finally {
        running = null;
      }
    } finally {
      release(onProgress);
    }
  },

  cancel() {
    running?.abort();
  },

  backendInfo() {
    return backend;
  },

  clearCache() {
    return clearModelCache();
  },

  diagnostics() {
    // A browser started with --js-flags=--expose-gc (the soak test) collects first, so the figures are live memory.
    (globalThis as { gc?: () => void }).gc?.();
    const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    return {
      liveTensors: (loaded?.model.liveTensors ?? 0) + (loaded?.kvModel.current?.liveTensors ?? 0),
      tensorsSeen: loaded?.model.tensorsSeen ?? 0,
      jsHeapBytes: memory?.usedJSHeapSize ?? null,
      wasmMemoryBytes: wasmMemoryBytes(),
    };
  },
};

// Only inside a worker: tests import `api` directly.
if ("WorkerGlobalScope" in globalThis) Comlink.expose(api);
