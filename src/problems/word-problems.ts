/**
 * The v2 word problems (issue #22): the arithmetic of generate.ts (v1, kept unchanged for its
 * held-out set) worded as people write it. Many sentence shapes per operation, present and past,
 * items and units (money, lengths, volumes, time), names from many languages, one to six worked
 * steps (a rate's two on one line), numbers up to 999 in the question and results up to 9,999,
 * exact division, distractor sentences whose numbers are not used. Every problem carries the
 * categories the evaluation reports by.
 *
 * Worked lines are written without spaces (`123+456=579`): 12 tokens of the shipped vocabulary
 * against 16 for `123 + 456 = 579`, which lets six steps fit the smallest canvas (L = 64).
 * Every answer is at most MAX_ANSWER_CHARS characters, and no character is more than one token.
 *
 * Held-out problems are disjoint from training problems by construction: a problem belongs to
 * the split its normalized question hashes to (questionSplit), and each split's generator only
 * keeps its own. The same question can never be in both, whatever seeds are drawn.
 */
import { createRandom, type Random } from "../util/random.ts";
import type { Problem } from "./generate.ts";
import {
  CONTAINERS, DAYS, DISTRACTORS, GAIN_VERBS, GIVE_VERBS, GIVEN_NAMES, ITEMS, LENGTH_THINGS, LENGTH_UNITS, LOSS_VERBS, NUMBER_WORDS, PURCHASES,
  RECIPIENTS, TIME_ACTIVITIES, VOLUME_THINGS, VOLUME_UNITS, type Pronoun, singular,
} from "./lexicon.ts";

export type WordOp = "+" | "-" | "*" | "/";

/** One worked operation `left op right = result`, on a line of its own unless `inline`. */
export interface WorkedStep {
  left: number;
  op: WordOp;
  right: number;
  result: number;
  /** A rate's product `k*m=p`, written inside the next line: `x+k*m=x+p=r` (see RATE_LINES). */
  inline?: true;
}

export type Kind = "items" | "money" | "length" | "volume" | "time";
export type Tense = "present" | "past";
/** How the question opens (the start value) and how each step is told. */
export type Shape =
  | "has" | "had" | "starts with" | "holds" | "activity"
  | "add" | "receive" | "take away" | "give" | "times" | "twice" | "rate" | "half" | "share" | "equal groups";
export type SizeBucket = "<=99" | "100-999" | ">=1000";

export interface Categories {
  /** The start shape and every step shape, each once, in order of first use. */
  shapes: Shape[];
  /** Worked operations (a rate counts two, written on one line). */
  steps: number;
  /** The largest number in the worked lines. */
  size: SizeBucket;
  distractor: boolean;
  kind: Kind;
  tense: Tense;
}

export interface WordProblem extends Problem {
  steps: WorkedStep[];
  categories: Categories;
}

export type Split = "train" | "heldout";

export interface WordProblemOptions {
  split?: Split;
  minSteps?: number;
  maxSteps?: number;
  /** Largest number written in the question (start value, operands). */
  maxValue?: number;
  /** Share of problems with a distractor sentence. */
  distractorShare?: number;
}

/** Results stay below this (four digits). */
export const MAX_RESULT = 9_999;
/** Every worked answer fits the smallest canvas the page offers (one token per character at most). */
export const MAX_ANSWER_CHARS = 64;
/** The v2 evaluation seed; training seeds are V2_TRAIN_SEED_BASE + k. The split filter keeps them apart anyway. */
export const V2_EVAL_SEED = 4321;
export const V2_TRAIN_SEED_BASE = 2_000_000;
/** One question in HELDOUT_MODULUS hashes to the held-out split. */
export const HELDOUT_MODULUS = 8;

export function formatStep(step: WorkedStep): string {
  return `${step.left}${step.op}${step.right}=${step.result}`;
}

/** The steps one worked line writes: one, or a rate's product and the step that applies it. */
export type LineSteps = readonly [WorkedStep] | readonly [WorkedStep, WorkedStep];

/** A problem's steps grouped by the line that writes them. */
export function stepsByLine(steps: readonly WorkedStep[]): LineSteps[] {
  const lines: LineSteps[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (!step.inline) {
      lines.push([step]);
      continue;
    }
    const apply = steps[++i];
    if (apply === undefined || apply.right !== step.result) throw new Error(`an inline product ${formatStep(step)} must be the next step's right operand`);
    lines.push([step, apply]);
  }
  return lines;
}

