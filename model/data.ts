/**
 * Training data for the model build: the sentences the vocabulary is learned from, and the
 * token files train.py reads (tokenized here, with the runtime's own tokenizer, so training
 * and inference can never disagree on a token).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EVAL_SEED, TRAIN_SEED_BASE, generateProblems, type Problem, type ProblemOptions } from "../src/problems/generate.ts";
import {
  V2_EASY_OPTIONS,
  V2_EVAL_SEED,
  V2_LONG_OPTIONS,
  V2_MID_OPTIONS,
  V2_TRAIN_SEED_BASE,
  RATE_LINES,
  compactTarget,
  generateWordProblems,
  heldOutWordProblems,
  spacedTarget,
  type Shape,
  type WordProblem,
  type WordProblemOptions,
} from "../src/problems/word-problems.ts";
import { createTextCodec, type TextCodec } from "../src/model/tokenizer.ts";
import { PROSE_SOURCES, cleanText, fetchSource } from "./sources.ts";

/** Curriculum levels: easy problems teach the layout and copying first; most data is full size. */
export const LEVELS: readonly { name: string; options: ProblemOptions; count: number }[] = [
  { name: "easy", options: { maxValue: 20, minSteps: 1, maxSteps: 2 }, count: 60_000 },
  { name: "medium", options: { maxValue: 50, minSteps: 2, maxSteps: 3 }, count: 100_000 },
  { name: "full", options: {}, count: 340_000 },
];

/** Held-out problems that training must never see (the evaluation draws from the same seed). */
export const HELD_OUT_COUNT = 5_000;

export function proseParagraphs(workDir: string): string[] {
  const out: string[] = [];
  for (const source of PROSE_SOURCES) {
    for (const para of source.paragraphs(fetchSource(source, workDir))) {
      const text = cleanText(para);
      if (text.length > 40) out.push(text);
    }
  }
  return out;
}

