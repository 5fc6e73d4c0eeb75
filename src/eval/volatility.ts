/**
 * The paper's statistical view of the volatility band: top-1 confidence against relative
 * position, snapshotted when 0 / 25 / 50 / 75 % of the canvas is decoded, averaged over
 * problems. Pure: step events in, curves out; the worker feeds it runs, the page draws it.
 *
 * Definitions (one place, so the worker, the chart and the tests agree):
 * - A pass's row: per generated position, the confidence the page's heat row shows for that
 *   pass (src/web/run-state.ts): a position decoded by an earlier pass keeps the confidence it
 *   was committed with (the decoded plateau), one committed by this pass and one still masked
 *   take this pass's top-1 confidence; NaN where the pass computed no prediction (band off,
 *   or a dual-cache pass past its block), which the averages skip.
 * - Decoded fraction of a pass: positions committed *before* it, over L; its confidences were
 *   computed on that canvas. The snapshot "at p % decoded" is the first pass whose decoded
 *   fraction is at least p %; a run that ends (EOS) before reaching p % adds nothing to that
 *   curve, and each curve says how many problems it averages.
 * - Relative position: generated index / L in [0, 1), split into equal bins; a bin's value is
 *   the mean over every (problem, position) in it.
 */
import type { StepEvent } from "../decoding/types.ts";

/** The paper's snapshots, as whole percentages so the comparison with a count is exact. */
export const DECODED_PERCENTS: readonly number[] = [0, 25, 50, 75];
export const DEFAULT_BINS = 32;

/** Follows one run pass by pass and gives each pass's row (see the file comment). */
export class PassRows {
  /** Commit confidence per generated position, NaN while masked. */
  private readonly committed: Float32Array;
  private decoded = 0;

  constructor(
    readonly promptLength: number,
    readonly genLength: number,
  ) {
    this.committed = new Float32Array(genLength).fill(Number.NaN);
  }

  /** The row of `event` and how many positions were decoded before it. Events must come in order. */
  observe(event: StepEvent): { decodedBefore: number; row: Float32Array } {
    const decodedBefore = this.decoded;
    const row = Float32Array.from(this.committed);
    const offset = this.promptLength;
    event.committed.positions.forEach((position, k) => {
      const confidence = event.committed.confidences[k]!;
      row[position - offset] = confidence;
      this.committed[position - offset] = confidence;
    });
    event.masked.positions.forEach((position, k) => {
      row[position - offset] = event.masked.confidences[k]!;
    });
    this.decoded += event.committed.positions.length;
    return { decodedBefore, row };
  }
}

/** The bin of generated index `index` among `bins` equal bins over [0, genLength). */
export function binOf(index: number, genLength: number, bins: number): number {
  return Math.floor((index * bins) / genLength);
}

/** Bins for a run of length L: at most `requested`, never more than L (a bin would stay empty). */
export function binCount(genLength: number, requested = DEFAULT_BINS): number {
  return Math.max(1, Math.min(requested, genLength));
}

export interface BandCurve {
  /** Decoded percentage of the snapshot. */
  percent: number;
  /** Problems whose run reached this snapshot. */
  problems: number;
  /** Mean confidence per bin; null where no value fell in the bin. */
  means: (number | null)[];
  /** Values averaged per bin. */
  counts: number[];
}

export interface BandProfile {
  bins: number;
  /** Bin centres as relative positions in (0, 1). */
  positions: number[];
  curves: BandCurve[];
  /** Problems whose run finished (an aborted run is left out). */
  problems: number;
  requested: number;
  stopped: boolean;
}

interface Accumulator {
  percent: number;
  problems: number;
  sums: Float64Array;
  counts: Int32Array;
}

/**
 * Averages snapshot rows over runs that may have different L (each is binned by relative
 * position). Use `run()` per problem, `observe()` its events in order, `finish()` it when it
 * ended normally (an aborted run's snapshots are dropped).
 */
export class BandAverager {
  private readonly accumulators: Accumulator[];
  private problems = 0;

