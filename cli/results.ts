/**
 * `npm run results -- [--count N] [--block-sizes LIST] [--decoders LIST] [--steps N] [--dtype D] [--runs N] [--no-browser]`:
 * regenerates docs/results.md (the AdaBlock table, paired comparisons, the benchmark, the
 * machine and this command), docs/accuracy-vs-nfe.svg and docs/results.json in one run. The
 * hand-written reading is kept in docs/results-notes.md and copied in as it is.
 *
 * `npm run results -- --render-only` rewrites docs/results.md and the plot from docs/results.json
 * (e.g. after editing the reading) without measuring again.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runBench } from "../bench/lib/run-bench.ts";
import { benchMarkdown, type BenchJson } from "../bench/lib/report.ts";
import { OptionError } from "../src/errors.ts";
import { accuracyVsNfeSvg } from "../src/eval/plot.ts";
import { progressLine } from "../src/eval/progress.ts";
import { REPORTED_WORD_PROBLEM_SETS, WORD_PROBLEM_SET_LABELS, categoryMarkdown, categoryRows } from "../src/eval/categories.ts";
import { canvasLengthTable, intervalTable, pairedComparisonTable, settingColumnsTable, type CanvasLengthCells } from "../src/eval/reading.ts";
import type { EvalJson } from "../src/eval/report.ts";
import type { CellResult } from "../src/eval/run.ts";
import { CANVAS_LENGTHS } from "../src/eval/settings.ts";
import { markdownTables } from "../src/eval/table.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../src/node/model.ts";
import { V2_EVAL_SEED, type Categories, type WordProblemSet } from "../src/problems/word-problems.ts";
import { integerFlag } from "./args.ts";
import { scriptArgs } from "./script-args.ts";
import { parseEvalArgs } from "./eval-args.ts";
import { evaluateInNode } from "./eval-node.ts";

const DOCS = resolve(import.meta.dirname, "../docs");
const argv = process.argv.slice(2);
const USAGE = `usage: npm run results -- [--count N] [--block-sizes LIST] [--decoders LIST] [--steps N] [--dtype D] [--runs N] [--no-browser]
  regenerates docs/results.md, docs/accuracy-vs-nfe.svg and docs/results.json in one run: the AdaBlock table on N
  held-out problems (default 500), the paired comparisons, the benchmark (--runs N rounds, default 10; --no-browser:
  Node only), the machine and this command; the reading is docs/results-notes.md, copied in as it is
npm run results -- --render-only
  rewrites docs/results.md and the plot from docs/results.json without measuring again`;

const options = {
  count: { type: "string", default: "500" },
  "block-sizes": { type: "string", default: "4,8,16,32" },
  decoders: { type: "string" },
  steps: { type: "string" },
  runs: { type: "string", default: "10" },
  // The page's default on WASM: dllm-tiny's int8 graph.
  dtype: { type: "string", default: "q8" },
  "no-browser": { type: "boolean" },
  "render-only": { type: "boolean" },
} as const;
const { flags, evalArgs, runs } = scriptArgs({ name: "results", usage: USAGE }, options, (flags) => ({
  flags,
  evalArgs: parseEvalArgs([
    "--count", flags.count,
    "--block-sizes", flags["block-sizes"],
    ...(flags.decoders !== undefined ? ["--decoders", flags.decoders] : []),
    ...(flags.steps !== undefined ? ["--steps", flags.steps] : []),
    "--dtype", flags.dtype,
  ]),
  runs: integerFlag("--runs", flags.runs),
}));
const log = (line: string): void => void process.stderr.write(`results: ${line}\n`);
const command = ["npm run results", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" ");

/** The commit the run starts from (others may commit during a long run), marked when the tree has changes. */
function currentCommit(): string {
  try {
    const hash = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
    return dirty ? `${hash} + uncommitted changes` : hash;
  } catch {
    return "unknown";
  }
}

