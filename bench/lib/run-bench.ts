/** The benchmark's steps in order; each failure that is the machine's (no Chromium, no adapter) is recorded, not thrown. */
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { EngineModel } from "../../src/decoding/engine.ts";
import type { OnnxModel } from "../../src/model/onnx-model.ts";
import { createRandom } from "../../src/util/random.ts";
import { EVAL_SEED, generateProblems } from "../../src/problems/generate.ts";
import { buildBenchPage, chromiumVersion, openChromiumBench, serveBenchPage, type ChromiumBench } from "./browser-bench.ts";
import { measureEngine, type EngineTiming } from "./engine-timing.ts";
import {
  benchCanvas,
  measureForward,
  REPLICA_LENGTHS,
  REPLICA_MASK_ID,
  REPLICA_VARIANTS,
  replicaFolderName,
  timeRound,
  timingsOf,
  VARIANTS,
  type ForwardTiming,
  type MeasuredVariant,
  type PassSample,
  type VariantName,
} from "./forward-latency.ts";
import { machineInfo, modelInfo } from "./machine.ts";
import { openDtypeInNode, openInNode, processCpuMs, type NodeRuntime } from "./node-runtimes.ts";
import { rateRows, replicaRow, summarize, type BenchJson, type ForwardRow, type ReplicaRow } from "./report.ts";
import { openReplica, openSynthetic, QWEN_VOCAB, REPLICA_HUB, type WideModel } from "./wide-vocab.ts";

export const SEQUENCE_LENGTHS = [64, 128, 256] as const;
const ALL_VARIANTS: VariantName[] = VARIANTS.map((v) => v.name);
const REPLICA_NAMES: VariantName[] = REPLICA_VARIANTS.map((v) => v.name);
/** The replica's passes take 0.3-1.5 s each here: at most this many timed rounds, 2 untimed at T = 64 and 1 at 128. */
const REPLICA_MAX_RUNS = 5;
const REPLICA_WARMUP = 2;
/** Chromium: V8 tiers up onnxruntime's WASM during the first passes (measured: T = 64 read 2x slow after 2 rounds). */
const REPLICA_CHROMIUM_WARMUP = 6;
const SETTINGS = ["vanilla", "threshold", "adablock"] as const;
/**
 * Untimed rounds (each one pass of every variant) at the first length: V8 compiles onnxruntime's
 * 14 MB WASM module in the background during the first ~25 passes. Later lengths need only
 * allocator growth.
 */
const CHROMIUM_WARMUP = 30;
/**
 * The engine-share generations: all on dllm-tiny, the first 3 on the synthetic graph, 1 on the
 * replica. dllm-tiny's adablock generation at L = 64 is about 7 passes, 20 ms: over 3 prompts one
 * 3 ms pause read as a 5 % engine share (1.4-1.5 % at L = 128 and 256); over 20 it cannot.
 */
const ENGINE_PROMPTS = generateProblems(EVAL_SEED, 20).map((p) => p.prompt);
const NODE_WARMUP = 5;
const WARMUP_PER_LENGTH = 3;

export interface BenchRequest {
  modelDir: string;
  /** Timed rounds per sequence length (each round times every variant once). */
  runs: number;
  browser: boolean;
  loadModel: (dir: string) => Promise<EngineModel & { model: OnnxModel }>;
  log: (line: string) => void;
}

/** The variants on one Node runtime, one session per graph file (fp32-full and fp32-rows share model.onnx). */
async function nodeVariants(runtime: NodeRuntime, modelDir: string, vocabSize: number, only: readonly VariantName[] = ALL_VARIANTS): Promise<{ variants: MeasuredVariant[]; dispose(): Promise<void> }> {
  const sessions = new Map<string, OnnxModel>();
  const variants: MeasuredVariant[] = [];
  for (const variant of VARIANTS.filter((v) => only.includes(v.name))) {
    if (!sessions.has(variant.graph)) sessions.set(variant.graph, await openInNode(runtime, modelDir, variant.graph, vocabSize));
    variants.push({ name: variant.name, key: `${runtime}/${variant.name}`, model: sessions.get(variant.graph)! });
  }
  return { variants, dispose: async () => void (await Promise.all([...sessions.values()].map((s) => s.dispose()))) };
}

