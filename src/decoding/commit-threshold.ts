/**
 * Fast-dLLM parallel decoding: commit every candidate with confidence >= tau, and always at
 * least the single most confident one so each pass makes progress (tau = 1: one per pass).
 */
export function selectThreshold(confidences: ArrayLike<number>, threshold: number): number[] {
  if (confidences.length === 0) return [];
  const chosen: number[] = [];
  let best = 0;
  for (let i = 0; i < confidences.length; i++) {
    if (confidences[i]! >= threshold) chosen.push(i);
    if (confidences[i]! > confidences[best]!) best = i;
  }
  return chosen.length > 0 ? chosen : [best];
}
