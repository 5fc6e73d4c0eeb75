/**
 * The model card step of the build: measures the exported model with the runtime's own engine
 * (the same code the page runs) and writes public/models/<name>/README.md.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "../src/decoding/engine.ts";
import { DEFAULT_OPTIONS } from "../src/decoding/options.ts";
import type { GenerateOptions } from "../src/decoding/types.ts";
import { loadModel } from "../src/node/model.ts";
import { EVAL_SEED, generateProblems, type Problem } from "../src/problems/generate.ts";
import { ANSWER_FAULTS, type AnswerFault, FAULT_MEANINGS, countFaults, diagnoseAnswer } from "../src/problems/diagnose.ts";
import { CANVAS_LENGTHS } from "../src/eval/settings.ts";
import { REPORTED_WORD_PROBLEM_SETS, WORD_PROBLEM_SET_LABELS, categoryMarkdown, categoryRows, type CategoryRow } from "../src/eval/categories.ts";
import { V2_EVAL_SEED, type WordProblemSet, heldOutWordProblems } from "../src/problems/word-problems.ts";
import { evaluate } from "../src/problems/evaluate.ts";
import { isCorrect } from "../src/problems/score.ts";
import { LEVELS } from "./data.ts";
import { PROSE_SOURCES } from "./sources.ts";

export const CARD_EVAL_COUNT = 500;
/** The headline setting: temperature 0, one token committed per pass, L = 64, one block. */
export const CARD_SETTING: Partial<GenerateOptions> = { decoder: "threshold", threshold: 1, genLength: 64, blockSize: 64 };
const PROSE_PROMPTS = [
  "The old man walked into the room and",
  "In the spring of that year, the government",
  "She opened the letter. It said",
  "The most important thing about a good school is",
];
const SAMPLE_PROMPTS = [...PROSE_PROMPTS, "Question: Nora has 12 shells. She finds 7 more. How many shells does Nora have now?\nAnswer:\n"];

/** One training run the shipped weights went through (train.py's training_summary). */
/** [from step, precision] pairs: "fp32", or "bf16 autocast" where the forward passes ran in bfloat16. */
export type Precisions = [number, string][];

/** A run's precisions; runs recorded before the field trained in fp32. */
function precisionsOf(run: TrainingRun): Precisions {
  // A run that starts in bf16 was once recorded as [0, fp32], [0, bf16]: a pair a later one at the same step replaces never ran.
  const pairs = run.precisions ?? [[0, "fp32"]];
  return pairs.filter(([step], i) => pairs[i + 1]?.[0] !== step);
}

export interface TrainingRun {
  steps: number;
  minutes: number;
  batch: number;
  device: string;
  threads?: number;
  /** OPENBLAS_CORETYPE the run trained with; null: OpenBLAS's own detection. */
  blas_core?: string | null;
  recipe?: string;
  /** Peak learning rate (absent in runs before it was recorded). */
  lr?: number;
  /** Where the learning-rate schedule restarted: each leg anneals to its own end (absent: one leg). */
  legs?: number[];
  /** Which steps ran in which precision (absent: fp32 throughout). */
  precisions?: Precisions;
  /** The model's depth in this run (absent in runs before it was recorded). */
  layers?: number;
  /** The depth of the weights this run started from, where it grew them (train.py --layers). */
  grown_from?: number;
  /** The depth of the weights this run started from, where it kept only their first blocks (train.py --layers). */
  cut_from?: number;
}

/** One of train.py's progress measurements; the lengths mix adds exact match per canvas length (blocks of 16, τ 0.9). */
export interface TrainingEval {
  step: number;
  minutes: number;
  heldout_exact: number;
  heldout_exact_L64?: number;
  heldout_exact_L128?: number;
  heldout_exact_L256?: number;
  /** Runs on the v2 data: exact match on its held-out word problems (blocks of 16, τ 0.9, L = 64). */
  v2_exact_L64?: number;
}