/** The worked lines of a problem's steps: `a op b = c`, a rate's `x+k*m=x+p=r`. */
export function workedLines(steps: readonly WorkedStep[]): string[] {
  return stepsByLine(steps).map(([step, apply]) =>
    apply === undefined ? formatStep(step) : `${apply.left}${apply.op}${step.left}*${step.right}=${apply.left}${apply.op}${step.result}=${apply.result}`,
  );
}

// `a op b = c`, and a rate's `x op k * m = x op p = r`, spaced or compact.
const STEP_LINE = /^(\d+) ?([-+*/]) ?(\d+) ?= ?(\d+)$/;
const RATE_LINE = /^(\d+) ?([-+]) ?(\d+) ?\* ?(\d+) ?= ?(\d+) ?([-+]) ?(\d+) ?= ?(\d+)$/;

/**
 * The operations a worked line writes (two for a rate's line), with the results as written;
 * null when the line is not of this layout (a rate line must restate its running value and sign).
 */
export function parseWorkedLine(line: string): WorkedStep[] | null {
  const trimmed = line.trim();
  const step = STEP_LINE.exec(trimmed);
  if (step) return [{ left: Number(step[1]), op: step[2] as WordOp, right: Number(step[3]), result: Number(step[4]) }];
  const rate = RATE_LINE.exec(trimmed);
  if (!rate || rate[1] !== rate[5] || rate[2] !== rate[6]) return null;
  const product: WorkedStep = { left: Number(rate[3]), op: "*", right: Number(rate[4]), result: Number(rate[7]), inline: true };
  return [product, { left: Number(rate[1]), op: rate[2] as WordOp, right: product.result, result: Number(rate[8]) }];
}

/** Two-digit numbers and one to three steps: the arithmetic the shipped model already does, in the new words. */
export const V2_EASY_OPTIONS: WordProblemOptions = { maxValue: 99, minSteps: 1, maxSteps: 3 };

/**
 * Numbers to 999 and one to three steps: the next level after V2_EASY_OPTIONS, where three-digit
 * numbers are copied and carried. Its answers fit L = 64 in the v1 layout too (59 tokens at most,
 * median 32, on 4,000 problems), which the whole distribution's six steps do not.
 */
export const V2_MID_OPTIONS: WordProblemOptions = { maxValue: 999, minSteps: 1, maxSteps: 3 };

/** Four to six steps with the whole distribution's numbers: its long half, which V2_MID_OPTIONS leaves out. */
export const V2_LONG_OPTIONS: WordProblemOptions = { minSteps: 4, maxSteps: 6 };

/** The named held-out sets: "v2" the whole distribution, "v2easy" its two-digit level of 1-3 steps, "v2mid" numbers to 999 and 1-3 steps. */
export type WordProblemSet = "v2" | "v2easy" | "v2mid";

const SET_OPTIONS: Record<WordProblemSet, WordProblemOptions> = { v2: {}, v2easy: V2_EASY_OPTIONS, v2mid: V2_MID_OPTIONS };

/** A named set's held-out problems (the eval, the model card, the results page and training's held-out slice share them). */
export function heldOutWordProblems(set: WordProblemSet, seed: number, count: number): WordProblem[] {
  return generateWordProblems(seed, count, { split: "heldout", ...SET_OPTIONS[set] });
}

/** A v1 worked answer (`28 + 6 = 34`) in the v2 layout (`28+6=34`), so one model learns one layout; spacedTarget's inverse. */
export function compactTarget(target: string): string {
  return target.replace(/^\d[\d +\-*/=]*$/gm, (line) => line.replace(/ ([-+*/=]) /g, "$1"));
}

/**
 * A v2 worked answer in the v1 layout (`28 + 6 = 34`), the layout the shipped model's arithmetic
 * lives in: with every result and what follows it hidden, the shipped weights write 88.5 % of
 * held-out step results right in it and none in the compact one (model/probe-layouts.ts).
 * Longer: 6-step answers mostly overflow L = 64 in it, so it suits the shorter levels.
 */
