import { describe, expect, it } from "vitest";
import { OptionError } from "../errors.ts";
import { generate } from "./engine.ts";
import { runViolations } from "./invariants.ts";
import { EOS, FAKE_PIECES, NEWLINE, fakeEngine, row } from "./testing.ts";
import type { GenerateOptions, StepEvent } from "./types.ts";

const V = FAKE_PIECES.length;
const [A, B, C] = [6, 7, 8];

/** Position p (relative to the generation) predicts `tokens[p]` with logit `logits[p]` (others 0). */
function table(tokens: number[], logits: number[], promptLength: number) {
  return (_: Int32Array, position: number) => row(V, { [tokens[position - promptLength] ?? A]: logits[position - promptLength] ?? 1 });
}

async function run(engine: ReturnType<typeof fakeEngine>, prompt: string, options: Partial<GenerateOptions>) {
  const events: StepEvent[] = [];
  const result = await generate(engine, prompt, options, { onStep: (e) => events.push(e) });
  expect(runViolations(events, result, options.genLength ?? 64, EOS)).toEqual([]);
  return { events, result, commits: events.map((e) => Array.from(e.committed.positions)) };
}

describe("engine with hand-made logits", () => {
  it("fixed: top-k per step, blocks of B, steps spread evenly", async () => {
    // Prompt "ab" = 2 tokens; generation positions 2..9. Logit = confidence order.
    const engine = fakeEngine(table([A, B, C, A, B, C, A, B], [1, 5, 3, 4, 9, 2, 8, 7], 2));
    const { commits, result } = await run(engine, "ab", { decoder: "fixed", genLength: 8, blockSize: 4, steps: 4 });
    expect(commits).toEqual([[3, 5], [2, 4], [6, 8], [7, 9]]);
    expect(result.blocks).toEqual([[2, 6], [6, 10]]);
    expect(result.nfe).toBe(4);
    expect(result.stopReason).toBe("length");
  });

  it("threshold: everything above tau at once, else the best one", async () => {
    // logit 8 over 15 zeros -> p = e^8 / (e^8 + 15) = 0.995; logit 1 -> 0.15.
    const engine = fakeEngine(table([A, B, C, A], [8, 1, 8, 1], 0));
    const { commits } = await run(engine, "", { decoder: "threshold", genLength: 4, blockSize: 4, threshold: 0.9 });
    expect(commits).toEqual([[0, 2], [1], [3]]);
  });

  it("factor: the longest prefix meeting 1 - f/(n+1)", async () => {
    const engine = fakeEngine(table([A, B, C, A], [8, 4, 8, 1], 0));
    // Confidences ~0.995, 0.78, 0.995, 0.15: bounds 0.5, 0.667, 0.75, 0.8 -> three at once.
    const { commits } = await run(engine, "", { decoder: "factor", genLength: 4, blockSize: 4, factor: 1 });
    expect(commits[0]).toEqual([0, 1, 2]);
  });

  it("adablock: the block ends at a confident delimiter, else B0", async () => {
    const tokens = [A, B, NEWLINE, C, A, B, C, A, NEWLINE, B, C, A, B, C, A, B];
    const logits = [9, 9, 3, 9, 9, 9, 9, 9, 0.1, 9, 9, 9, 9, 9, 9, 9];
    const engine = fakeEngine(table(tokens, logits, 0));
    const { result, events } = await run(engine, "", { decoder: "adablock", genLength: 16, blockSize: 5, delimiterThreshold: 0.3 });
    // First block: newline at 2 has p = e^3/(e^3+15) = 0.57 >= 0.3 -> [0, 3).
    // Second: window floor(16/4) = 4 = [3, 7) has no delimiter -> B0 = 5 -> [3, 8).
    // Third: newline at 8 is weak (p ~ 0.07) -> B0 -> [8, 13); then what remains -> [13, 16).
    expect(result.blocks).toEqual([[0, 3], [3, 8], [8, 13], [13, 16]]);
    const first = events[0]!.decision!;
    expect(first.chosen?.position).toBe(2);
    expect(first.candidates).toHaveLength(1);
    expect(events[0]!.blockStart).toBe(true);
    expect(events.filter((e) => e.decision).map((e) => e.decision!.blockSize)).toEqual([3, 5, 5, 3]);
  });

  it("adablock with tau_D = Infinity equals threshold with fixed blocks, token for token", async () => {
    // Predictions depend on the canvas, so any difference in order would show up in the tokens.
    const logitsOf = (canvas: Int32Array, p: number) => {
      let h = p * 31;
      for (const id of canvas) h = (h * 17 + id) % 9973;
      return row(V, { [3 + (h % 13)]: (h % 7) + 0.5, [3 + ((h >> 3) % 13)]: 2 });
    };
    for (const blockSize of [3, 4, 8]) {
      const a = await run(fakeEngine(logitsOf), "ab", { decoder: "threshold", genLength: 24, blockSize, threshold: 0.7 });
      const b = await run(fakeEngine(logitsOf), "ab", { decoder: "adablock", genLength: 24, blockSize, threshold: 0.7, delimiterThreshold: Infinity });
      expect(b.result.tokens).toEqual(a.result.tokens);
      expect(b.commits).toEqual(a.commits);
      expect(b.result.blocks).toEqual(a.result.blocks);
    }
  });

  it("a seed reproduces a sampled run exactly; another seed differs", async () => {
    const flat = () => row(V, { 6: 1, 7: 1, 8: 1, 9: 1, 10: 1 });
    const options = { decoder: "threshold", genLength: 16, blockSize: 4, temperature: 1 } as const;
    const one = await run(fakeEngine(flat), "a", { ...options, seed: 42 });
    const again = await run(fakeEngine(flat), "a", { ...options, seed: 42 });
    const other = await run(fakeEngine(flat), "a", { ...options, seed: 43 });
    expect(again.result.tokens).toEqual(one.result.tokens);
    expect(other.result.tokens).not.toEqual(one.result.tokens);
    expect(new Set(one.result.tokens).size).toBeGreaterThan(1);
  });

  it("stops at a committed [EOS] with everything before it committed, and cuts the text there", async () => {
    const engine = fakeEngine(table([A, B, EOS, EOS, EOS, EOS], [9, 2, 9, 9, 9, 9], 1));
    const { result, events } = await run(engine, "c", { decoder: "threshold", genLength: 6, blockSize: 6 });
    // Pass 1 commits A and the EOSs (p > 0.9); B is still masked, so it goes on; pass 2 commits B.
    expect(events).toHaveLength(2);
    expect(result.stopReason).toBe("eos");
    expect(result.tokens).toEqual([A, B]);
    expect(result.text).toBe("ab");
  });

  it("any of the model's end tokens ends the answer (Qwen3 has two)", async () => {
    const PAD = 0;
    const engine = fakeEngine(table([A, B, PAD, PAD, PAD, PAD], [9, 9, 9, 9, 9, 9], 1), { eosTokenIds: [EOS, PAD] });
    const result = await generate(engine, "c", { decoder: "threshold", genLength: 6, blockSize: 6 });
    expect(result.stopReason).toBe("eos");
    expect(result.tokens).toEqual([A, B]);
    const single = await generate(fakeEngine(table([A, B, PAD, PAD, PAD, PAD], [9, 9, 9, 9, 9, 9], 1)), "c", { decoder: "threshold", genLength: 6, blockSize: 6 });
    expect(single.stopReason).toBe("length");
  });

  it("an abort stops between passes and returns the partial result", async () => {
    const engine = fakeEngine(table([A, B, C, A, B, C, A, B], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], 0)); // one per pass
    const controller = new AbortController();
    const events: StepEvent[] = [];
    const result = await generate(engine, "", { decoder: "threshold", genLength: 8, blockSize: 8 }, {
      signal: controller.signal,
      onStep: (e) => {
        events.push(e);
        if (e.step === 2) controller.abort();
      },
    });
    expect(result.stopReason).toBe("aborted");
    expect(result.nfe).toBe(3);
    expect(engine.model.passes).toBe(3);
    expect(runViolations(events, result, 8, EOS)).toEqual([]);
    expect(result.tokens.filter((t) => t !== 2)).toHaveLength(3);
  });

  it("an already aborted signal runs no pass", async () => {
    const engine = fakeEngine(table([], [], 0));
    const result = await generate(engine, "a", { genLength: 4, blockSize: 4 }, { signal: AbortSignal.abort() });
    expect(result.nfe).toBe(0);
    expect(engine.model.passes).toBe(0);
  });

  it("the event carries every still-masked position with its prediction", async () => {
    const engine = fakeEngine(table([A, B, C, A], [9, 1, 2, 3], 0));
    const { events } = await run(engine, "", { decoder: "threshold", genLength: 4, blockSize: 2 });
    expect(Array.from(events[0]!.masked.positions)).toEqual([1, 2, 3]);
    expect(Array.from(events[0]!.masked.tokenIds)).toEqual([B, C, A]);
    expect(events[0]!.masked.confidences[2]).toBeCloseTo(Math.exp(3) / (Math.exp(3) + V - 1), 5);
    expect(events[0]!.committed.texts).toEqual(["a"]);
  });
});

