import { describe, expect, it } from "vitest";
import { fakeModel } from "../../src/decoding/testing.ts";
import type { EngineTiming } from "./engine-timing.ts";
import { benchCanvas, measureForward, median, rowsFor, shuffled, timingOf, timingsOf, type VariantName } from "./forward-latency.ts";
import { benchMarkdown, rateRows, replicaRow, replicaTable, summarize, type BenchJson, type ForwardRow, type ForwardRuntime } from "./report.ts";

function row(runtime: ForwardRuntime, variant: VariantName, sequenceLength: number, medianMs: number, extra: Partial<ForwardRow> = {}): ForwardRow {
  const rows = rowsFor(variant, sequenceLength);
  const count = rows.to - rows.from;
  return {
    runtime,
    threads: 1,
    crossOriginIsolated: null,
    software: false,
    adapter: "",
    referenceMs: null,
    ...timingOf(variant, sequenceLength, count, [medianMs], runtime.startsWith("node") ? [medianMs] : null, variant === "fp32-full" ? count * 4001 * 4 : count * 16),
    ...extra,
  };
}

function engine(vocabSize: number, setting: EngineTiming["setting"], generateMs: number, modelMs: number): EngineTiming {
  return {
    vocabSize,
    graph: `graph ${vocabSize}`,
    setting,
    genLength: 64,
    blockSize: 16,
    generations: 3,
    nfe: 30,
    tokens: 60,
    generateMs,
    modelMs,
    engineShare: (generateMs - modelMs) / generateMs,
    tokensPerSecond: 60_000 / generateMs,
    msPerPass: generateMs / 30,
    outsideMsPerPass: (generateMs - modelMs) / 30,
  };
}

const forward = rateRows([
  row("node-native-1t", "fp32-full", 64, 10),
  row("node-native-1t", "int8-rows", 64, 4),
  row("node-native-1t", "fp32-full", 128, 20),
  row("chromium-wasm-1t", "int8-rows", 64, 15),
  row("chromium-wasm-1t", "int8-rows", 128, 50),
  // Paired with its own native passes: divided by them, not by the run's native row.
  row("chromium-wasm-1t", "int8-rows", 256, 90, { referenceMs: 60 }),
  row("chromium-webgpu", "fp32-rows", 64, 2000, { threads: null, software: true, adapter: "google swiftshader" }),
]);
const engineRows = [
  engine(4001, "vanilla", 1000, 980),
  engine(4001, "adablock", 1000, 960),
  engine(151936, "threshold", 2000, 1800),
  { ...engine(151936, "vanilla", 900, 870), graph: "replica MDLM onnx/model_fp16_fused.onnx (top rows: reduction-graph)" },
];

const V = 151_936;
const replicaForward = [
  replicaRow("node-native-1t", 1, timingOf("mdlm-fp16-top", 64, 32, [300, 310, 320], [200, 210, 220], 32 * 16)),
  replicaRow("node-native-1t", 1, timingOf("mdlm-fp16-top", 128, 32, [600], [400], 32 * 16)),
  // A sampling pass: the graph has no row_range, so all 64 rows come back.
  replicaRow("node-native-1t", 1, timingOf("mdlm-fp16-logits", 64, 32, [250], [150], 64 * V * 4)),
  replicaRow("chromium-wasm-1t", 1, timingOf("bd3lm-q4f16-top", 64, 32, [900], null, 32 * 16)),
];
const replicaSkipped = [{ what: "replica chromium-wasm-1t mdlm-fp16-top", reason: "Could not find an implementation for SimplifiedLayerNormalization" }];

