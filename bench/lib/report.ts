/**
 * `npm run bench`'s report: rows of measurements, the ratios the issue asks for (each row's
 * forward latency over onnxruntime-node fp32 at one thread computing every row's logits, the
 * engine's share of a generation), a summary against issue #19's targets, as JSON and as
 * Markdown tables.
 */
import type { EngineTiming } from "./engine-timing.ts";
import { REPLICA_VARIANTS, type ForwardTiming, type ReplicaDtype, type ReplicaFolder, type VariantName } from "./forward-latency.ts";
import type { MachineInfo, ModelInfo } from "./machine.ts";

export type ForwardRuntime = "node-native-1t" | "node-native" | "node-wasm" | "chromium-wasm-1t" | "chromium-wasm-mt" | "chromium-webgpu";

export interface ForwardRow extends ForwardTiming {
  runtime: ForwardRuntime;
  /** Threads in use; null = the runtime's default (onnxruntime-node: its own choice). */
  threads: number | null;
  crossOriginIsolated: boolean | null;
  /** WebGPU on a CPU implementation (SwiftShader): not a GPU figure. */
  software: boolean;
  adapter: string;
  /**
   * Median ms of node-native-1t fp32-full passes interleaved with this row's (Chromium rows);
   * null = the run's node-native-1t fp32-full row at the same length is the reference.
   */
  referenceMs: number | null;
}

export interface RatedRow extends ForwardRow {
  /** bytesRead / rows. */
  bytesPerRow: number | null;
  /** medianMs over the native reference's (node-native-1t fp32-full) at the same length: referenceMs, else the run's row. */
  overNative1tFull: number | null;
}

/**
 * A forward row of the Qwen3 replica (vocabulary 151,936): its variant names the folder, the
 * dtype and the output; rows [T/2, T/2 + 32). Timed on its own (not divided by a reference).
 */
export interface ReplicaRow extends ForwardTiming {
  runtime: ForwardRuntime;
  threads: number | null;
  model: `replica-${ReplicaFolder}`;
  dtype: ReplicaDtype;
  output: "top" | "logits";
  /** bytesRead / rows (a "logits" pass reads all T rows back: the graph has no row_range). */
  bytesPerRow: number | null;
}

export function replicaRow(runtime: ForwardRuntime, threads: number | null, timing: ForwardTiming): ReplicaRow {
  const variant = REPLICA_VARIANTS.find((v) => v.name === timing.variant);
  if (!variant) throw new Error(`${timing.variant} is not a replica variant`);
  return {
    runtime,
    threads,
    model: `replica-${variant.folder}`,
    dtype: variant.dtype,
    output: variant.output,
    ...timing,
    bytesPerRow: timing.bytesRead === null ? null : timing.bytesRead / timing.rows,
  };
}

/** The figures issue #19 sets targets for, keyed by sequence length and by vocabulary size. */
export interface BenchSummary {
  /** Chromium WASM 1 thread int8-rows (the page's default) ms per pass over node-native-1t fp32-full. */
  wasmOverNative1t: Record<string, number | null>;
  /** The engine's share of generate() time: the max over vanilla, threshold, adablock, generation lengths and graphs. */
  engineShare: Record<string, number | null>;
  engineShareOf: string;
  /** The engine's own ms per pass outside the forward ((generate - model calls) / NFE), the max over settings, lengths and graphs; no target. */
  outsideMsPerPass: Record<string, number | null>;
  /** Bytes read back per row by int8-rows passes (the max over runtimes and lengths). */
  bytesReadPerRow: number | null;
  targets: { wasmOverNative1t: number; engineShare: Record<string, number>; bytesReadPerRow: number };
  /** Each figure against its target; null = not measured here. */
  met: { wasmOverNative1t: Record<string, boolean | null>; engineShare: Record<string, boolean | null>; bytesReadPerRow: boolean | null };
}

export interface BenchJson {
  date: string;
  machine: MachineInfo & { chromium: string; loadAverageEnd: number };
  model: ModelInfo;
  sequenceLengths: number[];
  forward: RatedRow[];
  /** The Qwen3 replica's forward rows (vocabulary 151,936); failures to open are in `skipped` as "replica <runtime> <variant>". */
  replicaForward: ReplicaRow[];
  engine: EngineTiming[];
  summary: BenchSummary;
  /** How to read the figures (wall-only rows, synthetic graphs). */
  notes: string[];
  /** Parts that could not run here, and why (no Chromium, no WebGPU adapter, ...). */
  skipped: { what: string; reason: string }[];
  ms: number;
}

export const TARGETS: BenchSummary["targets"] = { wasmOverNative1t: 2.0, engineShare: { "4001": 0.03, "151936": 0.05 }, bytesReadPerRow: 16 };
export const ENGINE_SHARE_OF = "max over vanilla, threshold and adablock, generation lengths and graphs";

const find = (rows: readonly ForwardRow[], runtime: ForwardRuntime, variant: VariantName, length: number): ForwardRow | undefined =>
  rows.find((r) => r.runtime === runtime && r.variant === variant && r.sequenceLength === length);

