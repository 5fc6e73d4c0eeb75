/**
 * The canvas as a row of token cells: committed tokens coloured by the confidence they were
 * committed with, masked cells showing the current top prediction faintly, the current block
 * outlined, past block starts marked and AdaBlock's delimiter candidates flagged.
 */
import type { RunState } from "./run-state.ts";
import { currentBlock } from "./run-state.ts";
import { displayPiece, element, setText } from "./dom.ts";

/** Low confidence red, high green: the colour a committed cell is filled with. */
export function commitColour(confidence: number): string {
  return `hsl(${Math.round(Math.max(0, Math.min(1, confidence)) * 120)} 65% 82%)`;
}

export class TokenRow {
  private cells: HTMLSpanElement[] = [];

  constructor(private readonly container: HTMLElement) {}

  reset(genLength: number): void {
    this.cells = Array.from({ length: genLength }, () => element("span", "cell masked"));
    this.container.replaceChildren(...this.cells);
  }

  /** Brings every cell up to date with the state; unchanged cells are left alone. */
  render(state: RunState, vocab: readonly string[]): void {
    const block = currentBlock(state);
    const blockStarts = new Set(state.blocks.map(([start]) => start));
    const candidates = new Map<number, { confidence: number; passes: boolean; chosen: boolean }>();
    const lastDecision = state.decisions.at(-1)?.decision;
    for (const candidate of lastDecision?.candidates ?? []) {
      candidates.set(candidate.position - state.promptLength, {
        confidence: candidate.confidence,
        passes: candidate.confidence >= lastDecision!.delimiterThreshold,
        chosen: lastDecision!.chosen?.position === candidate.position,
      });
    }
    this.cells.forEach((cell, i) => {
      const committed = state.committedAt[i]! >= 0;
      const tokenId = state.tokenIds[i]!;
      const confidence = state.confidences[i]!;
      const piece = committed ? state.committedTexts[i]! : tokenId >= 0 ? (vocab[tokenId] ?? `#${tokenId}`) : "";
      setText(cell, displayPiece(piece) || "\u00a0");
      const candidate = candidates.get(i);
      const classes = [
        "cell",
        committed ? "committed" : "masked",
        block && i >= block[0] && i < block[1] ? "in-block" : "",
        block && i === block[0] ? "block-first" : "",
        block && i === block[1] - 1 ? "block-last" : "",
        blockStarts.has(i) && i > 0 ? "boundary" : "",
        candidate ? (candidate.passes ? "candidate passes" : "candidate") : "",
        candidate?.chosen ? "chosen" : "",
      ].filter(Boolean).join(" ");
      if (cell.className !== classes) cell.className = classes;
      // Style strings are normalised by the browser, so a key says whether they changed.
      const look = `${committed ? "c" : "m"}${confidence.toFixed(2)}`;
      if (cell.dataset.look !== look) {
        cell.dataset.look = look;
        cell.style.backgroundColor = committed ? commitColour(confidence) : "";
        // Masked predictions fade in as the model grows more sure of them.
        cell.style.opacity = committed ? "" : String(0.25 + 0.5 * confidence);
      }
      const title = committed
        ? `position ${i}: committed at step ${state.committedAt[i]} with confidence ${confidence.toFixed(3)}`
        : tokenId >= 0
          ? `position ${i}: masked, top prediction ${JSON.stringify(piece)} at ${confidence.toFixed(3)}` +
            (candidate ? `, delimiter candidate vs tau_D ${lastDecision!.delimiterThreshold}` : "")
          : `position ${i}: masked`;
      if (cell.title !== title) cell.title = title;
    });
  }
}