export interface TrainingInfo {
  steps: number;
  minutes: number;
  evals: TrainingEval[];
  /** Absent in configs written before runs were recorded. */
  runs?: TrainingRun[];
}

/** The card's table of answer faults over the measured problems, with their share. */
export function faultTable(counts: Record<AnswerFault, number>): string {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const rows = ANSWER_FAULTS.map(
    (fault) => `| ${fault} | ${FAULT_MEANINGS[fault]} | ${counts[fault]} | ${total > 0 ? ((100 * counts[fault]) / total).toFixed(1) : "0.0"} |`,
  );
  return ["| first fault | meaning | problems | % |", "|---|---|---|---|", ...rows].join("\n");
}

/** One sentence naming the two most frequent faults of the wrong answers, with their shares of all answers. */
export function leadingFaults(counts: Record<AnswerFault, number>): string {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const wrong = ANSWER_FAULTS.filter((fault) => fault !== "correct" && counts[fault] > 0);
  if (total === 0 || wrong.length === 0) return "every measured answer is right.";
  const [first, second] = wrong.sort((a, b) => counts[b] - counts[a]);
  // Small shares keep a decimal, or 2 problems in 500 would read "0%".
  const share = (fault: AnswerFault): string => {
    const percent = (100 * counts[fault]) / total;
    return `${percent.toFixed(percent < 10 ? 1 : 0)}%`;
  };
  const lead = `most wrong answers first go wrong by *${first}* (${FAULT_MEANINGS[first!]}: ${share(first!)} of all answers)`;
  return second === undefined ? `${lead}.` : `${lead}, then by *${second}* (${share(second)}).`;
}

/** The sentence before the runs table: how the runs relate, and whether the build's one command gives these weights. */
export function trainingRunsIntro(training: TrainingInfo): string {
  const runs = training.runs ?? [];
  if (runs.length > 1) {
    return "Each run continued the weights of the one before, with a fresh optimizer (so `npm run model:build` alone, one run, trains a different model):";
  }
  // Only an uncapped CPU run is step-deterministic; a GPU run under a wall-clock cap is not, and
  // configs from before runs were recorded trained on the clock.
  // Nor is a run that changed precision on resuming: no one command trains it.
  const run = runs[0];
  const precisions = run ? precisionsOf(run) : [];
  if (run?.device !== "cpu" || precisions.length > 1) return "One run from randomly initialised weights:";
  const bf16 = precisions[0][1] === "bf16 autocast" ? " --bf16" : "";
  const command = `npm run model:build -- --steps ${(run.legs ?? [run.steps]).join(",")}${run.lr ? ` --lr ${run.lr}` : ""}${bf16}`;
  return `One run from randomly initialised weights; \`${command}\` (its default seed, ${run.threads ?? 2} threads) trains it again step for step:`;
}

/**
 * The card's curve of exact match against training steps, with the per-canvas-length columns and
 * the word-problem column where any run measured them.
 */
