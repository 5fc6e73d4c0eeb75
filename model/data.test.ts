import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateProblems } from "../src/problems/generate.ts";
import { RATE_LINES, generateWordProblems } from "../src/problems/word-problems.ts";
import { DATA_MIXES, MIX_V2_LEVELS, V2_LEVELS, dataMismatch, loadCodec, memoizedEncoder, v2LevelProblems } from "./data.ts";

const DIR = "public/models/dllm-tiny";
const PYTHON = process.env.PYTHON ?? "/usr/bin/python3";
const pieces = (JSON.parse(readFileSync(`${DIR}/tokenizer.json`, "utf8")) as { model: { vocab: [string, number][] } }).model.vocab.map(([p]) => p);

describe("memoized encoding of training data", () => {
  it("gives the tokenizer's ids for whole problems, v1 and v2, and odd spacing", () => {
    const codec = loadCodec(DIR);
    const encode = memoizedEncoder(codec, pieces, Number.MAX_SAFE_INTEGER);
    const texts = [
      ...generateWordProblems(11, 150).map((p) => p.prompt + p.target),
      ...generateProblems(11, 50).map((p) => p.prompt + p.target),
      "  two  spaces, 12 then\n\n 7 and 'quotes' 1000-1=999\n#### 999",
    ];
    for (const text of texts) expect(encode(text)).toEqual(codec.encode(text));
  });

  it("refuses a vocabulary with a piece across a forced boundary", () => {
    const codec = loadCodec(DIR);
    expect(() => memoizedEncoder(codec, [...pieces, "of\u2581the"])).toThrow(/across forced boundaries/);
    expect(() => memoizedEncoder(codec, [...pieces, "12"])).toThrow(/across forced boundaries/);
  });
});

describe("the v2 levels", () => {
  it("keeps only the problems of a level's shape, drawn from its own seed", () => {
    const rates = V2_LEVELS.find((level) => level.name === "v2midrates")!;
    const mid = V2_LEVELS.find((level) => level.name === "v2mid")!;
    const kept = v2LevelProblems({ ...rates, count: 400 }, 7);
    const drawn = v2LevelProblems({ ...mid, count: 400 }, 7);
    expect(kept.length).toBeGreaterThan(20);
    expect(kept.every((p) => p.categories.shapes.includes("rate"))).toBe(true);
    // The same draws as the unfiltered level of the same options and seed, the others dropped.
    expect(kept.map((p) => p.prompt)).toEqual(drawn.filter((p) => p.categories.shapes.includes("rate")).map((p) => p.prompt));
    expect(drawn.length).toBe(400);
  });
});

describe("the four- to six-step level", () => {
  it("draws the whole distribution's long problems, each level's seed unchanged by it", () => {
    const long = V2_LEVELS.find((level) => level.name === "v2long")!;
    const problems = v2LevelProblems({ ...long, count: 300 }, 9);
    expect(new Set(problems.map((p) => p.categories.steps))).toEqual(new Set([4, 5, 6]));
    expect(problems.some((p) => p.categories.size === "100-999")).toBe(true);
    // Seeds are indices in V2_LEVELS: a level added last leaves the others' problems as they were.
    expect(V2_LEVELS.at(-1)!.name).toBe("v2long");
  });
});

