import { describe, expect, it } from "vitest";
import { generate } from "../decoding/engine.ts";
import { EOS, FAKE_PIECES, NEWLINE, fakeEngine, row } from "../decoding/testing.ts";
import type { StepEvent } from "../decoding/types.ts";
import { applyStep, createRunState } from "../web/run-state.ts";
import { BandAverager, binCount, binOf, passBand, PassRows } from "./volatility.ts";

/** A step event from canvas positions: committed [position, confidence] and masked [position, confidence]. */
function step(index: number, committed: [number, number][], masked: [number, number][]): StepEvent {
  return {
    step: index,
    nfe: index + 1,
    block: [0, 0],
    blockStart: false,
    committed: {
      positions: Int32Array.from(committed, ([p]) => p),
      tokenIds: Int32Array.from(committed, () => 6),
      confidences: Float32Array.from(committed, ([, c]) => c),
      texts: committed.map(() => "a"),
    },
    masked: {
      positions: Int32Array.from(masked, ([p]) => p),
      tokenIds: Int32Array.from(masked, ([, c]) => (Number.isNaN(c) ? -1 : 6)),
      confidences: Float32Array.from(masked, ([, c]) => c),
    },
  };
}

const f32 = (x: number): number => Math.fround(x);

describe("relative-position bins", () => {
  it("splits [0, L) into equal bins and never makes more bins than positions", () => {
    expect([0, 1, 2, 3].map((i) => binOf(i, 4, 2))).toEqual([0, 0, 1, 1]);
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => binOf(i, 7, 3))).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect(Array.from({ length: 512 }, (_, i) => binOf(i, 512, 32)).filter((b) => b === 31)).toHaveLength(16);
    expect(binCount(8)).toBe(8);
    expect(binCount(512)).toBe(32);
    expect(binCount(512, 64)).toBe(64);
  });
});

describe("pass rows", () => {
  it("keep commit confidences of earlier passes and take this pass's for the rest", () => {
    const rows = new PassRows(2, 3);
    const first = rows.observe(step(0, [[3, 0.9]], [[2, 0.2], [4, 0.4]]));
    expect(first.decodedBefore).toBe(0);
    expect(Array.from(first.row)).toEqual([f32(0.2), f32(0.9), f32(0.4)]);
    const second = rows.observe(step(1, [[2, 0.7]], [[4, Number.NaN]]));
    expect(second.decodedBefore).toBe(1);
    expect(Array.from(second.row.subarray(0, 2))).toEqual([f32(0.7), f32(0.9)]);
    expect(second.row[2]).toBeNaN();
    // The first row is a snapshot: later passes do not change it.
    expect(first.row[0]).toBe(f32(0.2));
  });

  it("equal the page's heat rows (run-state) for a real engine run", async () => {
    const engine = fakeEngine((_, p, pass) => row(FAKE_PIECES.length, { [p % 5 === 0 ? NEWLINE : 6 + (p % 4)]: 1 + ((p + pass) % 3), [EOS]: 0.5 }));
    const events: StepEvent[] = [];
    const result = await generate(engine, "ab", { decoder: "adablock", genLength: 12, blockSize: 4, delimiterThreshold: 0.3 }, { onStep: (e) => events.push(e) });
    expect(events.length).toBeGreaterThan(2);
    const rows = new PassRows(result.promptLength, 12);
    const state = createRunState(result.promptLength, 12);
    for (const event of events) {
      const { row: mine } = rows.observe(event);
      applyStep(state, event);
      expect(Array.from(mine)).toEqual(Array.from(state.heatRows.at(-1)!.confidences));
    }
  });
});

