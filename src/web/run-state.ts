/**
 * What the page knows about one run, built only from its step events: the generated positions
 * (committed token or current top prediction), the blocks, AdaBlock's decisions and one
 * heat-map row per forward pass. The live view, Compare and trace replay all render this.
 */
import type { BlockDecision, StepEvent } from "../decoding/types.ts";

/** How a position looks in one heat-map row. */
export const HeatKind = { Masked: 0, CommittedNow: 1, DecodedBefore: 2 } as const;

export interface HeatRow {
  /** Per generated position: the masked prediction's or the commit's confidence. */
  confidences: Float32Array;
  kinds: Uint8Array;
  /** The block of this pass, as generated-position indices [start, end). */
  block: [number, number];
}

export interface RunState {
  readonly promptLength: number;
  readonly genLength: number;
  /** Per generated position (index = canvas position - promptLength). */
  readonly tokenIds: Int32Array;
  readonly confidences: Float32Array;
  /** Step that committed the position, -1 while masked. */
  readonly committedAt: Int32Array;
  /** Vocabulary pieces of committed tokens, from the events. */
  readonly committedTexts: string[];
  /** Blocks as generated-position indices [start, end), in decoding order. */
  readonly blocks: [number, number][];
  readonly decisions: { step: number; decision: BlockDecision }[];
  readonly heatRows: HeatRow[];
  steps: number;
  committed: number;
}

export function createRunState(promptLength: number, genLength: number): RunState {
  return {
    promptLength,
    genLength,
    tokenIds: new Int32Array(genLength).fill(-1),
    confidences: new Float32Array(genLength),
    committedAt: new Int32Array(genLength).fill(-1),
    committedTexts: new Array<string>(genLength).fill(""),
    blocks: [],
    decisions: [],
    heatRows: [],
    steps: 0,
    committed: 0,
  };
}

/** Applies one forward pass. Events must come in order; a gap means a lost step and throws. */
export function applyStep(state: RunState, event: StepEvent): void {
  if (event.step !== state.steps) throw new RangeError(`step ${event.step} arrived after ${state.steps} steps: a step was lost or reordered`);
  const offset = state.promptLength;
  const block: [number, number] = [event.block[0] - offset, event.block[1] - offset];
  if (event.blockStart) state.blocks.push(block);
  if (event.decision) state.decisions.push({ step: event.step, decision: event.decision });

  const kinds = new Uint8Array(state.genLength);
  const rowConfidences = new Float32Array(state.genLength);
  for (let i = 0; i < state.genLength; i++) {
    if (state.committedAt[i]! >= 0) {
      kinds[i] = HeatKind.DecodedBefore;
      rowConfidences[i] = state.confidences[i]!;
    }
  }
  event.committed.positions.forEach((position, k) => {
    const i = position - offset;
    state.tokenIds[i] = event.committed.tokenIds[k]!;
    state.confidences[i] = event.committed.confidences[k]!;
    state.committedAt[i] = event.step;
    state.committedTexts[i] = event.committed.texts[k] ?? "";
    kinds[i] = HeatKind.CommittedNow;
    rowConfidences[i] = event.committed.confidences[k]!;
  });
  event.masked.positions.forEach((position, k) => {
    const i = position - offset;
    // tokenId -1: the pass computed no prediction there (a dual-cache pass stops at its block's
    // end); the cell keeps its last guess and the heat row shows the gap (NaN).
    if (event.masked.tokenIds[k]! >= 0) {
      state.tokenIds[i] = event.masked.tokenIds[k]!;
      state.confidences[i] = event.masked.confidences[k]!;
    }
    kinds[i] = HeatKind.Masked;
    rowConfidences[i] = event.masked.confidences[k]!;
  });
  state.heatRows.push({ confidences: rowConfidences, kinds, block });
  state.committed += event.committed.positions.length;
  state.steps++;
}

/** The block of the latest pass, or null before the first one. */
export function currentBlock(state: RunState): [number, number] | null {
  return state.heatRows.at(-1)?.block ?? null;
}

export function averageBlockSize(state: RunState): number {
  if (state.blocks.length === 0) return 0;
  return state.blocks.reduce((sum, [start, end]) => sum + end - start, 0) / state.blocks.length;
}