export function spacedTarget(target: string): string {
  return target.replace(/^\d[\d+\-*/=]*$/gm, (line) => line.replace(/[-+*/=]/g, " $& "));
}

export function applyWordStep(left: number, op: WordOp, right: number): number {
  if (op === "+") return left + right;
  if (op === "-") return left - right;
  if (op === "*") return left * right;
  return left / right;
}

export function sizeBucket(largest: number): SizeBucket {
  return largest <= 99 ? "<=99" : largest <= 999 ? "100-999" : ">=1000";
}

/** The question as the split hash sees it: no frame, lower case, single spaces. */
export function normalizeQuestion(prompt: string): string {
  return prompt.toLowerCase().replace(/^question:\s*/, "").replace(/\s*answer:\s*$/, "").replace(/\s+/g, " ").trim();
}

/** FNV-1a, 32 bits: the same in every JS engine, no dependency. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function questionSplit(prompt: string): Split {
  return fnv1a(normalizeQuestion(prompt)) % HELDOUT_MODULUS === 0 ? "heldout" : "train";
}

/** A number for the question: one, two or three digits, about equally often, at most `hi`. */
function amount(rng: Random, lo: number, hi: number): number {
  if (hi <= lo) return lo;
  const digits = rng.int(1, String(hi).length);
  const from = Math.max(lo, digits === 1 ? 1 : 10 ** (digits - 1));
  const to = Math.min(hi, 10 ** digits - 1);
  return from > to ? rng.int(lo, hi) : rng.int(from, to);
}

/** A multiplier or divisor as people write it: a word for small ones now and then. */
function times(rng: Random, k: number): string {
  return k < NUMBER_WORDS.length && rng.next() < 0.5 ? NUMBER_WORDS[k]! : String(k);
}

/** A plural noun as it follows the number `n`: "1 apple", "2 apples". */
function noun(n: number, plural: string): string {
  return n === 1 ? singular(plural) : plural;
}

function capitalize(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}

interface Actor {
  name: string;
  pronoun: Pronoun;
  other: string;
  tense: Tense;
}

/** Words that depend on the person and tense. */
function grammar(actor: Actor, rng: Random) {
  const past = actor.tense === "past";
  return {
    past,
    /** Subject for a step sentence: the name or the pronoun. */
    subject: (): string => (rng.next() < 0.4 ? actor.name : capitalize(actor.pronoun)),
    /** The same, inside a sentence. */
    subjectInside: (): string => (rng.next() < 0.4 ? actor.name : actor.pronoun),
    possessive: actor.pronoun === "she" ? "her" : "his",
    object: actor.pronoun === "she" ? "her" : "him",
    verb: (pair: readonly [string, string]): string => (past ? pair[1] : pair[0]),
    has: past ? "had" : "has",
    does: past ? "did" : "does",
  };
}

/**
 * How a rate is written. Training data written another way cannot continue a run on this layout
 * (model/data.ts), so a change here changes this name.
 */
export const RATE_LINES = "one line x+k*m=x+p=r (added) or x-k*m=x-p=r (taken away)";

/** What a step does to the running value, before it is worded. */
type Action =
  | { type: "add" | "receive" | "take away" | "give"; n: number }
  | { type: "times" | "twice"; k: number }
  | { type: "rate"; sign: "+" | "-"; k: number; m: number }
  | { type: "half" }
  | { type: "share" | "equal groups"; k: number };

function divisors(value: number, limit: number): number[] {
  const out: number[] = [];
  for (let k = 2; k <= limit; k++) if (value % k === 0 && value / k >= 1) out.push(k);
  return out;
}

