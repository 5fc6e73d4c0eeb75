/**
 * The shapes that cross module (and worker) boundaries: generation options, per-pass step
 * events and the final result. Arrays in events are typed so a worker can transfer them.
 */

export type DecoderName = "fixed" | "threshold" | "factor" | "adablock";
export type Remasking = "low_confidence" | "random";
/** The per-step commit rule used inside AdaBlock's blocks. */
export type InnerRule = "threshold" | "factor";
export type StopReason = "length" | "eos" | "aborted";
/** Approximate KV cache (Fast-dLLM): none, the prefix only, or prefix and suffix (dual). */
export type CacheMode = "none" | "prefix" | "dual";

export interface GenerateOptions {
  decoder: DecoderName;
  /** L: number of masked positions appended to the prompt. */
  genLength: number;
  /** B (fixed block size) or B0 (AdaBlock's fallback size). */
  blockSize: number;
  /** fixed only: total forward passes, spread evenly over the blocks (other decoders: genLength). */
  steps: number;
  /** fixed only: rank by confidence (LLaDA's default) or by a seeded random number. */
  remasking: Remasking;
  /** tau: commit every block position at least this confident. */
  threshold: number;
  /** f of the factor rule. */
  factor: number;
  /** tau_D: AdaBlock ends the block at a delimiter this confident. Infinity = fixed blocks. */
  delimiterThreshold: number;
  /** Delimiter pieces as the tokenizer spells them, e.g. ["\n"]. */
  delimiters: string[];
  innerRule: InnerRule;
  /** 0 = argmax; above 0 = Gumbel-max sampling with the seeded PRNG. */
  temperature: number;
  seed: number;
  /** prefix/dual: a block's later passes run only a window against cached keys/values (docs/kv-cache.md). */
  cache: CacheMode;
}

export interface DelimiterCandidate {
  position: number;
  tokenId: number;
  confidence: number;
}

/** What AdaBlock saw and chose at a block start. */
export interface BlockDecision {
  /** Look-ahead window [start, end) searched for delimiters. */
  window: [number, number];
  candidates: DelimiterCandidate[];
  delimiterThreshold: number;
  /** The candidate the block ends at, or null when the fallback size B0 was used. */
  chosen: DelimiterCandidate | null;
  blockSize: number;
}

export interface StepEvent {
  /** 0-based index of this forward pass. */
  step: number;
  /** Forward passes so far, this one included. */
  nfe: number;
  /** Current block [start, end) in canvas positions. */
  block: [number, number];
  /** True when this pass opened the block. */
  blockStart: boolean;
  /** AdaBlock only, at a block start. */
  decision?: BlockDecision;
  /** Positions committed by this pass. */
  committed: {
    positions: Int32Array;
    tokenIds: Int32Array;
    confidences: Float32Array;
    texts: string[];
  };
  /** Every position still masked after this pass, with its current top prediction. */
  masked: {
    positions: Int32Array;
    tokenIds: Int32Array;
    confidences: Float32Array;
  };
}

export interface GenerateResult {
  text: string;
  /** Generated token ids, cut at the first [EOS]. */
  tokens: number[];
  nfe: number;
  /** Blocks as [start, end) canvas positions, in decoding order. */
  blocks: [number, number][];
  stopReason: StopReason;
  promptLength: number;
  ms: number;
}
