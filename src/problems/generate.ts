/**
 * GSM8K-shaped synthetic word problems with checkable answers: a short story, then one
 * worked step per line and a last line `#### <number>`. Written once here; the model build
 * calls it through Node, so training data and evaluation come from the same code.
 */
import { createRandom, type Random } from "../util/random.ts";

export interface Problem {
  /** `Question: ...\nAnswer:\n`, what the model is given. */
  prompt: string;
  /** Worked steps, one per line, then `#### <answer>`; what the model should write. */
  target: string;
  answer: number;
}

export interface ProblemOptions {
  /** Largest number that appears anywhere in the problem (curriculum: start small). */
  maxValue?: number;
  minSteps?: number;
  maxSteps?: number;
}

/** The evaluation seed. Training data is drawn from TRAIN_SEED_BASE + k and filtered against it. */
export const EVAL_SEED = 1234;
export const TRAIN_SEED_BASE = 1_000_000;

const PEOPLE: readonly (readonly [string, "she" | "he"])[] = [
  ["Mia", "she"], ["Leo", "he"], ["Ava", "she"], ["Noah", "he"], ["Zoe", "she"], ["Sam", "he"],
  ["Lily", "she"], ["Omar", "he"], ["Emma", "she"], ["Ben", "he"], ["Nora", "she"], ["Jack", "he"],
  ["Ella", "she"], ["Max", "he"], ["Ruby", "she"], ["Tom", "he"], ["Sara", "she"], ["Luke", "he"],
  ["Anna", "she"], ["Ivan", "he"], ["Maya", "she"], ["Eli", "he"], ["Rosa", "she"], ["Ken", "he"],
  ["Lucy", "she"], ["Dan", "he"], ["Iris", "she"], ["Raj", "he"], ["Kate", "she"], ["Paul", "he"],
];

const THINGS: readonly string[] = [
  "apples", "marbles", "stickers", "books", "coins", "pencils", "cookies", "cards", "shells",
  "stamps", "balloons", "eggs", "cups", "toys", "plums", "beads", "candles", "flowers",
  "rocks", "buttons", "lemons", "crayons", "tickets", "boxes",
];

export type Op = "+" | "-" | "*";

export interface Step {
  op: Op;
  operand: number;
}

function capitalize(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

/** One clause (no subject, no full stop) that tells the step. */
function clause(step: Step, other: string, pronoun: "she" | "he", rng: Random): string {
  const n = step.operand;
  switch (step.op) {
    case "+":
      return rng.pick([
        `buys ${n} more`,
        `finds ${n} more`,
        `gets ${n} more from ${other}`,
        `picks up ${n} more`,
        `wins ${n} more`,
      ]);
    case "-":
      return rng.pick([
        `gives ${n} to ${other}`,
        `loses ${n}`,
        `sells ${n}`,
        `uses ${n}`,
        `gives ${n} away`,
      ]);
    case "*":
      return rng.pick([
        `ends up with ${n} times as many`,
        `then has ${n} times as many`,
        `makes the pile ${n} times as big`,
      ]);
    default: {
      const never: never = step.op;
      throw new Error(`unknown op ${String(never)} for ${pronoun}`);
    }
  }
}

function chooseStep(value: number, maxValue: number, rng: Random): Step {
  const ops: Op[] = [];
  if (value < maxValue) ops.push("+", "+");
  if (value > 1) ops.push("-", "-");
  if (value >= 2 && value * 2 <= maxValue) ops.push("*");
  const op = rng.pick(ops);
  if (op === "+") return { op, operand: rng.int(1, Math.min(20, maxValue - value)) };
  if (op === "-") return { op, operand: rng.int(1, value - 1) };
  return { op, operand: rng.int(2, Math.min(9, Math.floor(maxValue / value))) };
}

/** The value after one worked step (also how a written step is checked). */
export function apply(value: number, step: Step): number {
  if (step.op === "+") return value + step.operand;
  if (step.op === "-") return value - step.operand;
  return value * step.operand;
}

function generateOne(rng: Random, options: Required<ProblemOptions>): Problem {
  const [name, pronoun] = rng.pick(PEOPLE);
  let other = rng.pick(PEOPLE)[0];
  while (other === name) other = rng.pick(PEOPLE)[0];
  const thing = rng.pick(THINGS);
  const stepCount = rng.int(options.minSteps, options.maxSteps);

  let value = rng.int(2, Math.min(30, options.maxValue));
  const sentences = [`${name} has ${value} ${thing}.`];
  const lines: string[] = [];
  let pendingClauses: string[] = [];
  for (let i = 0; i < stepCount; i++) {
    const step = chooseStep(value, options.maxValue, rng);
    const next = apply(value, step);
    lines.push(`${value} ${step.op} ${step.operand} = ${next}`);
    value = next;
    pendingClauses.push(clause(step, other, pronoun, rng));
    // Join two clauses with "and" now and then, as people write.
    const flush = pendingClauses.length === 2 || i === stepCount - 1 || rng.next() < 0.5;
    if (flush) {
      const subject = sentences.length === 1 || rng.next() < 0.5 ? capitalize(pronoun) : name;
      sentences.push(`${subject} ${pendingClauses.join(" and ")}.`);
      pendingClauses = [];
    }
  }
  const question = rng.pick([
    `How many ${thing} does ${name} have now?`,
    `How many ${thing} does ${pronoun} have now?`,
    `How many ${thing} are there in the end?`,
    `How many ${thing} does ${name} have at the end?`,
  ]);
  sentences.push(question);
  return {
    prompt: `Question: ${sentences.join(" ")}\nAnswer:\n`,
    target: `${lines.join("\n")}\n#### ${value}`,
    answer: value,
  };
}

/**
 * `count` problems from `seed`. Problem i depends only on the seed and i's predecessors, so a
 * larger count extends a smaller one.
 */
export function generateProblems(seed: number, count: number, options: ProblemOptions = {}): Problem[] {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const resolved: Required<ProblemOptions> = { maxValue: 99, minSteps: 2, maxSteps: 4, ...options };
  if (resolved.maxValue < 4) throw new RangeError(`maxValue must be at least 4, got ${resolved.maxValue}`);
  if (resolved.minSteps < 1 || resolved.maxSteps < resolved.minSteps) {
    throw new RangeError(`steps must satisfy 1 <= minSteps <= maxSteps, got ${resolved.minSteps}..${resolved.maxSteps}`);
  }
  const rng = createRandom(seed);
  return Array.from({ length: count }, () => generateOne(rng, resolved));
}