const NODE_RUNTIMES = ["node-native-1t", "node-native", "node-wasm"] as const;
const nodeClock = { now: () => performance.now(), cpu: processCpuMs };

/** Every Node runtime's variants in one interleaved measurement: each round one pass of each of the nine. */
async function nodeForward(request: BenchRequest, vocabSize: number, maskTokenId: number): Promise<ForwardRow[]> {
  request.log(`${NODE_RUNTIMES.join(", ")} x ${ALL_VARIANTS.join(", ")} at T = ${SEQUENCE_LENGTHS.join(", ")}, ${request.runs} interleaved rounds`);
  const opened = await Promise.all(NODE_RUNTIMES.map((runtime) => nodeVariants(runtime, request.modelDir, vocabSize)));
  try {
    const plan = { sequenceLengths: SEQUENCE_LENGTHS, warmup: NODE_WARMUP, warmupPerLength: WARMUP_PER_LENGTH, runs: request.runs };
    const timings = await measureForward(opened.flatMap((o) => o.variants), maskTokenId, plan, nodeClock);
    return timings.map(({ key, ...timing }) => {
      const runtime = key.split("/")[0] as NodeRuntime;
      return { runtime, threads: runtime === "node-native" ? null : 1, crossOriginIsolated: null, software: false, adapter: "", referenceMs: null, ...timing };
    });
  } finally {
    for (const o of opened) await o.dispose();
  }
}

async function engineShares(request: BenchRequest, loaded: EngineModel, notes: string[]): Promise<EngineTiming[]> {
  const log = (row: EngineTiming) => request.log(`  vocab ${row.vocabSize} ${row.setting} L=${row.genLength}: engine share ${(100 * row.engineShare).toFixed(2)} %, ${row.msPerPass.toFixed(1)} ms per pass`);
  const graph = "onnx/model_quantized.onnx";
  request.log(`engine share at vocab ${loaded.config.vocabSize} (${graph}): ${SETTINGS.join(", ")} at L = ${SEQUENCE_LENGTHS.join(", ")}, ${ENGINE_PROMPTS.length} prompts each`);
  const int8 = await openInNode("node-native", request.modelDir, graph, loaded.config.vocabSize);
  const rows: EngineTiming[] = [];
  try {
    rows.push(...(await measureEngine({ ...loaded, model: int8 }, { settings: SETTINGS, genLengths: SEQUENCE_LENGTHS, blockSize: 16, prompts: ENGINE_PROMPTS, graph: `dllm-tiny ${graph}` }, log)));
  } finally {
    await int8.dispose();
  }
  // The synthetic graph's passes are cheap, so its share bounds the engine's from above; the
  // replica's take about a second each here: one short generation per setting.
  const synthetic = await openSynthetic();
  const replicas: WideModel[] = [];
  for (const dtype of ["fp16", "q4f16"] as const) {
    const replica = await openReplica(dtype).catch((error: unknown) => {
      notes.push(`vocab 151,936: the replica MDLM ${dtype} graph did not open (${(error as Error).message.split("\n")[0]})`);
      return undefined;
    });
    if (replica) replicas.push(replica);
  }
  if (replicas.length === 0) notes.push("vocab 151,936: no replica graph in model/replica/hub/..., only the synthetic graph ran");
  const wide = [
    { model: synthetic, genLengths: [64, 128], prompts: ENGINE_PROMPTS.slice(0, 3) },
    ...replicas.map((model) => ({ model, genLengths: [32], prompts: ENGINE_PROMPTS.slice(0, 1) })),
  ];
  notes.push("vocab 151,936: the SYNTHETIC graph's predictions mean nothing; its passes are far cheaper than a real model's, so its engine share bounds a real model's from above");
  for (const { model, genLengths, prompts } of wide) {
    request.log(`engine share at vocab ${model.engine.model.vocabSize}: ${model.graph}, L = ${genLengths.join(", ")}, ${prompts.length} prompts`);
    try {
      rows.push(...(await measureEngine(model.engine, { settings: SETTINGS, genLengths, blockSize: 16, prompts, graph: model.graph }, log)));
    } finally {
      await model.engine.model.dispose();
    }
  }
  return rows;
}

