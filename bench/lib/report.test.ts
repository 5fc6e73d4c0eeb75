import { describe, expect, it } from "vitest";
import { fakeModel } from "../../src/decoding/testing.ts";
import type { EngineTiming } from "./engine-timing.ts";
import { benchCanvas, measureForward, median, timingOf } from "./forward-latency.ts";
import { benchMarkdown, engineRatios, forwardRatios, type BenchJson } from "./report.ts";

const timing = (sequenceLength: number, medianMs: number) => ({ sequenceLength, runs: 3, medianMs, meanMs: medianMs, minMs: medianMs });
const base = { threads: 1, crossOriginIsolated: null, software: false, adapter: "" };

function engineTiming(setting: EngineTiming["setting"], genLength: number, generateMs: number, tokens: number): EngineTiming {
  return { setting, genLength, blockSize: 16, generations: 3, nfe: 30, tokens, generateMs, modelMs: generateMs / 1.1, overhead: 0.1, tokensPerSecond: (1000 * tokens) / generateMs, msPerToken: generateMs / tokens, msPerPass: generateMs / 30 };
}

describe("bench report", () => {
  it("divides each runtime's median by onnxruntime-node's at the same length", () => {
    const rows = forwardRatios([
      { runtime: "node-native", ...base, threads: null, ...timing(64, 10) },
      { runtime: "node-native", ...base, threads: null, ...timing(128, 20) },
      { runtime: "chromium-wasm-1t", ...base, ...timing(64, 50) },
      { runtime: "chromium-wasm-1t", ...base, ...timing(256, 90) },
    ]);
    expect(rows.map((r) => r.overNodeNative)).toEqual([1, 1, 5, null]);
  });

  it("gives engine / raw and time per token against the shortest generation length", () => {
    const rows = engineRatios([engineTiming("vanilla", 64, 1000, 100), engineTiming("vanilla", 128, 3000, 100), engineTiming("adablock", 128, 500, 100)]);
    expect(rows[0]!.engineOverRaw).toBeCloseTo(1.1);
    expect(rows.map((r) => r.msPerTokenVsShortest)).toEqual([1, 3, 1]);
  });

  it("prints forward and engine tables, marks software WebGPU and lists what was skipped", () => {
    const report: BenchJson = {
      date: "2026-01-01T00:00:00.000Z",
      machine: { cpu: "x", cores: 2, memoryGiB: 24, os: "linux", node: "v20", onnxruntimeNode: "1", onnxruntimeWeb: "1", loadAverage: 0, chromium: "1" },
      model: { path: "m", trainingSteps: 0, parameters: "" },
      sequenceLengths: [64],
      forward: forwardRatios([
        { runtime: "node-native", ...base, threads: null, ...timing(64, 10) },
        { runtime: "chromium-webgpu", ...base, threads: null, software: true, adapter: "google swiftshader", ...timing(64, 1000) },
      ]),
      engine: engineRatios([engineTiming("threshold", 64, 1000, 100)]),
      skipped: [{ what: "chromium-wasm-mt", reason: "no SharedArrayBuffer" }],
      ms: 1,
    };
    const text = benchMarkdown(report);
    expect(text).toContain("| node onnxruntime-node (default threads) | 10.0 (1.0x) |");
    expect(text).toContain("chromium WebGPU (google swiftshader, SOFTWARE) | 1000.0 (100.0x)");
    expect(text).toContain("| threshold | 64 | 30 | 100 | 100.0 | 1.100 |");
    expect(text).toContain("- skipped chromium-wasm-mt: no SharedArrayBuffer");
  });
});

describe("forward latency", () => {
  it("takes medians and times every pass after the warm-up", async () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(timingOf(64, [2, 4, 9])).toEqual({ sequenceLength: 64, runs: 3, medianMs: 4, meanMs: 5, minMs: 2 });
    const model = fakeModel(4, () => [0, 0, 0, 0]);
    let clock = 0;
    const timings = await measureForward(model, 2, { sequenceLengths: [8, 16], warmup: 2, runs: 3 }, () => (clock += 5));
    expect(model.passes).toBe(10);
    expect(timings.map((t) => [t.sequenceLength, t.runs, t.medianMs])).toEqual([[8, 3, 5], [16, 3, 5]]);
    expect(Array.from(benchCanvas(20, 2).slice(14, 18))).toEqual([17, 18, 2, 2]);
  });
});