/** One sentence per line (SentencePiece cannot see newlines), prose and task text mixed. */
export function writeSentences(workDir: string, paragraphs: readonly string[]): string {
  const lines: string[] = [];
  for (const para of paragraphs) lines.push(...para.split(/(?<=[.!?])\s+/).filter((s) => s.length > 1));
  for (const problem of generateProblems(TRAIN_SEED_BASE - 1, 40_000)) {
    lines.push(...(problem.prompt + problem.target).split("\n").filter(Boolean));
  }
  const path = join(workDir, "sentences.txt");
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

export function loadCodec(tokenizerDir: string): TextCodec {
  const json = JSON.parse(readFileSync(join(tokenizerDir, "tokenizer.json"), "utf8")) as object;
  const config = JSON.parse(readFileSync(join(tokenizerDir, "tokenizer_config.json"), "utf8")) as object;
  return createTextCodec(json, config);
}

/**
 * Writes, per level and for the held-out slice, `<name>.u16` (prompt then target tokens, back to back) and
 * `<level>.idx.i32` (start, prompt length, target length per problem); and `prose.u16`, one
 * stream with a newline token between paragraphs.
 */
export function writeTokenFiles(workDir: string, codec: TextCodec, paragraphs: readonly string[], log: (line: string) => void): void {
  const dataDir = join(workDir, "data");
  mkdirSync(dataDir, { recursive: true });
  const heldOut = new Set(generateProblems(EVAL_SEED, HELD_OUT_COUNT).map((p) => p.prompt));
  const newline = codec.idOf("\n");
  if (newline === undefined) throw new Error("tokenizer has no newline piece");
  let maxPrompt = 0;
  let maxTarget = 0;
  // The last split is a slice of the held-out problems, for train.py's progress reports.
  const splits = [
    ...LEVELS.map((level, i) => ({ name: level.name, problems: generateProblems(TRAIN_SEED_BASE + i, level.count, level.options).filter((p) => !heldOut.has(p.prompt)) })),
    { name: "heldout", problems: generateProblems(EVAL_SEED, 500) },
  ];
  for (const split of splits) {
    const problems = split.problems;
    const tokens: number[] = [];
    const index: number[] = [];
    for (const problem of problems) {
      // Tokenize prompt and target together (as the model sees them), then split at the
      // prompt's final newline: newline is always its own token, so the cut is exact.
      const ids = codec.encode(problem.prompt + problem.target);
      const promptLength = codec.encode(problem.prompt).length;
      if (ids[promptLength - 1] !== newline) throw new Error(`prompt does not end in a newline token: ${problem.prompt}`);
      index.push(tokens.length, promptLength, ids.length - promptLength);
      maxPrompt = Math.max(maxPrompt, promptLength);
      maxTarget = Math.max(maxTarget, ids.length - promptLength);
      for (const id of ids) tokens.push(id);
    }
    writeFileSync(join(dataDir, `${split.name}.u16`), new Uint16Array(tokens));
    writeFileSync(join(dataDir, `${split.name}.idx.i32`), new Int32Array(index));
    log(`data: ${split.name}: ${problems.length} problems, ${tokens.length} tokens`);
  }
  const prose: number[] = [];
  for (const para of paragraphs) {
    for (const id of codec.encode(para)) prose.push(id);
    prose.push(newline);
  }
  writeFileSync(join(dataDir, "prose.u16"), new Uint16Array(prose));
  const meta = { maxPromptTokens: maxPrompt, maxTargetTokens: maxTarget, proseTokens: prose.length, levels: LEVELS.map((l) => l.name) };
  writeFileSync(join(dataDir, "meta.json"), JSON.stringify(meta, null, 2));
  log(`data: prose ${prose.length} tokens; longest prompt ${maxPrompt}, longest target ${maxTarget}`);
}

/** train.py's data mixes (its MIXES). */
export const DATA_MIXES = ["v1", "lengths", "compact", "v2easy", "v2mid", "v2long", "v2states", "v2", "v2compact"] as const;
export type DataMix = (typeof DATA_MIXES)[number];

/** What a work folder's data holds (meta.json's format; the v1 data has none). */
export type DataFormat = "v1" | "compact" | "spaced-v2";
const FORMAT_NAMES: Record<DataFormat, string> = {
  v1: "the v1 data",
  compact: "the v2 data (compact layout)",
  "spaced-v2": "the v1 data and the v2 levels (v1 layout)",
};

/**
 * The data each mix reads: lengths the v1 problems at other canvas lengths; compact the v1
 * problems of the compact v2 data (the v2 answer layout on the old task), v2 all of that data;
 * v2easy the v1 problems and the two-digit v2 level in the v1 layout, where the model's
 * arithmetic lives; v2mid those, the level of numbers to 999 and its rate problems; v2long those
 * and the whole distribution's four- to six-step problems (the same data), as v2states does (it
 * differs in its drill batches alone); v2compact v2states' levels in the compact layout.
 */
export const MIX_DATA: Record<DataMix, DataFormat> = { v1: "v1", lengths: "v1", compact: "compact", v2: "compact", v2easy: "spaced-v2", v2mid: "spaced-v2", v2long: "spaced-v2", v2states: "spaced-v2", v2compact: "compact" };

/** The levels of v2long, which v2states and v2compact sample too (train.py builds both from it). */
const V2LONG_LEVELS = ["v2easy", "v2mid", "v2midrates", "v2long"] as const;
/** The v2 levels each mix samples (train.py's MIXES: the levels after the v1 ones). */
export const MIX_V2_LEVELS: Record<DataMix, readonly string[]> = {
  v1: [], lengths: [], compact: [], v2: ["v2easy", "v2full"], v2easy: ["v2easy"], v2mid: ["v2easy", "v2mid", "v2midrates"],
  v2long: V2LONG_LEVELS, v2states: V2LONG_LEVELS, v2compact: V2LONG_LEVELS,
};

/**
 * Why the data already in a work folder cannot feed `mix` (null: it can): no set stands in for
 * another, and data written before its format gained the level a mix samples lacks that level.
 */
export function dataMismatch(
  meta: { format?: string; maxPromptTokens?: number; v2Levels?: readonly string[]; rateLines?: string },
  mix: DataMix,
): string | null {
  const held = meta.format ?? "v1";
  const wanted = MIX_DATA[mix];
  if (held !== wanted) return `it holds ${FORMAT_NAMES[held as DataFormat] ?? `data of format "${held}"`}, and --mix ${mix} needs ${FORMAT_NAMES[wanted]}`;
  const missing = MIX_V2_LEVELS[mix].filter((level) => !(meta.v2Levels ?? []).includes(level));
  if (missing.length > 0) return `it was written before the level${missing.length > 1 ? "s" : ""} ${missing.join(", ")} that --mix ${mix} samples`;
  // Data without the field predates it: rates then added as x+p.
  const rateLines = meta.rateLines ?? "k*m=p, then x+p or x-p";
  if (held !== "v1" && rateLines !== RATE_LINES) return `its rate steps are written "${rateLines}", and the generator now writes "${RATE_LINES}"`;
  return null;
}

/**
 * The v2 data sets (issue #22): the v1 levels and held-out slice (what the model knows, kept so
 * its v1 score holds), v2 levels and a v2 held-out slice with each problem's categories. v2
 * training problems whose question is a v1 held-out question are dropped too (v2 can word a
 * problem exactly as v1 does). "compact": everything in the compact answer layout, the two-digit
 * level, the whole distribution and the levels of spaced-v2 (for v2compact); "spaced-v2":
 * everything in the v1 layout, the levels of 1-3 steps (two-digit numbers, numbers to 999; six
 * steps overflow L = 64 in that layout), with the two-digit level's held-out slice (the one earlier
 * runs' curves were measured on), and the four- to six-step level, whose answers need canvases of
 * 128 (train.py gives its batches no shorter ones).
 */
export const V2_OLD_LEVELS: readonly { name: string; options: ProblemOptions; count: number }[] = [
  { name: "easy", options: { maxValue: 20, minSteps: 1, maxSteps: 2 }, count: 20_000 },
  { name: "medium", options: { maxValue: 50, minSteps: 2, maxSteps: 3 }, count: 30_000 },
  { name: "full", options: {}, count: 100_000 },
];
/** A v2 level: `count` problems drawn from its own seed; with `shape`, only those using it kept. */
export interface V2Level {
  name: string;
  options: WordProblemOptions;
  count: number;
  shape?: Shape;
}
export const V2_LEVELS: readonly V2Level[] = [
  { name: "v2easy", options: V2_EASY_OPTIONS, count: 50_000 },
  { name: "v2full", options: {}, count: 150_000 },
  { name: "v2mid", options: V2_MID_OPTIONS, count: 100_000 },
  // Rates were right 4-7 % of the time while every other shape was near 45 %: with the answer shown
  // up to the rate's added value x (`k*m=p`, `p+x`), the weights wrote x right 28 % of the time
  // when it is the start (it comes before k and m in the question) and 4 % when it is a result
  // two lines up, against 98 % for the question's numbers taken in order (model/probe-operands.ts).
  // Rate problems alone (about 15 % of the draws), so a mix can weigh them. Weighed at 15 % for
  // 6,000 steps they moved little: 37 % and 4 %, rates 5-7 % right. Hence RATE_LINES: one line
  // that takes x first, from the line above or the question.
  { name: "v2midrates", options: V2_MID_OPTIONS, count: 150_000, shape: "rate" },
  // Four to six steps, the whole distribution's numbers: half of its held-out problems, right 0-3 %
  // of the time after 78,000 steps that never showed one. In the v1 layout 83 % of four-step answers
  // fit L = 64, 27 % of five-step and 3 % of six-step ones, and all fit 128.
  { name: "v2long", options: V2_LONG_OPTIONS, count: 100_000 },
];

/** A v2 level's training problems from `seed` (the seed of its index in V2_LEVELS). */
export function v2LevelProblems(level: V2Level, seed: number): WordProblem[] {
  const drawn = generateWordProblems(seed, level.count, level.options);
  const shape = level.shape;
  return shape === undefined ? drawn : drawn.filter((p) => p.categories.shapes.includes(shape));
}
/** The v2 levels a format writes: those its mixes sample. */
function formatV2Levels(format: DataFormat): string[] {
  return [...new Set(DATA_MIXES.filter((mix) => MIX_DATA[mix] === format).flatMap((mix) => MIX_V2_LEVELS[mix]))];
}
export const V2_HELD_OUT_SLICE = 500;

export function writeV2TokenFiles(
  workDir: string,
  codec: TextCodec,
  pieces: readonly string[],
  paragraphs: readonly string[],
  log: (line: string) => void,
  format: Exclude<DataFormat, "v1"> = "compact",
): void {
  const dataDir = join(workDir, "data");
  mkdirSync(dataDir, { recursive: true });
  const spaced = format === "spaced-v2";
  const v1HeldOut = new Set(generateProblems(EVAL_SEED, HELD_OUT_COUNT).map((p) => p.prompt));
  const v1Layout = (problems: Problem[]): Problem[] => (spaced ? problems : problems.map((p) => ({ ...p, target: compactTarget(p.target) })));
  const v2Layout = <P extends Problem>(problems: P[]): P[] => (spaced ? problems.map((p) => ({ ...p, target: spacedTarget(p.target) })) : problems);
  const v2HeldOut = v2Layout(heldOutWordProblems(spaced ? "v2easy" : "v2", V2_EVAL_SEED, V2_HELD_OUT_SLICE));
  // Each v2 level keeps its seed (its index in V2_LEVELS) whichever levels are written.
  const v2Levels = V2_LEVELS.map((level, i) => ({ ...level, seed: V2_TRAIN_SEED_BASE + i })).filter((level) => formatV2Levels(format).includes(level.name));
  const splits = [
    ...V2_OLD_LEVELS.map((level, i) => ({ name: level.name, problems: v1Layout(generateProblems(TRAIN_SEED_BASE + i, level.count, level.options).filter((p) => !v1HeldOut.has(p.prompt))) })),
    { name: "heldout", problems: v1Layout(generateProblems(EVAL_SEED, 500)) },
    ...v2Levels.map((level) => ({ name: level.name, problems: v2Layout(v2LevelProblems(level, level.seed).filter((p) => !v1HeldOut.has(p.prompt))) })),
    { name: "v2heldout", problems: v2HeldOut },
  ];
  const lengths = { maxPrompt: 0, maxTarget: 0 };
  const encode = memoizedEncoder(codec, pieces);
  for (const split of splits) writeSplit(dataDir, split.name, split.problems, codec, encode, lengths, log);
  // The held-out slice's categories, row by row, for per-category curves.
  writeFileSync(join(dataDir, "v2heldout.categories.json"), JSON.stringify(v2HeldOut.map((p) => p.categories)));
  const prose = proseTokens(paragraphs, codec, encode);
  writeFileSync(join(dataDir, "prose.u16"), new Uint16Array(prose));
  const meta = {
    maxPromptTokens: lengths.maxPrompt, maxTargetTokens: lengths.maxTarget, proseTokens: prose.length, format,
    levels: V2_OLD_LEVELS.map((l) => l.name), v2Levels: v2Levels.map((l) => l.name), rateLines: RATE_LINES,
  };
  writeFileSync(join(dataDir, "meta.json"), JSON.stringify(meta, null, 2));
  log(`data: prose ${prose.length} tokens; longest prompt ${lengths.maxPrompt}, longest target ${lengths.maxTarget}`);
}

/**
 * The codec's encode, memoized per piece of text between forced token boundaries: 7 ms a v2
 * problem on a busy core made 200,000 problems half an hour. Exact for this vocabulary kind
 * (Metaspace, no split, Unigram): when no piece holds "▁" after its first character, nor a
 * newline or a digit beside other characters, every segmentation cuts before each space and
 * around each newline and digit, so the best one is the best of each part. The vocabulary is
 * checked for that, and every `checkEvery`-th text is also encoded whole and compared.
 */
export function memoizedEncoder(codec: TextCodec, pieces: readonly string[], checkEvery = 500): (text: string) => number[] {
  const bad = pieces.filter((p) => p.slice(1).includes("\u2581") || (p.length > 1 && /[\n0-9]/.test(p)));
  if (bad.length > 0) throw new Error(`vocabulary has pieces across forced boundaries (${bad.slice(0, 3).join(", ")}); encode whole texts`);
  const newline = codec.idOf("\n")!;
  const cache = new Map<string, number[]>();
  const part = (segment: string, first: boolean): number[] => {
    const key = (first ? "^" : "") + segment;
    let ids = cache.get(key);
    if (ids === undefined) {
      // Inside a text a part that does not start with a space gets no "▁": encode it after a newline and drop what precedes it.
      if (first || segment.startsWith(" ")) ids = codec.encode(segment);
      else {
        const withNewline = codec.encode(`\n${segment}`);
        ids = withNewline.slice(withNewline.indexOf(newline) + 1);
      }
      cache.set(key, ids);
    }
    return ids;
  };
  let calls = 0;
  return (text) => {
    const ids: number[] = [];
    const segments = text.split(/(?= )|(\n|[0-9])/).filter((segment) => segment !== undefined && segment !== "");
    segments.forEach((segment, i) => {
      ids.push(...part(segment, i === 0));
    });
    if (++calls % checkEvery === 1) {
      const whole = codec.encode(text);
      if (whole.length !== ids.length || whole.some((id, i) => id !== ids[i])) throw new Error(`memoized encoding differs from the tokenizer's on ${JSON.stringify(text)}`);
    }
    return ids;
  };
}

/** `<name>.u16` and `<name>.idx.i32` of one split, as writeTokenFiles writes them. */
function writeSplit(dataDir: string, name: string, problems: readonly Problem[], codec: TextCodec, encode: (text: string) => number[], lengths: { maxPrompt: number; maxTarget: number }, log: (line: string) => void): void {
  const newline = codec.idOf("\n");
  const tokens: number[] = [];
  const index: number[] = [];
  for (const problem of problems) {
    const ids = encode(problem.prompt + problem.target);
    const promptLength = encode(problem.prompt).length;
    if (ids[promptLength - 1] !== newline) throw new Error(`prompt does not end in a newline token: ${problem.prompt}`);
    index.push(tokens.length, promptLength, ids.length - promptLength);
    lengths.maxPrompt = Math.max(lengths.maxPrompt, promptLength);
    lengths.maxTarget = Math.max(lengths.maxTarget, ids.length - promptLength);
    for (const id of ids) tokens.push(id);
  }
  writeFileSync(join(dataDir, `${name}.u16`), new Uint16Array(tokens));
  writeFileSync(join(dataDir, `${name}.idx.i32`), new Int32Array(index));
  log(`data: ${name}: ${problems.length} problems, ${tokens.length} tokens`);
}

function proseTokens(paragraphs: readonly string[], codec: TextCodec, encode: (text: string) => number[]): number[] {
  const newline = codec.idOf("\n")!;
  const prose: number[] = [];
  for (const para of paragraphs) {
    for (const id of encode(para)) prose.push(id);
    prose.push(newline);
  }
  return prose;
}