/** Everything a rendering needs, kept in docs/results.json so the page can be redrawn without measuring. */
interface SavedResults {
  command: string;
  commit: string;
  /** The graph the table was measured on (absent in results written before dtypes: fp32). */
  dtype?: string;
  eval: EvalJson;
  /** Per cell, with the per-problem answers the paired comparisons need. */
  cells: CellResult[];
  /** Threshold and +AdaBlock at B0 16 per canvas length (absent in results written before it). */
  byLength?: CanvasLengthCells[];
  /** The same on issue #22's word problems, each set with its problems' categories (absent before it). */
  wordProblems?: WordProblemCells[];
  bench: BenchJson;
}

interface WordProblemCells {
  set: WordProblemSet;
  cells: CellResult[];
  categories: Categories[];
}

async function measure(): Promise<SavedResults> {
  const commit = currentCommit();
  let lastLog = 0;
  const evaluation = await evaluateInNode(evalArgs, {
    onProgress: (p) => {
      if (p.done === p.total || Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log(`eval ${progressLine(p.done, p.total, p.elapsedMs)}`);
      }
    },
  });
  const byLength: CanvasLengthCells[] = [];
  for (const genLength of CANVAS_LENGTHS) {
    const args = parseEvalArgs(["--count", flags.count, "--block-sizes", "16", "--decoders", "threshold,adablock", "--gen-length", String(genLength), "--dtype", flags.dtype]);
    const atLength = await evaluateInNode(args, { onProgress: (p) => void (p.done === p.total && log(`L = ${genLength}: ${progressLine(p.done, p.total, p.elapsedMs)}`)) });
    byLength.push({ genLength, cells: atLength.cells });
  }
  const wordProblems: WordProblemCells[] = [];
  for (const set of REPORTED_WORD_PROBLEM_SETS) {
    const args = parseEvalArgs(["--set", set, "--count", flags.count, "--block-sizes", "16", "--decoders", "threshold,adablock", "--dtype", flags.dtype]);
    const words = await evaluateInNode(args, { onProgress: (p) => void (p.done === p.total && log(`word problems ${set}: ${progressLine(p.done, p.total, p.elapsedMs)}`)) });
    wordProblems.push({ set, cells: words.cells, categories: words.categories ?? [] });
  }
  // An hour of measuring is kept even if the benchmark after it fails.
  mkdirSync(DOCS, { recursive: true });
  writeFileSync(join(DOCS, "results.eval-only.json"), JSON.stringify({ command, commit, eval: evaluation.json, cells: evaluation.cells, byLength, wordProblems }) + "\n");
  const bench = await runBench({
    modelDir: DEFAULT_MODEL_PATH,
    runs,
    browser: flags["no-browser"] !== true,
    loadModel,
    log: (line) => log(`bench: ${line}`),
  });
  return { command, commit, dtype: evalArgs.dtype ?? "fp32", eval: evaluation.json, cells: evaluation.cells, byLength, wordProblems, bench };
}

const graphName = (dtype: string): string => (dtype === "q8" ? "int8 graph (`onnx/model_quantized.onnx`, the page's on WASM)" : `${dtype} graph`);