describe("band averager", () => {
  /**
   * By hand. Problem A: prompt 2, L = 4 (bins 0,0,1,1). Problem B: prompt 1, L = 2 (bins 0,1).
   *   A pass 0 (0 decoded):   [0.2, 0.9*, 0.4, 0.1]      -> the 0 % snapshot
   *   A pass 1 (1/4 decoded): [0.8*, 0.9, 0.5, 0.3]      -> 25 %
   *   A pass 2 (2/4 decoded): [0.8, 0.9, 0.95*, 0.6*]    -> 50 %; never 75 % (done)
   *   B pass 0 (0 decoded):   [0.7*, NaN]                -> 0 % (NaN: no prediction, skipped)
   *   B pass 1 (1/2 decoded): [0.7, 0.5*]                -> 25 % and 50 % (first pass at or past each)
   * 0 %:  bin 0 = (0.2 + 0.9 + 0.7) / 3 = 0.6,  bin 1 = (0.4 + 0.1) / 2 = 0.25
   * 25 %: bin 0 = (0.8 + 0.9 + 0.7) / 3 = 0.8,  bin 1 = (0.5 + 0.3 + 0.5) / 3 = 0.4333
   * 50 %: bin 0 = (0.8 + 0.9 + 0.7) / 3 = 0.8,  bin 1 = (0.95 + 0.6 + 0.5) / 3 = 0.6833
   */
  it("averages the first pass at or past 0/25/50/75 % decoded, binned by relative position", () => {
    const averager = new BandAverager(2);
    const a = averager.run(2, 4);
    a.observe(step(0, [[3, 0.9]], [[2, 0.2], [4, 0.4], [5, 0.1]]));
    a.observe(step(1, [[2, 0.8]], [[4, 0.5], [5, 0.3]]));
    a.observe(step(2, [[4, 0.95], [5, 0.6]], []));
    a.finish();
    const b = averager.run(1, 2);
    b.observe(step(0, [[1, 0.7]], [[2, Number.NaN]]));
    b.observe(step(1, [[2, 0.5]], []));
    b.finish();

    const profile = averager.profile(2, false);
    expect(profile.positions).toEqual([0.25, 0.75]);
    expect(profile.problems).toBe(2);
    const [p0, p25, p50, p75] = profile.curves;
    expect(profile.curves.map((c) => c.percent)).toEqual([0, 25, 50, 75]);
    expect(p0!.problems).toBe(2);
    expect(p0!.counts).toEqual([3, 2]);
    expect(p0!.means[0]).toBeCloseTo(0.6, 6);
    expect(p0!.means[1]).toBeCloseTo(0.25, 6);
    expect(p25!.counts).toEqual([3, 3]);
    expect(p25!.means[0]).toBeCloseTo(0.8, 6);
    expect(p25!.means[1]).toBeCloseTo(1.3 / 3, 6);
    expect(p50!.means[0]).toBeCloseTo(0.8, 6);
    expect(p50!.means[1]).toBeCloseTo(2.05 / 3, 6);
    expect(p75).toEqual({ percent: 75, problems: 0, means: [null, null], counts: [0, 0] });
  });

  it("leaves out a run that was not finished (aborted)", () => {
    const averager = new BandAverager(1);
    const done = averager.run(0, 2);
    done.observe(step(0, [[0, 0.9]], [[1, 0.3]]));
    done.observe(step(1, [[1, 0.8]], []));
    done.finish();
    const aborted = averager.run(0, 2);
    aborted.observe(step(0, [[1, 0.1]], [[0, 0.1]]));
    const profile = averager.profile(2, true);
    expect(profile.problems).toBe(1);
    expect(profile.stopped).toBe(true);
    expect(profile.curves[0]!.means[0]).toBeCloseTo(0.6, 6);
  });

  it("snapshots a pass that jumps past several percentages once for each", () => {
    const averager = new BandAverager(1);
    const run = averager.run(0, 4);
    run.observe(step(0, [[0, 1], [1, 1], [2, 1]], [[3, 0.2]]));
    run.observe(step(1, [[3, 0.5]], []));
    run.finish();
    const [p0, p25, p50, p75] = averager.profile(1, false).curves;
    expect(p0!.means[0]).toBeCloseTo((1 + 1 + 1 + 0.2) / 4, 6);
    // Pass 1 saw 3 of 4 decoded: it is the first pass at or past 25, 50 and 75 %.
    for (const curve of [p25, p50, p75]) expect(curve!.means[0]).toBeCloseTo((1 + 1 + 1 + 0.5) / 4, 6);
  });

  it("refuses a bin count that is not a positive integer", () => {
    expect(() => new BandAverager(0)).toThrow(RangeError);
    expect(() => new BandAverager(2.5)).toThrow(/bins/);
  });
});

describe("pass band (the per-pass chart's data)", () => {
  it("is the pass's heat row, with kinds, the block and AdaBlock's window of that block", async () => {
    const engine = fakeEngine((_, p, pass) => row(FAKE_PIECES.length, { [p % 5 === 0 ? NEWLINE : 6 + (p % 4)]: 1 + ((p + pass) % 3), [EOS]: 0.5 }));
    const events: StepEvent[] = [];
    const options = { decoder: "adablock", genLength: 12, blockSize: 4, delimiterThreshold: 0.3 } as const;
    const result = await generate(engine, "ab", options, { onStep: (e) => events.push(e) });
    const state = createRunState(result.promptLength, 12);
    for (const [k, event] of events.entries()) {
      applyStep(state, event);
      const band = passBand(events, k, result.promptLength, 12);
      const heat = state.heatRows[k]!;
      expect(band.pass).toBe(k);
      expect(band.confidences).toEqual(Array.from(heat.confidences, (c) => (Number.isNaN(c) ? null : c)));
      expect(band.kinds).toEqual(Array.from(heat.kinds, (kind) => ["masked", "committed", "decoded"][kind]));
      expect(band.block).toEqual(heat.block);
      const decision = state.decisions.at(-1)!.decision;
      expect(band.window).toEqual([decision.window[0] - result.promptLength, decision.window[1] - result.promptLength]);
      expect(band.delimiterThreshold).toBe(0.3);
    }
    expect(() => passBand(events, events.length, result.promptLength, 12)).toThrow(RangeError);
  });

  it("has no window for decoders without AdaBlock's decision", () => {
    const band = passBand([step(0, [[2, 0.9]], [[3, 0.4]])], 0, 2, 2);
    expect(band.window).toBeNull();
    expect(band.delimiterThreshold).toBeNull();
    expect(band.kinds).toEqual(["committed", "masked"]);
  });
});
