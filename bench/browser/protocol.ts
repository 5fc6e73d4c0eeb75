/** Messages between the benchmark page and its worker. */
import type { ForwardTiming } from "../lib/forward-latency.ts";

export interface BenchRequest {
  backend: "wasm" | "webgpu";
  /** WASM threads; 0 = navigator.hardwareConcurrency (only honoured when cross-origin isolated). */
  threads: number;
  sequenceLengths: number[];
  warmup: number;
  runs: number;
  /** Model folder URL, ending in "/". */
  modelUrl: string;
}

export interface BenchReport {
  ok: true;
  backend: "wasm" | "webgpu";
  threads: number;
  crossOriginIsolated: boolean;
  /** WebGPU only: the adapter's vendor/architecture/description. */
  adapter: string;
  /** WebGPU only: a CPU implementation (SwiftShader, llvmpipe) or a fallback adapter. */
  software: boolean;
  timings: ForwardTiming[];
}

export interface BenchFailure {
  ok: false;
  error: string;
}