/** A step that keeps the value in [1, MAX_RESULT], with only exact division; `last` allows sharing out. */
function chooseAction(rng: Random, value: number, kind: Kind, maxValue: number, stepsLeft: number, last: boolean): Action {
  const options: (() => Action | null)[] = [];
  const room = Math.min(maxValue, MAX_RESULT - value);
  if (room >= 1) {
    options.push(() => ({ type: rng.next() < 0.7 ? "add" : "receive", n: amount(rng, 1, room) }));
    options.push(() => ({ type: "add", n: amount(rng, 1, room) }));
  }
  if (value >= 2) {
    options.push(() => ({ type: rng.next() < 0.6 ? "take away" : "give", n: amount(rng, 1, Math.min(maxValue, value - 1)) }));
    options.push(() => ({ type: "take away", n: amount(rng, 1, Math.min(maxValue, value - 1)) }));
  }
  if (kind !== "time" && value * 2 <= MAX_RESULT) {
    options.push(() => {
      const k = rng.int(2, Math.min(12, Math.floor(MAX_RESULT / value)));
      return { type: k === 2 ? "twice" : "times", k };
    });
  }
  if (stepsLeft >= 2) {
    options.push(() => {
      const k = rng.int(2, 12);
      const sign = kind !== "time" && value > k * 2 && rng.next() < 0.4 ? "-" : "+";
      const limit = sign === "-" ? Math.floor((value - 1) / k) : Math.floor(Math.min(MAX_RESULT - value, k * maxValue) / k);
      if (limit < 2) return null;
      return { type: "rate", sign, k, m: amount(rng, 2, Math.min(limit, 99)) };
    });
  }
  if (value % 2 === 0 && value >= 2 && kind !== "time") options.push(() => ({ type: "half" }));
  const ks = divisors(value, 12);
  if (ks.length > 0 && (last || kind === "items")) {
    options.push(() => ({ type: last ? "share" : "equal groups", k: rng.pick(ks) }));
  }
  for (;;) {
    const action = rng.pick(options)();
    if (action) return action;
  }
}

/** The worked operations of an action from `value`, in a problem of `kind`. */
function work(action: Action, value: number, kind: Kind): WorkedStep[] {
  const line = (left: number, op: WordOp, right: number): WorkedStep => ({ left, op, right, result: applyWordStep(left, op, right) });
  switch (action.type) {
    case "add":
    case "receive":
      return [line(value, "+", action.n)];
    case "take away":
    case "give":
      return [line(value, "-", action.n)];
    case "times":
    case "twice":
      return [line(value, "*", action.k)];
    case "rate": {
      // One line, `x+k*m=x+p=r`, so it takes its numbers as every other line does: the running
      // value from the line above (or the question's first number), then the question's next
      // numbers in order. Written as two lines (`k*m=p`, then `p+x` or `x+p`), the model had to
      // point back past the product for x, and got rates 1-7 % right while other shapes stood
      // near 45 % (model/probe-operands.ts: x right 4 % of the time when two lines up).
      // The factors come in the question's order: time tells "m minutes a day for k days".
      const [first, second] = kind === "time" ? [action.m, action.k] : [action.k, action.m];
      const product = { ...line(first, "*", second), inline: true as const };
      return [product, line(value, action.sign, product.result)];
    }
    case "half":
      return [line(value, "/", 2)];
    case "share":
    case "equal groups":
      return [line(value, "/", action.k)];
  }
}

/** The lexicon of one problem: its unit words and the sentences of each action. */
interface Wording {
  kind: Kind;
  start(value: number): { text: string; shape: Shape };
  step(action: Action): string;
  question(shared: Action | null): string;
}

