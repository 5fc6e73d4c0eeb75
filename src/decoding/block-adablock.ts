/**
 * AdaBlock (arXiv 2509.26432): at every block start, look for the most confident predicted
 * delimiter in a window of floor(0.25 L) positions (capped by what remains); end the block
 * there when its confidence reaches tau_D, else fall back to B0 (capped by what remains).
 */
import type { BlockDecision, DelimiterCandidate } from "./types.ts";

export interface AdaBlockInput {
  /** First masked position (block start). */
  start: number;
  /** Tokens generated so far (start - prompt length). */
  generated: number;
  genLength: number;
  fallbackSize: number;
  delimiterThreshold: number;
  delimiterIds: ReadonlySet<number>;
  /** Predicted token and confidence of a canvas position (only positions >= start are asked). */
  prediction(position: number): { tokenId: number; confidence: number };
}

export function chooseAdaBlock(input: AdaBlockInput): BlockDecision {
  const remaining = input.genLength - input.generated;
  const windowSize = Math.min(Math.floor(0.25 * input.genLength), remaining);
  const candidates: DelimiterCandidate[] = [];
  for (let position = input.start; position < input.start + windowSize; position++) {
    const { tokenId, confidence } = input.prediction(position);
    if (input.delimiterIds.has(tokenId)) candidates.push({ position, tokenId, confidence });
  }
  // The first of equally confident candidates wins, as argmax does.
  const best = candidates.reduce<DelimiterCandidate | null>((a, c) => (a === null || c.confidence > a.confidence ? c : a), null);
  const chosen = best !== null && best.confidence >= input.delimiterThreshold ? best : null;
  return {
    window: [input.start, input.start + windowSize],
    candidates,
    delimiterThreshold: input.delimiterThreshold,
    chosen,
    blockSize: chosen ? chosen.position - input.start + 1 : Math.min(input.fallbackSize, remaining),
  };
}