function render(saved: SavedResults): string {
  const { eval: json, cells, bench } = saved;
  const m = bench.machine;
  const generations = cells.reduce((sum, cell) => sum + cell.summary.problems, 0);
  const notesPath = join(DOCS, "results-notes.md");
  const notes = existsSync(notesPath) ? readFileSync(notesPath, "utf8").trim() : "_No notes yet: write docs/results-notes.md._";
  return `# Results

Generated by \`${saved.command}\` on ${bench.date.slice(0, 16).replace("T", " ")} UTC from commit \`${saved.commit}\`.
Do not edit by hand: rerun the command (\`npm run results -- --render-only\` redraws this page from
\`docs/results.json\` after the reading in \`docs/results-notes.md\` changes). All numbers: \`docs/results.json\`.

## Machine

- CPU: ${m.cpu}, ${m.cores} cores available, ${m.memoryGiB} GiB memory; ${m.os}; load average ${m.loadAverage} when the run started
- Node ${m.node}, onnxruntime-node ${m.onnxruntimeNode}, onnxruntime-web ${m.onnxruntimeWeb}, Chromium ${m.chromium}
- Model: \`${bench.model.path.replace(resolve(import.meta.dirname, ".."), ".")}\`, ${bench.model.parameters}, ${bench.model.trainingSteps > 0 ? `trained ${bench.model.trainingSteps} steps` : "RANDOM WEIGHTS (untrained)"}

## The AdaBlock table

${json.count} held-out problems (seed ${json.seed}), generation length L = ${json.genLength}, temperature 0;
vanilla = threshold rule with tau = 1 (one token per pass), threshold = tau 0.9, +AdaBlock = tau 0.9
with AdaBlock (tau_D = ${json.delimiterThreshold}, delimiter newline), +dual cache = threshold 0.9 with Fast-dLLM's
dual KV cache, fixed top-k = LLaDA's top-k rule with a budget of ${json.fixedSteps} steps
(${json.fixedSteps === json.genLength ? "one token per step: it differs from vanilla only where a confidence is exactly 1" : `${(json.genLength / json.fixedSteps).toFixed(1)} tokens per step`}).
Node, onnxruntime-node, the model's ${graphName(saved.dtype ?? "fp32")}; ${generations} generations in ${(json.ms / 60_000).toFixed(1)} min
(${(json.ms / Math.max(1, generations)).toFixed(0)} ms each on average).

${markdownTables(cells)}

![accuracy vs NFE per token](accuracy-vs-nfe.svg)

### +AdaBlock against fixed blocks, problem by problem

${pairedComparisonTable(cells)}

### Accuracy with 95 % intervals (Wilson)

${intervalTable(cells)}

${saved.byLength ? `### At each canvas length

The same problems with threshold 0.9 and +AdaBlock at B0 = 16 (the page's default), at each canvas length L the page
offers up to 256, the same graph: accuracy [95 % Wilson interval] and forward passes per generated token. A model that
answers the same whatever room it is given reads the same across a row.

${canvasLengthTable(saved.byLength)}

` : ""}${saved.wordProblems ? wordProblemSection(saved.wordProblems) : ""}## Reading

${notes}

## Benchmark (\`npm run bench\`)

${benchMarkdown(bench)}
`;
}

/** Issue #22's word problems: the sets side by side, then +AdaBlock's accuracy per category in each. */
function wordProblemSection(sets: readonly WordProblemCells[]): string {
  const breakdowns = sets.map(({ set, cells, categories }) => {
    const adablock = cells.find((cell) => cell.setting === "adablock");
    return adablock ? categoryMarkdown(categoryRows(categories, adablock.correct), `#### +AdaBlock, B0 = ${adablock.blockSize}: ${WORD_PROBLEM_SET_LABELS[set]}`) : "";
  });
  return `### Word problems in other words

Issue #22's held-out word problems (\`src/problems/word-problems.ts\`: many sentence shapes, names, units, distractors;
disjoint from training by a hash of the question), ${sets[0]?.categories.length ?? 0} of each set (seed ${V2_EVAL_SEED}), L = 64, the same graph.

${settingColumnsTable(sets.map(({ set, cells }) => ({ label: WORD_PROBLEM_SET_LABELS[set], cells })))}

${breakdowns.join("\n")}
`;
}

const resultsPath = join(DOCS, "results.json");
let saved: SavedResults;
if (flags["render-only"] === true) {
  if (!existsSync(resultsPath)) throw new OptionError("--render-only", `needs ${resultsPath}; run npm run results first`);
  saved = JSON.parse(readFileSync(resultsPath, "utf8")) as SavedResults;
  if (!Array.isArray(saved.cells)) throw new OptionError("--render-only", `${resultsPath} has no per-cell results (written by an older version); run npm run results`);
} else {
  saved = await measure();
  writeFileSync(resultsPath, JSON.stringify(saved, null, 2) + "\n");
  rmSync(join(DOCS, "results.eval-only.json"), { force: true });
}
writeFileSync(join(DOCS, "results.md"), render(saved));
writeFileSync(join(DOCS, "accuracy-vs-nfe.svg"), accuracyVsNfeSvg(saved.cells, { title: `Accuracy vs NFE per token, ${saved.eval.count} problems, L = ${saved.eval.genLength} (labels: B0)` }) + "\n");
log(`wrote docs/results.md, docs/accuracy-vs-nfe.svg${flags["render-only"] === true ? "" : ", docs/results.json"} (${((saved.eval.ms + saved.bench.ms) / 60_000).toFixed(1)} min measured)`);
