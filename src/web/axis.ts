/** Tick values for a chart axis: round steps (1, 2, 5 × 10^k) so a handful of labels fit. */

/** Ticks over the integers [first, last], about `target` of them, always including `first`. */
export function axisTicks(first: number, last: number, target = 6): number[] {
  if (last < first) return [];
  const span = last - first;
  if (span === 0) return [first];
  const raw = span / Math.max(1, target - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude);
  const ticks = [first];
  for (let value = Math.ceil((first + 1) / step) * step; value <= last; value += step) ticks.push(value);
  return ticks;
}
