/**
 * Forward latency of graph variants at given canvas lengths, measured the same way in Node
 * (onnxruntime-node, onnxruntime-web WASM) and in the browser benchmark page: after untimed
 * warm-up rounds, `runs` rounds in which every variant makes one pass, in an order shuffled per
 * round (so drift in the machine's load falls on every variant alike); medians per variant.
 */
import type { ForwardModel, RowRequest } from "../../src/model/forward-model.ts";
import { createRandom } from "../../src/util/random.ts";

/**
 * fp32-full: model.onnx, every row's logits (what a pass cost before the row contract).
 * fp32-rows / int8-rows: model.onnx / onnx/model_quantized.onnx, a 32-row block, top-2 rows.
 */
export type TinyVariantName = "fp32-full" | "fp32-rows" | "int8-rows";

/**
 * The Qwen3 replica (vocabulary 151,936; model/replica/hub/...): `<folder>-<dtype>-<output>`, a
 * 32-row block, "top" (a greedy pass: the graph's logits through the reduction graph) or
 * "logits" (a sampling pass: the graph has no row_range, so all T rows are read back).
 */
export type ReplicaFolder = "mdlm" | "bd3lm";
export type ReplicaDtype = "fp16" | "q4f16";
export type ReplicaVariantName = `${ReplicaFolder}-${ReplicaDtype}-${RowRequest["output"]}`;

export type VariantName = TinyVariantName | ReplicaVariantName;

export const VARIANTS: readonly { name: TinyVariantName; graph: string; output: RowRequest["output"] }[] = [
  { name: "fp32-full", graph: "onnx/model.onnx", output: "logits" },
  { name: "fp32-rows", graph: "onnx/model.onnx", output: "top" },
  { name: "int8-rows", graph: "onnx/model_quantized.onnx", output: "top" },
];

export const REPLICA_VARIANTS: readonly { name: ReplicaVariantName; folder: ReplicaFolder; dtype: ReplicaDtype; output: RowRequest["output"]; lengths: readonly number[] }[] = [
  { name: "mdlm-fp16-top", folder: "mdlm", dtype: "fp16", output: "top", lengths: [64, 128] },
  { name: "mdlm-q4f16-top", folder: "mdlm", dtype: "q4f16", output: "top", lengths: [64, 128] },
  { name: "mdlm-fp16-logits", folder: "mdlm", dtype: "fp16", output: "logits", lengths: [64] },
  { name: "mdlm-q4f16-logits", folder: "mdlm", dtype: "q4f16", output: "logits", lengths: [64] },
  { name: "bd3lm-fp16-top", folder: "bd3lm", dtype: "fp16", output: "top", lengths: [64, 128] },
  { name: "bd3lm-q4f16-top", folder: "bd3lm", dtype: "q4f16", output: "top", lengths: [64, 128] },
];
export const REPLICA_LENGTHS = [64, 128] as const;
/** The replica's `<|mask|>` (Qwen3's id): its canvases are a few ordinary ids, then masks. */
export const REPLICA_MASK_ID = 151_669;
/** The replica folder of each kind, relative to model/replica/hub/dllm-replica/ (or its URL). */
export const replicaFolderName = (folder: ReplicaFolder): string => `Qwen3-replica-diffusion-${folder}-ONNX`;

/** Rows a block pass asks for: rows [T/2, T/2 + 32) clipped to the canvas. */
export const BLOCK_ROWS = 32;

export function rowsFor(variant: VariantName, length: number): RowRequest {
  if (variant === "fp32-full") return { from: 0, to: length, output: "logits" };
  const from = Math.floor(length / 2);
  return { from, to: Math.min(length, from + BLOCK_ROWS), output: variant.endsWith("-logits") ? "logits" : "top" };
}

export interface ForwardTiming {
  variant: VariantName;
  sequenceLength: number;
  /** Rows the pass asked for. */
  rows: number;
  runs: number;
  medianMs: number;
  meanMs: number;
  minMs: number;
  /** Median CPU time of the process per pass (all its threads); null where it cannot be read (browsers). */
  cpuMs: number | null;
  /** Bytes of output read back by a pass (OnnxModel.lastBytesRead); null for models that do not say. */
  bytesRead: number | null;
}

export interface ForwardPlan {
  sequenceLengths: readonly number[];
  /** Untimed rounds at the first length (WASM compilation, session warm-up). */
  warmup: number;
  /** Untimed rounds at each later length (allocator growth); default `warmup`. */
  warmupPerLength?: number;
  /** Timed rounds at each length; each round times one pass of every variant. */
  runs: number;
  /** Seed of the per-round order. */
  seed?: number;
}

