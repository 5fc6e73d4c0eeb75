/**
 * The evaluation's problems are the model pipeline's held-out problems: the same generator,
 * the same seed. Where the model build's token files are present (model/work/data, after
 * `npm run model:build`), they are checked directly: the held-out split is the eval's first
 * 500 problems token for token, and no eval prompt is in a training split.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEvalArgs } from "../../cli/eval-args.ts";
import { HELD_OUT_COUNT, LEVELS, loadCodec } from "../../model/data.ts";
import { EVAL_SEED, generateProblems } from "../problems/generate.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const DATA = join(ROOT, "model/work/data");
const TOKENIZER = join(ROOT, "public/models/dllm-tiny");

/** [start, promptLength, targetLength] triples of one split. */
function readSplit(name: string): { tokens: Uint16Array; index: Int32Array } {
  const tokens = readFileSync(join(DATA, `${name}.u16`));
  const index = readFileSync(join(DATA, `${name}.idx.i32`));
  return {
    tokens: new Uint16Array(tokens.buffer, tokens.byteOffset, tokens.byteLength / 2),
    index: new Int32Array(index.buffer, index.byteOffset, index.byteLength / 4),
  };
}

describe("evaluation problems", () => {
  it("default to the project's held-out seed, and a count is a prefix of the held-out set", () => {
    const args = parseEvalArgs([]);
    expect(args.seed).toBe(EVAL_SEED);
    const heldOut = generateProblems(EVAL_SEED, HELD_OUT_COUNT);
    expect(generateProblems(args.seed, 200)).toEqual(heldOut.slice(0, 200));
  });

  it.skipIf(!existsSync(join(DATA, "heldout.u16")))("equal the model build's held-out split token for token", () => {
    const codec = loadCodec(TOKENIZER);
    const { tokens, index } = readSplit("heldout");
    const count = index.length / 3;
    const problems = generateProblems(EVAL_SEED, count);
    for (let i = 0; i < count; i++) {
      const [start, promptLength, targetLength] = [index[3 * i]!, index[3 * i + 1]!, index[3 * i + 2]!];
      const ids = Array.from(tokens.subarray(start, start + promptLength + targetLength));
      expect(ids).toEqual(codec.encode(problems[i]!.prompt + problems[i]!.target));
    }
  });

  it.skipIf(!existsSync(join(DATA, "full.u16")))("are in no training split of the model build", () => {
    const codec = loadCodec(TOKENIZER);
    const evalPrompts = new Set(generateProblems(EVAL_SEED, 1000).map((p) => codec.encode(p.prompt).join(",")));
    for (const level of LEVELS) {
      const { tokens, index } = readSplit(level.name);
      for (let i = 0; i < index.length; i += 3) {
        const prompt = Array.from(tokens.subarray(index[i]!, index[i]! + index[i + 1]!)).join(",");
        expect(evalPrompts.has(prompt)).toBe(false);
      }
    }
  });
});
