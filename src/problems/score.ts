/**
 * Exact-match scoring on the `#### <number>` line, as GSM8K is scored. Output without such a
 * line, or with garbage on it, counts as wrong; nothing here throws on model output.
 */

/** The number on the last `####` line of `text`, or null when there is none. */
export function extractAnswer(text: string): number | null {
  const matches = [...text.matchAll(/^####[ \t]*(-?\d+(?:\.\d+)?)[ \t]*$/gm)];
  const last = matches.at(-1);
  return last ? Number(last[1]) : null;
}

export function isCorrect(text: string, answer: number): boolean {
  return extractAnswer(text) === answer;
}
