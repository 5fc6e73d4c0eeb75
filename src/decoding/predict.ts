/**
 * Prediction at one masked position from its raw logits: the chosen token (argmax, or
 * Gumbel-max when temperature > 0) and its confidence, the softmax probability of that token
 * under the raw logits, computed in float64 as the reference does. The mask token itself is
 * never chosen: committing it would leave the position masked and the pass without progress.
 */
import { TOP_K, type PassRows } from "../model/forward-model.ts";
import { createRandom, type Random } from "../util/random.ts";

export interface Prediction {
  tokenId: number;
  confidence: number;
}

/** @param offset start of the position's row in `logits` */
export function predictRow(logits: Float32Array, offset: number, vocab: number, temperature: number, random: Random | undefined, maskId: number): Prediction {
  let best = -1;
  let bestScore = -Infinity;
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) {
    const logit = logits[offset + v]!;
    if (logit > max) max = logit;
    // Gumbel-max: argmax(logits / T + g), g = -log(-log u), samples softmax(logits / T).
    const score = temperature > 0 ? logit / temperature - Math.log(-Math.log(random!.next() || Number.MIN_VALUE)) : logit;
    if (score > bestScore && v !== maskId) {
      bestScore = score;
      best = v;
    }
  }
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v]! - max);
  return { tokenId: best, confidence: Math.exp(logits[offset + best]! - max) / sum };
}

/**
 * The noise for one position in one pass, derived from (seed, pass, position) so a seeded run
 * is the same whichever positions are predicted, and in whatever order.
 */
export function noiseFor(seed: number, pass: number, position: number): Random {
  return createRandom((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(pass + 1, 0xc2b2ae35) ^ Math.imul(position + 1, 0x27d4eb2f)) >>> 0);
}

/**
 * The prediction at `position` from a pass's rows. "top" rows carry the two highest-logit
 * tokens: the first unless it is the mask token, then the second (what predictRow's argmax
 * that skips the mask gives). "logits" rows go through predictRow (sampling needs them).
 */
export function predictionFrom(rows: PassRows, position: number, vocab: number, temperature: number, random: Random | undefined, maskId: number): Prediction {
  const r = position - rows.from;
  if (rows.output === "logits") return predictRow(rows.logits, r * vocab, vocab, temperature, random, maskId);
  const k = rows.topIds[r * TOP_K] === maskId ? 1 : 0;
  return { tokenId: rows.topIds[r * TOP_K + k]!, confidence: rows.topProbs[r * TOP_K + k]! };
}
