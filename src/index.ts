/**
 * Library entry point. `createDllmClient()` starts the engine worker and returns a typed client
 * (load / generate with a per-step callback / cancel / backendInfo); the decoders and the engine
 * are re-exported for direct use (e.g. with your own ForwardModel, no worker).
 *
 *   const client = createDllmClient();
 *   await client.load({ baseUrl: "/models/dllm-tiny/" });
 *   const result = await client.generate("Question: ...\nAnswer:\n", { decoder: "adablock" }, (step) => draw(step));
 */
import * as Comlink from "comlink";
import type { GenerateOptions, GenerateResult, StepEvent } from "./decoding/types.ts";
import type { FileProgress } from "./model/model-folder.ts";
import type { BackendInfo, EngineWorkerApi, LoadReport, LoadRequest, ResolvedRun } from "../workers/api.ts";

export interface DllmClient {
  /** Loads a model folder (replacing any loaded one) and opens it on WebGPU or WASM. */
  load(request: LoadRequest, onProgress?: (progress: FileProgress) => void): Promise<LoadReport>;
  /** Checks options against the loaded model and fills in defaults, without generating. */
  resolve(prompt: string, options?: Partial<GenerateOptions>): Promise<ResolvedRun>;
  /** Runs one generation; `onStep` gets every forward pass as it happens, in order. */
  generate(prompt: string, options?: Partial<GenerateOptions>, onStep?: (event: StepEvent) => void): Promise<GenerateResult>;
  /** Stops the running generation before its next forward pass; its promise resolves with stopReason "aborted". */
  cancel(): Promise<void>;
  backendInfo(): Promise<BackendInfo | null>;
  clearCache(): Promise<boolean>;
  /** Stops the worker; the client is unusable afterwards. */
  terminate(): void;
}

/**
 * Steps travel on the callback's own message channel and the result on the worker's, and two
 * channels keep no order between them: the result can overtake the last steps. So the promise
 * resolves only once all `result.nfe` steps have been handed to `onStep`.
 */
async function generateInOrder(
  remote: Comlink.Remote<EngineWorkerApi>,
  prompt: string,
  options: Partial<GenerateOptions>,
  onStep: ((event: StepEvent) => void) | undefined,
): Promise<GenerateResult> {
  if (!onStep) return remote.generate(prompt, options);
  let received = 0;
  let expected = Infinity;
  let allReceived: () => void = () => {};
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  const result = await remote.generate(
    prompt,
    options,
    Comlink.proxy((event: StepEvent) => {
      received++;
      onStep(event);
      if (received >= expected) allReceived();
    }),
  );
  expected = result.nfe;
  if (received >= expected) allReceived();
  await done;
  return result;
}

/** The worker resolves URLs against its own script's URL, so a relative one is made absolute here. */
function absoluteUrl(url: string): string {
  try {
    return new URL(url, globalThis.location?.href).href;
  } catch {
    return url; // the worker reports the invalid URL with the file it was meant for
  }
}

/** Starts a dedicated engine worker. Pass your own `worker` to host it differently. */
export function createDllmClient(worker?: Worker): DllmClient {
  const engineWorker =
    worker ?? new Worker(new URL("../workers/engine.worker.ts", import.meta.url), { type: "module", name: "dllm-engine" });
  const remote = Comlink.wrap<EngineWorkerApi>(engineWorker);
  return {
    load: (request, onProgress) => remote.load({ ...request, baseUrl: absoluteUrl(request.baseUrl) }, onProgress && Comlink.proxy(onProgress)),
    resolve: (prompt, options = {}) => remote.resolve(prompt, options),
    generate: (prompt, options = {}, onStep) => generateInOrder(remote, prompt, options, onStep),
    cancel: () => remote.cancel(),
    backendInfo: () => remote.backendInfo(),
    clearCache: () => remote.clearCache(),
    terminate: () => {
      remote[Comlink.releaseProxy]();
      engineWorker.terminate();
    },
  };
}

export type { BackendChoice, BackendInfo, BackendName, LoadReport, LoadRequest, ResolvedRun } from "../workers/api.ts";
export type * from "./decoding/types.ts";
export { DEFAULT_OPTIONS, generate, resolveOptions, type EngineModel, type GenerateHooks } from "./decoding/engine.ts";
export { DECODERS, delimiterIds } from "./decoding/options.ts";
export { chooseAdaBlock, type AdaBlockInput } from "./decoding/block-adablock.ts";
export { selectThreshold } from "./decoding/commit-threshold.ts";
export { selectFactor } from "./decoding/commit-factor.ts";
export { selectTopK, tokensPerStep } from "./decoding/commit-top-k.ts";
export { createDecoder, type BlockSchedule, type CommitRule, type Decoder } from "./decoding/strategies.ts";
export { predictRow, type Prediction } from "./decoding/predict.ts";
export {
  createOnnxModel,
  createOnnxWindowModel,
  type ForwardModel,
  type KvShape,
  type OnnxModel,
  type OnnxWindowModel,
  type OrtModule,
  type WindowModel,
  type WindowPass,
} from "./model/onnx-model.ts";
export { cachedPasses, fullPasses, type ForwardPlan, type PassLogits } from "./decoding/forward-plan.ts";
export { CACHE_MODES } from "./decoding/options.ts";
export { fetchModelFiles, loadModelFolder, type FileProgress, type ModelConfig, type ModelFiles } from "./model/model-folder.ts";
export { createTextCodec, type TextCodec } from "./model/tokenizer.ts";
export { parseTrace, serializeTrace, TRACE_VERSION, type Trace, type TraceHeader } from "./decoding/trace.ts";
export { InferenceError, ModelContractError, ModelLoadError, OptionError, TraceError } from "./errors.ts";