describe("option validation", () => {
  const engine = fakeEngine(table([], [], 0), { maxSequenceLength: 40 });
  const cases: [Partial<GenerateOptions> | Record<string, unknown>, string][] = [
    [{ genLength: 0 }, "genLength"],
    [{ genLength: -3 }, "genLength"],
    [{ genLength: 2.5 }, "genLength"],
    [{ genLength: 39 }, "genLength"], // 2 prompt tokens + 39 > 40
    [{ blockSize: 0 }, "blockSize"],
    [{ genLength: 8, blockSize: 9 }, "blockSize"],
    [{ decoder: "fixed", genLength: 8, blockSize: 3 }, "blockSize"],
    [{ decoder: "fixed", genLength: 8, blockSize: 2, steps: 6 }, "steps"],
    [{ decoder: "fixed", steps: 0 }, "steps"],
    [{ threshold: Number.NaN }, "threshold"],
    [{ threshold: 0 }, "threshold"],
    [{ threshold: 1.1 }, "threshold"],
    [{ factor: -1 }, "factor"],
    [{ delimiterThreshold: -0.1 }, "delimiterThreshold"],
    [{ delimiters: ["zz"] }, "delimiters"],
    [{ delimiters: [] }, "delimiters"],
    [{ decoder: "greedy" as never }, "decoder"],
    [{ temperature: -1 }, "temperature"],
    [{ seed: 1.5 }, "seed"],
    [{ blockLength: 4 }, "blockLength"],
  ];
  for (const [options, option] of cases) {
    it(`rejects ${JSON.stringify(options)} naming ${option}`, async () => {
      const error = await generate(engine, "ab", { genLength: 32, blockSize: 8, ...options } as Partial<GenerateOptions>).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OptionError);
      expect((error as OptionError).option).toBe(option);
      expect(engine.model.passes).toBe(0);
    });
  }
  it("rejects a prompt that fills the context", async () => {
    const error = await generate(engine, "a".repeat(40), {}).catch((e: unknown) => e);
    expect((error as OptionError).option).toBe("prompt");
  });
});
