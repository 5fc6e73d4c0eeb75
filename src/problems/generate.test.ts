import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EVAL_SEED, TRAIN_SEED_BASE, generateProblems } from "./generate.ts";

const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

describe("problem generator", () => {
  it("is deterministic for a seed, and a longer run extends a shorter one", () => {
    const a = generateProblems(EVAL_SEED, 50);
    expect(generateProblems(EVAL_SEED, 50)).toEqual(a);
    expect(generateProblems(EVAL_SEED, 80).slice(0, 50)).toEqual(a);
    expect(generateProblems(EVAL_SEED + 1, 50)).not.toEqual(a);
  });

  it("produces the problems the shipped model was evaluated on (pinned digest)", () => {
    // The model build and the evaluation call this same function; a change here changes the
    // held-out set, so it must be deliberate (update the digest and rebuild the model).
    const text = generateProblems(EVAL_SEED, 200).map((p) => p.prompt + p.target).join("\n");
    expect(digest(text)).toBe(PINNED);
  });

  it("writes worked steps that compute the answer", () => {
    for (const p of generateProblems(3, 300)) {
      const lines = p.target.split("\n");
      expect(lines.at(-1)).toBe(`#### ${p.answer}`);
      expect(lines.length - 1).toBeGreaterThanOrEqual(2);
      expect(lines.length - 1).toBeLessThanOrEqual(4);
      let value = Number(/has (\d+)/.exec(p.prompt)![1]);
      for (const line of lines.slice(0, -1)) {
        const [, x, op, y, z] = /^(\d+) ([+*-]) (\d+) = (\d+)$/.exec(line)!;
        expect(Number(x)).toBe(value);
        value = op === "+" ? value + Number(y) : op === "-" ? value - Number(y) : value * Number(y);
        expect(Number(z)).toBe(value);
        if (op === "*") expect(Number(y)).toBeLessThanOrEqual(9);
      }
      expect(value).toBe(p.answer);
      expect(p.answer).toBeGreaterThanOrEqual(0);
      expect(p.answer).toBeLessThanOrEqual(99);
    }
  });

  it("keeps training seeds apart from the evaluation seed", () => {
    const held = new Set(generateProblems(EVAL_SEED, 500).map((p) => p.prompt));
    const train = generateProblems(TRAIN_SEED_BASE + 2, 5000).map((p) => p.prompt);
    // Overlap is possible by chance in a finite space; the build filters it out, and it must be rare.
    expect(train.filter((p) => held.has(p)).length).toBeLessThan(5);
  });

  it("rejects bad arguments", () => {
    expect(() => generateProblems(1.5, 3)).toThrow(/seed/);
    expect(() => generateProblems(1, -1)).toThrow(/count/);
  });
});

const PINNED = "9528739be6581ed8";