export function rateRows(rows: readonly ForwardRow[]): RatedRow[] {
  return rows.map((row) => {
    const reference = row.referenceMs ?? find(rows, "node-native-1t", "fp32-full", row.sequenceLength)?.medianMs;
    return {
      ...row,
      bytesPerRow: row.bytesRead === null ? null : row.bytesRead / row.rows,
      overNative1tFull: reference !== undefined && reference > 0 ? row.medianMs / reference : null,
    };
  });
}

const atMost = (value: number | null, limit: number): boolean | null => (value === null ? null : value <= limit);

export function summarize(forward: readonly RatedRow[], engine: readonly EngineTiming[], lengths: readonly number[]): BenchSummary {
  const page = (length: number): RatedRow | undefined => forward.find((r) => r.runtime === "chromium-wasm-1t" && r.variant === "int8-rows" && r.sequenceLength === length);
  const wasmOverNative1t = Object.fromEntries(lengths.map((l) => [String(l), page(l)?.overNative1tFull ?? null]));
  const maxPerVocab = (figure: (e: EngineTiming) => number): Record<string, number | null> =>
    Object.fromEntries(
      Object.keys(TARGETS.engineShare).map((vocab) => {
        const values = engine.filter((e) => String(e.vocabSize) === vocab).map(figure);
        return [vocab, values.length > 0 ? Math.max(...values) : null];
      }),
    );
  const engineShare = maxPerVocab((e) => e.engineShare);
  const perRow = forward.filter((r) => r.variant === "int8-rows" && r.bytesPerRow !== null).map((r) => r.bytesPerRow!);
  const bytesReadPerRow = perRow.length > 0 ? Math.max(...perRow) : null;
  return {
    wasmOverNative1t,
    engineShare,
    engineShareOf: ENGINE_SHARE_OF,
    outsideMsPerPass: maxPerVocab((e) => e.outsideMsPerPass),
    bytesReadPerRow,
    targets: TARGETS,
    met: {
      wasmOverNative1t: Object.fromEntries(Object.entries(wasmOverNative1t).map(([l, v]) => [l, atMost(v, TARGETS.wasmOverNative1t)])),
      engineShare: Object.fromEntries(Object.entries(engineShare).map(([v, s]) => [v, atMost(s, TARGETS.engineShare[v]!)])),
      bytesReadPerRow: atMost(bytesReadPerRow, TARGETS.bytesReadPerRow),
    },
  };
}

const fixed = (value: number | null | undefined, digits: number): string => (value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits));
const percent = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : `${(100 * value).toFixed(2)} %`);
const verdict = (met: boolean | null): string => (met === null ? "not measured" : met ? "met" : "NOT met");

function table(header: string[], rows: string[][]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map(line)].join("\n");
}

export function runtimeLabel(row: Pick<ForwardRow, "runtime" | "threads"> & Partial<Pick<ForwardRow, "adapter" | "software" | "crossOriginIsolated">>): string {
  const threads = row.threads === null ? "default threads" : `${row.threads} thread${row.threads === 1 ? "" : "s"}`;
  if (row.runtime === "chromium-webgpu") return `chromium WebGPU (${row.adapter}${row.software ? ", SOFTWARE" : ""})`;
  if (row.runtime === "node-native-1t" || row.runtime === "node-native") return `node onnxruntime-node (${threads})`;
  if (row.runtime === "node-wasm") return `node onnxruntime-web WASM (${threads})`;
  return `chromium WASM (${threads}${row.crossOriginIsolated ? ", cross-origin isolated" : ""})`;
}

function summaryTable(summary: BenchSummary): string {
  const rows = [
    ...Object.entries(summary.wasmOverNative1t).map(([length, value]) => [
      `Chromium WASM 1 thread int8-rows / node fp32 1 thread full logits, T = ${length}`,
      value === null ? "–" : `${fixed(value, 2)}x`,
      `<= ${fixed(summary.targets.wasmOverNative1t, 1)}x`,
      verdict(summary.met.wasmOverNative1t[length] ?? null),
    ]),
    ...Object.entries(summary.engineShare).map(([vocab, value]) => [
      `engine share of generate(), vocab ${Number(vocab).toLocaleString("en-US")} (${summary.engineShareOf})`,
      percent(value),
      `<= ${percent(summary.targets.engineShare[vocab] ?? null)}`,
      verdict(summary.met.engineShare[vocab] ?? null),
    ]),
    ...Object.entries(summary.outsideMsPerPass ?? {}).map(([vocab, value]) => [
      `engine ms per pass outside the forward, vocab ${Number(vocab).toLocaleString("en-US")} (${summary.engineShareOf})`,
      fixed(value, 2),
      "–",
      "no target",
    ]),
    ["bytes read back per row, int8-rows", fixed(summary.bytesReadPerRow, 1), `<= ${summary.targets.bytesReadPerRow}`, verdict(summary.met.bytesReadPerRow)],
  ];
  return table(["issue #19 target", "measured", "target", ""], rows);
}

