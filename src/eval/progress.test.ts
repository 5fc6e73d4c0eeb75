import { describe, expect, it } from "vitest";
import { etaMs, formatDuration, progressLine } from "./progress.ts";

describe("progress line", () => {
  it("formats durations", () => {
    expect(formatDuration(4_400)).toBe("4s");
    expect(formatDuration(75_000)).toBe("1m15s");
    expect(formatDuration(3_725_000)).toBe("1h02m");
    expect(formatDuration(Number.NaN)).toBe("?");
  });

  it("estimates the rest from the average so far", () => {
    expect(etaMs(10, 40, 5_000)).toBe(15_000);
    expect(etaMs(0, 40, 5_000)).toBeNaN();
    expect(progressLine(12, 24, 60_000, 10)).toBe("[#####-----] 12/24  50%  elapsed 1m00s  ETA 1m00s");
    expect(progressLine(0, 24, 0, 4)).toBe("[----] 0/24   0%  elapsed 0s  ETA ?");
  });
});
