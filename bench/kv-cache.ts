/**
 * `npm run bench:cache -- [--count N] [--lengths 128,256] [--block-size B0] [--no-browser] [--json]`:
 * the speed-up of the dual KV cache over no cache, on held-out problems of the shipped model,
 * for threshold (tau 0.9) and AdaBlock (tau 0.9, tau_D 0.3) at each generation length.
 *
 * Node (onnxruntime-node): every problem runs without and with the cache back to back, in
 * alternating order, so drift in a shared machine's load falls on both alike; also the raw
 * latency of one full pass against one cached pass of a block. Browser (Chromium, WASM): the
 * evaluation page (eval.html, the engine worker) runs the same settings as +cache rows.
 */
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { integerFlag } from "../cli/args.ts";
import { scriptArgs } from "../cli/script-args.ts";
import { chromium } from "playwright-core";
import { build, preview } from "vite";
import { generate } from "../src/decoding/engine.ts";
import { cachedPasses } from "../src/decoding/forward-plan.ts";
import type { GenerateOptions } from "../src/decoding/types.ts";
import { OptionError } from "../src/errors.ts";
import { loadModel, type LoadedModel } from "../src/node/model.ts";
import { EVAL_SEED, generateProblems } from "../src/problems/generate.ts";
import { CHROMIUM } from "../e2e/environment.ts";

const ROOT = resolve(import.meta.dirname, "..");

interface Timing {
  ms: number;
  nfe: number;
  tokens: number;
}

export interface CacheRow {
  runtime: "node" | "browser-wasm";
  genLength: number;
  decoder: "threshold" | "adablock";
  none: Timing;
  dual: Timing;
  /** Generation time without the cache over generation time with it. */
  speedUp: number;
}

const DECODERS = {
  threshold: { decoder: "threshold", threshold: 0.9 },
  adablock: { decoder: "adablock", threshold: 0.9, innerRule: "threshold", delimiterThreshold: 0.3, delimiters: ["\n"] },
} as const satisfies Record<string, Partial<GenerateOptions>>;

const log = (line: string): void => void process.stderr.write(`bench:cache: ${line}\n`);
const add = (a: Timing, b: Timing): Timing => ({ ms: a.ms + b.ms, nfe: a.nfe + b.nfe, tokens: a.tokens + b.tokens });
const ZERO: Timing = { ms: 0, nfe: 0, tokens: 0 };

async function nodeRows(loaded: LoadedModel, prompts: string[], lengths: number[], blockSize: number): Promise<CacheRow[]> {
  const rows: CacheRow[] = [];
  // Warm-up: the first runs of each session allocate.
  for (const cache of ["none", "dual"] as const) await generate(loaded, prompts[0]!, { decoder: "threshold", genLength: 32, blockSize: 8, cache });
  for (const genLength of lengths) {
    for (const [name, decoder] of Object.entries(DECODERS) as [CacheRow["decoder"], Partial<GenerateOptions>][]) {
      const total: Record<"none" | "dual", Timing> = { none: ZERO, dual: ZERO };
      for (const [i, prompt] of prompts.entries()) {
        const order: ("none" | "dual")[] = i % 2 === 0 ? ["none", "dual"] : ["dual", "none"];
        for (const cache of order) {
          const result = await generate(loaded, prompt, { ...decoder, genLength, blockSize, temperature: 0, cache });
          total[cache] = add(total[cache], { ms: result.ms, nfe: result.nfe, tokens: result.tokens.length });
        }
      }
      rows.push({ runtime: "node", genLength, decoder: name, ...total, speedUp: total.none.ms / total.dual.ms });
      log(`node L=${genLength} ${name}: ${(total.none.ms / prompts.length).toFixed(0)} ms -> ${(total.dual.ms / prompts.length).toFixed(0)} ms per generation`);
    }
  }
  return rows;
}

export interface PassRow {
  genLength: number;
  fullMs: number;
  cachedMs: number;
}

/** One full pass (onnx/model.onnx) against one dual-cache pass of a block of B0, median of `runs`. */
async function passRows(loaded: LoadedModel, prompt: string, lengths: number[], blockSize: number, runs = 15): Promise<PassRow[]> {
  const kv = await loaded.kvModel();
  const median = (values: number[]): number => values.sort((a, b) => a - b)[values.length >> 1]!;
  const rows: PassRow[] = [];
  for (const genLength of lengths) {
    const ids = loaded.codec.encode(prompt);
    const canvas = new Int32Array(ids.length + genLength).fill(loaded.config.maskTokenId);
    canvas.set(ids);
    const start = ids.length;
    const plan = cachedPasses(kv, "dual");
    const request = { from: start, to: canvas.length, output: "top" } as const;
    const layout = { promptLength: start, blocks: [] };
    await plan.run(canvas, request, true, layout);
    plan.blockOpened(start, start + blockSize);
    const full: number[] = [];
    const cached: number[] = [];
    for (let r = 0; r < runs; r++) {
      let t = performance.now();
      await loaded.model.forward(canvas, request);
      full.push(performance.now() - t);
      t = performance.now();
      await plan.run(canvas, request, false, layout);
      cached.push(performance.now() - t);
    }
    rows.push({ genLength, fullMs: median(full), cachedMs: median(cached) });
  }
  return rows;
}

