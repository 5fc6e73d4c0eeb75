/**
 * The tooltip of a canvas cell or a heat-map cell: the token, its state (prompt, masked with
 * its top guess, or committed with the pass and confidence), and the history of its top
 * guesses (cell-info.ts). One tooltip per run view, placed under the cell or the pointer.
 */
import type { StepEvent } from "../decoding/types.ts";
import { confidenceRange, passRange, positionHistory } from "./cell-info.ts";
import { element } from "./dom.ts";
import { HeatKind, type RunState } from "./run-state.ts";
import { displayToken, isSpecialToken } from "./token-text.ts";

/** Guesses listed at most; older stretches are summarised. */
const MAX_GUESSES = 8;

let tooltips = 0;

export interface GeneratedCell {
  state: RunState;
  /** The events behind the state (at least its first `passes`). */
  events: readonly StepEvent[];
  /** Passes to describe (the state's, or a heat-map row's). */
  passes: number;
  /** Generated-position index. */
  index: number;
  vocab: readonly string[];
  specialNames: ReadonlySet<string>;
  /** Set when hovering a heat-map row: what that row shows at the position. */
  heatRow?: number;
}

export class CellTooltip {
  readonly element = element("div", "cell-tooltip");

  constructor() {
    this.element.id = `cell-tooltip-${++tooltips}`;
    this.element.setAttribute("role", "tooltip");
    this.element.hidden = true;
  }

  hide(): void {
    this.element.hidden = true;
    for (const key of Object.keys(this.element.dataset)) delete this.element.dataset[key];
  }

  /** Places the tooltip at (x, y) in its offset parent's coordinates, kept inside it. */
  place(x: number, y: number): void {
    this.element.hidden = false;
    const parent = this.element.offsetParent as HTMLElement | null;
    const maxLeft = (parent?.clientWidth ?? 0) - this.element.offsetWidth - 4;
    this.element.style.left = `${Math.max(0, Math.min(x, maxLeft))}px`;
    this.element.style.top = `${y}px`;
  }

  showPrompt(index: number, text: string, specialNames: ReadonlySet<string>): void {
    this.element.dataset.state = "prompt";
    this.element.dataset.promptIndex = String(index);
    for (const key of ["pos", "pass", "confidence"]) delete this.element.dataset[key];
    this.element.replaceChildren(this.tokenLine(text, specialNames), element("div", "", `prompt token ${index}`));
  }

  showGenerated(cell: GeneratedCell): void {
    const { state, events, passes, index, vocab, specialNames } = cell;
    const history = positionHistory(events, passes, state.promptLength + index, vocab);
    const last = history.guesses.at(-1);
    const data = this.element.dataset;
    delete data.promptIndex;
    data.pos = String(index);
    data.state = history.committedPass !== null ? "committed" : "masked";
    if (history.committedPass !== null) {
      data.pass = String(history.committedPass);
      data.confidence = String(history.committedConfidence);
    } else {
      delete data.pass;
      delete data.confidence;
    }
    const lines: HTMLElement[] = [];
    lines.push(last ? this.tokenLine(last.text, specialNames) : element("div", "tip-token", "no guess yet"));
    const where = `position ${index}`;
    if (history.committedPass !== null) {
      lines.push(element("div", "", `${where}: committed in pass ${history.committedPass} with confidence ${history.committedConfidence!.toFixed(3)}`));
    } else if (last) {
      lines.push(element("div", "", `${where}: masked; top guess at ${last.lastConfidence.toFixed(3)} (pass ${last.lastPass})`));
    } else {
      lines.push(element("div", "", `${where}: masked, not computed yet`));
    }
    if (cell.heatRow !== undefined) {
      const row = state.heatRows[cell.heatRow];
      if (row) {
        const kind = row.kinds[index] === HeatKind.CommittedNow ? "committed in this pass" : row.kinds[index] === HeatKind.DecodedBefore ? "decoded earlier" : "masked";
        const confidence = row.confidences[index]!;
        lines.unshift(element("div", "tip-pass", `pass ${cell.heatRow + 1}: ${kind}${Number.isNaN(confidence) ? ", not computed" : `, confidence ${confidence.toFixed(3)}`}`));
      }
    }
    if (history.guesses.length > 0) {
      const list = element("ol");
      const shown = history.guesses.slice(-MAX_GUESSES);
      list.append(
        ...shown.map((guess) =>
          element("li", guess.committed ? "tip-commit" : "", `pass ${passRange(guess)}: ${displayToken(guess.text, specialNames)} ${confidenceRange(guess)}${guess.committed ? " ✓ committed" : ""}`),
        ),
      );
      const earlier = history.guesses.length - shown.length;
      lines.push(element("div", "tip-caption", `top guesses${earlier > 0 ? ` (last ${shown.length} of ${history.guesses.length})` : ""}:`), list);
    }
    this.element.replaceChildren(...lines);
  }

  private tokenLine(text: string, specialNames: ReadonlySet<string>): HTMLElement {
    const line = element("div", "tip-token", displayToken(text, specialNames));
    if (isSpecialToken(text, specialNames)) line.append(element("span", "tip-note", ` special token ${text}`));
    return line;
  }
}
