/**
 * Fast-dLLM factor rule: sort confidences descending c(1) >= c(2) >= ...; commit the longest
 * prefix whose last element satisfies c(n) >= 1 - f / (n + 1) (then every shorter prefix does
 * too, since c falls and the bound rises), and always at least the first.
 */
export function selectFactor(confidences: ArrayLike<number>, factor: number): number[] {
  const order = Array.from({ length: confidences.length }, (_, i) => i).sort(
    (a, b) => confidences[b]! - confidences[a]! || a - b,
  );
  let count = Math.min(1, order.length);
  for (let n = 1; n <= order.length; n++) {
    if (confidences[order[n - 1]!]! >= 1 - factor / (n + 1)) count = n;
  }
  return order.slice(0, count);
}
