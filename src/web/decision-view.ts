/**
 * AdaBlock's latest block decision in words: the look-ahead window, each delimiter candidate's
 * confidence against tau_D, and the block size chosen (delimiter or fallback B0).
 */
import type { RunState } from "./run-state.ts";
import { displayPiece, element } from "./dom.ts";

export function renderDecision(container: HTMLElement, state: RunState, vocab: readonly string[]): void {
  const latest = state.decisions.at(-1);
  if (!latest) {
    container.replaceChildren(element("span", "muted", state.blocks.length > 0 ? "fixed blocks: no AdaBlock decision" : ""));
    return;
  }
  const { decision, step } = latest;
  const offset = state.promptLength;
  const lines = [
    element(
      "div",
      "",
      `block ${state.decisions.length} (step ${step}): window [${decision.window[0] - offset}, ${decision.window[1] - offset}), ` +
        `tau_D ${decision.delimiterThreshold}, size ${decision.blockSize} ` +
        (decision.chosen ? `(ends at the delimiter at ${decision.chosen.position - offset})` : "(fallback B0)"),
    ),
  ];
  if (decision.candidates.length === 0) lines.push(element("div", "muted", "no delimiter predicted in the window"));
  for (const candidate of decision.candidates) {
    const passes = candidate.confidence >= decision.delimiterThreshold;
    const chosen = decision.chosen?.position === candidate.position;
    const piece = displayPiece(vocab[candidate.tokenId] ?? `#${candidate.tokenId}`);
    lines.push(
      element(
        "div",
        `candidate-line${passes ? " passes" : ""}${chosen ? " chosen" : ""}`,
        `${chosen ? "▶" : "·"} ${piece} at ${candidate.position - offset}: ${candidate.confidence.toFixed(3)} ${passes ? "≥" : "<"} ${decision.delimiterThreshold}`,
      ),
    );
  }
  container.replaceChildren(...lines);
}
