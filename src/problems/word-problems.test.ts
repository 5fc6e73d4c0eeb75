import { describe, expect, it } from "vitest";
import { loadCodec } from "../../model/data.ts";
import { generateProblems, EVAL_SEED } from "./generate.ts";
import { ITEMS, LENGTH_UNITS, VOLUME_UNITS, singular } from "./lexicon.ts";
import {
  MAX_ANSWER_CHARS, MAX_RESULT, V2_EVAL_SEED, V2_TRAIN_SEED_BASE, checkWorkedAnswer, compactTarget, generateWordProblems, parseWorkedLine, workedLines,
  heldOutWordProblems, normalizeQuestion, questionSplit, sizeBucket, spacedTarget, type WordProblem,
} from "./word-problems.ts";

// One to three lines, each `a op b = c` or a rate's `x + k * m = x + p = r`, then `#### n`.
const SPACED_ANSWER = /^((\d+ [-+*/] \d+|\d+ [-+] \d+ \* \d+ = \d+ [-+] \d+) = \d+\n){1,3}#### \d+$/;
const heldOut = generateWordProblems(V2_EVAL_SEED, 600, { split: "heldout" });
const train = generateWordProblems(V2_TRAIN_SEED_BASE, 3000);

/** The numbers written in a question (digits only; number words are not counted). */
const questionNumbers = (p: WordProblem): number[] => [...p.prompt.matchAll(/\d+/g)].map((m) => Number(m[0]));

