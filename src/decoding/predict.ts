/**
 * Per-position prediction from raw logits: the chosen token (argmax, or Gumbel-max when
 * temperature > 0) and its confidence, the softmax probability of that token under the raw
 * logits, computed in float64 as the reference does. The mask token itself is never chosen:
 * committing it would leave the position masked and the pass without progress.
 */
import type { Random } from "../util/random.ts";

export interface Predictions {
  tokenIds: Int32Array;
  confidences: Float64Array;
}

/**
 * @param logits rows x vocab, row-major
 * @param rows which rows to predict (indices into logits)
 */
export function predict(
  logits: Float32Array,
  vocab: number,
  rows: readonly number[],
  temperature: number,
  random: Random,
  maskId: number,
): Predictions {
  const tokenIds = new Int32Array(rows.length);
  const confidences = new Float64Array(rows.length);
  rows.forEach((row, r) => {
    const offset = row * vocab;
    let best = 0;
    let bestScore = -Infinity;
    let max = -Infinity;
    for (let v = 0; v < vocab; v++) {
      const logit = logits[offset + v]!;
      if (logit > max) max = logit;
      // Gumbel-max: argmax(logits / T + g), g = -log(-log u), samples softmax(logits / T).
      const score = temperature > 0 ? logit / temperature - Math.log(-Math.log(random.next() || Number.MIN_VALUE)) : logit;
      if (score > bestScore && v !== maskId) {
        bestScore = score;
        best = v;
      }
    }
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v]! - max);
    tokenIds[r] = best;
    confidences[r] = Math.exp(logits[offset + best]! - max) / sum;
  });
  return { tokenIds, confidences };
}
