/**
 * The one interface the main thread and the engine worker share. The worker implements it and
 * exposes it with comlink; `src/index.ts` wraps it into the library client. Only types here,
 * so importing this file pulls no runtime code into either side.
 */
import type { ModelConfig, FileProgress } from "../src/model/model-folder.ts";
import type { GenerateOptions, GenerateResult, StepEvent } from "../src/decoding/types.ts";

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
  crossOriginIsolated: boolean;
}

export interface LoadRequest {
  /** A Hugging Face-style model folder (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx). */
  baseUrl: string;
  backend?: BackendChoice;
  /** Keep and reuse the files in Cache Storage (default true). */
  useCache?: boolean;
  /** Overrides onnxruntime's default WASM thread count (ignored without cross-origin isolation). */
  wasmThreads?: number;
}

export interface LoadReport {
  backend: BackendInfo;
  config: ModelConfig;
  /** The resolved folder URL. */
  modelUrl: string;
  /** True when every file came from Cache Storage. */
  fromCache: boolean;
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
  promptLength: number;
  /** The prompt's tokens as vocabulary pieces (a trace header keeps them for replay). */
  promptTokens: string[];
  options: GenerateOptions;
}

export interface EngineWorkerApi {
  load(request: LoadRequest, onProgress?: (progress: FileProgress) => void): Promise<LoadReport>;
  /** Checks the options against the loaded model (OptionError names a bad one) and fills in defaults. */
  resolve(prompt: string, options: Partial<GenerateOptions>): Promise<ResolvedRun>;
  /**
   * Resolves with the partial result (stopReason "aborted") when cancelled. A second call while
   * one runs is rejected (InferenceError), never queued or interleaved; a load() during the run
   * unloads its model and the run fails with InferenceError.
   */
  generate(prompt: string, options: Partial<GenerateOptions>, onStep?: (event: StepEvent) => void): Promise<GenerateResult>;
  /** Stops the running generation before its next forward pass. */
  cancel(): void;
  backendInfo(): BackendInfo | null;
  /** Deletes the model files in Cache Storage; true when there was something to delete. */
  clearCache(): Promise<boolean>;
  /** Live tensors and memory, measured after a garbage collection where the host allows one. */
  diagnostics(): EngineDiagnostics;
}
