/**
 * The canvas as a row of token cells: the prompt's tokens dimmed, then the generated
 * positions — committed tokens coloured by the confidence they were committed with, masked
 * cells showing the current top prediction faintly, the current block outlined, past block
 * starts marked and AdaBlock's delimiter candidates flagged. Special tokens are named chips,
 * whitespace is drawn as marks (token-text.ts). Cells take keyboard focus one at a time
 * (a roving tabindex: arrow keys, Home, End); hover or focus asks the owner for a tooltip.
 */
import type { RunState } from "./run-state.ts";
import { currentBlock } from "./run-state.ts";
import { element } from "./dom.ts";
import { chipLabel, endsLine, isSpecialToken, textParts } from "./token-text.ts";

/** Low confidence red, high green: the colour a committed cell is filled with. */
export function commitColour(confidence: number): string {
  return `hsl(${Math.round(Math.max(0, Math.min(1, confidence)) * 120)} 65% 82%)`;
}

/** Prompt tokens drawn before the generated ones; earlier ones are summarised in one chip. */
const MAX_PROMPT_CELLS = 400;

export interface CanvasTokens {
  /** The prompt's tokens as text (ResolvedRun.promptTokens, or a trace header's). */
  promptTokens?: readonly string[];
  /** The model's special-token names (`[EOS]`, `<|im_end|>`): drawn as chips. */
  specialNames?: ReadonlySet<string>;
}

/** Hears which cell the pointer or the keyboard is on (null: none). */
export type CellListener = (cell: HTMLElement | null) => void;

/** Writes a token's text into a cell: a chip for a special token, whitespace as muted marks. */
function fillCell(cell: HTMLElement, text: string | null, specialNames: ReadonlySet<string>): void {
  const special = text !== null && isSpecialToken(text, specialNames);
  const key = text === null ? "" : `${special ? "s" : "t"}${text}`;
  if (cell.dataset.text === key) return;
  cell.dataset.text = key;
  if (special) {
    cell.dataset.special = text;
    cell.textContent = chipLabel(text);
    return;
  }
  delete cell.dataset.special;
  if (text === null) {
    cell.textContent = "\u00a0";
    return;
  }
  cell.replaceChildren(...textParts(text).map((part) => (part.whitespace ? element("span", "ws", part.text) : document.createTextNode(part.text))));
}

function lineBreak(): HTMLElement {
  const node = element("span", "line-break");
  node.setAttribute("aria-hidden", "true");
  return node;
}

