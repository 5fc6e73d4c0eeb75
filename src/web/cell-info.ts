/**
 * What the tooltip of one canvas position says, from the step events alone: the top guess at
 * each pass (as runs of passes with the same guess), and the pass and confidence it was
 * committed with. Pure, so the canvas and the heat map describe a position the same way.
 */
import type { StepEvent } from "../decoding/types.ts";

/** One stretch of passes with the same top guess (or the commit, when `committed`). */
export interface Guess {
  /** 1-based passes [first, last] with this guess. */
  firstPass: number;
  lastPass: number;
  tokenId: number;
  text: string;
  /** Confidence at the first and the last of those passes. */
  firstConfidence: number;
  lastConfidence: number;
  committed: boolean;
}

export interface PositionHistory {
  /** The guesses, in pass order; the last one is the commit when the position is decoded. */
  guesses: Guess[];
  /** 1-based pass that committed the position, or null while masked. */
  committedPass: number | null;
  committedConfidence: number | null;
}

/**
 * The history of canvas `position` over the first `count` passes of `events`. `vocab` names
 * predicted ids (committed tokens carry their own text).
 */
export function positionHistory(events: readonly StepEvent[], count: number, position: number, vocab: readonly string[]): PositionHistory {
  const guesses: Guess[] = [];
  const note = (pass: number, tokenId: number, text: string, confidence: number, committed: boolean): void => {
    const last = guesses.at(-1);
    if (last && !committed && !last.committed && last.tokenId === tokenId && last.lastPass === pass - 1) {
      last.lastPass = pass;
      last.lastConfidence = confidence;
    } else {
      guesses.push({ firstPass: pass, lastPass: pass, tokenId, text, firstConfidence: confidence, lastConfidence: confidence, committed });
    }
  };
  for (let s = 0; s < Math.min(count, events.length); s++) {
    const event = events[s]!;
    const pass = s + 1;
    const k = event.committed.positions.indexOf(position);
    if (k >= 0) {
      const confidence = event.committed.confidences[k]!;
      note(pass, event.committed.tokenIds[k]!, event.committed.texts[k] ?? "", confidence, true);
      return { guesses, committedPass: pass, committedConfidence: confidence };
    }
    const m = event.masked.positions.indexOf(position);
    // tokenId -1: this pass computed nothing there (dual cache, past the block).
    if (m >= 0 && event.masked.tokenIds[m]! >= 0) {
      const id = event.masked.tokenIds[m]!;
      note(pass, id, vocab[id] ?? `#${id}`, event.masked.confidences[m]!, false);
    }
  }
  return { guesses, committedPass: null, committedConfidence: null };
}

/** "3" or "3–7": a stretch of passes. */
export function passRange(guess: Pick<Guess, "firstPass" | "lastPass">): string {
  return guess.firstPass === guess.lastPass ? String(guess.firstPass) : `${guess.firstPass}–${guess.lastPass}`;
}

/** "0.412" or "0.412→0.873": the confidence over a stretch. */
export function confidenceRange(guess: Pick<Guess, "firstConfidence" | "lastConfidence" | "firstPass" | "lastPass">): string {
  const first = guess.firstConfidence.toFixed(3);
  return guess.firstPass === guess.lastPass ? first : `${first}→${guess.lastConfidence.toFixed(3)}`;
}