describe("bench report", () => {
  it("asks full passes for every row and block passes for 32 rows from the middle, clipped", () => {
    expect(rowsFor("fp32-full", 64)).toEqual({ from: 0, to: 64, output: "logits" });
    expect(rowsFor("int8-rows", 256)).toEqual({ from: 128, to: 160, output: "top" });
    expect(rowsFor("fp32-rows", 40)).toEqual({ from: 20, to: 40, output: "top" });
  });

  it("divides each row's median by node fp32 full at one thread at the same length (its paired passes where it has them), and bytes by rows", () => {
    expect(forward.map((r) => r.overNative1tFull)).toEqual([1, 0.4, 1, 1.5, 2.5, 1.5, 200]);
    expect(forward[0]!.bytesPerRow).toBe(4001 * 4);
    expect(forward[1]!.bytesPerRow).toBe(16);
  });

  it("summarizes the page's default against native, the engine's largest share per vocabulary, and bytes per row", () => {
    const summary = summarize(forward, engineRows, [64, 128, 256]);
    expect(summary.wasmOverNative1t).toEqual({ "64": 1.5, "128": 2.5, "256": 1.5 });
    expect(summary.met.wasmOverNative1t).toEqual({ "64": true, "128": false, "256": true });
    expect(summarize(forward, engineRows, [64, 512]).wasmOverNative1t).toEqual({ "64": 1.5, "512": null });
    expect(summary.engineShare["4001"]).toBeCloseTo(0.04);
    expect(summary.engineShare["151936"]).toBeCloseTo(0.1);
    expect(summary.met.engineShare).toEqual({ "4001": false, "151936": false });
    expect(summary.outsideMsPerPass["4001"]).toBeCloseTo(40 / 30);
    expect(summary.outsideMsPerPass["151936"]).toBeCloseTo(200 / 30);
    expect(summary.bytesReadPerRow).toBe(16);
    expect(summary.met.bytesReadPerRow).toBe(true);
    expect(summarize(forward, [], [64]).engineShare).toEqual({ "4001": null, "151936": null });
  });

  it("renders the summary, the forward table with ratios side by side, the engine table, notes and what was skipped", () => {
    const report: BenchJson = {
      date: "2026-01-01T00:00:00.000Z",
      machine: { cpu: "x", cores: 2, memoryGiB: 24, os: "linux", node: "v20", onnxruntimeNode: "1", onnxruntimeWeb: "1", loadAverage: 0, loadAverageEnd: 0, chromium: "1" },
      model: { path: "m", trainingSteps: 0, parameters: "" },
      sequenceLengths: [64, 128, 256],
      forward,
      replicaForward,
      engine: engineRows,
      summary: summarize(forward, engineRows, [64, 128, 256]),
      notes: ["Chromium rows are wall time only"],
      skipped: [{ what: "chromium-wasm-mt", reason: "no SharedArrayBuffer" }, ...replicaSkipped],
      ms: 1,
    };
    const text = benchMarkdown(report);
    expect(text).toContain("| Chromium WASM 1 thread int8-rows / node fp32 1 thread full logits, T = 64 | 1.50x | <= 2.0x | met |");
    expect(text).toContain("| Chromium WASM 1 thread int8-rows / node fp32 1 thread full logits, T = 128 | 2.50x | <= 2.0x | NOT met |");
    expect(text).toContain("| engine share of generate(), vocab 151,936");
    expect(text).toContain("| 10.00 % | <= 5.00 % | NOT met |");
    expect(text).toContain("| node onnxruntime-node (1 thread) | fp32-full | 10.00 (1.00x) | 20.00 (1.00x) | – | 10.0 / 20.0 / – | 16004 | this run's row |");
    expect(text).toContain("| chromium WASM (1 thread) | int8-rows | 15.00 (1.50x) | 50.00 (2.50x) | 90.00 (1.50x) | wall only | 16 | – / – / 60.00 |");
    expect(text).toContain("chromium WebGPU (google swiftshader, SOFTWARE) | fp32-rows | 2000.00 (200.00x)");
    expect(text).toContain("| graph 4001 | 4001 | adablock | 64 | 30 | 1000 | 960 | 4.00 % |");
    expect(text).toContain("- Chromium rows are wall time only");
    expect(text).toContain("| engine ms per pass outside the forward, vocab 151,936");
    expect(text).toContain("| 2000 | 1800 | 10.00 % | 66.67 | 6.67 | 30.0 |");
    expect(text).toContain("| node onnxruntime-node (1 thread) | replica-mdlm | fp16 | top | 310.0 | 600.0 | 210.0 / 400.0 | 512 / 512 | 1.00 |");
    expect(text).toContain("- skipped chromium-wasm-mt: no SharedArrayBuffer");
  });
});