  constructor(
    readonly bins: number,
    readonly percents: readonly number[] = DECODED_PERCENTS,
  ) {
    if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins: must be an integer >= 1, got ${bins}`);
    this.accumulators = percents.map((percent) => ({ percent, problems: 0, sums: new Float64Array(bins), counts: new Int32Array(bins) }));
  }

  /** Starts one problem's run; returns its observer. */
  run(promptLength: number, genLength: number): BandRun {
    return new BandRun(this, new PassRows(promptLength, genLength), this.percents);
  }

  /** @internal BandRun hands its snapshots over when its run finished. */
  add(genLength: number, snapshots: ReadonlyMap<number, Float32Array>): void {
    this.problems++;
    for (const accumulator of this.accumulators) {
      const row = snapshots.get(accumulator.percent);
      if (!row) continue;
      accumulator.problems++;
      row.forEach((value, i) => {
        if (Number.isNaN(value)) return;
        const bin = binOf(i, genLength, this.bins);
        accumulator.sums[bin]! += value;
        accumulator.counts[bin]!++;
      });
    }
  }

  profile(requested: number, stopped: boolean): BandProfile {
    return {
      bins: this.bins,
      positions: Array.from({ length: this.bins }, (_, b) => (b + 0.5) / this.bins),
      curves: this.accumulators.map((a) => ({
        percent: a.percent,
        problems: a.problems,
        means: Array.from(a.sums, (sum, b) => (a.counts[b]! > 0 ? sum / a.counts[b]! : null)),
        counts: Array.from(a.counts),
      })),
      problems: this.problems,
      requested,
      stopped,
    };
  }
}

/** One problem's run: keeps the row of the first pass at or past each decoded percentage. */
export class BandRun {
  private readonly snapshots = new Map<number, Float32Array>();

  constructor(
    private readonly averager: BandAverager,
    private readonly rows: PassRows,
    private readonly percents: readonly number[],
  ) {}

  observe(event: StepEvent): void {
    const { decodedBefore, row } = this.rows.observe(event);
    for (const percent of this.percents) {
      // decodedBefore / L >= percent / 100, in integers.
      if (!this.snapshots.has(percent) && decodedBefore * 100 >= percent * this.rows.genLength) this.snapshots.set(percent, row);
    }
  }

  finish(): void {
    this.averager.add(this.rows.genLength, this.snapshots);
  }
}

/** How a position stands in one pass: decoded by an earlier pass, committed by this one, or still masked. */
export type BandKind = "decoded" | "committed" | "masked";

/** The data of the per-pass band chart: what the page draws for pass `pass` of a run. */
export interface PassBand {
  pass: number;
  genLength: number;
  /** Per generated position, the pass's row (see the file comment); null where the pass computed nothing. */
  confidences: (number | null)[];
  kinds: BandKind[];
  /** The pass's block, as generated indices [start, end). */
  block: [number, number];
  /** AdaBlock's look-ahead window at the opening of this block, as generated indices; null for other decoders. */
  window: [number, number] | null;
  /** tau_D of that decision (null without one; Infinity for fixed blocks). */
  delimiterThreshold: number | null;
}

/** The band of pass `pass` (0-based) of a run's steps. */
export function passBand(steps: readonly StepEvent[], pass: number, promptLength: number, genLength: number): PassBand {
  const event = steps[pass];
  if (!event) throw new RangeError(`pass ${pass} is not in a run of ${steps.length} passes`);
  const rows = new PassRows(promptLength, genLength);
  const kinds: BandKind[] = new Array<BandKind>(genLength).fill("masked");
  let row: Float32Array = new Float32Array(genLength);
  let decision = null as StepEvent["decision"] | null;
  for (let k = 0; k <= pass; k++) {
    const step = steps[k]!;
    row = rows.observe(step).row;
    if (step.blockStart) decision = step.decision ?? null;
    for (const position of step.committed.positions) kinds[position - promptLength] = k === pass ? "committed" : "decoded";
  }
  const local = ([start, end]: readonly [number, number]): [number, number] => [start - promptLength, end - promptLength];
  return {
    pass,
    genLength,
    confidences: Array.from(row, (value) => (Number.isNaN(value) ? null : value)),
    kinds,
    block: local(event.block),
    window: decision ? local(decision.window) : null,
    delimiterThreshold: decision ? decision.delimiterThreshold : null,
  };
}
