/**
 * The model contract the decoding engine runs against, whatever the model's format: one pass
 * over the canvas returns predictions for the rows the decoder needs, no more. A pass that only
 * needs argmax tokens asks for "top" rows (two token ids and their probabilities per row, 16
 * bytes), so no vocabulary-wide tensor leaves the runtime; sampling asks for full "logits" rows.
 * How a format produces them (our own graphs reduce inside the graph, other graphs through a
 * small reduction graph on the same backend) is the adapter's business (onnx-model.ts).
 */

/** What a pass must return for each requested row. */
export type RowOutput = "top" | "logits";

export interface RowRequest {
  /** Canvas positions [from, to) the pass must predict. */
  from: number;
  to: number;
  /**
   * "top": each row's two highest-logit tokens, descending (ties to the lower id), and their
   * softmax probabilities under the raw logits; two so that an argmax that must skip the mask
   * token needs no second pass. "logits": the full rows (sampling at temperature > 0).
   */
  output: RowOutput;
}

/** Top-2 per row: TOP_K ids and probabilities per row, row-major. */
export const TOP_K = 2;

export type PassRows =
  | { output: "top"; from: number; to: number; topIds: Int32Array; topProbs: Float32Array | Float64Array }
  | { output: "logits"; from: number; to: number; logits: Float32Array };

/**
 * The decode's blocks, for block-causal graphs (BD3LM), which need them to build their
 * attention mask; bidirectional graphs ignore it.
 */
export interface BlockLayout {
  promptLength: number;
  /** Generated blocks as [start, end), in decoding order, the current one last (may be empty at a block's opening pass). */
  blocks: readonly (readonly [number, number])[];
}

export type Attention = "bidirectional" | "block-causal";

export interface ForwardModel {
  readonly vocabSize: number;
  /** "block-causal": a query sees only keys of its own and earlier blocks (BD3LM). */
  readonly attention: Attention;
  /** One forward pass over the whole canvas (batch 1), returning the requested rows. */
  forward(inputIds: Int32Array, rows: RowRequest, layout?: BlockLayout): Promise<PassRows>;
  dispose(): Promise<void>;
}

/** Sizes of a key or value cache: [layers, 1, heads, positions, headDim] floats, row-major. */
export interface KvShape {
  layers: number;
  heads: number;
  headDim: number;
}

/** What one pass of the KV-cache graph returns for its window of n positions. */
export interface WindowPass {
  /** The requested rows; their positions are absolute canvas positions. */
  rows: PassRows;
  /** The window's keys (rotary of their true positions applied) and values, [layers, 1, heads, n, headDim]. */
  keys: Float32Array;
  values: Float32Array;
}

/** A model's KV-cache graph: a window of the canvas against cached keys/values. */
export interface WindowModel {
  readonly vocabSize: number;
  readonly kvShape: KvShape;
  /**
   * One forward pass over `windowIds`, the canvas tokens at absolute positions
   * [start, start + windowIds.length), attending to themselves and to the cached keys/values of
   * the other positions (any number, in the KvShape layout; empty arrays for a pass with no
   * cache). `rows` are absolute canvas positions inside the window.
   */
  forwardWindow(windowIds: Int32Array, start: number, pastKeys: Float32Array, pastValues: Float32Array, rows: RowRequest): Promise<WindowPass>;
  dispose(): Promise<void>;
}

/**
 * Full logits rows reduced to what `rows.output` asks for, in JavaScript: the top-2 ids and
 * their float64 softmax probabilities. For models that hand back logits (test doubles, and a
 * backend whose reduction graph failed to open); onnx graphs reduce on their own backend.
 * @param logits (to - from) x vocab, row-major, for rows [from, to)
 */
export function rowsFromLogits(logits: Float32Array, vocab: number, rows: RowRequest): PassRows {
  const { from, to } = rows;
  if (rows.output === "logits") return { output: "logits", from, to, logits };
  const count = to - from;
  const topIds = new Int32Array(count * TOP_K);
  // float64, as the reference computes confidences; graphs return float32.
  const topProbs = new Float64Array(count * TOP_K);
  for (let r = 0; r < count; r++) {
    const offset = r * vocab;
    let first = -1;
    let second = -1;
    let max = -Infinity;
    let next = -Infinity;
    for (let v = 0; v < vocab; v++) {
      const logit = logits[offset + v]!;
      if (logit > max) {
        second = first;
        next = max;
        first = v;
        max = logit;
      } else if (logit > next) {
        second = v;
        next = logit;
      }
    }
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v]! - max);
    topIds[r * TOP_K] = first;
    topIds[r * TOP_K + 1] = second;
    topProbs[r * TOP_K] = 1 / sum;
    topProbs[r * TOP_K + 1] = second < 0 ? 0 : Math.exp(next - max) / sum;
  }
  return { output: "top", from, to, topIds, topProbs };
}