/**
 * One Chromium case, its rounds alternating with passes of the native reference (node-native-1t
 * fp32-full) at the same length, so both see the same load.
 */
async function pairedRounds(page: ChromiumBench, reference: MeasuredVariant, maskTokenId: number, lengths: readonly number[], warmup: number, runs: number): Promise<{ timings: ForwardTiming[]; referenceMs: Map<number, number> }> {
  const random = createRandom(23);
  const timings: ForwardTiming[] = [];
  const referenceMs = new Map<number, number>();
  for (const [index, length] of lengths.entries()) {
    const canvas = benchCanvas(length, maskTokenId);
    for (let round = 0; round < (index === 0 ? warmup : WARMUP_PER_LENGTH); round++) {
      await page.round(length);
      if (round < NODE_WARMUP) await timeRound([reference], canvas, random.next, nodeClock);
    }
    const pageSamples: PassSample[] = [];
    const referenceSamples: PassSample[] = [];
    for (let round = 0; round < runs; round++) {
      referenceSamples.push(...(await timeRound([reference], canvas, random.next, nodeClock)));
      pageSamples.push(...(await page.round(length)));
    }
    const order = (t: ForwardTiming) => VARIANTS.findIndex((v) => v.name === t.variant);
    timings.push(...timingsOf(pageSamples, length).map(({ key: _, ...t }) => t).sort((a, b) => order(a) - order(b)));
    referenceMs.set(length, timingsOf(referenceSamples, length)[0]!.medianMs);
  }
  return { timings, referenceMs };
}

async function chromiumForward(request: BenchRequest, vocabSize: number, maskTokenId: number, skipped: BenchJson["skipped"]): Promise<{ rows: ForwardRow[]; chromium: string }> {
  let chromium = "not run";
  if (!request.browser) {
    skipped.push({ what: "Chromium", reason: "--no-browser" });
    return { rows: [], chromium };
  }
  try {
    chromium = await chromiumVersion();
    request.log(`building the browser bench page; Chromium ${chromium}`);
    await buildBenchPage();
  } catch (error) {
    skipped.push({ what: "Chromium", reason: (error as Error).message.split("\n")[0]! });
    return { rows: [], chromium };
  }
  // The 1-thread case is served like a plain static host (no COOP/COEP); the others isolated.
  // SwiftShader WebGPU is ~500x slower than WASM: few passes, T = 64 only.
  const cases = [
    { runtime: "chromium-wasm-1t", isolated: false, backend: "wasm", threads: 1, webgpu: false, lengths: [...SEQUENCE_LENGTHS], warmup: CHROMIUM_WARMUP, runs: request.runs },
    { runtime: "chromium-wasm-mt", isolated: true, backend: "wasm", threads: 0, webgpu: false, lengths: [...SEQUENCE_LENGTHS], warmup: CHROMIUM_WARMUP, runs: request.runs },
    { runtime: "chromium-webgpu", isolated: true, backend: "webgpu", threads: 1, webgpu: true, lengths: [64], warmup: 1, runs: 3 },
  ] as const;
  const reference = await nodeVariants("node-native-1t", request.modelDir, vocabSize, ["fp32-full"]);
  const rows: ForwardRow[] = [];
  try {
    for (const c of cases) {
      request.log(`${c.runtime}: ${ALL_VARIANTS.join(", ")} at T = ${c.lengths.join(", ")}, ${c.warmup} warm-up and ${c.runs} timed rounds, alternating with node fp32-full 1 thread`);
      const server = await serveBenchPage(c.isolated);
      try {
        const page = await openChromiumBench(server.url, { backend: c.backend, threads: c.threads, variants: ALL_VARIANTS }, { webgpu: c.webgpu, timeoutMs: 300_000 });
        if ("ok" in page) {
          skipped.push({ what: c.runtime, reason: page.error });
          continue;
        }
        try {
          const { ready } = page;
          if (c.runtime === "chromium-wasm-mt" && !ready.crossOriginIsolated) skipped.push({ what: c.runtime, reason: "the page was not cross-origin isolated" });
          for (const f of ready.failed) skipped.push({ what: `${c.runtime} ${f.variant}`, reason: f.reason });
          const { timings, referenceMs } = await pairedRounds(page, reference.variants[0]!, maskTokenId, c.lengths, c.warmup, c.runs);
          for (const timing of timings) {
            const threads = c.backend === "wasm" ? ready.threads : null;
            rows.push({ runtime: c.runtime, threads, crossOriginIsolated: ready.crossOriginIsolated, software: ready.software === true, adapter: ready.adapter, referenceMs: referenceMs.get(timing.sequenceLength) ?? null, ...timing });
          }
        } catch (error) {
          skipped.push({ what: c.runtime, reason: (error as Error).message.split("\n")[0]! });
        } finally {
          await page.close();
        }
      } finally {
        await server.close();
      }
    }
  } finally {
    await reference.dispose();
  }
  return { rows, chromium };
}

