/**
 * The one interface the main thread and the engine worker share. The worker implements it and
 * exposes it with comlink; `src/index.ts` wraps it into the library client. Only types here,
 * so importing this file pulls no runtime code into either side.
 */
import type { ModelConfig, FileProgress } from "../src/model/model-folder.ts";
import type { Dtype } from "../src/model/model-source.ts";
import type { ChatMessage } from "../src/model/chat.ts";
import type { GenerateOptions, GenerateResult, StepEvent } from "../src/decoding/types.ts";
import type { BandProfile } from "../src/eval/volatility.ts";

/**
 * A plain prompt, or a conversation rendered through the model's chat template (the answer's
 * text then drops the empty think block; special tokens are never text).
 */
export type PromptInput = string | { messages: ChatMessage[] };

/** "auto" tries WebGPU first and falls back to WASM. */
export type BackendChoice = "auto" | "webgpu" | "wasm";
export type BackendName = "webgpu" | "wasm";

export interface BackendInfo {
  backend: BackendName;
  /** e.g. "google swiftshader"; empty for WASM. */
  adapter: string;
  /** Why this backend: what was asked for and, after a fallback, what failed. */
  reason: string;
  /** WASM threads onnxruntime uses (1 when the page is not cross-origin isolated). */
  wasmThreads: number;
  /** Why that many threads (workers/threads.ts). */
  threadsReason: string;
  crossOriginIsolated: boolean;
}

export interface LoadRequest {
  /**
   * The model: the URL of a Hugging Face-style folder (relative to the page, or absolute), or a
   * Hugging Face repo id `owner/name` (fetched from `hubUrl`).
   */
  baseUrl: string;
  /** The graph's dtype; default: the folder's choice for the backend (dllm-tiny: q8 on WASM, fp32 on WebGPU), else fp32, fp16, q4f16. */
  dtype?: Dtype;
  /** Where repo ids are fetched from (default https://huggingface.co). */
  hubUrl?: string;
  backend?: BackendChoice;
  /** Keep and reuse the files in Cache Storage (default true). */
  useCache?: boolean;
  /**
   * WASM threads; default: 1 on machines with <= 2 logical cores (where threads measured
   * slower), else half the cores up to 4 (workers/threads.ts). Ignored without cross-origin isolation.
   */
  wasmThreads?: number;
}

export interface LoadReport {
  backend: BackendInfo;
  config: ModelConfig;
  /** The resolved folder URL. */
  modelUrl: string;
  /** The graph that runs and its dtype. */
  graphFile: string;
  dtype: Dtype;
  /** Added special tokens (`<|im_end|>`, `<|mask|>`): the UI shows them as labelled chips, never as text. */
  specialTokenIds: number[];
  /** The folder's chat template (tokenizer_config.json), when it has one: the page offers chat. */
  chatTemplate?: string;
  /** True when every file came from Cache Storage. */
  fromCache: boolean;
  /** The graph's download size with its weights (0 when unknown). */
  bytes: number;
  ms: number;
  /** Vocabulary pieces by id, so the UI can show predicted tokens without a tokenizer. */
  vocab: string[];
  /** What the user should be told about this load: Cache Storage unavailable or full, a damaged cached file re-fetched. */
  notices: string[];
}

/** The worker's resources, for long sessions: they should stay flat from one run to the next. */
export interface EngineDiagnostics {
  /** Tensors created and not yet disposed (0 between runs). */
  liveTensors: number;
  /** Tensors counted since the model was loaded. */
  tensorsSeen: number;
  /** The worker's used JS heap (Chromium's performance.memory), or null where unreadable. */
  jsHeapBytes: number | null;
  /** onnxruntime-web's WASM memory, or null before it exists. */
  wasmMemoryBytes: number | null;
}

export interface ResolvedRun {
  /** The prompt as the model sees it (a conversation rendered through the chat template). */
  prompt: string;
  promptLength: number;
  /** The prompt's tokens as vocabulary pieces (a trace header keeps them for replay). */
  promptTokens: string[];
  options: GenerateOptions;
}

/** The paper's statistical view of the volatility band, over held-out problems (src/eval/volatility.ts). */
export interface BandProfileRequest {
  /** How many problems: the first `count` of generateProblems(EVAL_SEED), the held-out set. */
  count: number;
  /** The decoder settings every problem runs with. */
  options: Partial<GenerateOptions>;
  /** Relative-position bins (default 32, at most L). */
  bins?: number;
}

export interface BandProfileProgress {
  /** Problems finished. */
  done: number;
  total: number;
}

export interface EngineWorkerApi {
  load(request: LoadRequest, onProgress?: (progress: FileProgress) => void): Promise<LoadReport>;
  /** Checks the options against the loaded model (OptionError names a bad one) and fills in defaults. */
  resolve(prompt: PromptInput, options: Partial<GenerateOptions>): Promise<ResolvedRun>;
  /**
   * Resolves with the partial result (stopReason "aborted") when cancelled. A second call while
   * one runs is rejected (InferenceError), never queued or interleaved; a load() during the run
   * unloads its model and the run fails with InferenceError.
   */
  generate(prompt: PromptInput, options: Partial<GenerateOptions>, onStep?: (event: StepEvent) => void): Promise<GenerateResult>;
  /**
   * Runs `count` held-out problems with the volatility band drawn (every masked row predicted)
   * and returns top-1 confidence against relative position at 0/25/50/75 % decoded, averaged.
   * cancel() stops it before the next pass; it then resolves with the finished problems
   * (`stopped: true`). Refused while a generation runs, as a second generate is.
   */
  bandProfile(request: BandProfileRequest, onProgress?: (progress: BandProfileProgress) => void): Promise<BandProfile>;
  /** Stops the running generation (or band profile) before its next forward pass. */
  cancel(): void;
  backendInfo(): BackendInfo | null;
  /** Deletes the model files in Cache Storage; true when there was something to delete. */
  clearCache(): Promise<boolean>;
  /** Live tensors and memory, measured after a garbage collection where the host allows one. */
  diagnostics(): EngineDiagnostics;
}