describe("v2 word problems", () => {
  it("is deterministic for a seed, and a longer run extends a shorter one", () => {
    expect(generateWordProblems(V2_EVAL_SEED, 600, { split: "heldout" })).toEqual(heldOut);
    expect(generateWordProblems(V2_EVAL_SEED, 100, { split: "heldout" })).toEqual(heldOut.slice(0, 100));
    expect(generateWordProblems(V2_EVAL_SEED + 1, 100, { split: "heldout" })).not.toEqual(heldOut.slice(0, 100));
  });

  it("writes worked lines that recompute to the answer, each from the previous result or a product of question numbers", () => {
    for (const p of [...train, ...heldOut]) {
      expect(checkWorkedAnswer(p.target)).toBe(p.answer);
      expect(p.target.split("\n").slice(0, -1)).toEqual(workedLines(p.steps));
      const numbers = new Set(questionNumbers(p));
      const words = p.prompt.toLowerCase();
      // The first sentence tells the start value.
      let value = questionNumbers(p)[0]!;
      for (const step of p.steps) expect(Number.isInteger(step.result) && step.result >= 1 && step.result <= MAX_RESULT).toBe(true);
      for (let i = 0; i < p.steps.length; i++) {
        const step = p.steps[i]!;
        const next = p.steps[i + 1];
        // The other operand is in the question, as digits, a number word, "half", "twice" or "double".
        expect(numbers.has(step.right) || /half|twice|doubl|times|equal/.test(words)).toBe(true);
        // A rate's product `k*m=p` is written inside the line that adds or takes it from the
        // running value: `value+k*m=value+p=r`, so every line starts from the line above.
        if (step.inline) {
          expect(step.op).toBe("*");
          expect(numbers.has(step.left)).toBe(true);
          expect(next!.left).toBe(value);
          expect(["+", "-"]).toContain(next!.op);
          expect(next!.right).toBe(step.result);
          value = next!.result;
          i++;
          continue;
        }
        expect(step.left).toBe(value);
        value = step.result;
      }
      expect(value).toBe(p.answer);
    }
  });

  it("keeps question numbers to 999, results to 9,999, one to six steps, and every answer within the smallest canvas", () => {
    const steps = new Set<number>();
    for (const p of train) {
      for (const s of p.steps) expect(Math.max(s.left, s.right)).toBeLessThanOrEqual(MAX_RESULT);
      expect(Math.max(...questionNumbers(p))).toBeLessThanOrEqual(999);
      expect(p.target.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
      steps.add(p.categories.steps);
    }
    expect([...steps].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("fits every answer in 64 tokens of the shipped vocabulary, and no character is more than one token", () => {
    const codec = loadCodec("public/models/dllm-tiny");
    for (const p of heldOut) {
      const answer = codec.encode(p.prompt + p.target).length - codec.encode(p.prompt).length;
      expect(answer).toBeLessThanOrEqual(Math.min(64, p.target.length));
    }
  });

  it("reads a rate's line as its two operations, spaced or compact, and refuses one that restates its running value otherwise", () => {
    const product = { left: 3, op: "*", right: 4, result: 12, inline: true } as const;
    const sum = { left: 25, op: "+", right: 12, result: 37 } as const;
    expect(workedLines([product, sum])).toEqual(["25+3*4=25+12=37"]);
    expect(parseWorkedLine("25+3*4=25+12=37")).toEqual([product, sum]);
    expect(parseWorkedLine("25 + 3 * 4 = 25 + 12 = 37")).toEqual([product, sum]);
    expect(parseWorkedLine("25+3*4=52+12=37")).toBeNull();
    expect(parseWorkedLine("25+3*4=25-12=13")).toBeNull();
    expect(checkWorkedAnswer("25+3*4=25+12=37\n#### 37")).toBe(37);
    expect(checkWorkedAnswer("25+3*4=25+13=38\n#### 38")).toBeNull();
    expect(() => workedLines([product, { ...sum, right: 13 }])).toThrow(/right operand/);
    expect(compactTarget(spacedTarget("25+3*4=25+12=37\n#### 37"))).toBe("25+3*4=25+12=37\n#### 37");
  });

  it("writes the two-digit level in the v1 layout within 64 tokens, and the layouts convert both ways", () => {
    const codec = loadCodec("public/models/dllm-tiny");
    const easy = heldOutWordProblems("v2easy", V2_EVAL_SEED, 300);
    expect(easy.every((p) => questionSplit(p.prompt) === "heldout")).toBe(true);
    expect(heldOutWordProblems("v2", V2_EVAL_SEED, 50)).toEqual(heldOut.slice(0, 50));
    for (const p of easy) {
      const spaced = spacedTarget(p.target);
      expect(spaced).toMatch(SPACED_ANSWER);
      expect(compactTarget(spaced)).toBe(p.target);
      expect(codec.encode(p.prompt + spaced).length - codec.encode(p.prompt).length).toBeLessThan(64);
    }
    const v1 = generateProblems(EVAL_SEED, 50).map((p) => p.target);
    expect(v1.map((t) => spacedTarget(compactTarget(t)))).toEqual(v1);
  });

  it("writes the level of numbers to 999 in the v1 layout within 64 tokens, with three-digit numbers to copy", () => {
    const codec = loadCodec("public/models/dllm-tiny");
    const mid = heldOutWordProblems("v2mid", V2_EVAL_SEED, 300);
    expect(mid.every((p) => questionSplit(p.prompt) === "heldout" && p.categories.steps <= 3)).toBe(true);
    for (const p of mid) {
      const spaced = spacedTarget(p.target);
      expect(spaced).toMatch(SPACED_ANSWER);
      // Room for the [EOS] after the answer at L = 64.
      expect(codec.encode(p.prompt + spaced).length - codec.encode(p.prompt).length).toBeLessThan(64);
    }
    // The two-digit level has a three-digit number in 10 % of its questions (a distractor's), this one in 45 %.
    const threeDigits = mid.filter((p) => /\b\d{3}\b/.test(p.prompt)).length;
    expect(threeDigits / mid.length).toBeGreaterThan(0.3);
  });

  it("writes a number 1 with the singular noun and verb (1 apple, 1 liter leaks, 1 minute of that is)", () => {
    const plurals = [...ITEMS, ...LENGTH_UNITS, ...VOLUME_UNITS, "dollars", "minutes"];
    const counted = (nouns: string[]) => new RegExp(`\\b1 (?:more )?(?:${nouns.join("|")})\\b`);
    const questions = [...train, ...heldOut, ...heldOutWordProblems("v2mid", V2_EVAL_SEED, 1000)].map((p) => p.prompt);
    expect(questions.filter((q) => counted(plurals).test(q))).toEqual([]);
    expect(questions.filter((q) => /\b1 \w+ leak out|\b1 minute of that (?:are|were)\b/.test(q))).toEqual([]);
    // The 1s are still there, in the singular.
    expect(questions.filter((q) => counted(plurals.map(singular)).test(q)).length).toBeGreaterThan(50);
    expect(["cherries", "peaches", "tomatoes", "feet", "inches", "leaves", "cookies", "photos"].map(singular)).toEqual(["cherry", "peach", "tomato", "foot", "inch", "leaf", "cookie", "photo"]);
  });

  it("labels each problem with the categories its worked answer and wording have", () => {
    for (const p of [...train, ...heldOut]) {
      const c = p.categories;
      expect(c.steps).toBe(p.steps.length);
      expect(c.size).toBe(sizeBucket(Math.max(...p.steps.flatMap((s) => [s.left, s.right, s.result]))));
      if (c.shapes.includes("rate")) expect(p.steps.some((s) => s.op === "*")).toBe(true);
      if (c.shapes.includes("half")) expect(p.steps.some((s) => s.op === "/" && s.right === 2)).toBe(true);
      if (c.shapes.includes("share")) expect(p.steps.at(-1)!.op).toBe("/");
      if (c.shapes.includes("twice")) expect(p.steps.some((s) => s.op === "*" && s.right === 2)).toBe(true);
      if (c.tense === "past") expect(p.prompt).toMatch(/\b(had|held|started|did|were|was)\b/);
      // Without a distractor every number in the question is used by the worked answer.
      const used = new Set(p.steps.flatMap((s) => [s.left, s.right]));
      const unused = questionNumbers(p).filter((n) => !used.has(n));
      if (!c.distractor) expect(unused).toEqual([]);
    }
    // Every category value occurs in a few thousand problems.
    const seen = (key: (p: WordProblem) => string[]) => new Set(train.flatMap(key));
    expect(seen((p) => [p.categories.size])).toEqual(new Set(["<=99", "100-999", ">=1000"]));
    expect(seen((p) => [p.categories.kind])).toEqual(new Set(["items", "money", "length", "volume", "time"]));
    expect(seen((p) => p.categories.shapes).size).toBe(15);
    expect(seen((p) => [String(p.categories.distractor)])).toEqual(new Set(["true", "false"]));
  });

  it("keeps held-out and training questions disjoint by their hash, whatever the seed", () => {
    for (const p of heldOut) expect(questionSplit(p.prompt)).toBe("heldout");
    for (const p of train) expect(questionSplit(p.prompt)).toBe("train");
    const trainQuestions = new Set(generateWordProblems(V2_TRAIN_SEED_BASE + 1, 5000).map((p) => normalizeQuestion(p.prompt)));
    expect(heldOut.filter((p) => trainQuestions.has(normalizeQuestion(p.prompt)))).toEqual([]);
    // The split is a property of the question, so case and spacing do not move a question across it.
    const p = heldOut[0]!;
    expect(questionSplit(p.prompt.toUpperCase().replace(/ /g, "  "))).toBe("heldout");
  });

  it("leaves v1 unchanged (its held-out set is still the one generate.ts pins)", () => {
    const v1 = generateProblems(EVAL_SEED, 3);
    expect(v1[0]!.target).toMatch(/^\d+ [+*-] \d+ = \d+$/m);
  });

  it("uses many names, most of them several tokens", () => {
    const codec = loadCodec("public/models/dllm-tiny");
    const names = new Set(train.map((p) => /^Question: (\S+)/.exec(p.prompt)![1]!.replace(/'s$/, "")));
    expect(names.size).toBeGreaterThan(150);
    const multi = [...names].filter((n) => codec.encode(` ${n}`).filter((id) => codec.decode([id]).trim() !== "").length > 1);
    expect(multi.length / names.size).toBeGreaterThan(0.5);
  });
});