export class TokenRow {
  private cells: HTMLSpanElement[] = [];
  private breaks: (HTMLElement | null)[] = [];
  private promptCells: HTMLSpanElement[] = [];
  private specialNames: ReadonlySet<string> = new Set();
  /** The one cell in the tab order. */
  private active: HTMLElement | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly onCell: CellListener = () => {},
  ) {
    container.setAttribute("role", "group");
    container.setAttribute("aria-label", "tokens: arrow keys move between cells");
    container.addEventListener("mouseover", (event) => this.onCell(this.cellOf(event.target)));
    container.addEventListener("mouseleave", () => this.onCell(document.activeElement instanceof HTMLElement ? this.cellOf(document.activeElement) : null));
    container.addEventListener("focusin", (event) => {
      const cell = this.cellOf(event.target);
      if (cell) this.activate(cell);
      this.onCell(cell);
    });
    container.addEventListener("focusout", (event) => {
      if (!container.contains(event.relatedTarget as Node | null)) this.onCell(null);
    });
    container.addEventListener("keydown", (event) => this.move(event));
  }

  /** Every cell in order: prompt, then generated. */
  get allCells(): HTMLSpanElement[] {
    return [...this.promptCells, ...this.cells];
  }

  reset(genLength: number, tokens: CanvasTokens = {}): void {
    this.specialNames = tokens.specialNames ?? new Set();
    // A loaded trace's header is untrusted: whatever it holds is drawn as text.
    const prompt = (tokens.promptTokens ?? []).map(String);
    const shown = prompt.slice(-MAX_PROMPT_CELLS);
    const nodes: HTMLElement[] = [];
    if (shown.length < prompt.length) nodes.push(element("span", "cell prompt elided", `… ${prompt.length - shown.length} earlier tokens`));
    this.promptCells = shown.map((text, k) => {
      const cell = element("span", "cell prompt");
      cell.dataset.promptIndex = String(prompt.length - shown.length + k);
      fillCell(cell, text, this.specialNames);
      if (cell.dataset.special !== undefined) cell.classList.add("special");
      cell.tabIndex = -1;
      nodes.push(cell);
      if (endsLine(text)) nodes.push(lineBreak());
      return cell;
    });
    this.cells = Array.from({ length: genLength }, (_, i) => {
      const cell = element("span", "cell masked");
      cell.dataset.pos = String(i);
      cell.tabIndex = -1;
      return cell;
    });
    this.breaks = this.cells.map(() => null);
    this.active = this.cells[0] ?? this.promptCells[0] ?? null;
    if (this.active) this.active.tabIndex = 0;
    this.container.replaceChildren(...nodes, ...this.cells);
  }

  /** Brings every cell up to date with the state; unchanged cells are left alone. */
  render(state: RunState, vocab: readonly string[]): void {
    const block = currentBlock(state);
    const blockStarts = new Set(state.blocks.map(([start]) => start));
    const candidates = new Map<number, { passes: boolean; chosen: boolean }>();
    const lastDecision = state.decisions.at(-1)?.decision;
    for (const candidate of lastDecision?.candidates ?? []) {
      candidates.set(candidate.position - state.promptLength, {
        passes: candidate.confidence >= lastDecision!.delimiterThreshold,
        chosen: lastDecision!.chosen?.position === candidate.position,
      });
    }
    this.cells.forEach((cell, i) => {
      const committed = state.committedAt[i]! >= 0;
      const tokenId = state.tokenIds[i]!;
      const confidence = state.confidences[i]!;
      const text = committed ? state.committedTexts[i]! : tokenId >= 0 ? (vocab[tokenId] ?? `#${tokenId}`) : null;
      fillCell(cell, text, this.specialNames);
      const candidate = candidates.get(i);
      const classes = [
        "cell",
        committed ? "committed" : "masked",
        cell.dataset.special !== undefined ? "special" : "",
        block && i >= block[0] && i < block[1] ? "in-block" : "",
        block && i === block[0] ? "block-first" : "",
        block && i === block[1] - 1 ? "block-last" : "",
        blockStarts.has(i) && i > 0 ? "boundary" : "",
        candidate ? (candidate.passes ? "candidate passes" : "candidate") : "",
        candidate?.chosen ? "chosen" : "",
      ].filter(Boolean).join(" ");
      if (cell.className !== classes) cell.className = classes;
      // Style strings are normalised by the browser, so a key says whether they changed.
      const special = cell.dataset.special !== undefined;
      const look = `${committed ? "c" : "m"}${special ? "s" : ""}${confidence.toFixed(2)}`;
      if (cell.dataset.look !== look) {
        cell.dataset.look = look;
        // Chips keep their own colour; the tooltip gives their confidence.
        cell.style.backgroundColor = committed && !special ? commitColour(confidence) : "";
        // A masked cell's shade deepens as the model grows more sure of its guess (the text
        // itself keeps full contrast, so the canvas stays readable).
        if (committed) cell.style.removeProperty("--guess");
        else cell.style.setProperty("--guess", confidence.toFixed(2));
      }
      this.placeBreak(i, committed && text !== null && endsLine(text));
    });
  }

  /** A committed newline ends its line on the canvas too. */
  private placeBreak(i: number, wanted: boolean): void {
    const existing = this.breaks[i];
    if (wanted && !existing) {
      const node = lineBreak();
      this.cells[i]!.after(node);
      this.breaks[i] = node;
    } else if (!wanted && existing) {
      existing.remove();
      this.breaks[i] = null;
    }
  }

  private cellOf(target: EventTarget | null): HTMLElement | null {
    return target instanceof Element ? (target.closest<HTMLElement>(".cell[data-pos], .cell[data-prompt-index]") ?? null) : null;
  }

  private activate(cell: HTMLElement): void {
    if (this.active === cell) return;
    if (this.active) this.active.tabIndex = -1;
    cell.tabIndex = 0;
    this.active = cell;
  }

  private move(event: KeyboardEvent): void {
    // Esc dismisses the tooltip (and, page-wide, still stops a run).
    if (event.key === "Escape") {
      this.onCell(null);
      return;
    }
    const cells = this.allCells;
    const from = cells.indexOf(this.cellOf(event.target) as HTMLSpanElement);
    if (from < 0) return;
    const to =
      event.key === "ArrowRight" || event.key === "ArrowDown" ? Math.min(cells.length - 1, from + 1)
      : event.key === "ArrowLeft" || event.key === "ArrowUp" ? Math.max(0, from - 1)
      : event.key === "Home" ? 0
      : event.key === "End" ? cells.length - 1
      : -1;
    if (to < 0) return;
    event.preventDefault();
    this.activate(cells[to]!);
    cells[to]!.focus();
  }
}
