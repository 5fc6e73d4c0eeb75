import { describe, expect, it } from "vitest";
import { OptionError } from "../errors.ts";
import { generate } from "./engine.ts";
import { gatherPositions } from "./forward-plan.ts";
import { runViolations } from "./invariants.ts";
import { EOS, FAKE_PIECES, MASK, fakeEngine, row } from "./testing.ts";
import type { CacheMode, GenerateOptions, StepEvent } from "./types.ts";

const V = FAKE_PIECES.length;

/** Predictions depend on the whole canvas, so a pass that saw other tokens would show in the result. */
const mixing = (canvas: Int32Array, p: number) => {
  let h = p * 31;
  for (const id of canvas) h = (h * 17 + id) % 9973;
  return row(V, { [3 + (h % 13)]: (h % 7) + 0.5, [3 + ((h >> 3) % 13)]: 2 });
};

const DECODERS: Partial<GenerateOptions>[] = [
  { decoder: "fixed", genLength: 24, blockSize: 8, steps: 12 },
  { decoder: "threshold", genLength: 24, blockSize: 8, threshold: 0.7 },
  { decoder: "factor", genLength: 24, blockSize: 6, factor: 1 },
  { decoder: "adablock", genLength: 24, blockSize: 5, threshold: 0.7, delimiterThreshold: 0.1 },
];

async function run(options: Partial<GenerateOptions>, cache: CacheMode) {
  const engine = fakeEngine(mixing);
  const events: StepEvent[] = [];
  const result = await generate(engine, "ab", { ...options, cache }, { onStep: (e) => events.push(e) });
  expect(runViolations(events, result, options.genLength!, EOS)).toEqual([]);
  return { engine, events, result, calls: (await engine.kvModel()).calls };
}

describe("gatherPositions", () => {
  it("copies the chosen positions of every (layer, head) slab, in order", () => {
    // 2 layers x 1 head x 4 positions x headDim 1: value = 10 * slab + position.
    const source = Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13]);
    const shape = { layers: 2, heads: 1, headDim: 1 };
    expect(Array.from(gatherPositions(source, 4, shape, [[0, 1], [3, 4]]))).toEqual([0, 3, 10, 13]);
    expect(Array.from(gatherPositions(source, 4, shape, [[0, 0]]))).toEqual([]);
  });
});

describe("forward plans in the engine", () => {
  it("cache none: every pass is model.forward(canvas, rows from firstMasked); the cache graph is never opened", async () => {
    const engine = fakeEngine(mixing);
    const forwards: [number, number, number][] = [];
    const forward = engine.model.forward.bind(engine.model);
    engine.model.forward = (ids, rows, layout) => {
      expect(rows.from).toBe(ids.indexOf(MASK, 2));
      forwards.push([ids.length, rows.from, rows.to]);
      return forward(ids, rows, layout);
    };
    let opened = 0;
    const kvModel = engine.kvModel;
    const counted = () => {
      opened++;
      return kvModel();
    };
    const result = await generate({ ...engine, kvModel: counted }, "ab", { decoder: "threshold", genLength: 8, blockSize: 4, threshold: 1 });
    expect(opened).toBe(0);
    expect(forwards).toHaveLength(result.nfe);
    // Without a step listener no band is drawn: each pass computes the rows of its block only.
    // Prompt "ab" then blocks [2, 6) and [6, 10).
    expect(forwards.every(([length, from, to]) => length === 10 && to === (from < 6 ? 6 : 10))).toBe(true);
  });

  for (const options of DECODERS) {
    it(`${options.decoder}: prefix and dual give the uncached run when nothing but the cached tokens matters`, async () => {
      // The fake's "keys" are the tokens themselves, which do not change while a block decodes
      // (commits stay inside the block): the caches then lose nothing.
      const none = await run(options, "none");
      for (const cache of ["prefix", "dual"] as const) {
        const cached = await run(options, cache);
        expect(cached.result.tokens).toEqual(none.result.tokens);
        expect(cached.result.blocks).toEqual(none.result.blocks);
        expect(cached.events.map((e) => Array.from(e.committed.positions))).toEqual(none.events.map((e) => Array.from(e.committed.positions)));
        expect(cached.engine.model.passes).toBe(0);
      }
    });
  }

  it("prefix: the opening pass runs the whole canvas, later passes x[s:] against the prefix", async () => {
    const { calls, result, events } = await run(DECODERS[1]!, "prefix");
    const canvas = result.promptLength + 24;
    events.forEach((event, i) => {
      const [s] = event.block;
      expect(calls[i]).toEqual(event.blockStart ? { start: 0, length: canvas, past: 0 } : { start: s, length: canvas - s, past: s });
    });
  });

  it("dual: later passes run only the block against prefix and suffix; the band past the block is unknown", async () => {
    const { calls, result, events } = await run(DECODERS[3]!, "dual");
    const canvas = result.promptLength + 24;
    expect(events.some((e) => !e.blockStart)).toBe(true);
    events.forEach((event, i) => {
      const [s, e] = event.block;
      expect(calls[i]).toEqual(event.blockStart ? { start: 0, length: canvas, past: 0 } : { start: s, length: e - s, past: canvas - (e - s) });
      event.masked.positions.forEach((position, k) => {
        const known = event.blockStart || position < e;
        expect(event.masked.tokenIds[k]! >= 0).toBe(known);
        expect(Number.isNaN(event.masked.confidences[k]!)).toBe(!known);
      });
    });
  });

  it("rejects an unknown cache mode, and a cache mode without a cache graph", async () => {
    const engine = fakeEngine(mixing);
    await expect(generate(engine, "ab", { cache: "full" as CacheMode })).rejects.toThrow(/cache: must be one of none, prefix, dual, got full/);
    const { kvModel: _, ...withoutCache } = engine;
    const error = await generate(withoutCache, "ab", { cache: "dual" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toMatch(/onnx\/model_kv\.onnx/);
  });
});
