/** The benchmark's steps in order; each failure that is the machine's (no Chromium, no adapter) is recorded, not thrown. */
import type { EngineModel } from "../../src/decoding/engine.ts";
import type { OnnxModel } from "../../src/model/onnx-model.ts";
import { buildBenchPage, chromiumVersion, runInChromium, serveBenchPage, type BrowserRun } from "./browser-bench.ts";
import { measureEngine } from "./engine-timing.ts";
import { measureForward, type ForwardPlan } from "./forward-latency.ts";
import { machineInfo, modelInfo } from "./machine.ts";
import { openInNode } from "./node-runtimes.ts";
import { engineRatios, forwardRatios, type BenchJson, type ForwardRow } from "./report.ts";

export const SEQUENCE_LENGTHS = [64, 128, 256] as const;

export interface BenchRequest {
  modelDir: string;
  runs: number;
  browser: boolean;
  prompts: string[];
  loadModel: (dir: string) => Promise<EngineModel & { model: OnnxModel }>;
  log: (line: string) => void;
}

type RowWithoutRatio = Omit<ForwardRow, "overNodeNative">;

export async function runBench(request: BenchRequest): Promise<BenchJson> {
  const started = performance.now();
  const machine = machineInfo();
  const plan: ForwardPlan = { sequenceLengths: SEQUENCE_LENGTHS, warmup: 2, runs: request.runs };
  const forward: RowWithoutRatio[] = [];
  const skipped: BenchJson["skipped"] = [];
  const loaded = await request.loadModel(request.modelDir);
  const { vocabSize, maskTokenId } = loaded.config;

  for (const runtime of ["node-native", "node-wasm"] as const) {
    request.log(`${runtime} forward at ${SEQUENCE_LENGTHS.join(", ")}`);
    const model = runtime === "node-native" ? loaded.model : await openInNode(runtime, request.modelDir, vocabSize);
    for (const timing of await measureForward(model, maskTokenId, plan)) {
      forward.push({ runtime, threads: runtime === "node-wasm" ? 1 : null, crossOriginIsolated: null, software: false, adapter: "", ...timing });
    }
    if (model !== loaded.model) await model.dispose();
  }

  request.log(`engine: vanilla, threshold, adablock at L = ${SEQUENCE_LENGTHS.join(", ")}, ${request.prompts.length} prompts each`);
  const engine = await measureEngine(loaded, { settings: ["vanilla", "threshold", "adablock"], genLengths: SEQUENCE_LENGTHS, blockSize: 16, prompts: request.prompts }, (row) =>
    request.log(`  ${row.setting} L=${row.genLength}: ${row.tokensPerSecond.toFixed(1)} tokens/s`),
  );
  await loaded.model.dispose();

  let chromium = "not run";
  let pageReady = false;
  if (request.browser) {
    try {
      chromium = await chromiumVersion();
      request.log(`building the browser bench page; Chromium ${chromium}`);
      await buildBenchPage();
      pageReady = true;
    } catch (error) {
      skipped.push({ what: "Chromium", reason: (error as Error).message.split("\n")[0]! });
    }
  } else {
    skipped.push({ what: "Chromium", reason: "--no-browser" });
  }
  if (pageReady) {
    // The 1-thread case is served like a plain static host (no COOP/COEP); the others isolated.
    const cases = [
      { runtime: "chromium-wasm-1t", isolated: false, backend: "wasm", threads: 1, webgpu: false, warmup: 2, runs: request.runs },
      { runtime: "chromium-wasm-mt", isolated: true, backend: "wasm", threads: 0, webgpu: false, warmup: 2, runs: request.runs },
      // SwiftShader WebGPU is ~100x slower than WASM: few passes.
      { runtime: "chromium-webgpu", isolated: true, backend: "webgpu", threads: 1, webgpu: true, warmup: 1, runs: 2 },
    ] as const;
    for (const c of cases) {
      request.log(`${c.runtime} forward`);
      const server = await serveBenchPage(c.isolated);
      let run: BrowserRun;
      try {
        run = await runInChromium(server.url, { backend: c.backend, threads: c.threads, sequenceLengths: [...SEQUENCE_LENGTHS], warmup: c.warmup, runs: c.runs }, { webgpu: c.webgpu, timeoutMs: 600_000 });
      } finally {
        await server.close();
      }
      if (!run.ok) {
        skipped.push({ what: c.runtime, reason: run.error });
        continue;
      }
      for (const timing of run.timings) {
        forward.push({ runtime: c.runtime, threads: c.backend === "wasm" ? run.threads : null, crossOriginIsolated: run.crossOriginIsolated, software: run.software, adapter: run.adapter, ...timing });
      }
    }
  }

  return {
    date: new Date().toISOString(),
    machine: { ...machine, chromium },
    model: modelInfo(request.modelDir),
    sequenceLengths: [...SEQUENCE_LENGTHS],
    forward: forwardRatios(forward),
    engine: engineRatios(engine),
    skipped,
    ms: Math.round(performance.now() - started),
  };
}