function itemsWording(rng: Random, actor: Actor): Wording {
  const g = grammar(actor, rng);
  const item = rng.pick(ITEMS);
  const [box, boxes] = rng.pick(CONTAINERS);
  return {
    kind: "items",
    start: (n) => {
      const shape = rng.pick<Shape>(g.past ? ["had", "starts with", "holds"] : ["has", "starts with", "holds"]);
      if (shape === "starts with") return { shape, text: `${actor.name} ${g.past ? "started" : "starts"} the day with ${n} ${item}.` };
      if (shape === "holds") return { shape, text: `${actor.name}'s ${box} ${g.past ? "held" : "holds"} ${n} ${item}.` };
      return { shape, text: `${actor.name} ${g.has} ${n} ${item}.` };
    },
    step: (a) => {
      const s = g.subject();
      switch (a.type) {
        case "add":
          return rng.pick([`${s} ${g.verb(rng.pick(GAIN_VERBS))} ${a.n} more.`, `${s} ${g.verb(rng.pick(GAIN_VERBS))} ${a.n} more ${noun(a.n, item)}.`, `Then ${g.subjectInside()} ${g.verb(rng.pick(GAIN_VERBS))} another ${a.n}.`]);
        case "receive":
          return `${actor.other} ${g.past ? "gave" : "gives"} ${g.object} ${a.n} more ${noun(a.n, item)}.`;
        case "take away":
          return rng.pick([`${s} ${g.verb(rng.pick(LOSS_VERBS))} ${a.n}.`, `${s} ${g.verb(rng.pick(LOSS_VERBS))} ${a.n} of ${g.possessive} ${item}.`, `${s} ${g.verb(rng.pick(LOSS_VERBS))} ${a.n} of them.`]);
        case "give":
          return `${s} ${g.verb(rng.pick(GIVE_VERBS))} ${a.n} to ${actor.other}.`;
        case "twice":
          return rng.pick([`${s} ${g.past ? "doubled" : "doubles"} ${g.possessive} ${item}.`, `After that ${g.subjectInside()} ${g.has} twice as many.`, `${s} ${g.past ? "ended" : "ends"} up with twice as many ${item}.`]);
        case "times":
          return rng.pick([`${s} ${g.past ? "ended" : "ends"} up with ${times(rng, a.k)} times as many.`, `Now ${g.subjectInside()} ${g.has} ${times(rng, a.k)} times as many ${item}.`]);
        case "rate":
          if (a.sign === "+") {
            return rng.pick([
              `${s} ${g.verb(rng.pick(GAIN_VERBS))} ${a.k} ${boxes} with ${a.m} ${item} in each.`,
              `${s} ${g.past ? "got" : "gets"} ${a.k} more ${boxes}, and each ${box} ${g.past ? "held" : "holds"} ${a.m} ${item}.`,
            ]);
          }
          return `${s} ${g.past ? "filled" : "fills"} ${a.k} ${boxes} with ${a.m} ${item} each and ${g.past ? "gave" : "gives"} them away.`;
        case "half":
          return rng.pick([`${s} ${g.past ? "gave" : "gives"} half of ${g.possessive} ${item} to ${actor.other}.`, `${s} ${g.verb(rng.pick(LOSS_VERBS))} half of them.`]);
        case "equal groups":
          return `${s} ${g.past ? "put" : "puts"} them into ${times(rng, a.k)} equal piles and ${g.past ? "kept" : "keeps"} one pile.`;
        case "share": {
          const [many] = rng.pick(RECIPIENTS);
          return `${s} ${g.past ? "shared" : "shares"} them equally among ${times(rng, a.k)} ${many}.`;
        }
      }
    },
    question: (shared) => {
      if (shared) return `How many ${item} ${g.does} each one get?`;
      return rng.pick([`How many ${item} ${g.does} ${actor.name} have ${g.past ? "in the end" : "now"}?`, `How many ${item} ${g.does} ${actor.pronoun} have in the end?`, `How many ${item} ${g.past ? "were" : "are"} left?`]);
    },
  };
}

