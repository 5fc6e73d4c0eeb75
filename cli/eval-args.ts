/**
 * Flags of `npm run eval`, parsed into an evaluation plan. Per-cell ranges are checked later
 * by the engine's resolveOptions against the loaded model; this file parses and names flags.
 */
import { OptionError } from "../src/errors.ts";
import { parseDtype, type Dtype } from "../src/model/model-source.ts";
import { integerFlag, parseFlags } from "./args.ts";
import { EVAL_SEED } from "../src/problems/generate.ts";
import { V2_EVAL_SEED } from "../src/problems/word-problems.ts";
import { checkPlan, defaultPlan, parseBlockSizes, parseSettings, DEFAULT_BLOCK_SIZES, DEFAULT_GEN_LENGTH, type EvalPlan } from "../src/eval/settings.ts";

export const DEFAULT_COUNT = 200;

/**
 * v1: generate.ts's problems (the model card's held-out set); v2: the word problems of issue #22,
 * held-out split, scored per category; v2easy: those of two-digit numbers and 1-3 steps (the level
 * the v2easy training mix adds); v2mid: numbers to 999 and 1-3 steps (the level the v2mid mix adds).
 */
export const PROBLEM_SETS = ["v1", "v2", "v2easy", "v2mid"] as const;
export type ProblemSet = (typeof PROBLEM_SETS)[number];

export interface EvalArgs {
  plan: EvalPlan;
  set: ProblemSet;
  seed: number;
  count: number;
  model: string | undefined;
  /** A second model run on the same problems, each cell compared with it (paired). */
  baseline: string | undefined;
  /** The graph's dtype (the folder's default for the CPU when absent). */
  dtype: Dtype | undefined;
  json: boolean;
  out: string | undefined;
}

export const EVAL_USAGE = `usage: npm run eval -- [--decoders vanilla,threshold,adablock,cache,adablock+cache,fixed] [--block-sizes ${DEFAULT_BLOCK_SIZES.join(",")}]
  [--set v1|v2|v2easy|v2mid] [--gen-length N] [--seed S] [--count N] [--delimiter-threshold TD] [--steps N]
  [--model PATH|URL] [--baseline PATH|URL] [--dtype fp32|fp16|q4f16|q8|q4] [--json] [--out DIR]
  defaults: all four settings, gen length ${DEFAULT_GEN_LENGTH}, set v1, seed ${EVAL_SEED} (the held-out seed; v2, v2easy, v2mid: ${V2_EVAL_SEED}), ${DEFAULT_COUNT} problems,
  tau_D 0.3, fixed step budget = gen length (one token per pass)
  --set v2: the word problems of src/problems/word-problems.ts (held-out split: disjoint from training whatever the seed),
  with exact match per category (steps, largest number, shape, unit kind, tense, distractor) for every setting and B0;
  --set v2easy: the same, two-digit numbers and 1-3 steps; --set v2mid: numbers to 999 and 1-3 steps
  --baseline: also runs that model on the same problems and compares each cell with it, paired
  (only-model-right / only-baseline-right and an exact McNemar p): is a checkpoint better than the shipped weights?`;

function integer(flag: string, text: string | undefined, fallback: number, min: number): number {
  return text === undefined ? fallback : integerFlag(flag, text, min);
}

function dtypeFlag(text: string): Dtype {
  try {
    return parseDtype(text);
  } catch (error) {
    if (error instanceof OptionError) throw new OptionError("--dtype", error.message.slice(error.option.length + 2));
    throw error;
  }
}

export function parseEvalArgs(argv: string[]): EvalArgs {
  const values = parseFlags(argv, {
    decoders: { type: "string" },
    set: { type: "string" },
    "block-sizes": { type: "string" },
    "gen-length": { type: "string" },
    seed: { type: "string" },
    count: { type: "string" },
    "delimiter-threshold": { type: "string" },
    steps: { type: "string" },
    model: { type: "string" },
    baseline: { type: "string" },
    dtype: { type: "string" },
    json: { type: "boolean" },
    out: { type: "string" },
  });
  const text = (key: string): string | undefined => values[key] as string | undefined;
  const genLength = integer("--gen-length", text("gen-length"), DEFAULT_GEN_LENGTH, 1);
  const tauText = text("delimiter-threshold");
  const delimiterThreshold = tauText === undefined ? 0.3 : /^\+?infinity$/i.test(tauText.trim()) ? Infinity : Number(tauText);
  if (tauText !== undefined && (tauText.trim() === "" || !(delimiterThreshold >= 0))) {
    throw new OptionError("--delimiter-threshold", `must be a number >= 0 or Infinity, got ${JSON.stringify(tauText)}`);
  }
  const plan = defaultPlan({
    genLength,
    fixedSteps: integer("--steps", text("steps"), genLength, 1),
    delimiterThreshold,
    ...(text("decoders") !== undefined ? { settings: parseSettings(text("decoders")!, "--decoders") } : {}),
    ...(text("block-sizes") !== undefined ? { blockSizes: parseBlockSizes(text("block-sizes")!, "--block-sizes") } : {}),
  });
  try {
    checkPlan(plan);
  } catch (error) {
    if (error instanceof OptionError) throw new OptionError(`--${error.option}`, error.message.slice(error.option.length + 2));
    throw error;
  }
  const setText = text("set") ?? "v1";
  const set = PROBLEM_SETS.find((name) => name === setText);
  if (set === undefined) throw new OptionError("--set", `must be one of ${PROBLEM_SETS.join(", ")}, got ${JSON.stringify(setText)}`);
  return {
    plan,
    set,
    seed: integer("--seed", text("seed"), set === "v1" ? EVAL_SEED : V2_EVAL_SEED, 0),
    count: integer("--count", text("count"), DEFAULT_COUNT, 1),
    model: text("model"),
    baseline: text("baseline"),
    dtype: text("dtype") === undefined ? undefined : dtypeFlag(text("dtype")!),
    json: values.json === true,
    out: text("out"),
  };
}