/** The engine's ms per pass outside the forward for the replica MDLM graph of `dtype` (max over settings), when measured. */
function replicaOutside(engine: readonly EngineTiming[], dtype: ReplicaDtype): number | null {
  const values = engine.filter((e) => e.graph.startsWith("replica MDLM") && e.graph.includes(`model_${dtype}`)).map((e) => e.outsideMsPerPass);
  return values.length > 0 ? Math.max(...values) : null;
}

/** The replica's forward rows, one line per runtime and variant, the engine's time outside the forward beside them; rows that could not run, with why. */
export function replicaTable(report: Pick<BenchJson, "replicaForward" | "engine" | "skipped">): string {
  const rows = report.replicaForward;
  const lengths = [...new Set(rows.map((r) => r.sequenceLength))].sort((a, b) => a - b);
  const keys = [...new Set(rows.map((r) => `${runtimeLabel(r)}\u0000${r.variant}`))];
  const fails = report.skipped.filter((s) => s.what.startsWith("replica "));
  if (keys.length === 0 && fails.length === 0) return "";
  const lines = keys.map((key) => {
    const [label, variant] = key.split("\u0000") as [string, VariantName];
    const mine = lengths.map((l) => rows.find((r) => runtimeLabel(r) === label && r.variant === variant && r.sequenceLength === l));
    const first = mine.find((r) => r !== undefined)!;
    const cpu = mine.some((r) => r?.cpuMs !== null && r?.cpuMs !== undefined) ? mine.map((r) => fixed(r?.cpuMs, 1)).join(" / ") : "wall only";
    const bytes = mine.map((r) => (r?.bytesRead === null || r?.bytesRead === undefined ? "–" : String(r.bytesRead))).join(" / ");
    const outside = first.model === "replica-mdlm" ? fixed(replicaOutside(report.engine, first.dtype), 2) : "–";
    return [label, first.model, first.dtype, first.output, ...mine.map((r) => (r ? fixed(r.medianMs, 1) : "–")), cpu, bytes, outside];
  });
  const skippedLines = fails.map((s) => [s.what.slice("replica ".length), "skipped", s.reason, "", ...lengths.map(() => ""), "", "", ""]);
  return table(
    ["replica, vocab 151,936, rows [T/2, T/2 + 32)", "model", "dtype", "output", ...lengths.map((l) => `T = ${l}: median ms`), "CPU ms per pass", "bytes read per pass", "engine ms per pass outside the forward (MDLM generate, node default threads)"],
    [...lines, ...skippedLines],
  );
}

/** The report as Markdown tables (the text output of `npm run bench`, also used in docs/results.md). */
export function benchMarkdown(report: BenchJson): string {
  if (!("summary" in report)) return "(this bench was saved in an older format; rerun `npm run bench`)";
  const lengths = report.sequenceLengths;
  const keys = [...new Set(report.forward.map((row) => `${runtimeLabel(row)}\u0000${row.variant}`))];
  const forward = table(
    ["runtime", "graph", ...lengths.map((l) => `T = ${l}: median ms (x native 1 thread full)`), "CPU ms per pass", "bytes read per row", "divided by: paired native 1 thread full ms"],
    keys.map((key) => {
      const [label, variant] = key.split("\u0000") as [string, VariantName];
      const rows = lengths.map((l) => report.forward.find((r) => runtimeLabel(r) === label && r.variant === variant && r.sequenceLength === l));
      const cpu = rows.some((r) => r?.cpuMs !== null && r?.cpuMs !== undefined) ? rows.map((r) => fixed(r?.cpuMs, 1)).join(" / ") : "wall only";
      const bytes = [...new Set(rows.filter((r) => r !== undefined).map((r) => fixed(r.bytesPerRow, 0)))].join(" / ");
      const paired = rows.some((r) => r?.referenceMs !== null && r?.referenceMs !== undefined) ? rows.map((r) => fixed(r?.referenceMs, 2)).join(" / ") : "this run's row";
      return [label, variant, ...rows.map((r) => (r ? `${fixed(r.medianMs, 2)} (${fixed(r.overNative1tFull, 2)}x)` : "–")), cpu, bytes, paired];
    }),
  );
  const engine = table(
    ["generate (node native, default threads)", "vocab", "setting", "L", "NFE", "generate ms", "model ms", "engine share", "ms per pass", "outside the forward, ms per pass", "tokens/s"],
    report.engine.map((row) => [
      row.graph,
      String(row.vocabSize),
      row.setting,
      String(row.genLength),
      String(row.nfe),
      fixed(row.generateMs, 0),
      fixed(row.modelMs, 0),
      percent(row.engineShare),
      fixed(row.msPerPass, 2),
      fixed(row.outsideMsPerPass, 2),
      fixed(row.tokensPerSecond, 1),
    ]),
  );
  const notes = report.notes.map((n) => `- ${n}`).join("\n");
  const skipped = report.skipped.map((s) => `- skipped ${s.what}: ${s.reason}`).join("\n");
  const replica = "replicaForward" in report ? replicaTable(report) : "";
  return [summaryTable(report.summary), forward, replica, engine, notes, skipped].filter(Boolean).join("\n\n");
}
