import { describe, expect, it } from "vitest";
import type { StepEvent } from "../decoding/types.ts";
import { heatColour } from "./heatmap.ts";
import { applyStep, averageBlockSize, createRunState, currentBlock, HeatKind } from "./run-state.ts";

/** A hand-made pass over a canvas whose prompt is 3 tokens long. */
function step(index: number, block: [number, number], committed: [number, number, number][], masked: [number, number, number][]): StepEvent {
  return {
    step: index,
    nfe: index + 1,
    block,
    blockStart: index === 0 || block[0] !== 3,
    committed: {
      positions: Int32Array.from(committed, ([p]) => p),
      tokenIds: Int32Array.from(committed, ([, id]) => id),
      confidences: Float32Array.from(committed, ([, , c]) => c),
      texts: committed.map(([, id]) => `t${id}`),
    },
    masked: {
      positions: Int32Array.from(masked, ([p]) => p),
      tokenIds: Int32Array.from(masked, ([, id]) => id),
      confidences: Float32Array.from(masked, ([, , c]) => c),
    },
  };
}

describe("run state", () => {
  it("tracks commits, predictions, blocks and one heat row per pass", () => {
    const state = createRunState(3, 4);
    applyStep(state, step(0, [3, 5], [[4, 40, 0.95]], [[3, 30, 0.4], [5, 50, 0.2], [6, 60, 0.1]]));
    expect(Array.from(state.committedAt)).toEqual([-1, 0, -1, -1]);
    expect(Array.from(state.tokenIds)).toEqual([30, 40, 50, 60]);
    expect(state.committedTexts[1]).toBe("t40");
    expect(currentBlock(state)).toEqual([0, 2]);

    applyStep(state, step(1, [5, 7], [[3, 31, 0.5]], [[5, 51, 0.3], [6, 61, 0.2]]));
    expect(state.steps).toBe(2);
    expect(state.committed).toBe(2);
    expect(state.blocks).toEqual([[0, 2], [2, 4]]);
    expect(averageBlockSize(state)).toBe(2);
    const row = state.heatRows[1]!;
    expect(Array.from(row.kinds)).toEqual([HeatKind.CommittedNow, HeatKind.DecodedBefore, HeatKind.Masked, HeatKind.Masked]);
    expect(row.confidences[2]).toBeCloseTo(0.3);
  });

  it("keeps a masked cell's last guess when a pass computed none there (dual cache past the block)", () => {
    const state = createRunState(3, 4);
    applyStep(state, step(0, [3, 5], [[3, 30, 0.95]], [[4, 40, 0.4], [5, 50, 0.2], [6, 60, 0.1]]));
    applyStep(state, step(1, [3, 5], [[4, 41, 0.9]], [[5, -1, Number.NaN], [6, -1, Number.NaN]]));
    expect(Array.from(state.tokenIds)).toEqual([30, 41, 50, 60]);
    expect(state.confidences[2]).toBeCloseTo(0.2);
    expect(Number.isNaN(state.heatRows[1]!.confidences[2]!)).toBe(true);
    expect(heatColour(Number.NaN)).toEqual([27, 27, 36]);
  });

  it("refuses a step that arrives out of order", () => {
    const state = createRunState(3, 4);
    expect(() => applyStep(state, step(1, [3, 5], [], []))).toThrow(/lost or reordered/);
  });
});