export function trainingCurveTable(allEvals: readonly TrainingEval[]): string {
  // A run that continues weights measures them again before its first step: one row per step, the later figures added.
  const evals: TrainingEval[] = [];
  for (const e of allEvals) {
    if (evals.at(-1)?.step === e.step) evals[evals.length - 1] = { ...evals.at(-1)!, ...e };
    else evals.push(e);
  }
  const lengths = CANVAS_LENGTHS.filter((n) => evals.some((e) => e[`heldout_exact_L${n}`] !== undefined));
  const percent = (value: number | undefined): string => (value === undefined ? "–" : (100 * value).toFixed(1));
  const words = evals.some((e) => e.v2_exact_L64 !== undefined);
  const header = ["minutes", "step", "exact match %", ...lengths.map((n) => `L = ${n}, B0 16, τ 0.9 %`), ...(words ? ["word problems, L = 64 %"] : [])];
  const rows = evals.map((e) => [
    e.minutes.toFixed(1),
    `${e.step}`,
    percent(e.heldout_exact),
    ...lengths.map((n) => percent(e[`heldout_exact_L${n}`])),
    ...(words ? [percent(e.v2_exact_L64)] : []),
  ]);
  return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** Exact match of the page's default decoder at one canvas length, per graph. */
export interface CanvasLengthRow {
  genLength: number;
  fp32: { correct: number; problems: number };
  int8: { correct: number; problems: number } | null;
}

/** The card's table of the page's default decoder at each canvas length, fp32 and int8. */
export function graphsByLengthTable(rows: readonly CanvasLengthRow[]): string {
  const cell = (r: { correct: number; problems: number } | null): string =>
    r === null ? "–" : `${((100 * r.correct) / r.problems).toFixed(1)} (${r.correct}/${r.problems})`;
  return ["| L | fp32 % | int8 % |", "|---|---|---|", ...rows.map((r) => `| ${r.genLength} | ${cell(r.fp32)} | ${cell(r.int8)} |`)].join("\n");
}

/** Whether any run trained on canvases longer than 64 (train.py's lengths or v2 mix). */
export function trainedOnLongCanvases(training: TrainingInfo): boolean {
  return (training.runs ?? []).some((run) => run.recipe?.includes("canvas length") ?? false);
}

/** "fp32", or e.g. "fp32, bf16 autocast from step 1700". */
function precisionText(run: TrainingRun): string {
  return precisionsOf(run).map(([step, precision]) => (step === 0 ? precision : `${precision} from step ${step}`)).join(", ");
}

/** How a run changed the depth of the weights it started from, if it did. */
function depthChange(run: TrainingRun): string {
  if (run.layers === undefined) return "";
  if (run.grown_from !== undefined) return `; grew the model from ${run.grown_from} to ${run.layers} layers`;
  if (run.cut_from !== undefined) return `; kept the first ${run.layers} of the ${run.cut_from} layers it started from`;
  return "";
}

/** The card's table of training runs, one row per run, in order. */
export function trainingRunsTable(training: TrainingInfo): string {
  const runs = training.runs ?? [{ steps: training.steps, minutes: training.minutes, batch: 48, device: "cpu" }];
  const rows = runs.map((run, i) => {
    const device = run.device === "cpu" ? `${run.threads ?? 2} CPU threads, OpenBLAS core ${run.blas_core ?? "auto-detected"}` : run.device;
    const precision = precisionText(run);
    const where = precision === "fp32" ? device : `${device}; ${precision}`;
    const legs = run.legs ? `${run.steps} (legs ending at ${run.legs.join(", ")})` : `${run.steps}`;
    const steps = `${legs}${depthChange(run)}`;
    const batch = run.lr ? `${run.batch}, peak lr ${run.lr}` : `${run.batch}`;
    return `| ${i + 1} | ${steps} | ${run.minutes} | ${batch} | ${where} | ${run.recipe ?? "not recorded"} |`;
  });
  return ["| run | steps | minutes | batch | hardware | loss and data mix |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

/** The page's default decoder (AdaBlock B0 16, τ 0.9, τ_D 0.3) at each of CANVAS_LENGTHS, fp32 and int8 (one load per graph). */
export async function canvasLengthRows(modelDir: string, problems: Problem[], log: (line: string) => void): Promise<CanvasLengthRow[]> {
  const measure = async (dtype: "fp32" | "q8"): Promise<{ correct: number; problems: number }[]> => {
    const loaded = await loadModel(modelDir, { dtype });
    try {
      const perLength = [];
      for (const genLength of CANVAS_LENGTHS) {
        const summary = await evaluate(loaded, problems, { ...DEFAULT_OPTIONS, genLength, steps: genLength });
        log(`card (${dtype}, L = ${genLength}): ${summary.correct}/${summary.problems}`);
        perLength.push({ correct: summary.correct, problems: summary.problems });
      }
      return perLength;
    } finally {
      await loaded.model.dispose();
    }
  };
  const fp32 = await measure("fp32");
  const int8 = existsSync(join(modelDir, "onnx", "model_quantized.onnx")) ? await measure("q8") : null;
  return CANVAS_LENGTHS.map((genLength, i) => ({ genLength, fp32: fp32[i]!, int8: int8?.[i] ?? null }));
}

/** One held-out set of v2 word problems (issue #22) under the page's default decoder. */
export interface WordProblemResult {
  set: WordProblemSet;
  correct: number;
  problems: number;
  rows: CategoryRow[];
}

/**
 * The v2 word problems (many shapes, names, units; held-out split), the levels of 1-3 steps
 * (two-digit numbers, numbers to 999) and the whole distribution, with the page's default
 * decoder at L = 64 on the page's WASM graph (int8 where the folder has it): what a user typing
 * a problem in their own words gets.
 */
export async function wordProblemResults(modelDir: string, log: (line: string) => void): Promise<{ dtype: "fp32" | "q8"; results: WordProblemResult[] }> {
  const dtype = existsSync(join(modelDir, "onnx", "model_quantized.onnx")) ? "q8" : "fp32";
  const loaded = await loadModel(modelDir, { dtype });
  try {
    const results: WordProblemResult[] = [];
    for (const set of REPORTED_WORD_PROBLEM_SETS) {
      const problems = heldOutWordProblems(set, V2_EVAL_SEED, CARD_EVAL_COUNT);
      const outcomes: boolean[] = [];
      const summary = await evaluate(loaded, problems, DEFAULT_OPTIONS, (_done, _correct, result, problem) => void outcomes.push(isCorrect(result.text, problem.answer)));
      log(`card (${dtype}, word problems ${set}): ${summary.correct}/${summary.problems}`);
      results.push({ set, correct: summary.correct, problems: summary.problems, rows: categoryRows(problems.map((p) => p.categories), outcomes) });
    }
    return { dtype, results };
  } finally {
    await loaded.model.dispose();
  }
}

/** The card's word-problem section: every set's total, then the breakdown of each by category. */
export function wordProblemSection(dtype: string, results: readonly WordProblemResult[]): string {
  const totals = results.map((r) => `| ${WORD_PROBLEM_SET_LABELS[r.set]} | ${((100 * r.correct) / r.problems).toFixed(1)} | ${r.correct}/${r.problems} |`);
  const breakdowns = results.map((r) => categoryMarkdown(r.rows, `By category, ${r.set}:`));
  return `\`src/problems/word-problems.ts\` writes many sentence shapes, verbs, items,
units and names from many languages, with distractor sentences; its held-out questions are disjoint from training by a
hash of the question. ${results[0]?.problems ?? 0} held-out problems of each set (seed ${V2_EVAL_SEED}), the page's default decoder at L = 64, the ${dtype === "q8" ? "int8" : "fp32"} graph
(\`npm run eval -- --set ${results.map((r) => r.set).join("|")} --decoders adablock --block-sizes 16 --count ${results[0]?.problems ?? 0}${dtype === "q8" ? " --dtype q8" : ""}\` reads the same):

| set | exact % | correct |
|---|---|---|
${totals.join("\n")}

${breakdowns.join("\n")}`;
}

/** The int8 graph beside the fp32 one, measured on the same problems and setting (null when the folder has none). */
async function int8Quality(modelDir: string, problems: Problem[], log: (line: string) => void): Promise<{ accuracy: number; correct: number; bytes: number } | null> {
  const path = join(modelDir, "onnx", "model_quantized.onnx");
  if (!existsSync(path)) return null;
  const loaded = await loadModel(modelDir, { dtype: "q8" });
  try {
    const summary = await evaluate(loaded, problems, CARD_SETTING, (done, correct) => {
      if (done % 100 === 0) log(`card (int8): ${done}/${problems.length} problems, ${correct} correct`);
    });
    return { accuracy: summary.accuracy, correct: summary.correct, bytes: statSync(path).size };
  } finally {
    await loaded.model.dispose();
  }
}

export async function writeModelCard(modelDir: string, name: string, log: (line: string) => void): Promise<void> {
  const loaded = await loadModel(modelDir, { dtype: "fp32" });
  const config = JSON.parse(readFileSync(join(modelDir, "config.json"), "utf8")) as Record<string, unknown> & { training: TrainingInfo };
  const problems = generateProblems(EVAL_SEED, CARD_EVAL_COUNT);
  const faults: AnswerFault[] = [];
  const summary = await evaluate(loaded, problems, CARD_SETTING, (done, correct, result, problem) => {
    faults.push(diagnoseAnswer(problem, result.text));
    if (done % 50 === 0) log(`card: ${done}/${problems.length} problems, ${correct} correct`);
  });
  const samples: string[] = [];
  const continuations: string[] = [];
  for (const prompt of SAMPLE_PROMPTS) {
    const result = await generate(loaded, prompt, { decoder: "threshold", threshold: 1, genLength: 48, blockSize: 16 });
    samples.push(`**Prompt:** ${JSON.stringify(prompt)}\n\n\`\`\`\n${prompt}${result.text}\n\`\`\``);
    continuations.push(result.text);
  }
  await loaded.model.dispose();
  const int8 = await int8Quality(modelDir, problems, log);
  const byLength = await canvasLengthRows(modelDir, problems, log);
  const words = await wordProblemResults(modelDir, log);
  const longCanvases = trainedOnLongCanvases(config.training);
  const int8Line = int8
    ? `\nThe int8 graph (\`onnx/model_quantized.onnx\`, ${(int8.bytes / 1e6).toFixed(1)} MB, the page's download on WASM, about 2x faster there),
same problems and setting: **${(100 * int8.accuracy).toFixed(1)}%** (${int8.correct}/${summary.problems}), ${int8.correct >= summary.correct ? "no loss" : `${(100 * (summary.accuracy - int8.accuracy)).toFixed(1)} points below`} against fp32.\n`
    : "";
  const onnxBytes = statSync(join(modelDir, "onnx", "model.onnx")).size;
  const kvPath = join(modelDir, "onnx", "model_kv.onnx");
  const kvSection = existsSync(kvPath) ? kvGraphSection(config, statSync(kvPath).size) : "";
  const params = (((config.vocab_size as number) * (config.hidden_size as number)) +
    (config.num_hidden_layers as number) * (4 * (config.hidden_size as number) ** 2 + 3 * (config.hidden_size as number) * (config.intermediate_size as number))) / 1e6;
  const card = `# ${name}

A small masked-diffusion language model (LLaDA-style) built by \`npm run model:build\` for the
in-browser dLLM runtime of this repository. It answers GSM8K-shaped arithmetic word problems
with one worked step per line and a final \`#### <number>\` line, in its generator's wording
(src/problems/generate.ts); its free text is poor (see Samples). It exists so the page, the tests and the AdaBlock evaluation have a real dLLM that ships
with the code; it is not a general-purpose model.

## Architecture
Bidirectional transformer (no causal mask): ${config.num_hidden_layers} layers, hidden size ${config.hidden_size},
${config.num_attention_heads} heads, SwiGLU feed-forward ${config.intermediate_size}, RMSNorm, rotary positions, tied input/output
embedding; about ${params.toFixed(2)}M parameters. Vocabulary ${config.vocab_size} (SentencePiece unigram written as a
Hugging Face \`tokenizer.json\`; digits, newline, \`.\` and \`,\` are always single tokens).
Special tokens: \`[PAD]\`=${config.pad_token_id}, \`[EOS]\`=${config.eos_token_id}, \`[MASK]\`=${config.mask_token_id}.
ONNX graph (opset 17): \`input_ids\` int64 [batch, sequence] and \`row_range\` int64 [2] -> for those rows \`logits\` float32 [batch, rows, vocab],
\`top_ids\` int32 and \`top_probs\` float32 [batch, rows, 2]; file size ${(onnxBytes / 1e6).toFixed(1)} MB (fp32), with an int8 twin (weight MatMuls as \`DynamicQuantizeMatMul\`).
${kvSection}
## Training
Objective: masked diffusion (a time t in (0, 1] per sequence, each target token masked with
probability t, cross-entropy on the masked tokens). Task examples keep the question unmasked and pad
the answer with \`[EOS]\` to 64 tokens, the canvas the runtime decodes by default${longCanvases ? " (runs with the lengths mix draw 64, 128 or 256 per batch, the `[EOS]` tail after the first weighing 8 tokens in all)" : ""}; prose batches mask the whole
128-token sequence. ${trainingRunsIntro(config.training)}

${trainingRunsTable(config.training)}

Data: synthetic problems from \`src/problems/generate.ts\` (curriculum levels: ${LEVELS.map((l) => `${l.name} ${l.count.toLocaleString("en")}`).join(", ")};
training seeds ≥ 1,000,000; the evaluation seed ${EVAL_SEED} is never trained on and its first 5,000 problems are
filtered out of the training data) and prose:

| source | package | licence | content |
|---|---|---|---|
${PROSE_SOURCES.map((s) => `| ${s.name} | \`${s.packageSpec}\` | ${s.licence} | ${s.description} |`).join("\n")}

Trained for ${config.training.minutes} minutes in all (${config.training.steps} optimizer steps) on 2 CPU cores
(Debian PyTorch 1.13 with OpenBLAS). In a VM that hides the CPU model OpenBLAS picks its generic
Prescott kernels, 7x slower here than its AVX-512 ones: train.py names the core from the CPU flags.

## Quality
Exact match on the \`####\` answer, ${summary.problems} held-out problems (seed ${EVAL_SEED}), temperature 0, one token
committed per forward pass (highest confidence first), generation length 64, one block:
**${(100 * summary.accuracy).toFixed(1)}%** (${summary.correct}/${summary.problems}), measured with the runtime's engine in Node (onnxruntime-node), fp32 graph.
${int8Line}
The page's default decoder (AdaBlock, B0 16, τ 0.9, τ_D 0.3) on the same problems at each canvas length the
page offers up to 256 (\`npm run eval -- --decoders adablock --block-sizes 16 --count 500 --gen-length L\` reads the same):

${graphsByLengthTable(byLength)}

Where each answer first goes wrong (\`src/problems/diagnose.ts\` reads it line by line against the
reference steps; the first differing line decides):

${faultTable(countFaults(faults))}

Accuracy against training time, measured by train.py during training (greedy, one token per pass,
on the first 60 to 100 held-out problems, so each point is rough; the per-length columns decode in blocks of 16 with
threshold 0.9, as the page does; the word-problem column measures the held-out problems of the mix the run at that step
trained on, named in the runs table, so it steps where the mix changes, and a step where a run starts shows that run's figure):

${trainingCurveTable(config.training.evals)}

### Word problems in other words

${wordProblemSection(words.dtype, words.results)}

## Samples
Free-text prompts, temperature 0, one token per pass, blocks of 16, 48 tokens (verbatim):

${samples.join("\n\n")}

## Known weaknesses
- Trained on a tiny CPU budget. Free text is poor (see the samples above): ${mostFrequentWord(continuations.slice(0, PROSE_PROMPTS.length))}
  One batch in ten to twenty was prose, too little to learn more than the most frequent words.
- Arithmetic: ${leadingFaults(countFaults(faults))} A GPU run
  (\`npm run model:build -- --device-bundle\`, see the repository README) or many more CPU hours are what
  would close the gap. ${largeNumbers(words.results)}
- ${longCanvases ? "Beyond 256 generated tokens" : "Beyond 64 generated tokens (see the table by canvas length)"} or about 130 tokens of context it has seen nothing in training.
- Wording: it has learned its generator's templates, not word problems in general. Measured when issue #22
  was filed (30 problems each, AdaBlock B0 16): the same arithmetic worded by a person scored 7-57 % (a name not
  in its list 47 %, another verb 10 %, units 7 %, another sentence shape 10 %, five steps 7 %), against about
  80 % in the generator's wording. The page's examples are problems it answers correctly in that wording.
`;
  writeFileSync(join(modelDir, "README.md"), card);
  log(`card: accuracy ${(100 * summary.accuracy).toFixed(1)}% on ${summary.problems}; written ${join(modelDir, "README.md")}`);
}

/** How the word problems with a number of 100 or more fare, summed over the sets measured. */
export function largeNumbers(results: readonly WordProblemResult[]): string {
  const rows = results.flatMap((r) => r.rows).filter((row) => row.group === "size" && row.value !== "<=99");
  const correct = rows.reduce((sum, row) => sum + row.correct, 0);
  const total = rows.reduce((sum, row) => sum + row.total, 0);
  if (total === 0) return "Numbers of 100 or more were not measured.";
  return `Word problems with a number of 100 or more (the sets above together): ${((100 * correct) / total).toFixed(1)} % exact (${correct}/${total}).`;
}

/** How repetitive the prose samples are: the share of their words that is the single most frequent one. */
export function mostFrequentWord(continuations: string[]): string {
  const words = continuations.flatMap((text) => text.toLowerCase().match(/[a-z']+/g) ?? []);
  if (words.length === 0) return "the prose samples contain no words at all.";
  const counts = new Map<string, number>();
  for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  const [word, count] = [...counts].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  const share = Math.round((100 * count) / words.length);
  return `"${word}" is ${share}% of the ${words.length} words written after the ${continuations.length} prose prompts.`;
}

/** The card's section on onnx/model_kv.onnx, the graph behind the approximate KV caches (docs/kv-cache.md). */
export function kvGraphSection(config: Record<string, unknown>, bytes: number): string {
  const layers = config.num_hidden_layers as number;
  const heads = config.num_attention_heads as number;
  const headDim = (config.hidden_size as number) / heads;
  const kv = `float32 [${layers}, batch, ${heads}, past, ${headDim}]`;
  return `
## KV-cache graph
\`onnx/model_kv.onnx\` (${(bytes / 1e6).toFixed(1)} MB, the same weights; fetched only when a cache mode is used) runs a window
of the canvas against cached keys and values of the other positions, for the runtime's \`--cache prefix|dual\`:

| | name | type and shape | meaning |
|---|---|---|---|
| input | \`input_ids\` | int64 [batch, window] | the window's tokens |
| input | \`window_start\` | int64 [] | absolute position of the window's first token (rotary uses true positions) |
| input | \`past_keys\` | ${kv} | cached keys of the other positions, rotary of their own positions applied; \`past\` may be 0 |
| input | \`past_values\` | ${kv} | cached values, same positions |
| output | \`logits\` | float32 [batch, window, ${config.vocab_size}] | the window's logits |
| output | \`present_keys\` | float32 [${layers}, batch, ${heads}, window, ${headDim}] | the window's keys (rotary applied), to cache |
| output | \`present_values\` | float32 [${layers}, batch, ${heads}, window, ${headDim}] | the window's values |

Window queries attend to the past positions and to the window itself (no mask), so the order of the past
positions does not matter. With \`past\` = 0 and the whole canvas as the window (\`window_start\` 0) it is the full pass
and also returns every position's keys and values. Built by \`model/export.py\` beside \`model.onnx\`
(\`--kv-only\` rebuilds it from \`model.onnx\`'s weights).
`;
}
