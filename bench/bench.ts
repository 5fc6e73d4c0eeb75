/**
 * `npm run bench -- [--json] [--runs N] [--no-browser]`: in one run, on the shipped model, at
 * sequence lengths 64, 128, 256: forward passes of three graph variants (fp32 full logits, fp32
 * a 32-row block, int8 a 32-row block) interleaved on onnxruntime-node at one thread and at its
 * default threads, on onnxruntime-web WASM in Node, and in Chromium (WASM 1 thread, WASM
 * multi-thread when cross-origin isolated, WebGPU where an adapter exists); the engine's share
 * of generate() at vocabularies 4,001 and 151,936 (and its ms per pass outside the forward);
 * the Qwen3 replica's forward passes at vocabulary 151,936 (MDLM and BD3LM, fp16 and q4f16, top
 * rows and full logits) on node native and WASM at 1 thread and Chromium WASM 1 thread; a
 * summary against issue #19's targets.
 * Progress on stderr.
 */
import { integerFlag } from "../cli/args.ts";
import { scriptArgs } from "../cli/script-args.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../src/node/model.ts";
import { runBench } from "./lib/run-bench.ts";
import { benchMarkdown } from "./lib/report.ts";

const USAGE = `usage: npm run bench -- [--json] [--runs N] [--no-browser]
  forward passes of the shipped model's graphs on onnxruntime-node, onnxruntime-web WASM and Chromium (WASM, WebGPU),
  the engine's share of generate() at vocabularies 4,001 and 151,936, the Qwen3 replica's passes, against issue #19's
  targets (about 15-25 minutes); --runs N timed rounds (default 20); --no-browser skips Chromium`;

function options(): { json: boolean; runs: number; browser: boolean } {
  const flags = { json: { type: "boolean" }, runs: { type: "string", default: "20" }, "no-browser": { type: "boolean" } } as const;
  return scriptArgs({ name: "bench", usage: USAGE }, flags, (values) => ({
    json: values.json === true,
    runs: integerFlag("--runs", values.runs),
    browser: values["no-browser"] !== true,
  }));
}

const args = options();
const report = await runBench({
  modelDir: DEFAULT_MODEL_PATH,
  runs: args.runs,
  browser: args.browser,
  loadModel: (dir) => loadModel(dir),
  log: (line) => process.stderr.write(`bench: ${line}\n`),
});
process.stdout.write(args.json ? JSON.stringify(report) + "\n" : benchMarkdown(report) + "\n");
