import { describe, expect, it } from "vitest";
import type { StepEvent } from "../decoding/types.ts";
import { confidenceRange, passRange, positionHistory } from "./cell-info.ts";

/** A pass over canvas positions 10..12 (prompt of 10): committed and masked guesses. */
function pass(step: number, committed: [number, number, number, string][], masked: [number, number, number][]): StepEvent {
  return {
    step,
    nfe: step + 1,
    block: [10, 13],
    blockStart: step === 0,
    committed: {
      positions: Int32Array.from(committed.map((c) => c[0])),
      tokenIds: Int32Array.from(committed.map((c) => c[1])),
      confidences: Float32Array.from(committed.map((c) => c[2])),
      texts: committed.map((c) => c[3]),
    },
    masked: {
      positions: Int32Array.from(masked.map((m) => m[0])),
      tokenIds: Int32Array.from(masked.map((m) => m[1])),
      confidences: Float32Array.from(masked.map((m) => m[2])),
    },
  };
}

const vocab = ["[PAD]", "[EOS]", " the", " a", "\n"];
const events = [
  pass(0, [[10, 2, 0.95, " the"]], [[11, 3, 0.25], [12, 1, 0.5]]),
  pass(1, [], [[11, 3, 0.375], [12, 1, 0.625]]),
  pass(2, [[12, 1, 0.875, "[EOS]"]], [[11, 2, 0.5]]),
  pass(3, [[11, 4, 0.75, "\n"]], []),
];

describe("a position's history of top guesses", () => {
  it("groups passes with the same guess and ends at the commit", () => {
    const history = positionHistory(events, 4, 11, vocab);
    expect(history.committedPass).toBe(4);
    expect(history.committedConfidence).toBeCloseTo(0.75);
    expect(history.guesses.map((g) => [g.firstPass, g.lastPass, g.text, g.committed])).toEqual([
      [1, 2, " a", false],
      [3, 3, " the", false],
      [4, 4, "\n", true],
    ]);
    expect(history.guesses[0]!.firstConfidence).toBeCloseTo(0.25);
    expect(history.guesses[0]!.lastConfidence).toBeCloseTo(0.375);
  });

  it("stops at the passes asked for (a playback position or a heat-map row)", () => {
    const history = positionHistory(events, 2, 12, vocab);
    expect(history.committedPass).toBeNull();
    expect(history.guesses).toHaveLength(1);
    expect(positionHistory(events, 3, 12, vocab).committedPass).toBe(3);
    expect(positionHistory(events, 0, 12, vocab).guesses).toEqual([]);
  });

  it("commits in the first pass with no guesses before", () => {
    const history = positionHistory(events, 4, 10, vocab);
    expect(history.committedPass).toBe(1);
    expect(history.guesses).toHaveLength(1);
    expect(history.guesses[0]!.committed).toBe(true);
  });

  it("skips passes that computed nothing there (token id -1)", () => {
    const gap = [pass(0, [], [[11, 3, 0.25]]), pass(1, [], [[11, -1, Number.NaN]]), pass(2, [], [[11, 3, 0.5]])];
    const history = positionHistory(gap, 3, 11, vocab);
    expect(history.guesses.map((g) => [g.firstPass, g.lastPass])).toEqual([
      [1, 1],
      [3, 3],
    ]);
  });

  it("formats stretches of passes and confidences", () => {
    expect(passRange({ firstPass: 3, lastPass: 3 })).toBe("3");
    expect(passRange({ firstPass: 1, lastPass: 4 })).toBe("1–4");
    expect(confidenceRange({ firstPass: 1, lastPass: 2, firstConfidence: 0.25, lastConfidence: 0.5 })).toBe("0.250→0.500");
    expect(confidenceRange({ firstPass: 2, lastPass: 2, firstConfidence: 0.25, lastConfidence: 0.25 })).toBe("0.250");
  });
});