export interface MeasuredVariant {
  name: VariantName;
  /** Tells apart the same variant on several runtimes measured together; default `name`. */
  key?: string;
  /** Canvas lengths this variant runs at; absent = every length. */
  lengths?: readonly number[];
  model: ForwardModel & { readonly lastBytesRead?: number };
}

/** One timed pass. */
export interface PassSample {
  key: string;
  variant: VariantName;
  ms: number;
  cpuMs: number | null;
  bytesRead: number | null;
}

export interface Clock {
  /** Wall clock, ms. */
  now(): number;
  /** CPU time used by the process so far, ms; absent where it cannot be read. */
  cpu?(): number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function timingOf(
  variant: VariantName,
  sequenceLength: number,
  rows: number,
  samples: readonly number[],
  cpuSamples: readonly number[] | null,
  bytesRead: number | null,
): ForwardTiming {
  return {
    variant,
    sequenceLength,
    rows,
    runs: samples.length,
    medianMs: median(samples),
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    minMs: Math.min(...samples),
    cpuMs: cpuSamples ? median(cpuSamples) : null,
    bytesRead,
  };
}

/** A canvas of the given length: a few ordinary tokens, then [MASK]s (values do not change the cost). */
export function benchCanvas(length: number, maskTokenId: number): Int32Array {
  const canvas = new Int32Array(length).fill(maskTokenId);
  for (let i = 0; i < Math.min(length, 16); i++) canvas[i] = maskTokenId + 1 + i;
  return canvas;
}

/** Fisher-Yates with the given random source: a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export const wallClock: Clock = { now: () => globalThis.performance.now() };

const runsAt = (v: MeasuredVariant, length: number): boolean => v.lengths?.includes(length) ?? true;

/** One round: a pass of every variant that runs at the canvas's length, in an order shuffled by `random`. */
export async function timeRound(variants: readonly MeasuredVariant[], canvas: Int32Array, random: () => number, clock: Clock = wallClock): Promise<PassSample[]> {
  const samples: PassSample[] = [];
  for (const v of shuffled(variants.filter((v) => runsAt(v, canvas.length)), random)) {
    const rows = rowsFor(v.name, canvas.length);
    const cpuStart = clock.cpu?.() ?? 0;
    const started = clock.now();
    await v.model.forward(canvas, rows);
    const ms = clock.now() - started;
    samples.push({ key: v.key ?? v.name, variant: v.name, ms, cpuMs: clock.cpu ? clock.cpu() - cpuStart : null, bytesRead: v.model.lastBytesRead ?? null });
  }
  return samples;
}

/** Medians per key of the samples taken at one length, in the order keys first appear. */
export function timingsOf(samples: readonly PassSample[], length: number): (ForwardTiming & { key: string })[] {
  const keys = [...new Set(samples.map((s) => s.key))];
  return keys.map((key) => {
    const mine = samples.filter((s) => s.key === key);
    const { variant } = mine[0]!;
    const rows = rowsFor(variant, length);
    const cpu = mine.every((s) => s.cpuMs !== null) ? mine.map((s) => s.cpuMs!) : null;
    return { key, ...timingOf(variant, length, rows.to - rows.from, mine.map((s) => s.ms), cpu, mine[mine.length - 1]!.bytesRead) };
  });
}

export async function measureForward(variants: readonly MeasuredVariant[], maskTokenId: number, plan: ForwardPlan, clock: Clock = wallClock): Promise<(ForwardTiming & { key: string })[]> {
  const random = createRandom(plan.seed ?? 19);
  const out: (ForwardTiming & { key: string })[] = [];
  for (const [index, length] of plan.sequenceLengths.entries()) {
    const canvas = benchCanvas(length, maskTokenId);
    const warmup = index === 0 ? plan.warmup : (plan.warmupPerLength ?? plan.warmup);
    for (let round = 0; round < warmup; round++) {
      for (const v of variants.filter((v) => runsAt(v, length))) await v.model.forward(canvas, rowsFor(v.name, length));
    }
    const samples: PassSample[] = [];
    for (let round = 0; round < plan.runs; round++) samples.push(...(await timeRound(variants, canvas, random.next, clock)));
    // Declared order, whatever order the rounds ran in.
    const timings = timingsOf(samples, length);
    out.push(...variants.filter((v) => runsAt(v, length)).map((v) => timings.find((t) => t.key === (v.key ?? v.name))!));
  }
  return out;
}
