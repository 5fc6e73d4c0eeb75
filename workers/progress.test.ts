/** The smoothed rate, the time left, the throttle's pass-through of notes, and the one-line description. */
import { describe, expect, it } from "vitest";
import { describeProgress, RateMeter, throttleProgress, type DownloadProgress } from "./progress.ts";

describe("download progress", () => {
  it("smooths the rate: a stall pulls it down gradually, and the time left follows", () => {
    let ms = 0;
    const meter = new RateMeter(() => ms);
    meter.sample(0);
    for (let second = 1; second <= 10; second++) {
      ms = second * 1000;
      meter.sample(second * 1_000_000);
    }
    expect(meter.rate).toBeCloseTo(1_000_000, 0);
    expect(meter.etaSeconds(10_000_000, 30_000_000)).toBeCloseTo(20, 5);
    ms += 1000;
    meter.sample(10_000_000); // a second with no bytes
    expect(meter.rate).toBeGreaterThan(600_000);
    expect(meter.rate).toBeLessThan(1_000_000);
    expect(meter.etaSeconds(30_000_000, 30_000_000)).toBe(0);
    expect(meter.etaSeconds(1, undefined)).toBeUndefined();
    expect(new RateMeter(() => 0).etaSeconds(1, 10)).toBeUndefined();
  });

  it("thins progress but always passes a file's first and last report and every note", () => {
    const seen: DownloadProgress[] = [];
    const report = throttleProgress((p: DownloadProgress) => seen.push(p), 1e9);
    const p = (loaded: number, note?: string): DownloadProgress => ({ file: "a", loaded, total: 10, fromCache: false, ...(note ? { note } : {}) });
    for (const progress of [p(1), p(2), p(3, "resuming"), p(4), p(10)]) report(progress);
    expect(seen.map((progress) => progress.loaded)).toEqual([1, 3, 10]);
  });

  it("describes a download in one line", () => {
    expect(describeProgress({ file: "onnx/model.onnx.data", loaded: 512e6, total: 1.4e9, fromCache: false, rate: 8.1e6, etaSeconds: 171 })).toBe(
      "onnx/model.onnx.data: 512.0 MB of 1.40 GB, 8.1 MB/s, 2 min 51 s left",
    );
    expect(describeProgress({ file: "config.json", loaded: 700, total: 700, fromCache: true, etaSeconds: 0 })).toBe("config.json: 1 kB of 1 kB, from cache");
  });
});
