/**
 * A decoder is a block schedule (where the next block ends) plus a commit rule (which masked
 * positions of the block to commit in this pass). The engine runs one loop for all of them.
 */
import type { Random } from "../util/random.ts";
import { chooseAdaBlock } from "./block-adablock.ts";
import { selectFactor } from "./commit-factor.ts";
import { selectThreshold } from "./commit-threshold.ts";
import { selectTopK, tokensPerStep } from "./commit-top-k.ts";
import type { BlockDecision, GenerateOptions } from "./types.ts";

export interface BlockStart {
  start: number;
  generated: number;
  prediction(position: number): { tokenId: number; confidence: number };
}

export interface BlockSchedule {
  open(at: BlockStart): { end: number; decision?: BlockDecision };
  /** The end of the positions open() may read predictions of, for a block opening at `start`: the rows its pass must compute. */
  reach(start: number, generated: number): number;
}

export interface CommitStep {
  /** Confidences of the block's masked positions, in position order. */
  confidences: Float64Array;
  /** 0 for the pass that opened the block. */
  stepInBlock: number;
  blockSize: number;
}

export interface CommitRule {
  /** Indices into `confidences` to commit; never empty while the block has masks. */
  select(step: CommitStep): number[];
}

export interface Decoder {
  schedule: BlockSchedule;
  rule: CommitRule;
}

/**
 * Blocks of blockSize from the prompt's end; `aligned` puts them on the absolute grid of
 * blockSize instead (the first block ends at the next multiple), as a block-diffusion model
 * (BD3LM) was trained to decode.
 */
export function fixedBlocks(blockSize: number, genEnd: number, aligned = false): BlockSchedule {
  const endOf = (start: number) => Math.min(aligned ? (Math.floor(start / blockSize) + 1) * blockSize : start + blockSize, genEnd);
  return { open: ({ start }) => ({ end: endOf(start) }), reach: endOf };
}

export function adaBlocks(options: GenerateOptions, delimiterIds: readonly number[], genEnd: number): BlockSchedule {
  const ids = new Set(delimiterIds);
  return {
    open: ({ start, generated, prediction }) => {
      const decision = chooseAdaBlock({
        start,
        generated,
        genLength: options.genLength,
        fallbackSize: options.blockSize,
        delimiterThreshold: options.delimiterThreshold,
        delimiterIds: ids,
        prediction,
      });
      return { end: Math.min(start + decision.blockSize, genEnd), decision };
    },
    // AdaBlock reads its look-ahead window, and the fallback block's positions.
    reach: (start, generated) => {
      const remaining = options.genLength - generated;
      return Math.min(start + Math.max(Math.min(Math.floor(0.25 * options.genLength), remaining), Math.min(options.blockSize, remaining)), genEnd);
    },
  };
}

export function topKRule(options: GenerateOptions, random: Random): CommitRule {
  const stepsPerBlock = options.steps / (options.genLength / options.blockSize);
  return {
    select: ({ confidences, stepInBlock, blockSize }) =>
      selectTopK(confidences, tokensPerStep(blockSize, stepsPerBlock)[stepInBlock] ?? confidences.length, options.remasking, random),
  };
}

export const thresholdRule = (threshold: number): CommitRule => ({ select: ({ confidences }) => selectThreshold(confidences, threshold) });
export const factorRule = (factor: number): CommitRule => ({ select: ({ confidences }) => selectFactor(confidences, factor) });

/** @param aligned fixed blocks on the absolute grid (block-causal models) */
export function createDecoder(options: GenerateOptions, delimiterIds: readonly number[], genEnd: number, random: Random, aligned = false): Decoder {
  const inner = options.innerRule === "factor" ? factorRule(options.factor) : thresholdRule(options.threshold);
  const fixed = fixedBlocks(options.blockSize, genEnd, aligned);
  switch (options.decoder) {
    case "fixed":
      return { schedule: fixed, rule: topKRule(options, random) };
    case "threshold":
      return { schedule: fixed, rule: thresholdRule(options.threshold) };
    case "factor":
      return { schedule: fixed, rule: factorRule(options.factor) };
    case "adablock":
      return { schedule: adaBlocks(options, delimiterIds, genEnd), rule: inner };
  }
}
