/**
 * `npm run bench`'s report: rows of measurements plus the ratios the issue asks for (each
 * runtime's forward latency over onnxruntime-node's, the engine's time over its raw model
 * calls, time per token against the shortest generation length), as JSON and as text tables.
 */
import type { EngineTiming } from "./engine-timing.ts";
import type { ForwardTiming } from "./forward-latency.ts";
import type { MachineInfo, ModelInfo } from "./machine.ts";

export type ForwardRuntime = "node-native" | "node-wasm" | "chromium-wasm-1t" | "chromium-wasm-mt" | "chromium-webgpu";

export interface ForwardRow extends ForwardTiming {
  runtime: ForwardRuntime;
  /** WASM threads in use; null = the runtime's default (onnxruntime-node: its own choice). */
  threads: number | null;
  crossOriginIsolated: boolean | null;
  /** WebGPU on a CPU implementation (SwiftShader): not a GPU figure. */
  software: boolean;
  adapter: string;
  /** medianMs / node-native medianMs at the same sequence length. */
  overNodeNative: number | null;
}

export interface EngineRow extends EngineTiming {
  /** generateMs / modelMs: 1.05 = the engine adds 5 % to the raw forward passes. */
  engineOverRaw: number;
  /** msPerToken / msPerToken of the same setting at the shortest generation length. */
  msPerTokenVsShortest: number;
}

export interface BenchJson {
  date: string;
  machine: MachineInfo & { chromium: string };
  model: ModelInfo;
  sequenceLengths: number[];
  forward: ForwardRow[];
  engine: EngineRow[];
  /** Parts that could not run here, and why (no Chromium, no WebGPU adapter, ...). */
  skipped: { what: string; reason: string }[];
  ms: number;
}

export function forwardRatios(rows: readonly Omit<ForwardRow, "overNodeNative">[]): ForwardRow[] {
  return rows.map((row) => {
    const native = rows.find((r) => r.runtime === "node-native" && r.sequenceLength === row.sequenceLength);
    return { ...row, overNodeNative: native && native.medianMs > 0 ? row.medianMs / native.medianMs : null };
  });
}

export function engineRatios(timings: readonly EngineTiming[]): EngineRow[] {
  return timings.map((timing) => {
    const sameSetting = timings.filter((t) => t.setting === timing.setting);
    const shortest = sameSetting.reduce((a, b) => (b.genLength < a.genLength ? b : a));
    return { ...timing, engineOverRaw: timing.generateMs / timing.modelMs, msPerTokenVsShortest: timing.msPerToken / shortest.msPerToken };
  });
}

const fixed = (value: number | null, digits: number): string => (value === null || !Number.isFinite(value) ? "–" : value.toFixed(digits));

function table(header: string[], rows: string[][]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map(line)].join("\n");
}

function runtimeLabel(row: ForwardRow): string {
  const threads = row.threads === null ? "default threads" : `${row.threads} thread${row.threads === 1 ? "" : "s"}`;
  if (row.runtime === "chromium-webgpu") return `chromium WebGPU (${row.adapter}${row.software ? ", SOFTWARE" : ""})`;
  if (row.runtime === "node-native") return `node onnxruntime-node (${threads})`;
  if (row.runtime === "node-wasm") return `node onnxruntime-web WASM (${threads})`;
  return `chromium WASM (${threads}${row.crossOriginIsolated ? ", cross-origin isolated" : ""})`;
}

/** The report as Markdown tables (the text output of `npm run bench`, also used in docs/results.md). */
export function benchMarkdown(report: BenchJson): string {
  const lengths = report.sequenceLengths;
  const runtimes = [...new Set(report.forward.map((row) => runtimeLabel(row)))];
  const cell = (label: string, length: number, pick: (row: ForwardRow) => string): string => {
    const row = report.forward.find((r) => runtimeLabel(r) === label && r.sequenceLength === length);
    return row ? pick(row) : "–";
  };
  const forward = table(
    ["forward pass, median ms (x node native)", ...lengths.map((l) => `seq ${l}`)],
    runtimes.map((label) => [label, ...lengths.map((l) => cell(label, l, (row) => `${fixed(row.medianMs, 1)} (${fixed(row.overNodeNative, 1)}x)`))]),
  );
  const engine = table(
    ["generate (node native)", "L", "NFE", "tokens", "tokens/s", "engine / raw", "ms per pass", "ms per token", "ms/token vs shortest L"],
    report.engine.map((row) => [
      row.setting,
      String(row.genLength),
      String(row.nfe),
      String(row.tokens),
      fixed(row.tokensPerSecond, 1),
      fixed(row.engineOverRaw, 3),
      fixed(row.msPerPass, 1),
      fixed(row.msPerToken, 1),
      `${fixed(row.msPerTokenVsShortest, 2)}x`,
    ]),
  );
  const skipped = report.skipped.map((s) => `- skipped ${s.what}: ${s.reason}`).join("\n");
  return [forward, engine, skipped].filter(Boolean).join("\n\n");
}