/** The replica's variants on node-native-1t and node-wasm, interleaved; a graph that does not open on a runtime is a skipped row. */
export async function replicaNodeForward(request: BenchRequest, skipped: BenchJson["skipped"]): Promise<ReplicaRow[]> {
  const runtimes = ["node-native-1t", "node-wasm"] as const;
  const runs = Math.min(request.runs, REPLICA_MAX_RUNS);
  request.log(`replica: ${runtimes.join(", ")} x ${REPLICA_NAMES.join(", ")} at T = ${REPLICA_LENGTHS.join(", ")}, ${runs} interleaved rounds`);
  const sessions: { dispose(): Promise<void> }[] = [];
  const variants: MeasuredVariant[] = [];
  try {
    for (const runtime of runtimes) {
      const opened = new Map<string, Awaited<ReturnType<typeof openDtypeInNode>> | Error>();
      for (const v of REPLICA_VARIANTS) {
        const key = `${v.folder}/${v.dtype}`;
        if (!opened.has(key)) {
          const result = await openDtypeInNode(runtime, join(REPLICA_HUB, replicaFolderName(v.folder)), v.dtype, QWEN_VOCAB).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
          if (!(result instanceof Error)) sessions.push(result.model);
          opened.set(key, result);
        }
        const session = opened.get(key)!;
        if (session instanceof Error) skipped.push({ what: `replica ${runtime} ${v.name}`, reason: session.message.split("\n")[0]! });
        else variants.push({ name: v.name, key: `${runtime}/${v.name}`, lengths: v.lengths, model: session.model });
      }
    }
    const plan = { sequenceLengths: REPLICA_LENGTHS, warmup: REPLICA_WARMUP, warmupPerLength: 1, runs };
    const timings = await measureForward(variants, REPLICA_MASK_ID, plan, nodeClock);
    return timings.map(({ key, ...timing }) => replicaRow(key.split("/")[0] as NodeRuntime, 1, timing));
  } finally {
    for (const s of sessions) await s.dispose();
  }
}

/** The replica's variants in Chromium, WASM 1 thread (not isolated, like a static host), the page loading the folders as the app does. */
export async function replicaChromium(request: BenchRequest, skipped: BenchJson["skipped"]): Promise<ReplicaRow[]> {
  if (!request.browser) return [];
  const runs = Math.min(request.runs, REPLICA_MAX_RUNS);
  request.log(`replica: chromium-wasm-1t x ${REPLICA_NAMES.join(", ")} at T = ${REPLICA_LENGTHS.join(", ")}, ${runs} rounds`);
  const server = await serveBenchPage(false);
  try {
    const page = await openChromiumBench(server.url, { backend: "wasm", threads: 1, variants: REPLICA_NAMES }, { timeoutMs: 300_000 });
    if ("ok" in page) {
      skipped.push({ what: "replica chromium-wasm-1t", reason: page.error });
      return [];
    }
    try {
      for (const f of page.ready.failed) skipped.push({ what: `replica chromium-wasm-1t ${f.variant}`, reason: f.reason });
      const rows: ReplicaRow[] = [];
      for (const [index, length] of REPLICA_LENGTHS.entries()) {
        for (let round = 0; round < (index === 0 ? REPLICA_CHROMIUM_WARMUP : 1); round++) await page.round(length);
        const samples: PassSample[] = [];
        for (let round = 0; round < runs; round++) samples.push(...(await page.round(length)));
        const order = (t: ForwardTiming) => REPLICA_NAMES.indexOf(t.variant);
        const timings = timingsOf(samples, length).map(({ key: _, ...t }) => t).sort((a, b) => order(a) - order(b));
        rows.push(...timings.map((t) => replicaRow("chromium-wasm-1t", page.ready.threads, t)));
      }
      return rows;
    } catch (error) {
      skipped.push({ what: "replica chromium-wasm-1t", reason: (error as Error).message.split("\n")[0]! });
      return [];
    } finally {
      await page.close();
    }
  } finally {
    await server.close();
  }
}