function moneyWording(rng: Random, actor: Actor): Wording {
  const g = grammar(actor, rng);
  const item = rng.pick(ITEMS);
  return {
    kind: "money",
    start: (n) => {
      const shape = rng.pick<Shape>(g.past ? ["had", "starts with", "holds"] : ["has", "starts with", "holds"]);
      if (shape === "starts with") return { shape, text: `${actor.name} ${g.past ? "started" : "starts"} the week with ${n} dollars.` };
      if (shape === "holds") return { shape, text: `${actor.name}'s wallet ${g.past ? "held" : "holds"} ${n} dollars.` };
      return { shape, text: `${actor.name} ${g.has} ${n} dollars.` };
    },
    step: (a) => {
      const s = g.subject();
      switch (a.type) {
        case "add":
          return rng.pick([`${s} ${g.past ? "earned" : "earns"} ${a.n} ${noun(a.n, "dollars")}.`, `${s} ${g.past ? "saved" : "saves"} ${a.n} more ${noun(a.n, "dollars")}.`, `${s} ${g.past ? "was" : "is"} paid ${a.n} ${noun(a.n, "dollars")}.`]);
        case "receive":
          return `${actor.other} ${g.past ? "gave" : "gives"} ${g.object} ${a.n} ${noun(a.n, "dollars")}.`;
        case "take away":
          return rng.pick([`${s} ${g.past ? "spent" : "spends"} ${a.n} ${noun(a.n, "dollars")} on ${rng.pick(PURCHASES)}.`, `${s} ${g.past ? "paid" : "pays"} ${a.n} ${noun(a.n, "dollars")} for ${rng.pick(PURCHASES)}.`, `${s} ${g.past ? "bought" : "buys"} ${rng.pick(PURCHASES)} for ${a.n} ${noun(a.n, "dollars")}.`]);
        case "give":
          return `${s} ${g.past ? "lent" : "lends"} ${actor.other} ${a.n} ${noun(a.n, "dollars")}.`;
        case "twice":
          return `${s} ${g.past ? "doubled" : "doubles"} ${g.possessive} money.`;
        case "times":
          return `${capitalize(g.possessive)} savings ${g.past ? "grew" : "grow"} to ${times(rng, a.k)} times as much.`;
        case "rate":
          if (a.sign === "+") {
            return rng.pick([`${s} ${g.past ? "worked" : "works"} ${a.k} hours and ${g.past ? "earned" : "earns"} ${a.m} dollars an hour.`, `${s} ${g.past ? "sold" : "sells"} ${a.k} ${item} for ${a.m} dollars each.`]);
          }
          return `${s} ${g.past ? "bought" : "buys"} ${a.k} ${item} that cost ${a.m} dollars each.`;
        case "half":
          return rng.pick([`${s} ${g.past ? "spent" : "spends"} half of ${g.possessive} money.`, `${s} ${g.past ? "put" : "puts"} half of ${g.possessive} money in the bank.`]);
        case "equal groups":
        case "share": {
          const [many] = rng.pick(RECIPIENTS);
          return `${s} ${g.past ? "shared" : "shares"} ${g.possessive} money equally among ${times(rng, a.k)} ${many}.`;
        }
      }
    },
    question: (shared) => {
      if (shared) return `How many dollars ${g.does} each one get?`;
      return rng.pick([`How many dollars ${g.does} ${actor.name} have ${g.past ? "in the end" : "now"}?`, `How much money ${g.does} ${actor.pronoun} have left, in dollars?`, `How many dollars ${g.does} ${actor.name} have in the end?`]);
    },
  };
}

