/**
 * Raw forward latency of a model at given canvas lengths: the same measurement in Node
 * (onnxruntime-node, onnxruntime-web WASM) and in the browser benchmark page, so the numbers
 * compare like with like. Each pass asks for every position's logits, as a full forward does.
 */
import type { ForwardModel } from "../../src/model/forward-model.ts";

export interface ForwardTiming {
  sequenceLength: number;
  runs: number;
  medianMs: number;
  meanMs: number;
  minMs: number;
}

export interface ForwardPlan {
  sequenceLengths: readonly number[];
  /** Untimed passes first (session warm-up, shader compilation, allocator growth). */
  warmup: number;
  runs: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function timingOf(sequenceLength: number, samples: readonly number[]): ForwardTiming {
  return {
    sequenceLength,
    runs: samples.length,
    medianMs: median(samples),
    meanMs: samples.reduce((a, b) => a + b, 0) / samples.length,
    minMs: Math.min(...samples),
  };
}

/** A canvas of the given length: a few ordinary tokens, then [MASK]s (values do not change the cost). */
export function benchCanvas(length: number, maskTokenId: number): Int32Array {
  const canvas = new Int32Array(length).fill(maskTokenId);
  for (let i = 0; i < Math.min(length, 16); i++) canvas[i] = maskTokenId + 1 + i;
  return canvas;
}

export async function measureForward(
  model: ForwardModel,
  maskTokenId: number,
  plan: ForwardPlan,
  now: () => number = () => globalThis.performance.now(),
): Promise<ForwardTiming[]> {
  const out: ForwardTiming[] = [];
  for (const length of plan.sequenceLengths) {
    const canvas = benchCanvas(length, maskTokenId);
    const rows = { from: 0, to: length, output: "logits" } as const;
    for (let i = 0; i < plan.warmup; i++) await model.forward(canvas, rows);
    const samples: number[] = [];
    for (let i = 0; i < plan.runs; i++) {
      const started = now();
      await model.forward(canvas, rows);
      samples.push(now() - started);
    }
    out.push(timingOf(length, samples));
  }
  return out;
}
