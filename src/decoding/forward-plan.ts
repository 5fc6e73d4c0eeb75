/**
 * How the engine runs its forward passes: the strategy that makes the approximate KV caches of
 * Fast-dLLM (ADABLOCK.md, "KV caches") a variant of the one loop rather than a copy of it.
 *
 * - none: every pass is the full canvas through onnx/model.onnx (the original code path).
 * - prefix: a block's opening pass runs the whole canvas and keeps every position's keys and
 *   values; its later passes run only x[s:] against the cached keys/values of [0, s).
 * - dual: the same opening pass; later passes run only the block x[s:e] against the cached
 *   keys/values of [0, s) and [e, N) (the suffix goes stale until the next block opens).
 *
 * The cached passes are approximate because the model is bidirectional: the prefix's keys and
 * values also depend on the tokens committed after the cache was built. On the canvas the
 * cache was built from, a window pass gives the full pass's logits (tested in kv-cache.test.ts).
 */
import type { BlockLayout, ForwardModel, KvShape, PassRows, RowRequest, WindowModel } from "../model/forward-model.ts";
import type { CacheMode } from "./types.ts";

export interface ForwardPlan {
  /**
   * One forward pass over the canvas. `opening` is true when this pass opens a block at
   * `rows.from` (the first masked position); the returned rows are those asked for, cut where
   * the pass computes no more (dual cache: at the block's end).
   */
  run(canvas: Int32Array, rows: RowRequest, opening: boolean, layout: BlockLayout): Promise<PassRows>;
  /** The block the opening pass chose, [start, end): its later passes use the cache built for it. */
  blockOpened(start: number, end: number): void;
}

/** cache = none: the full canvas every pass, exactly the call the engine always made. */
export function fullPasses(model: ForwardModel): ForwardPlan {
  return {
    run: (canvas, rows, _opening, layout) => model.forward(canvas, rows, layout),
    blockOpened: () => {},
  };
}

/**
 * The keys (or values) of the positions in `ranges`, gathered from a cache of `total` positions:
 * both are [layers, 1, heads, positions, headDim], so each (layer, head) slab is copied per range.
 */
export function gatherPositions(source: Float32Array, total: number, shape: KvShape, ranges: readonly [number, number][]): Float32Array {
  const count = ranges.reduce((sum, [a, b]) => sum + (b - a), 0);
  const slabs = shape.layers * shape.heads;
  const out = new Float32Array(slabs * count * shape.headDim);
  let at = 0;
  for (let slab = 0; slab < slabs; slab++) {
    for (const [a, b] of ranges) {
      const from = (slab * total + a) * shape.headDim;
      out.set(source.subarray(from, from + (b - a) * shape.headDim), at);
      at += (b - a) * shape.headDim;
    }
  }
  return out;
}

/** cache = prefix or dual, over the model's KV-cache graph. The cache lives as long as the plan (one generation). */
export function cachedPasses(model: WindowModel, mode: Exclude<CacheMode, "none">): ForwardPlan {
  const empty = new Float32Array(0);
  // Keys/values of every position from the last opening pass, until the block is known.
  let full: { keys: Float32Array; values: Float32Array; total: number } | undefined;
  // The current block's window [start, end) and the cached keys/values of the other positions.
  let window: [number, number] | undefined;
  let past: { keys: Float32Array; values: Float32Array } = { keys: empty, values: empty };
  return {
    async run(canvas, rows, opening) {
      if (opening) {
        const pass = await model.forwardWindow(canvas, 0, empty, empty, rows);
        full = { keys: pass.keys, values: pass.values, total: canvas.length };
        return pass.rows;
      }
      if (!window) throw new RangeError("a cached pass ran before any block was opened");
      const [start, end] = window;
      const pass = await model.forwardWindow(canvas.subarray(start, end), start, past.keys, past.values, { ...rows, to: Math.min(rows.to, end) });
      return pass.rows;
    },
    blockOpened(start, end) {
      if (!full) throw new RangeError("a block was opened without an opening pass");
      const { keys, values, total } = full;
      const windowEnd = mode === "prefix" ? total : end;
      const ranges: [number, number][] = mode === "prefix" ? [[0, start]] : [[0, start], [end, total]];
      window = [start, windowEnd];
      past = { keys: gatherPositions(keys, total, model.kvShape, ranges), values: gatherPositions(values, total, model.kvShape, ranges) };
      full = undefined;
    },
  };
}