/** Lengths and volumes: a measured thing that grows and shrinks. */
function measureWording(rng: Random, actor: Actor, kind: "length" | "volume"): Wording {
  const g = grammar(actor, rng);
  const unit = rng.pick(kind === "length" ? LENGTH_UNITS : VOLUME_UNITS);
  const thing = rng.pick(kind === "length" ? LENGTH_THINGS : VOLUME_THINGS);
  const what = kind === "length" ? `${unit} of ${thing}` : `${unit} of water`;
  const is = g.past ? "was" : "is";
  return {
    kind,
    start: (n) => {
      const shape = rng.pick<Shape>(g.past ? ["had", "starts with", "holds"] : ["has", "starts with", "holds"]);
      if (shape === "starts with") return { shape, text: `${actor.name} ${g.past ? "started" : "starts"} with ${n} ${what}.` };
      if (shape === "holds") {
        return { shape, text: kind === "length" ? `${actor.name}'s roll of ${thing} ${g.past ? "held" : "holds"} ${n} ${unit}.` : `${actor.name}'s ${thing} ${g.past ? "held" : "holds"} ${n} ${unit} of water.` };
      }
      return { shape, text: `${actor.name} ${g.has} ${n} ${what}.` };
    },
    step: (a) => {
      const s = g.subject();
      switch (a.type) {
        case "add":
          return kind === "length"
            ? rng.pick([`${s} ${g.past ? "tied" : "ties"} on another ${a.n} ${noun(a.n, unit)}.`, `${s} ${g.past ? "bought" : "buys"} ${a.n} more ${noun(a.n, unit)}.`])
            : rng.pick([`${s} ${g.past ? "poured" : "pours"} in ${a.n} more ${noun(a.n, unit)}.`, `Rain ${g.past ? "added" : "adds"} ${a.n} ${noun(a.n, unit)}.`]);
        case "receive":
          return `${actor.other} ${g.past ? "gave" : "gives"} ${g.object} ${a.n} more ${noun(a.n, unit)}.`;
        case "take away":
          return kind === "length"
            ? rng.pick([`${s} ${g.past ? "cut" : "cuts"} off ${a.n} ${noun(a.n, unit)}.`, `${s} ${g.past ? "used" : "uses"} ${a.n} ${noun(a.n, unit)} for a project.`])
            : rng.pick([`${a.n} ${noun(a.n, unit)} ${g.past ? "leaked" : a.n === 1 ? "leaks" : "leak"} out.`, `${s} ${g.past ? "drained" : "drains"} ${a.n} ${noun(a.n, unit)}.`, `${s} ${g.past ? "used" : "uses"} ${a.n} ${noun(a.n, unit)} to water the plants.`]);
        case "give":
          return `${s} ${g.past ? "gave" : "gives"} ${a.n} ${noun(a.n, unit)} to ${actor.other}.`;
        case "twice":
          return `${s} ${g.past ? "doubled" : "doubles"} the amount.`;
        case "times":
          return `After that there ${is} ${times(rng, a.k)} times as much.`;
        case "rate":
          if (a.sign === "+") {
            return kind === "length" ? `${s} ${g.past ? "added" : "adds"} ${a.k} pieces of ${a.m} ${unit} each.` : `${s} ${g.past ? "poured" : "pours"} in ${a.k} buckets of ${a.m} ${unit} each.`;
          }
          return kind === "length" ? `${s} ${g.past ? "cut" : "cuts"} off ${a.k} pieces of ${a.m} ${unit} each.` : `${s} ${g.past ? "filled" : "fills"} ${a.k} bottles with ${a.m} ${unit} each from it.`;
        case "half":
          return kind === "length" ? `${s} ${g.past ? "cut" : "cuts"} it in half and ${g.past ? "kept" : "keeps"} one half.` : `${s} ${g.past ? "drained" : "drains"} half of the water.`;
        case "equal groups":
        case "share":
          return kind === "length" ? `${s} ${g.past ? "cut" : "cuts"} it into ${times(rng, a.k)} equal pieces.` : `${s} ${g.past ? "poured" : "pours"} it equally into ${times(rng, a.k)} bottles.`;
      }
    },
    question: (shared) => {
      if (shared) return kind === "length" ? `How many ${unit} long ${is} each piece?` : `How many ${unit} ${g.past ? "were" : "are"} in each bottle?`;
      return rng.pick([`How many ${what} ${g.does} ${actor.name} have ${g.past ? "in the end" : "now"}?`, `How many ${unit} ${g.past ? "were" : "are"} left?`, `How many ${unit} ${g.does} ${actor.pronoun} have in the end?`]);
    },
  };
}

function timeWording(rng: Random, actor: Actor): Wording {
  const g = grammar(actor, rng);
  const [present, pastForm, ing] = rng.pick(TIME_ACTIVITIES);
  const act = g.past ? pastForm : present;
  return {
    kind: "time",
    start: (n) => ({ shape: "activity", text: `${actor.name} ${act} for ${n} minutes on ${rng.pick(DAYS)}.` }),
    step: (a) => {
      const s = g.subject();
      switch (a.type) {
        case "add":
        case "receive":
          return rng.pick([`On ${rng.pick(DAYS)} ${g.subjectInside()} ${act} for ${a.n} more ${noun(a.n, "minutes")}.`, `${s} ${act} another ${a.n} ${noun(a.n, "minutes")} later.`]);
        case "take away":
        case "give":
          return `${a.n} ${noun(a.n, "minutes")} of that ${a.n === 1 ? (g.past ? "was" : "is") : g.past ? "were" : "are"} a break, which does not count.`;
        case "rate":
          return `Then ${g.subjectInside()} ${act} ${a.m} minutes a day for ${a.k} days.`;
        case "twice":
        case "times":
        case "half":
        case "equal groups":
        case "share":
          return `${s} ${g.past ? "spread" : "spreads"} that time equally over ${times(rng, a.type === "half" ? 2 : a.k)} weeks.`;
      }
    },
    question: (shared) =>
      shared ? `How many minutes ${g.does} ${actor.pronoun} spend ${ing} each week?` : `How many minutes ${g.does} ${actor.name} spend ${ing} in all?`,
  };
}