describe("which data a mix can train on", () => {
  it("keeps the v1 data, the compact v2 data and the v1-layout v2easy data apart", () => {
    const v1 = { maxPromptTokens: 65 };
    const v2 = { maxPromptTokens: 168, format: "compact", v2Levels: ["v2easy", "v2full"], rateLines: RATE_LINES };
    const v2easy = { maxPromptTokens: 120, format: "spaced-v2", v2Levels: ["v2easy"], rateLines: RATE_LINES };
    const v2mid = { maxPromptTokens: 120, format: "spaced-v2", v2Levels: ["v2easy", "v2mid", "v2midrates"], rateLines: RATE_LINES };
    expect(dataMismatch(v1, "v1")).toBeNull();
    expect(dataMismatch(v1, "lengths")).toBeNull();
    expect(dataMismatch(v2, "v2")).toBeNull();
    expect(dataMismatch(v2, "compact")).toBeNull();
    expect(dataMismatch(v2easy, "v2easy")).toBeNull();
    expect(dataMismatch(v2mid, "v2easy")).toBeNull();
    expect(dataMismatch(v2mid, "v2mid")).toBeNull();
    // Data of the right format written before the level the mix samples: train.py would find no file for it.
    expect(dataMismatch(v2easy, "v2mid")).toMatch(/written before the levels v2mid, v2midrates that --mix v2mid samples/);
    expect(dataMismatch({ format: "spaced-v2" }, "v2mid")).toMatch(/before the levels v2easy, v2mid, v2midrates/);
    expect(dataMismatch({ ...v2mid, v2Levels: ["v2easy", "v2mid"] }, "v2mid")).toMatch(/before the level v2midrates that/);
    // The four- to six-step level joined the same format later: data before it feeds v2mid, not v2long.
    expect(dataMismatch(v2mid, "v2long")).toMatch(/written before the level v2long that --mix v2long samples/);
    expect(dataMismatch({ ...v2mid, v2Levels: [...v2mid.v2Levels, "v2long"] }, "v2long")).toBeNull();
    expect(dataMismatch({ ...v2mid, v2Levels: [...v2mid.v2Levels, "v2long"] }, "v2mid")).toBeNull();
    // v2compact: the v2long levels in the compact layout; the older compact data lacks them.
    const compactLong = { ...v2, v2Levels: ["v2easy", "v2full", "v2mid", "v2midrates", "v2long"] };
    expect(dataMismatch(compactLong, "v2compact")).toBeNull();
    expect(dataMismatch(compactLong, "v2")).toBeNull();
    expect(dataMismatch(v2, "v2compact")).toMatch(/written before the levels v2mid, v2midrates, v2long that --mix v2compact samples/);
    expect(dataMismatch({ ...v2mid, v2Levels: [...v2mid.v2Levels, "v2long"] }, "v2compact")).toMatch(/--mix v2compact needs the v2 data \(compact layout\)/);
    expect(dataMismatch(compactLong, "v2states")).toMatch(/--mix v2states needs the v1 data and the v2 levels/);
    expect(dataMismatch(v2, "v2easy")).toMatch(/holds the v2 data \(compact layout\), and --mix v2easy needs the v1 data and the v2 levels \(v1 layout\)/);
    expect(dataMismatch(v2easy, "lengths")).toMatch(/--mix lengths needs the v1 data/);
    expect(dataMismatch({ format: "future" }, "v1")).toMatch(/holds data of format "future"/);
    expect(dataMismatch(v1, "v2")).toMatch(/needs the v2 data/);
    expect(dataMismatch(v1, "compact")).toMatch(/--mix compact needs the v2 data/);
    expect(dataMismatch(v2, "lengths")).toMatch(/--mix lengths needs the v1 data/);
    expect(dataMismatch(v2, "v1")).toMatch(/--mix v1 needs the v1 data/);
    // v2 data written before a rate took one line would teach the old lines.
    const { rateLines: _, ...oldRates } = v2mid;
    expect(dataMismatch(oldRates, "v2mid")).toMatch(/rate steps are written "k\*m=p, then x\+p or x-p", and the generator now writes "one line x\+k\*m=x\+p=r/);
    expect(dataMismatch({ ...v2mid, rateLines: "k*m=p, then p+x (added) or x-p (taken away)" }, "v2mid")).toMatch(/written "k\*m=p, then p\+x/);
    expect(dataMismatch({ ...v2mid, rateLines: "something else" }, "v2easy")).toMatch(/written "something else"/);
  });

  // train.py's MIXES, read from Python where Debian's torch is installed (CI has none: skipped there).
  const hasTorch = spawnSync(PYTHON, ["-c", "import torch, numpy"], { stdio: "ignore" }).status === 0;
  it.skipIf(!hasTorch)("names the mixes train.py has, and no other, with the v2 levels each samples", () => {
    const script = "import json, train; print(json.dumps({name: list(mix.levels[len(train.V1_LEVEL_NAMES):]) for name, mix in train.MIXES.items()}))";
    const listed = spawnSync(PYTHON, ["-c", script], { cwd: "model", encoding: "utf8" });
    expect(listed.status, listed.stderr).toBe(0);
    const levels = JSON.parse(listed.stdout) as Record<string, string[]>;
    expect(Object.keys(levels).sort()).toEqual([...DATA_MIXES].sort());
    expect(levels).toEqual(MIX_V2_LEVELS);
  });
});
