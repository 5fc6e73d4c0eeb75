/**
 * Messages between the benchmark page, its worker and the driver (bench/lib/browser-bench.ts).
 * The driver calls rounds one at a time (`window.benchRound(length)`), so it can interleave them
 * with its own native reference passes: load on a shared machine then falls on both alike.
 */
import type { PassSample, VariantName } from "../lib/forward-latency.ts";

export interface PageRequest {
  backend: "wasm" | "webgpu";
  /** WASM threads; 0 = navigator.hardwareConcurrency (only honoured when cross-origin isolated). */
  threads: number;
  variants: VariantName[];
  /** Model folder URL, ending in "/". */
  modelUrl: string;
  /** The replica hub's URL (its MDLM and BD3LM folders inside), ending in "/": for replica variants. */
  replicaUrl: string;
}

/** What the page opened; shown in #result once ready. */
export interface PageReady {
  ok: true;
  backend: "wasm" | "webgpu";
  threads: number;
  crossOriginIsolated: boolean;
  /** WebGPU only: the adapter's vendor/architecture/description. */
  adapter: string;
  /** WebGPU only: a CPU implementation (SwiftShader, llvmpipe) or a fallback adapter. */
  software: boolean;
  /** Variants whose graph opened. */
  variants: VariantName[];
  /** Variants whose graph did not open on this backend, and why. */
  failed: { variant: VariantName; reason: string }[];
}

export interface PageFailure {
  ok: false;
  error: string;
}

export type WorkerRequest = { kind: "open"; request: PageRequest } | { kind: "round"; length: number };

/** Round samples are wall time only: a page has no CPU clock for its process (cpuMs is null). */
export type WorkerReply = { kind: "ready"; ready: PageReady } | { kind: "round"; samples: PassSample[] } | { kind: "error"; error: string };

declare global {
  interface Window {
    /** One round at the given canvas length: a pass of every variant, in a shuffled order. */
    benchRound?: (length: number) => Promise<PassSample[]>;
  }
}