interface EvalJsonCells {
  results: Record<string, Record<string, Timing>>;
}

/** The evaluation page in Chromium on WASM: threshold, +cache, +adablock, +adablock+cache at each length. */
async function browserRows(count: number, lengths: number[], blockSize: number): Promise<CacheRow[]> {
  log("building the page (vite build)");
  await build({ root: ROOT, logLevel: "warn" });
  // vite preview of dist/, with the COOP/COEP headers of vite.config.ts (threaded WASM).
  const served = await preview({ root: ROOT, logLevel: "warn", preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false } });
  const url = `http://127.0.0.1:${(served.httpServer.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  const rows: CacheRow[] = [];
  try {
    for (const genLength of lengths) {
      const page = await browser.newPage();
      const query = `count=${count}&blockSizes=${blockSize}&genLength=${genLength}&settings=threshold,cache,adablock,adablock%2Bcache&backend=wasm`;
      await page.goto(`${url}eval.html?${query}`);
      await page.waitForSelector('#eval-backend[data-backend="wasm"]', { state: "attached", timeout: 300_000 });
      await page.click("#eval-run");
      await page.waitForSelector('#eval[data-status="done"], #eval[data-status="error"]', { state: "attached", timeout: 1_800_000 });
      const error = await page.textContent("#eval-error");
      if (error) throw new Error(`the evaluation page failed: ${error}`);
      const json = JSON.parse((await page.textContent("#eval-json")) ?? "{}") as EvalJsonCells;
      const cell = (setting: string): Timing => {
        const { ms, nfe, tokens } = json.results[setting]![String(blockSize)]!;
        return { ms, nfe, tokens };
      };
      for (const [decoder, none, dual] of [["threshold", "threshold", "cache"], ["adablock", "adablock", "adablock+cache"]] as const) {
        rows.push({ runtime: "browser-wasm", genLength, decoder, none: cell(none), dual: cell(dual), speedUp: cell(none).ms / cell(dual).ms });
      }
      log(`browser L=${genLength} done`);
      await page.close();
    }
  } finally {
    await browser.close();
    await served.close();
  }
  return rows;
}

function markdown(rows: CacheRow[], passes: PassRow[], count: number, blockSize: number): string {
  const per = (t: Timing): string => `${(t.ms / count).toFixed(0)} ms, ${(t.nfe / count).toFixed(1)} NFE, ${((1000 * t.tokens) / t.ms).toFixed(1)} tok/s`;
  const lines = [
    `Dual cache against no cache, B0 = ${blockSize}, ${count} held-out problems (seed ${EVAL_SEED}), temperature 0; per generation:`,
    "",
    "| runtime | L | decoder | no cache | dual cache | speed-up |",
    "|---|---:|---|---|---|---:|",
    ...rows.map((r) => `| ${r.runtime} | ${r.genLength} | ${r.decoder} | ${per(r.none)} | ${per(r.dual)} | ${r.speedUp.toFixed(2)}x |`),
    "",
    `One forward pass in Node (median): the full canvas through onnx/model.onnx against one dual-cache pass of a ${blockSize}-token block:`,
    "",
    "| L | full pass | cached pass | ratio |",
    "|---:|---:|---:|---:|",
    ...passes.map((p) => `| ${p.genLength} | ${p.fullMs.toFixed(1)} ms | ${p.cachedMs.toFixed(1)} ms | ${(p.fullMs / p.cachedMs).toFixed(2)}x |`),
  ];
  return lines.join("\n");
}

const USAGE = `usage: npm run bench:cache -- [--count N] [--lengths 128,256] [--block-size B0] [--no-browser] [--json]
  the dual KV cache's speed-up over no cache for threshold and AdaBlock, on N held-out problems (default 10),
  in Node and in Chromium (--no-browser: Node only); block size B0 default 32`;

function parseOptions(): { count: number; lengths: number[]; blockSize: number; browser: boolean; json: boolean } {
  const options = {
    count: { type: "string", default: "10" },
    lengths: { type: "string", default: "128,256" },
    "block-size": { type: "string", default: "32" },
    "no-browser": { type: "boolean" },
    json: { type: "boolean" },
  } as const;
  return scriptArgs({ name: "bench:cache", usage: USAGE }, options, (values) => ({
    count: integerFlag("--count", values.count),
    lengths: values.lengths.split(",").map((part) => integerFlag("--lengths", part)),
    blockSize: integerFlag("--block-size", values["block-size"]),
    browser: values["no-browser"] !== true,
    json: values.json === true,
  }));
}

async function main(): Promise<void> {
  const options = parseOptions();
  const prompts = generateProblems(EVAL_SEED, options.count).map((p) => p.prompt);
  const loaded = await loadModel();
  const rows = await nodeRows(loaded, prompts, options.lengths, options.blockSize);
  const passes = await passRows(loaded, prompts[0]!, options.lengths, options.blockSize);
  await loaded.model.dispose();
  await loaded.kvModel.dispose();
  if (options.browser) rows.push(...(await browserRows(options.count, options.lengths, options.blockSize)));
  process.stdout.write(options.json ? `${JSON.stringify({ count: options.count, blockSize: options.blockSize, rows, passes })}\n` : `${markdown(rows, passes, options.count, options.blockSize)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cache: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(error instanceof OptionError ? 2 : 1);
});
