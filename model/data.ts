/**
 * Training data for the model build: the sentences the vocabulary is learned from, and the
 * token files train.py reads (tokenized here, with the runtime's own tokenizer, so training
 * and inference can never disagree on a token).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EVAL_SEED, TRAIN_SEED_BASE, generateProblems, type ProblemOptions } from "../src/problems/generate.ts";
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