/** An attempt at one problem; null when the worked answer would not fit MAX_ANSWER_CHARS. */
function attempt(rng: Random, options: Required<Omit<WordProblemOptions, "split">>, stepCount: number, maxValue: number): WordProblem | null {
  const [name, pronoun] = rng.pick(GIVEN_NAMES);
  let other = rng.pick(GIVEN_NAMES)[0];
  while (other === name) other = rng.pick(GIVEN_NAMES)[0];
  const actor: Actor = { name, pronoun, other, tense: rng.next() < 0.5 ? "present" : "past" };
  const kind = rng.pick<Kind>(["items", "items", "money", "length", "volume", "time"]);
  const wording = kind === "items" ? itemsWording(rng, actor) : kind === "money" ? moneyWording(rng, actor) : kind === "time" ? timeWording(rng, actor) : measureWording(rng, actor, kind);

  let value = amount(rng, 2, maxValue);
  const start = wording.start(value);
  const shapes = new Set<Shape>([start.shape]);
  const sentences = [start.text];
  const steps: WorkedStep[] = [];
  let shared: Action | null = null;
  while (steps.length < stepCount) {
    const left = stepCount - steps.length;
    const action = chooseAction(rng, value, kind, maxValue, left, left === 1);
    const worked = work(action, value, kind);
    steps.push(...worked);
    value = worked.at(-1)!.result;
    shapes.add(action.type);
    sentences.push(wording.step(action));
    if (action.type === "share") shared = action;
  }
  const distractor = rng.next() < options.distractorShare;
  if (distractor) {
    const text = rng.pick(DISTRACTORS).replace("{O}", other).replace("{n}", String(amount(rng, 2, 999))).replace("{X}", rng.pick(ITEMS));
    sentences.splice(rng.int(1, sentences.length), 0, text);
  }
  sentences.push(wording.question(shared));
  const target = `${workedLines(steps).join("\n")}\n#### ${value}`;
  if (target.length > MAX_ANSWER_CHARS) return null;
  const largest = Math.max(...steps.flatMap((s) => [s.left, s.right, s.result]));
  return {
    prompt: `Question: ${sentences.join(" ")}\nAnswer:\n`,
    target,
    answer: value,
    steps,
    categories: { shapes: [...shapes], steps: steps.length, size: sizeBucket(largest), distractor, kind, tense: actor.tense },
  };
}

/**
 * `count` problems of one split from `seed`; problem i depends only on the seed and its
 * predecessors, so a larger count extends a smaller one. An answer too long for the smallest
 * canvas is drawn again with smaller numbers.
 */
export function generateWordProblems(seed: number, count: number, options: WordProblemOptions = {}): WordProblem[] {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const { split = "train", ...rest } = options;
  const resolved: Required<Omit<WordProblemOptions, "split">> = { minSteps: 1, maxSteps: 6, maxValue: 999, distractorShare: 0.3, ...rest };
  if (resolved.minSteps < 1 || resolved.maxSteps < resolved.minSteps || resolved.maxSteps > 6) {
    throw new RangeError(`steps must satisfy 1 <= minSteps <= maxSteps <= 6, got ${resolved.minSteps}..${resolved.maxSteps}`);
  }
  if (resolved.maxValue < 9 || resolved.maxValue > 999) throw new RangeError(`maxValue must be in 9..999, got ${resolved.maxValue}`);
  const rng = createRandom(seed);
  const out: WordProblem[] = [];
  while (out.length < count) {
    // The step count is drawn once, so long problems are as common as short ones.
    const stepCount = rng.int(resolved.minSteps, resolved.maxSteps);
    let problem: WordProblem | null = null;
    for (let maxValue = resolved.maxValue; problem === null; maxValue = Math.max(9, Math.floor(maxValue / 3))) {
      problem = attempt(rng, resolved, stepCount, maxValue);
    }
    if (questionSplit(problem.prompt) === split) out.push(problem);
  }
  return out;
}

/** Recomputes a worked answer from its lines (each line from the previous result or a product), or null when a line is wrong. */
export function checkWorkedAnswer(target: string): number | null {
  const lines = target.split("\n");
  const last = /^#### (\d+)$/.exec(lines.at(-1) ?? "");
  if (!last) return null;
  let previous: number | null = null;
  for (const line of lines.slice(0, -1)) {
    const steps = /\s/.test(line) ? null : parseWorkedLine(line);
    if (steps === null) return null;
    for (const { left, op, right, result } of steps) {
      if (applyWordStep(left, op, right) !== result) return null;
      previous = result;
    }
  }
  return previous !== null && previous === Number(last[1]) ? previous : null;
}
