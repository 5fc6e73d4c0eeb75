/**
 * LLaDA's per-step rule: a block of B masks gets `stepsPerBlock` passes; pass t commits
 * k_t tokens, B split evenly with the remainder going to the first passes. The k ranked
 * highest are committed: by confidence (`low_confidence`) or by a random number (`random`).
 */
import type { Random } from "../util/random.ts";
import type { Remasking } from "./types.ts";

/** k for every pass of a block: B split evenly over the steps, remainder first. */
export function tokensPerStep(blockSize: number, stepsPerBlock: number): number[] {
  const base = Math.floor(blockSize / stepsPerBlock);
  const remainder = blockSize % stepsPerBlock;
  return Array.from({ length: stepsPerBlock }, (_, t) => base + (t < remainder ? 1 : 0));
}

/** Indices (into `confidences`) of the k candidates ranked highest; ties keep position order. */
export function selectTopK(confidences: ArrayLike<number>, k: number, remasking: Remasking, random: Random): number[] {
  const ranks = Array.from({ length: confidences.length }, (_, i) => (remasking === "random" ? random.next() : confidences[i]!));
  return ranks
    .map((rank, index) => ({ rank, index }))
    .sort((a, b) => b.rank - a.rank || a.index - b.index)
    .slice(0, Math.min(k, confidences.length))
    .map(({ index }) => index);
}