describe("replica rows", () => {
  it("name the folder, dtype and output of each variant, count bytes per pass and per row, and ask a 32-row block", () => {
    expect(rowsFor("mdlm-fp16-logits", 64)).toEqual({ from: 32, to: 64, output: "logits" });
    expect(rowsFor("bd3lm-q4f16-top", 128)).toEqual({ from: 64, to: 96, output: "top" });
    const [top, , logits, page] = replicaForward;
    expect([top!.model, top!.dtype, top!.output, top!.medianMs, top!.cpuMs, top!.bytesPerRow]).toEqual(["replica-mdlm", "fp16", "top", 310, 210, 16]);
    expect([logits!.output, logits!.bytesRead, logits!.bytesPerRow]).toEqual(["logits", 64 * V * 4, 2 * V * 4]);
    expect([page!.model, page!.cpuMs]).toEqual(["replica-bd3lm", null]);
    expect(() => replicaRow("node-wasm", 1, timingOf("int8-rows", 64, 32, [1], null, 16))).toThrow(/not a replica variant/);
  });

  it("render one line per runtime and variant, the MDLM graph's time outside the forward beside it, and what could not run", () => {
    const text = replicaTable({ replicaForward, engine: engineRows, skipped: replicaSkipped });
    expect(text).toContain("| T = 64: median ms | T = 128: median ms | CPU ms per pass | bytes read per pass |");
    expect(text).toContain("| node onnxruntime-node (1 thread) | replica-mdlm | fp16 | top | 310.0 | 600.0 | 210.0 / 400.0 | 512 / 512 | 1.00 |");
    expect(text).toContain(`| node onnxruntime-node (1 thread) | replica-mdlm | fp16 | logits | 250.0 | – | 150.0 / – | ${64 * V * 4} / – | 1.00 |`);
    expect(text).toContain("| chromium WASM (1 thread) | replica-bd3lm | q4f16 | top | 900.0 | – | wall only | 512 / – | – |");
    expect(text).toContain("| chromium-wasm-1t mdlm-fp16-top | skipped | Could not find an implementation for SimplifiedLayerNormalization |");
    expect(replicaTable({ replicaForward: [], engine: [], skipped: [] })).toBe("");
  });
});

describe("forward latency", () => {
  it("takes medians and shuffles without losing items", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(timingOf("fp32-full", 64, 64, [2, 4, 9], null, 8)).toEqual({ variant: "fp32-full", sequenceLength: 64, rows: 64, runs: 3, medianMs: 4, meanMs: 5, minMs: 2, cpuMs: null, bytesRead: 8 });
    expect(shuffled([1, 2, 3, 4], () => 0).sort()).toEqual([1, 2, 3, 4]);
    expect(Array.from(benchCanvas(20, 2).slice(14, 18))).toEqual([17, 18, 2, 2]);
    const sample = (key: string, ms: number) => ({ key, variant: "int8-rows" as const, ms, cpuMs: null, bytesRead: 16 * 32 });
    expect(timingsOf([sample("b", 3), sample("a", 1), sample("b", 5), sample("b", 4)], 64).map((t) => [t.key, t.runs, t.medianMs, t.rows, t.cpuMs])).toEqual([
      ["b", 3, 4, 32, null],
      ["a", 1, 1, 32, null],
    ]);
  });

  it("times every variant once a round after the warm-up rounds, in shuffled order, with CPU time when the clock has it", async () => {
    const order: VariantName[] = [];
    const variant = (name: VariantName) => {
      const model = fakeModel(4, () => [0, 0, 0, 0]);
      const forward = model.forward.bind(model);
      const logged = (ids: Int32Array, rows: Parameters<typeof forward>[1]) => {
        order.push(name);
        return forward(ids, rows);
      };
      return { name, model: Object.assign(model, { forward: logged }) };
    };
    const variants = [variant("fp32-full"), variant("fp32-rows"), variant("int8-rows")];
    let clock = 0;
    let cpu = 0;
    const timings = await measureForward(variants, 2, { sequenceLengths: [8, 64], warmup: 2, runs: 4, seed: 1 }, { now: () => (clock += 5), cpu: () => (cpu += 3) });
    expect(variants.map((v) => v.model.passes)).toEqual([12, 12, 12]);
    expect(timings.map((t) => [t.variant, t.sequenceLength, t.rows, t.runs, t.medianMs, t.cpuMs])).toEqual([
      ["fp32-full", 8, 8, 4, 5, 3],
      ["fp32-rows", 8, 4, 4, 5, 3],
      ["int8-rows", 8, 4, 4, 5, 3],
      ["fp32-full", 64, 64, 4, 5, 3],
      ["fp32-rows", 64, 32, 4, 5, 3],
      ["int8-rows", 64, 32, 4, 5, 3],
    ]);
    // Timed rounds are shuffled: not every round in the declared order.
    const rounds = Array.from({ length: 4 }, (_, i) => order.slice(6 + i * 3, 9 + i * 3).join(","));
    expect(new Set(rounds).size).toBeGreaterThan(1);
    expect(timings[0]!.bytesRead).toBeNull();
  });
});