export async function runBench(request: BenchRequest): Promise<BenchJson> {
  const started = performance.now();
  const machine = machineInfo();
  const skipped: BenchJson["skipped"] = [];
  const notes = [
    `forward: ${NODE_WARMUP} (Node) or ${CHROMIUM_WARMUP} (Chromium WASM) untimed rounds at the first length and ${WARMUP_PER_LENGTH} at each later one, then ${request.runs} timed rounds, every variant once a round in an order shuffled per round; medians`,
    "fp32-full = onnx/model.onnx, rows [0, T), full logits read back (the cost of a pass before the row contract); fp32-rows / int8-rows = onnx/model.onnx / onnx/model_quantized.onnx, rows [T/2, T/2 + 32), top-2 rows",
    "CPU ms per pass: process.cpuUsage() in Node (every thread); Chromium rows are wall time only (a page has no CPU clock for its process)",
    "Node rows: the three runtimes' nine graph variants interleaved in one measurement; Chromium rows: each round alternates with a pass of node fp32-full at 1 thread on the same canvas, and their ratio divides by that paired reference (referenceMs), so load on a shared machine falls on both",
    "node onnxruntime-node: 1 thread = intraOpNumThreads 1; default threads = onnxruntime's own choice; both with allow_spinning 0, as the CLI loads models",
    `replica (Qwen3 replica fixture: vocabulary 151,936, 2 layers of width 32, so a pass is almost all output head): MDLM and BD3LM, fp16 and q4f16, rows [T/2, T/2 + 32) at T = ${REPLICA_LENGTHS.join(", ")}; "top" = a greedy pass (the graph's logits for all T rows, then the reduction graph), "logits" = a sampling pass (all T rows read back: the graph has no row_range); node-native-1t and node-wasm interleaved per round, Chromium WASM 1 thread on its own (not paired), ${REPLICA_WARMUP} (Node) or ${REPLICA_CHROMIUM_WARMUP} (Chromium) untimed rounds at T = 64 and 1 at 128, then at most ${REPLICA_MAX_RUNS} timed; canvas = 16 ordinary ids then masks (values do not change the cost); BD3LM fed its block-causal mask for a canvas that is all prompt`,
    "engine outside the forward = (generate() ms - its raw model calls' ms) / NFE, per setting; the replica's at generation length 32, one prompt",
    "engine share = (generate() ms - its raw model calls' ms) / generate() ms, no onStep (no volatility band), temperature 0",
  ];
  const loaded = await request.loadModel(request.modelDir);
  const { vocabSize, maskTokenId } = loaded.config;
  // Only the folder's codec and config are needed; each step opens its own sessions.
  await loaded.model.dispose();

  const forward = await nodeForward(request, vocabSize, maskTokenId);
  const engine = await engineShares(request, loaded, notes);
  const browser = await chromiumForward(request, vocabSize, maskTokenId, skipped);
  forward.push(...browser.rows);
  const replicaForward = existsSync(REPLICA_HUB) ? [...(await replicaNodeForward(request, skipped)), ...(await replicaChromium(request, skipped))] : [];
  if (!existsSync(REPLICA_HUB)) skipped.push({ what: "replica forward rows", reason: `no ${REPLICA_HUB}` });

  const rated = rateRows(forward);
  return {
    date: new Date().toISOString(),
    machine: { ...machine, chromium: browser.chromium, loadAverageEnd: Number(loadavg()[0]!.toFixed(2)) },
    model: modelInfo(request.modelDir),
    sequenceLengths: [...SEQUENCE_LENGTHS],
    forward: rated,
    replicaForward,
    engine,
    summary: summarize(rated, engine, SEQUENCE_LENGTHS),
    notes,
    skipped,
    ms: Math.round(performance.now() - started),
  };
}
